"""A failed post-test in chromium: answers kept without a Save button, a flag, the
summary before submit, and a review that holds the key back (issue 13, items 1, 4, 5).

The learner answers two questions wrong, moves on and back (each answer is still
shown), flags one, opens the summary (answered, not answered and flagged, per
question), submits, and sees a fail with marks by topic and no right answers.
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
from tests.browser import attest, chromium_page, eventually, require_browser, served, settle, shot
from tests.test_browser_learner import answer_in_browser, plain
from tests.test_browser_timer import begin

pytestmark = pytest.mark.browser


def test_a_failed_attempt_keeps_answers_flags_summarises_and_hides_the_key(
    tmp_path: Path,
) -> None:
    require_browser()
    db = tmp_path / "failed.db"
    store = Store(db)
    Accounts(store).sign_up("ana", "Ana Lima", "password123")
    course = load_course()
    with served(db) as url, chromium_page(1280, 900) as page:
        begin(page, url)  # the rules page, then Begin: the clock runs
        attempt = store.first("SELECT * FROM attempts WHERE mode = 'post_test'")
        slots = json.loads(attempt["slots"])
        total = len(slots)
        questions = [course.question(s["id"]) for s in slots]
        wrong = [i for i, q in enumerate(questions) if q.type in ("single", "true_false")][:2]
        assert len(wrong) == 2

        def at(number: int) -> None:
            page.get_by_text(f"Question {number} of {total} ·").wait_for()
            settle(page)

        def wrong_answer(question):
            right = correct_answer(question)
            if question.type == "true_false":
                return not right
            return next(i for i in range(len(question.choices)) if i != right)

        def shown_choice(index: int):
            question = questions[index]
            key = f"a{attempt['id']}-{question.id}"
            if question.type == "true_false":
                label = "True" if wrong_answer(question) else "False"
                return page.locator(f".st-key-{key}-tf").get_by_role("radio", name=label)
            label = plain(question.choices[wrong_answer(question)].text)
            return page.locator(f".st-key-{key}-single").get_by_role("radio", name=label)

        position = 0
        for target in wrong:
            while position < target:
                page.get_by_role("button", name="Next", exact=True).click()
                position += 1
                at(position + 1)
            question = questions[target]
            answer_in_browser(page, attempt["id"], question, wrong_answer(question), None)
        page.get_by_role("button", name="Previous", exact=True).click()  # no Save pressed
        at(position)
        page.get_by_role("button", name="Next", exact=True).click()
        at(position + 1)
        expect(shown_choice(wrong[-1])).to_be_checked()  # kept, and shown as kept
        rows = store.query("SELECT question_id FROM responses WHERE attempt_id = ?",
                           [attempt["id"]])  # fmt: skip
        assert {r["question_id"] for r in rows} == {questions[i].id for i in wrong}

        page.get_by_text("Flag this question to come back to").click()

        def flags() -> int:
            return store.first("SELECT count(*) AS n FROM flags")["n"]

        eventually(flags, lambda n: n == 1)  # the toggle's run stores it
        settle(page)

        page.get_by_role("button", name="Submit the post-test").click()
        page.get_by_text("Summary of your attempt").wait_for()
        page.get_by_text(f"Submit now? 2 of {total} answered").wait_for()
        table = page.locator("table").filter(has_text="Flagged")
        flagged_row = table.locator("tr").filter(has=page.locator(f"td:text-is('{position + 1}')"))
        expect(flagged_row).to_contain_text("Answered")
        expect(flagged_row).to_contain_text("Flagged")
        expect(table.get_by_text("Not answered")).to_have_count(total - 2)
        shot(page, "failed-summary")
        attest(page)
        page.get_by_role("button", name="Yes, submit").click()

        page.get_by_text("Not passed", exact=False).first.wait_for()
        page.get_by_text("shown once you pass or have used your last attempt").wait_for()
        expect(page.get_by_test_id("stExpander")).to_have_count(0)  # no question reviewed
        page.get_by_text("Learning objective").first.wait_for()  # marks by objective
        for index in wrong:
            question = questions[index]
            if question.type == "single":
                right = plain(question.choices[correct_answer(question)].text)
                expect(page.get_by_text(right, exact=True)).to_have_count(0)
        shot(page, "failed-results")
    finished = store.attempt(attempt["id"])
    assert finished["submitted_at"] is not None and finished["passed"] == 0
