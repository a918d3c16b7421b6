"""The ASGI app `quiz-app serve` runs: the Streamlit app plus the routes that set its
HttpOnly cookies (quiz_app/cookies.py) and the one that streams its CSV downloads
(quiz_app/downloads.py). `streamlit run` finds `app` here and serves it.

An exception that a script run does not catch (in a widget callback, or one that is not
the app's own) is shown as a plain message by `routes.show_failure`, never as a traceback.

Every HTTP response says which sites may show the app in a frame (`FrameAncestors`):
only the app's own origin, unless $QUIZ_FRAME_ANCESTORS names the sites (an LMS that
embeds it), so another site cannot frame the sign-in page under a decoy (clickjacking).
A value that is not a list of CSP sources stops the server before it starts, with a
message saying what is wrong.

Before the first session, `prepare_process` imports every page's modules and loads the
course, then freezes them out of the garbage collector's work (`gc.freeze`): Streamlit
collects every generation after every script run (`runner.postScriptGC`), and without
the freeze each of those collections walked the whole heap (pandas, pyarrow, Altair,
the course), most of the CPU an answer cost.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from quiz_app import cookies, downloads, fonts, routes, session, ui
from quiz_app.errors import BankError

FRAME_ANCESTORS_ENV = "QUIZ_FRAME_ANCESTORS"
DEFAULT_FRAME_ANCESTORS = "'self'"

# CSP 3 source expressions that frame-ancestors allows: a scheme ("https:") or a host
# with optional scheme, port and path. No ";" or "," can appear, so a value can neither
# add another directive nor start a second policy.
_SCHEME = r"[A-Za-z][A-Za-z0-9+.-]*"
_HOST = r"(?:\*|(?:\*\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?)"
_PATH = r"/[A-Za-z0-9._~!$&'()*+=:@%/-]*"
_SOURCE = re.compile(
    rf"{_SCHEME}:|(?:{_SCHEME}://)?{_HOST}(?::(?:[0-9]+|\*))?(?:{_PATH})?", re.ASCII
)
_KEYWORDS = {"'self'", "'none'"}


class FrameAncestorsError(ValueError):
    """$QUIZ_FRAME_ANCESTORS is not a list of sources a browser would accept."""


def frame_ancestors(environ: Mapping[str, str] = os.environ) -> str:
    """The Content-Security-Policy value to send: `frame-ancestors` and the sources in
    $QUIZ_FRAME_ANCESTORS (space-separated, e.g. `'self' https://lms.example.edu`), or
    `'self'` when it is unset or blank. Raises FrameAncestorsError naming the first
    source that is not one."""
    sources = environ.get(FRAME_ANCESTORS_ENV, "").split() or [DEFAULT_FRAME_ANCESTORS]
    for source in sources:
        if source.lower() in _KEYWORDS:
            continue
        if source.lower() == "frame-ancestors":
            raise FrameAncestorsError(
                f"{FRAME_ANCESTORS_ENV}: give only the sources, without 'frame-ancestors'"
            )
        if not _SOURCE.fullmatch(source):
            raise FrameAncestorsError(
                f"{FRAME_ANCESTORS_ENV}: {source!r} is not a frame source; give the sites"
                " that may embed the app, separated by spaces, such as"
                " 'self' https://lms.example.edu (no ';', ',' or other directives)"
            )
    if len(sources) > 1 and any(s.lower() == "'none'" for s in sources):
        raise FrameAncestorsError(
            f"{FRAME_ANCESTORS_ENV}: 'none' (no site may frame the app) cannot be combined"
            " with other sources"
        )
    return "frame-ancestors " + " ".join(sources)


class FrameAncestors:
    """ASGI middleware: adds `Content-Security-Policy: <policy>` to every HTTP response,
    and, for browsers too old for CSP, the X-Frame-Options that says the same when there
    is one ('self' or 'none')."""

    def __init__(self, app: ASGIApp, policy: str) -> None:
        self.app = app
        self.headers = [(b"content-security-policy", policy.encode("ascii"))]
        legacy = {"frame-ancestors 'self'": b"SAMEORIGIN", "frame-ancestors 'none'": b"DENY"}
        if policy.lower() in legacy:
            self.headers.append((b"x-frame-options", legacy[policy.lower()]))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.app(scope, receive, send_with_policy)


def prepare_process() -> None:
    """Import every page (and with them pandas, pyarrow, Altair, the PDF writer), read
    Source Sans Pro's character map (every sign-up checks a name against it) and load the
    course, then move everything alive into the collector's permanent generation.

    Those objects live as long as the process, so no collection could free them; frozen,
    the full collection after each script run walks only what sessions made since. A
    course reloaded after an edit is not frozen, and the one it replaced stays in memory.
    """
    for page in sorted((Path(__file__).resolve().parent / "views").glob("[a-z]*.py")):
        importlib.import_module(f"quiz_app.views.{page.stem}")
    fonts.unprintable("")
    with contextlib.suppress(BankError):  # every page says so (ui.show_bank_status)
        ui.course()
    gc.collect()
    gc.freeze()


try:
    _policy = frame_ancestors()
except FrameAncestorsError as exc:
    sys.exit(f"quiz-app serve: not started: {exc}")

prepare_process()
app = st.App(
    Path(__file__).resolve().parent / "app.py",
    routes=[
        *cookies.routes(session.accounts),
        *downloads.routes(session.accounts, session.reports),
    ],
    middleware=[Middleware(FrameAncestors, policy=_policy)],
    on_script_error=routes.show_failure,
)
