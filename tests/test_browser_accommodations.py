"""Issue 15, item 4, in Debian's chromium: an instructor grants a learner 1.5x time on the
Learners page, and the learner's post-test countdown starts at 45:00 instead of 30:00."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from quiz_app.accounts import INSTRUCTOR, Accounts
from quiz_app.store import Store
from tests.browser import (
    chromium,
    new_page,
    require_browser,
    seconds,
    served,
    settle,
    shot,
    sign_in,
)

pytestmark = pytest.mark.browser


def test_a_learner_granted_1_5x_time_sees_a_45_minute_countdown(tmp_path: Path) -> None:
    require_browser()
    db = tmp_path / "accommodations.db"
    accounts = Accounts(Store(db))
    teacher = accounts.sign_up("teacher", "Teacher", "teacher-pass", INSTRUCTOR)
    cohort = accounts.create_cohort(teacher, "Autumn")
    accounts.join(accounts.sign_up("ana", "Ana Lima", "password123"), cohort["join_code"])

    with served(db) as url, chromium() as browser:
        instructor = new_page(browser, 1400, 900)
        instructor.goto(url)
        sign_in(instructor, "teacher", "teacher-pass")
        instructor.get_by_role("heading", name="Cohort dashboard").wait_for()
        instructor.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Learners").click()
        instructor.get_by_role("heading", name="Learners").wait_for()
        settle(instructor)
        instructor.get_by_text("Accommodation: none").click()
        instructor.get_by_text("A multiple of the time limit").click()
        expect(instructor.get_by_role("spinbutton", name="Time multiplier")).to_have_value("1.50")
        instructor.get_by_role("textbox", name="Reason (optional)").fill("Extra time, on file")
        instructor.get_by_role("button", name="Grant").click()
        instructor.get_by_text("Granted Ana Lima (ana): 1.5× time.").wait_for()
        shot(instructor, "accommodation-granted")

        learner = new_page(browser, 390, 844)
        learner.goto(url)
        sign_in(learner)
        learner.get_by_text("from every topic · 45 minutes · pass mark").wait_for()
        learner.get_by_role("button", name="Start the post-test").click()
        learner.get_by_text("45 minutes, with the extra time you were granted").wait_for()
        learner.get_by_role("button", name="Begin the post-test").click()
        timer = learner.locator('[id^="countdown-"] b')
        timer.wait_for()
        before = timer.inner_text()
        expect(timer).not_to_have_text(before, timeout=10_000)  # it ticks
        assert 44 * 60 + 30 <= seconds(timer.inner_text()) < 45 * 60
        shot(learner, "accommodation-countdown")
