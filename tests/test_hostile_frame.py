"""Anti-framing: every response of `quiz-app serve` says which sites may frame the app."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from quiz_app.cookies import CLAIM_PATH, SIGN_OUT_PATH
from quiz_app.framing import (
    FRAME_ANCESTORS_ENV,
    FrameAncestors,
    FrameAncestorsError,
    frame_ancestors,
)
from tests.browser import free_port, served

LMS = "'self' https://lms.example.edu"


def headers_of(url: str, path: str, method: str = "GET", origin: str | None = None) -> dict:
    """The response headers (lower-cased names) of one request, whatever its status."""
    request = urllib.request.Request(
        url + path, method=method, data=b"x" if method == "POST" else None
    )
    request.add_header("Origin", origin or url)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return {k.lower(): v for k, v in answer.headers.items()}
    except urllib.error.HTTPError as answer:
        return {k.lower(): v for k, v in answer.headers.items()}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "quiz.db"


def test_page_and_auth_routes_refuse_framing_by_other_sites(db: Path) -> None:
    with served(db, {FRAME_ANCESTORS_ENV: ""}) as url:
        answers = {
            "page": headers_of(url, "/"),
            "health": headers_of(url, "/_stcore/health"),
            "claim": headers_of(url, CLAIM_PATH, "POST"),
            "sign-out": headers_of(url, SIGN_OUT_PATH, "POST"),
            "cross-site claim": headers_of(url, CLAIM_PATH, "POST", "https://evil.example"),
        }
    for where, headers in answers.items():
        assert headers.get("content-security-policy") == "frame-ancestors 'self'", where
        assert headers.get("x-frame-options") == "SAMEORIGIN", where


def test_the_setting_lets_an_lms_frame_the_app(db: Path) -> None:
    with served(db, {FRAME_ANCESTORS_ENV: LMS}) as url:
        answers = [headers_of(url, "/"), headers_of(url, CLAIM_PATH, "POST")]
    for headers in answers:
        assert headers["content-security-policy"] == f"frame-ancestors {LMS}"
        assert "x-frame-options" not in headers  # it cannot name another site


def test_serve_refuses_a_setting_that_is_not_a_source_list_before_streamlit(db: Path) -> None:
    env = {**os.environ, FRAME_ANCESTORS_ENV: "'self'; script-src *"}
    done = subprocess.run(
        [sys.executable, "-m", "quiz_app", "serve", "--db", str(db), "--port", str(free_port()),
         "--host", "127.0.0.1"],
        env=env, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    for started in ("Serving on", "You can now view", "URL:", "Traceback"):
        assert started not in done.stdout + done.stderr, started
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"Error: not started: {FRAME_ANCESTORS_ENV}: \"'self';\" is not a frame source; give"
        " the sites that may embed the app, separated by spaces, such as 'self'"
        " https://lms.example.edu (no ';', ',' or other directives)"
    ]
    assert not db.exists()  # refused before the database was even opened


@pytest.mark.parametrize(
    ("value", "policy"),
    [
        (None, "frame-ancestors 'self'"),
        ("  ", "frame-ancestors 'self'"),
        (LMS, f"frame-ancestors {LMS}"),
        ("'SELF'\thttps:", "frame-ancestors 'SELF' https:"),
        ("'none'", "frame-ancestors 'none'"),
        ("*.example.edu:443/moodle/", "frame-ancestors *.example.edu:443/moodle/"),
        ("http://localhost:*", "frame-ancestors http://localhost:*"),
    ],
    ids=["unset", "blank", "lms", "keyword-case-and-scheme", "none", "wildcard-host", "any-port"],
)
def test_a_source_list_becomes_the_policy(value: str | None, policy: str) -> None:
    environ = {} if value is None else {FRAME_ANCESTORS_ENV: value}
    assert frame_ancestors(environ) == policy


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("'self'; script-src *", "\"'self';\" is not a frame source"),
        ("https://a.example,https://b.example", "is not a frame source"),
        (
            "'self'\r\nSet-Cookie: quiz_session=planted",
            "'quiz_session=planted' is not a frame source",
        ),
        ("'unsafe-inline'", "is not a frame source"),
        ("https://lms.exämple.edu", "is not a frame source"),
        ("frame-ancestors 'self'", "without 'frame-ancestors'"),
        ("'none' https://lms.example.edu", "'none' (no site may frame the app) cannot be"),
    ],
    ids=[
        "directive",
        "second-policy",
        "header-injection",
        "keyword",
        "non-ascii",
        "named",
        "none+",
    ],
)
def test_a_setting_that_is_not_a_source_list_is_refused(value: str, message: str) -> None:
    with pytest.raises(FrameAncestorsError, match=FRAME_ANCESTORS_ENV) as refused:
        frame_ancestors({FRAME_ANCESTORS_ENV: value})
    assert message in str(refused.value)


def test_none_also_denies_framing_to_old_browsers_and_websockets_pass_through() -> None:
    started: list[dict] = []

    async def app(scope: dict, receive: object, send: object) -> None:
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200, "headers": []})
        else:
            await send({"type": "websocket.accept"})

    async def send(message: dict) -> None:
        started.append(message)

    middleware = FrameAncestors(app, policy="frame-ancestors 'none'")
    asyncio.run(middleware({"type": "http"}, None, send))
    asyncio.run(middleware({"type": "websocket"}, None, send))
    assert started == [
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-security-policy", b"frame-ancestors 'none'"),
                (b"x-frame-options", b"DENY"),
            ],
        },
        {"type": "websocket.accept"},
    ]


def host_origins(url: str) -> list[str]:
    """The origins Streamlit's page takes host messages from (its /_stcore/host-config)."""
    with urllib.request.urlopen(url + "/_stcore/host-config", timeout=10) as answer:
        return json.load(answer)["allowedOrigins"]


def test_no_parent_frame_may_control_the_page_unless_the_administrator_says(db: Path) -> None:
    """Streamlit's page obeys messages (stop, rerun, an auth token) from a parent frame of
    the origins its host config lists, by default Streamlit Community Cloud's: `serve`
    lists none, so the page does not even listen; an administrator's own list stands."""
    with served(db) as url:
        assert host_origins(url) == []
    with served(db, {"STREAMLIT_CLIENT_ALLOWED_ORIGINS": "https://lms.example.edu"}) as url:
        assert host_origins(url) == ["https://lms.example.edu"]
