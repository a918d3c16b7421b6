"""The app's public address ($QUIZ_PUBLIC_URL): read, checked, and joined to a page."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from quiz_app.addresses import (
    LOCAL_URL,
    PUBLIC_URL_ENV,
    PublicUrlError,
    origin_of,
    page_address,
    public_url,
)
from quiz_app.testing import free_port


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("  ", None),
        ("https://ce.example.edu/quiz/", "https://ce.example.edu/quiz"),
        ("http://10.0.0.5:8501", "http://10.0.0.5:8501"),
    ],
    ids=["unset", "blank", "trailing-slash", "port"],
)
def test_public_url_reads_the_setting(value: str | None, expected: str | None) -> None:
    assert public_url({} if value is None else {PUBLIC_URL_ENV: value}) == expected


@pytest.mark.parametrize(
    "value",
    ["ce.example.edu", "javascript:alert(1)", "https://", "https://x.org/?a=1",
     "https://x.org/#top", "https://x.org/a b", 'https://x.org/"><script>'],
)  # fmt: skip
def test_public_url_refuses_what_is_not_an_address(value: str) -> None:
    with pytest.raises(PublicUrlError, match=PUBLIC_URL_ENV):
        public_url({PUBLIC_URL_ENV: value})


def test_page_address_and_origin() -> None:
    assert page_address("https://x.org/q/", "verify", {"code": "A B&C"}) == (
        "https://x.org/q/verify?code=A+B%26C"
    )
    assert page_address("https://x.org") == "https://x.org"
    assert origin_of("https://x.org:8443/q/dashboard?x=1") == "https://x.org:8443"
    assert origin_of("") == LOCAL_URL


def test_serve_refuses_a_public_url_that_is_not_one(tmp_path: Path) -> None:
    db = tmp_path / "quiz.db"
    done = subprocess.run(
        [sys.executable, "-m", "quiz_app", "serve", "--db", str(db), "--port", str(free_port()),
         "--host", "127.0.0.1"],
        env={**os.environ, PUBLIC_URL_ENV: "ce.example.edu"}, capture_output=True, text=True,
        timeout=30,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"Error: not started: {PUBLIC_URL_ENV}: 'ce.example.edu' is not the app's address;"
        " give it as https://host[/path], such as https://ce.example.edu/quiz"
    ]
    assert "Serving on" not in done.stdout
    assert not db.exists()
