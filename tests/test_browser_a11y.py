"""Keyboard and screen-reader use of the post-test in chromium (issue 13, item 11).

Before: after Next the keyboard focus stayed on the Next button (or fell to the page's
body), the palette's numbers said nothing of which questions were answered or flagged,
and no test answered an ordering question by keyboard alone.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from quiz_app.accounts import Accounts
from quiz_app.attempts import Attempts
from quiz_app.clock import SystemClock
from quiz_app.course import Course
from quiz_app.scoring import correct_answer
from quiz_app.store import Store
from tests.browser import chromium_page, require_browser, served, settle, sign_in
from tests.test_browser_learner import answer_in_browser
from tests.test_browser_timer import begin

pytestmark = pytest.mark.browser

FOCUSED = "() => document.activeElement?.outerHTML.slice(0, 200)"
FOCUSED_ROLE = "() => document.activeElement?.getAttribute('role')"
# The item index of the place box that has the focus (its widget key ends -place-ITEM).
PLACE_OF_FOCUSED = """() => [...document.activeElement.closest('[class*="-place-"]').classList]
    .find(c => c.includes('-place-')).split('-place-')[1]"""


def focused_heading(page, text: str) -> None:
    """Wait until the keyboard focus is on the h2 heading `text`."""
    expect(page.locator("h2:focus")).to_have_text(text)


def test_the_post_test_moves_focus_names_palette_states_and_orders_by_keyboard(
    tmp_path: Path, course: Course
) -> None:
    require_browser()
    db = tmp_path / "keys.db"
    store = Store(db)
    Accounts(store).sign_up("ana", "Ana Lima", "password123")
    with served(db) as url, chromium_page(1400, 900) as page:
        begin(page, url)
        post = store.first("SELECT * FROM attempts WHERE mode = 'post_test'")
        slots = json.loads(post["slots"])
        total = len(slots)
        focused_heading(page, f"Question 1 of {total}")

        first = course.question(slots[0]["id"])
        answer_in_browser(page, post["id"], first, correct_answer(first), None)
        page.get_by_text("Flag this question to come back to").click()
        settle(page)
        page.get_by_role("button", name="Next", exact=True).click()
        focused_heading(page, f"Question 2 of {total}")  # not the Next button, not the body

        palette = page.get_by_role("radiogroup", name="Go to question")
        # Streamlit names the icons ("check icon"); the words say what they mean.
        done = palette.get_by_role("radio", name=re.compile(r"^1 .*\banswered, flagged$"))
        expect(done).to_have_count(1)
        current = palette.get_by_role("radio", name="2 not answered", exact=True)
        expect(current).to_have_attribute("aria-checked", "true")


def test_an_ordering_question_is_answered_with_the_keyboard_only(
    tmp_path: Path, course: Course
) -> None:
    """Tab to each place box, open it with the arrow keys, choose with Enter, then Tab to
    "Check answer": no "Clear value" tab stop on the way, and the order is stored."""
    require_browser()
    db = tmp_path / "order.db"
    store = Store(db)
    ana = Accounts(store).sign_up("ana", "Ana Lima", "password123")
    orderings = [q.id for q in course.questions if q.type == "ordering"]
    topic = course.topic_of(orderings[0])
    quiz = course.practice_quiz([topic], len(orderings))
    practice = Attempts(store, course, SystemClock()).start(ana.id, quiz, pool=orderings)
    with served(db) as url, chromium_page(1400, 900) as page:
        page.goto(url)
        sign_in(page)
        page.get_by_role("heading", name="Welcome, Ana Lima").wait_for()
        page.goto(f"{url}/quiz?attempt={practice.id}")
        total = len(practice.slots)
        focused_heading(page, f"Question 1 of {total}")
        settle(page)
        question = course.question(practice.slots[0].question_id)
        right = correct_answer(question)
        # The run can be over while the select boxes are still skeletons (their code loads
        # on first use): a person Tabs on once the boxes are shown, so the test does too.
        expect(page.get_by_role("combobox")).to_have_count(len(question.items))
        for _ in question.items:
            page.keyboard.press("Tab")
            assert page.evaluate(FOCUSED_ROLE) == "combobox", page.evaluate(FOCUSED)
            item = int(page.evaluate(PLACE_OF_FOCUSED))
            for _ in range(right.index(item) + 1):
                page.keyboard.press("ArrowDown")
            page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Check answer")).to_be_focused()
        page.keyboard.press("Enter")
        page.get_by_text("Correct.", exact=True).wait_for()
        stored = store.first("SELECT answer FROM responses WHERE attempt_id = ?", (practice.id,))
        assert json.loads(stored["answer"]) == right
        page.get_by_role("button", name="Next question").click()
        focused_heading(page, f"Question 2 of {total}")
