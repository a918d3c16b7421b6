"""Practice results open at their top on a phone (issue 13, item 6).

Before: Streamlit keeps the scroll position across runs, so after "Finish and see my
score", reached at the foot of a long question, the results opened half-way down.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from quiz_app.accounts import Accounts
from quiz_app.store import Store
from tests.browser import chromium_page, require_browser, served, settle, type_into

pytestmark = pytest.mark.browser

INPUTS = ("[role=radiogroup]", "[data-testid=stCheckbox]")  # one answer, or several
CHOICE = ", ".join(f"[data-testid=stForm] {inside} label" for inside in INPUTS)


def test_practice_results_open_at_the_top_on_a_phone(tmp_path: Path) -> None:
    require_browser()
    db = tmp_path / "results.db"
    Accounts(Store(db)).sign_up("ana", "Ana Lima", "password123")
    with served(db) as url, chromium_page(390, 600) as page:
        page.goto(url)
        panel = page.get_by_role("tabpanel", name="Sign in")
        type_into(panel.get_by_role("textbox", name="Username"), "ana")
        type_into(panel.get_by_role("textbox", name="Password"), "password123")
        panel.get_by_role("button", name="Sign in").click()
        slider = page.get_by_role("slider")
        slider.wait_for()
        settle(page)
        slider.focus()
        for _ in range(7):  # 10 questions down to 3
            page.keyboard.press("ArrowLeft")
        settle(page)
        page.get_by_role("button", name="Start practice").click()
        finish = page.get_by_role("button", name="Finish and see my score")
        for _ in range(3):
            page.get_by_role("button", name="Check answer").wait_for()
            settle(page)
            page.locator(CHOICE).first.click()
            page.get_by_role("button", name="Check answer").click()
            settle(page)
            following = page.get_by_role("button", name="Next question")
            following.or_(finish).first.wait_for()
            if finish.count():
                break
            following.click()
        finish.click()  # at the foot of the last question's review: the page is scrolled
        page.get_by_text("Review your answers", exact=True).wait_for()
        settle(page)
        expect(page.locator("h1").first).to_be_in_viewport()
