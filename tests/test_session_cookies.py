"""The session and device cookies: HttpOnly, set by the server's own routes, claimed once."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from quiz_app import session
from quiz_app.accounts import Accounts, User
from quiz_app.clock import ManualClock
from quiz_app.cookies import CLAIM_PATH, DEVICE_COOKIE, SESSION_COOKIE, SIGN_OUT_PATH
from quiz_app.testing import open_app
from tests.asgi import HOST, handoff_code, post

URL_SAFE_WORD = re.compile(r"[A-Za-z0-9_-]{20,}")


pytestmark = pytest.mark.usefixtures("env")


def sign_in(username: str = "ana", password: str = "password123") -> AppTest:
    at = open_app()
    at.text_input(key="signin-username").input(username)
    at.text_input(key="signin-password").input(password)
    at.button(key="FormSubmitter:sign-in-Sign in").click().run()
    return at


def page_scripts(at: AppTest) -> str:
    return " ".join(h.proto.body for h in at.get("html"))


def claim(code: str, **browser) -> object:
    return post(session.accounts, CLAIM_PATH, code, **browser)


def test_session_token_never_reaches_a_page_script(learner: User, accounts: Accounts) -> None:
    at = sign_in()
    scripts = page_scripts(at)
    assert all(accounts.resume_session(w) is None for w in URL_SAFE_WORD.findall(scripts))
    token = claim(handoff_code(at)).cookie(SESSION_COOKIE)
    assert token and accounts.resume_session(token).user == learner
    assert token not in scripts + page_scripts(at.run())


def test_session_cookie_is_httponly_and_claimed_once(learner: User) -> None:
    code = handoff_code(sign_in())
    answer = claim(code)
    assert answer.status == 204
    assert re.fullmatch(
        r"quiz_session=[A-Za-z0-9_-]{43}; HttpOnly; Max-Age=43200; Path=/; SameSite=strict",
        answer.header_of(SESSION_COOKIE),
    )
    assert re.fullmatch(
        r"quiz_device=[A-Za-z0-9_-]{43}; HttpOnly; Max-Age=15552000; Path=/; SameSite=strict",
        answer.header_of(DEVICE_COOKIE),
    )
    again = claim(code)
    assert (again.status, again.set_cookies) == (400, [])


def test_cookies_are_secure_when_the_page_is_https(learner: User) -> None:
    answer = claim(handoff_code(sign_in()), origin=f"https://{HOST}")
    assert answer.status == 204
    assert all(header.endswith("; Secure") for header in answer.set_cookies)
    assert len(answer.set_cookies) == 2


def test_a_hand_off_code_lasts_a_minute(learner: User, clock: ManualClock) -> None:
    code = handoff_code(sign_in())
    clock.advance(seconds=60)
    assert claim(code).status == 400


@pytest.mark.parametrize(
    "origin", ["http://evil.example", None, f"http://{HOST}.evil.example"], ids=str
)
def test_cross_site_requests_are_refused(learner: User, origin: str | None) -> None:
    code = handoff_code(sign_in())
    for path in (CLAIM_PATH, SIGN_OUT_PATH):
        answer = post(session.accounts, path, code, origin=origin)
        assert (answer.status, answer.set_cookies) == (403, [])
    assert claim(code).status == 204  # the refused request did not use the code up


def test_every_sign_in_gets_a_fresh_token_and_revokes_the_one_presented(
    learner: User, accounts: Accounts
) -> None:
    """A token planted in the browser (here, the attacker's own session) dies when the
    victim signs in; the victim gets a token of their own."""
    mallory = accounts.sign_up("mallory", "Mallory", "password456")
    planted = claim(handoff_code(sign_in("mallory", "password456"))).cookie(SESSION_COOKIE)
    assert accounts.resume_session(planted).user == mallory
    own = claim(handoff_code(sign_in()), browser_cookies={SESSION_COOKIE: planted})
    token = own.cookie(SESSION_COOKIE)
    assert token != planted and accounts.resume_session(token).user == learner
    assert accounts.resume_session(planted) is None


def test_a_recognised_browser_keeps_its_device_token(learner: User, accounts: Accounts) -> None:
    device = claim(handoff_code(sign_in())).cookie(DEVICE_COOKIE)
    again = claim(handoff_code(sign_in()), browser_cookies={DEVICE_COOKIE: device})
    assert again.cookie(SESSION_COOKIE) and again.cookie(DEVICE_COOKIE) is None
    accounts.sign_up("bob", "Bob", "password789")
    bobs = claim(
        handoff_code(sign_in("bob", "password789")), browser_cookies={DEVICE_COOKIE: device}
    )
    assert bobs.cookie(DEVICE_COOKIE) not in (None, device)  # a device token is per account


def test_sign_out_route_revokes_the_session_and_clears_its_cookie(
    learner: User, accounts: Accounts
) -> None:
    claimed = claim(handoff_code(sign_in()))
    token, device = claimed.cookie(SESSION_COOKIE), claimed.cookie(DEVICE_COOKIE)
    answer = post(
        session.accounts,
        SIGN_OUT_PATH,
        browser_cookies={SESSION_COOKIE: token, DEVICE_COOKIE: device},
    )
    assert answer.status == 204
    assert answer.set_cookies == ['quiz_session=""; HttpOnly; Max-Age=0; Path=/; SameSite=strict']
    assert accounts.resume_session(token) is None
    assert len(accounts.store.table_rows("devices")) == 1  # the browser stays recognised
