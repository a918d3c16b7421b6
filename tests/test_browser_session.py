"""Sessions in Debian's chromium against `quiz-app serve`: HttpOnly cookies, a refresh,
two tabs and a sign-out, and a locked-out username that its owner's browser still opens."""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz_app.accounts import AccountError, Accounts
from quiz_app.store import Store
from tests.browser import chromium_page, eventually, require_browser, served, settle, type_into

pytestmark = pytest.mark.browser

WELCOME = "Welcome, Ana Lima"
SIGN_IN_TITLE = "Dry needling CE quizzes"
SESSION_COOKIE, DEVICE_COOKIE = "quiz_session", "quiz_device"


def sign_in(page, password: str) -> None:
    type_into(page.get_by_role("textbox", name="Username"), "ana")
    type_into(page.get_by_role("textbox", name="Password"), password)
    page.get_by_role("button", name="Sign in").click()


def cookies_once(context, present: set[str], absent: set[str] = frozenset()) -> dict:
    """The browser's cookies by name, once those named `present` are set and those named
    `absent` are not (the page sets them through a request of its own)."""
    return eventually(
        lambda: {c["name"]: c for c in context.cookies()},
        lambda cookies: present <= cookies.keys() and not absent & cookies.keys(),
    )


def nav(page, name: str) -> None:
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name=name).click()


def test_browser_session_cookie_is_httponly(tmp_path: Path) -> None:
    require_browser()
    db = tmp_path / "sessions.db"
    accounts = Accounts(Store(db))
    accounts.sign_up("ana", "Ana Lima", "password123")

    with served(db) as url, chromium_page() as first:
        browser = first.context.browser
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page, other = context.new_page(), context.new_page()  # two tabs of one browser
        page.goto(url)
        sign_in(page, "password123")
        page.get_by_role("heading", name=WELCOME).wait_for()
        cookies = cookies_once(context, {SESSION_COOKIE})
        for name in (SESSION_COOKIE, DEVICE_COOKIE):
            assert cookies[name]["httpOnly"] and cookies[name]["sameSite"] == "Strict", name
        token = cookies[SESSION_COOKIE]["value"]
        assert accounts.resume_session(token).user.username == "ana"
        script_sees = page.evaluate("document.cookie")
        assert token not in script_sees and SESSION_COOKIE not in script_sees

        page.reload()
        page.get_by_role("heading", name=WELCOME).wait_for()  # a refresh keeps you in

        other.goto(url)
        other.get_by_role("heading", name=WELCOME).wait_for()  # a second tab, same session
        settle(other)

        nav(page, "Sign out")
        page.get_by_role("heading", name="Signed out").wait_for()
        cookies_once(context, {DEVICE_COOKIE}, absent={SESSION_COOKIE})
        nav(other, "My progress")  # the other tab's next interaction
        other.get_by_role("heading", name=SIGN_IN_TITLE).wait_for()
        assert accounts.resume_session(token) is None

        # Someone else locks the username out with wrong passwords...
        for _ in range(5):
            with pytest.raises(AccountError):
                accounts.sign_in("ana", "wrong-password")
        stranger = browser.new_page()
        stranger.goto(url)
        sign_in(stranger, "password123")
        stranger.get_by_text("This username is locked").wait_for()
        stranger.close()
        # ...but Ana's own browser, which she signed in on before, still signs her in.
        page.get_by_role("link", name="Sign in again").click()
        sign_in(page, "password123")
        page.get_by_role("heading", name=WELCOME).wait_for()
