"""Which sites may show the app in a frame: the Content-Security-Policy `frame-ancestors`
policy, read from $QUIZ_FRAME_ANCESTORS, and the ASGI middleware that sends it.

By default only the app's own origin may frame it, so another site cannot frame the
sign-in page under a decoy (clickjacking); an LMS that embeds the app is named in
$QUIZ_FRAME_ANCESTORS. `quiz-app serve` checks the setting before it starts Streamlit,
and the server (quiz_app/server.py) reads it again when it starts, so a value that is
not a list of CSP sources is refused either way, with one line saying what is wrong.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
