"""The profile and reset links in chromium (issue 13, item 8): a learner changes their
password (a wrong current one refused first) and their other browser is signed out;
then an instructor makes a reset link that a fresh browser uses."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from quiz_app.accounts import INSTRUCTOR, Accounts
from quiz_app.store import Store
from tests.browser import (
    chromium_page,
    new_page,
    require_browser,
    served,
    settle,
    shot,
    sign_in,
    type_into,
)

pytestmark = pytest.mark.browser

WELCOME = "Welcome, Ana Lima"


def nav(page, name: str) -> None:
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name=name).click()


def fill(scope, fields: dict[str, str]) -> None:
    for label, text in fields.items():
        type_into(scope.get_by_role("textbox", name=label, exact=True), text)


def test_profile_password_change_and_a_reset_link(tmp_path: Path) -> None:
    require_browser()
    db = tmp_path / "profile.db"
    accounts = Accounts(Store(db))
    teacher = accounts.sign_up("teacher", "Teacher", "teacher-pass", INSTRUCTOR)
    code = accounts.create_cohort(teacher, "Autumn")["join_code"]
    with served(db) as url, chromium_page() as page:
        browser = page.context.browser
        page.goto(url)
        page.get_by_role("tab", name="Create an account").click()
        form = page.get_by_role("tabpanel", name="Create an account")
        new_account = {"Username": "ana", "Your name": "Ana Lima", "Password": "password123",
                       "Password again": "password123"}  # fmt: skip
        fill(form, {**new_account, "Cohort join code (optional)": code})
        form.get_by_role("button", name="Create account").click()
        page.get_by_role("heading", name=WELCOME).wait_for()

        other = new_page(browser)  # another browser, signed in as Ana too
        other.goto(url)
        sign_in(other, "ana", "password123")
        other.get_by_role("heading", name=WELCOME).wait_for()
        settle(other)

        nav(page, "Profile")
        page.get_by_role("heading", name="Profile").wait_for()
        passwords = {"New password": "new-password", "New password again": "new-password"}
        fill(page, {"Current password": "not-my-password", **passwords})
        page.get_by_role("button", name="Change password").click()
        page.get_by_text("That is not your current password.").wait_for()
        fill(page, {"Current password": "password123", **passwords})
        page.get_by_role("button", name="Change password").click()
        page.get_by_text("your other sessions are signed out").wait_for()
        settle(page)
        shot(page, "profile-desktop")

        other.reload()  # the other browser's next run: signed out
        other.get_by_role("tab", name="Sign in").wait_for()
        expect(other.get_by_role("heading", name=WELCOME)).to_have_count(0)

        page.reload()  # this browser stays signed in
        page.get_by_role("heading", name="Profile").wait_for()
        nav(page, "Sign out")
        page.get_by_role("heading", name="Signed out").wait_for()
        page.goto(url)
        sign_in(page, "ana", "new-password")
        page.get_by_role("heading", name=WELCOME).wait_for()

        instructor = new_page(browser, 1400, 900)
        instructor.goto(url)
        sign_in(instructor, "teacher", "teacher-pass")
        instructor.get_by_role("heading", name="Dashboard").wait_for()
        nav(instructor, "Learners")
        instructor.get_by_role("button", name="Password reset link").click()
        instructor.get_by_role("button", name="Make the link").click()
        instructor.get_by_text("it works once, for one hour").wait_for()
        link = instructor.get_by_test_id("stCode").locator("code").inner_text().strip()
        assert link.startswith(f"{url}/reset_password?token=")
        shot(instructor, "reset-link-learners")

        fresh = new_page(browser)  # a browser that has never signed in
        fresh.goto(link)
        fresh.get_by_role("heading", name="Set a new password").wait_for()
        fill(fresh, {"New password": "reset-password", "New password again": "reset-password"})
        fresh.get_by_role("button", name="Set password").click()
        fresh.get_by_text("Sign in with the new password.").wait_for()
        fresh.get_by_test_id("stPageLink-NavLink").click()  # the page's own "Sign in" link
        sign_in(fresh, "ana", "reset-password")
        fresh.get_by_role("heading", name=WELCOME).wait_for()

        again = new_page(browser)  # the used link, in another signed-out browser
        again.goto(link)
        again.get_by_text("This password reset link does not work").wait_for()
        settle(again)
        expect(again.get_by_role("textbox", name="New password", exact=True)).to_have_count(0)
