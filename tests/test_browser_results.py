"""Practice results open at their top on a phone (issue 13, item 6).

Before: Streamlit keeps the scroll position across runs, so after "Finish and see my
score", reached at the foot of a long question, the results opened half-way down.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from quiz_app.accounts import Accounts
from quiz_app.course import load_course
from quiz_app.scoring import correct_answer
from quiz_app.store import Store
from tests.browser import chromium_page, require_browser, served, settle, sign_in
from tests.test_browser_learner import answer_in_browser

pytestmark = pytest.mark.browser


def test_practice_results_open_at_the_top_on_a_phone(tmp_path: Path) -> None:
    require_browser()
    db = tmp_path / "results.db"
    store = Store(db)
    Accounts(store).sign_up("ana", "Ana Lima", "password123")
    course = load_course()
    with served(db) as url, chromium_page(390, 600) as page:
        page.goto(url)
        sign_in(page)
        slider = page.get_by_role("slider")
        slider.wait_for()
        settle(page)
        slider.focus()
        for _ in range(7):  # 10 questions down to 3
            page.keyboard.press("ArrowLeft")
        settle(page)
        page.get_by_role("button", name="Start practice").click()
        page.get_by_role("button", name="Check answer").wait_for()
        attempt = store.first("SELECT * FROM attempts ORDER BY id DESC LIMIT 1")
        slots = json.loads(attempt["slots"])
        finish = page.get_by_role("button", name="Finish and see my score")
        for number, slot in enumerate(slots, start=1):
            question = course.question(slot["id"])
            answer_in_browser(page, attempt["id"], question, correct_answer(question),
                              "Check answer")  # fmt: skip
            page.get_by_text("Correct.", exact=True).wait_for()
            settle(page)
            if number < len(slots):
                page.get_by_role("button", name="Next question").click()
        finish.click()  # at the foot of the last question's review: the page is scrolled
        page.get_by_text("Review your answers", exact=True).wait_for()
        settle(page)
        expect(page.locator("h1").first).to_be_in_viewport()
