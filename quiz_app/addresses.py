"""The app's public address: where a printed certificate says to verify it, and what a
password-reset link starts with.

Behind a proxy or on a school's own domain the server cannot know the address its
users type, so it is set in $QUIZ_PUBLIC_URL (e.g. `https://ce.example.edu/quiz`).
Unset, a page uses the address its browser is on, and the command line (which has no
browser) uses `http://localhost:8501`, the address `quiz-app serve` starts on.
`quiz-app serve` refuses a value that is not an http(s) address before it starts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit

from quiz_app.errors import QuizError

PUBLIC_URL_ENV = "QUIZ_PUBLIC_URL"
LOCAL_URL = "http://localhost:8501"


class PublicUrlError(QuizError):
    """$QUIZ_PUBLIC_URL is not an http or https address."""


def public_url(environ: Mapping[str, str] = os.environ) -> str | None:
    """The configured public address without a trailing slash, or None when unset or
    blank. Raises PublicUrlError saying what is wrong with a value that is set."""
    value = environ.get(PUBLIC_URL_ENV, "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or any(c.isspace() or c in "\"'<>\\" for c in value)
    ):
        raise PublicUrlError(
            f"{PUBLIC_URL_ENV}: {value!r} is not the app's address; give it as"
            " https://host[/path], such as https://ce.example.edu/quiz"
        )
    return value.rstrip("/")


def page_address(base: str, page: str = "", query: Mapping[str, str] | None = None) -> str:
    """The address of `page` (its URL path, e.g. "verify") under `base`, with `query`
    encoded; e.g. page_address("https://x.org/q", "verify", {"code": "AB"}) is
    "https://x.org/q/verify?code=AB"."""
    address = base.rstrip("/") + ("/" + page.strip("/") if page else "")
    return address + ("?" + urlencode(query) if query else "")


def origin_of(url: str) -> str:
    """The scheme, host and port of a page's address (what a browser shows up to the
    path), or LOCAL_URL when `url` is not an http(s) address."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return LOCAL_URL
    return f"{parts.scheme}://{parts.netloc}"


def app_address(page_url: str | None = None) -> str:
    """The app's address to print or link to: $QUIZ_PUBLIC_URL when set, else the origin
    of the page the browser is on (`page_url`), else (the command line, with no page)
    LOCAL_URL. Raises PublicUrlError for a bad $QUIZ_PUBLIC_URL."""
    return public_url() or origin_of(page_url or "")
