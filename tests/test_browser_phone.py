"""On a phone-size screen (390x844) in chromium (issue 13, item 12).

Before: the sidebar stayed open over the page just chosen (Streamlit closes it only in
browsers whose user agent says "mobile"). (The Missed column of "Objectives missed most
often" comes first: tests/test_learner_pages.py.) The item analysis's "Attempts
counted" choices ran off the right edge of the screen ("All attempts" cut to "All").
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from quiz_app.accounts import INSTRUCTOR, Accounts
from quiz_app.store import Store
from tests.browser import chromium_page, require_browser, served, settle, shot, sign_in
from tests.test_browser_learner import nav

pytestmark = pytest.mark.browser


def test_on_a_phone_the_sidebar_closes_after_choosing_a_page(tmp_path: Path) -> None:
    require_browser()
    db = tmp_path / "phone.db"
    store = Store(db)
    Accounts(store).sign_up("ana", "Ana Lima", "password123")
    with served(db) as url, chromium_page(390, 844) as page:
        page.goto(url)
        sign_in(page)
        page.get_by_role("heading", name="Welcome, Ana Lima").wait_for()
        settle(page)
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar).to_have_attribute("data-collapsed", "true")
        page.get_by_test_id("stExpandSidebarButton").click()
        expect(sidebar).to_have_attribute("data-collapsed", "false")
        nav(page, "My progress")
        page.get_by_role("heading", name="My progress").wait_for()
        expect(sidebar).to_have_attribute("data-collapsed", "true")  # the page is in view
        shot(page, "phone-progress")


def test_on_a_phone_the_item_analysis_choices_fit_the_screen(tmp_path: Path) -> None:
    require_browser()
    db = tmp_path / "phone.db"
    accounts = Accounts(Store(db))
    teacher = accounts.sign_up("teacher", "Teacher", "teacher-pass", INSTRUCTOR)
    accounts.create_cohort(teacher, "Autumn")
    with served(db) as url, chromium_page(390, 844) as page:
        page.goto(url)
        sign_in(page, "teacher", "teacher-pass")
        page.get_by_role("heading", name="Dashboard").wait_for()
        page.goto(f"{url}/items")
        page.get_by_role("heading", name="Item analysis").wait_for()
        settle(page)
        choices = page.get_by_test_id("stButtonGroup").locator("button")
        expect(choices).to_have_count(4)
        width = page.evaluate("document.documentElement.clientWidth")
        for n in range(4):
            box = choices.nth(n).bounding_box()
            assert box is not None and box["x"] + box["width"] <= width, choices.nth(n).inner_text()
        shot(page, "phone-items")
