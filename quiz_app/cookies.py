"""The browser's cookies, set by the server as HttpOnly so that no page script can read them.

A Streamlit script run cannot set a cookie, so `quiz-app serve` runs the app with two
routes beside it (quiz_app/server.py). After a sign-in the page runs a one-line script
that POSTs the session's one-time hand-off code to CLAIM_PATH, whose answer sets

- SESSION_COOKIE to a fresh session token, until the session expires, and
- DEVICE_COOKIE to a new device token (DEVICE_DAYS long) when the browser holds no valid
  one of that user: it marks the browser as one the account has signed in on.

Both are HttpOnly, SameSite=Strict, Path=/, and Secure when the page is https. Signing
out POSTs to SIGN_OUT_PATH, which revokes the session of the browser's SESSION_COOKIE and
clears it (the device token stays). Both routes refuse a request whose Origin is not this
server, so another site's form or script cannot sign a browser in or out.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from quiz_app.accounts import DEVICE_DAYS, Accounts
from quiz_app.errors import QuizError

SESSION_COOKIE = "quiz_session"
DEVICE_COOKIE = "quiz_device"
CLAIM_PATH = "/auth/session"
SIGN_OUT_PATH = "/auth/sign-out"
MAX_BODY_BYTES = 100


def routes(accounts: Callable[[], Accounts]) -> list[Route]:
    """The claim and sign-out routes, over the accounts service that `accounts()` returns."""

    async def claim(request: Request) -> Response:
        if not _same_origin(request):
            return _cross_site()
        code = await _small_body(request)
        try:
            cookies = await run_in_threadpool(
                accounts().claim_session,
                code,
                request.cookies.get(DEVICE_COOKIE),
                request.cookies.get(SESSION_COOKIE),
            )
        except QuizError as exc:
            return PlainTextResponse(str(exc), status_code=503)
        if cookies is None:
            return PlainTextResponse(
                "That sign-in has expired or was already used; sign in again.", status_code=400
            )
        response = Response(status_code=204)
        secure = _https(request)
        _set(response, SESSION_COOKIE, cookies.session_token, cookies.session_seconds, secure)
        if cookies.device_token is not None:
            _set(response, DEVICE_COOKIE, cookies.device_token, DEVICE_DAYS * 86_400, secure)
        return response

    async def sign_out(request: Request) -> Response:
        if not _same_origin(request):
            return _cross_site()
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            try:
                await run_in_threadpool(accounts().end_session_of_token, token)
            except QuizError as exc:
                return PlainTextResponse(str(exc), status_code=503)
        response = Response(status_code=204)
        _set(response, SESSION_COOKIE, "", 0, _https(request))
        return response

    return [
        Route(CLAIM_PATH, claim, methods=["POST"]),
        Route(SIGN_OUT_PATH, sign_out, methods=["POST"]),
    ]


def _set(response: Response, name: str, value: str, seconds: int, secure: bool) -> None:
    response.set_cookie(
        name, value, max_age=seconds, path="/", secure=secure, httponly=True, samesite="strict"
    )


def _same_origin(request: Request) -> bool:
    """True when the request comes from a page of this server (its Origin names this host)."""
    origin, host = request.headers.get("origin"), request.headers.get("host")
    return bool(origin and host) and urlsplit(origin).netloc == host


def _https(request: Request) -> bool:
    """True when the page that sent the request is https (behind a proxy, too)."""
    return urlsplit(request.headers.get("origin", "")).scheme == "https"


def _cross_site() -> Response:
    return PlainTextResponse("Cross-site requests are refused.", status_code=403)


async def _small_body(request: Request) -> str:
    """The request's body as text, or "" when it is longer than any hand-off code."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return ""
    return body.decode("ascii", "replace")
