"""Call the app's cookie routes in-process, as a browser's same-origin fetch would.

Starlette's TestClient needs httpx, which the project does not otherwise use; these
routes need nothing more than one ASGI request and its response headers.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie

from streamlit.testing.v1 import AppTest

from quiz_app import cookies
from quiz_app.accounts import Accounts

HOST = "127.0.0.1:8501"
CLAIM_SCRIPT = re.compile(
    r'<script>fetch\("/auth/session", \{method: "POST", credentials: "same-origin",'
    r' body: "([A-Za-z0-9_-]{43})"\}\);</script>'
)


@dataclass
class Answer:
    status: int
    set_cookies: list[str]  # each Set-Cookie header, as sent

    def cookie(self, name: str) -> str | None:
        """The value the answer sets for cookie `name`, or None when it sets none."""
        for header in self.set_cookies:
            parsed = SimpleCookie(header)
            if name in parsed:
                return parsed[name].value
        return None

    def header_of(self, name: str) -> str:
        return next(h for h in self.set_cookies if h.startswith(f"{name}="))


def post(
    accounts: Callable[[], Accounts],
    path: str,
    body: str = "",
    origin: str | None = f"http://{HOST}",
    browser_cookies: dict[str, str] | None = None,
) -> Answer:
    """POST `body` to `path` of the cookie routes, with this Origin and these cookies."""
    from starlette.applications import Starlette

    app = Starlette(routes=cookies.routes(accounts))
    headers = [(b"host", HOST.encode()), (b"content-type", b"text/plain")]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if browser_cookies:
        jar = "; ".join(f"{k}={v}" for k, v in browser_cookies.items())
        headers.append((b"cookie", jar.encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "server": ("127.0.0.1", 8501),
        "client": ("127.0.0.1", 50000),
    }
    sent: list[dict] = []
    request = [{"type": "http.request", "body": body.encode(), "more_body": False}]

    async def receive() -> dict:
        return request.pop(0) if request else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    set_cookies = [v.decode() for k, v in start["headers"] if k == b"set-cookie"]
    return Answer(start["status"], set_cookies)


def handoff_code(at: AppTest) -> str:
    """The hand-off code in the claim script the last run put on the page."""
    for element in at.sidebar.get("html"):
        found = CLAIM_SCRIPT.fullmatch(element.proto.body)
        if found:
            return found.group(1)
    raise AssertionError("no claim script on the page")
