"""Call the app's routes (cookies, downloads) in-process, as a browser would.

Starlette's TestClient needs httpx, which the project does not otherwise use; these
routes need nothing more than one ASGI request and its response headers.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from starlette.routing import Route
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
    headers: dict[str, str] = field(default_factory=dict)  # the others, the last of each name
    body: bytes = b""
    complete: bool = True  # the app ended the body, rather than dropping the connection

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
    headers = {"content-type": "text/plain"} | ({"origin": origin} if origin else {})
    return call(cookies.routes(accounts), "POST", path, body, browser_cookies, headers)


def call(
    routes: list[Route],
    method: str,
    path: str,
    body: str = "",
    browser_cookies: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request to an app of `routes` (`path` may hold a query), and its whole answer."""
    from starlette.applications import Starlette

    app = Starlette(routes=routes)
    path, _, query = path.partition("?")
    sent_headers = [(b"host", HOST.encode())]
    sent_headers += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    if browser_cookies:
        jar = "; ".join(f"{k}={v}" for k, v in browser_cookies.items())
        sent_headers.append((b"cookie", jar.encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": sent_headers,
        "server": ("127.0.0.1", 8501),
        "client": ("127.0.0.1", 50000),
    }
    sent: list[dict] = []
    request = [{"type": "http.request", "body": body.encode(), "more_body": False}]
    done = asyncio.Event()

    async def receive() -> dict:
        if request:
            return request.pop(0)
        await done.wait()  # the browser stays until the answer is complete
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    async def run() -> None:
        await app(scope, receive, send)
        done.set()

    asyncio.run(run())
    start = next(m for m in sent if m["type"] == "http.response.start")
    pairs = [(k.decode(), v.decode()) for k, v in start["headers"]]
    bodies = [m for m in sent if m["type"] == "http.response.body"]
    return Answer(
        start["status"],
        [v for k, v in pairs if k == "set-cookie"],
        {k: v for k, v in pairs if k != "set-cookie"},
        b"".join(m.get("body", b"") for m in bodies),
        bool(bodies) and not bodies[-1].get("more_body"),
    )


def handoff_code(at: AppTest) -> str:
    """The hand-off code in the claim script the last run put on the page."""
    for element in at.sidebar.get("html"):
        found = CLAIM_SCRIPT.fullmatch(element.proto.body)
        if found:
            return found.group(1)
    raise AssertionError("no claim script on the page")
