"""A problem report in Debian's chromium against `quiz-app serve`: a learner reports the
question of their practice feedback; their instructor finds it in the Problem reports
queue, with the question and its passage, and resolves it with a note."""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz_app.accounts import INSTRUCTOR, Accounts
from quiz_app.attempts import Attempts
from quiz_app.course import Course
from quiz_app.scoring import correct_answer
from quiz_app.store import Store
from tests.browser import (
    chromium,
    new_page,
    require_browser,
    served,
    settle,
    shot,
    sign_in,
    type_into,
)

pytestmark = pytest.mark.browser

COMMENT = "The *second* source says otherwise <b>here</b>."


def test_learner_reports_and_instructor_resolves(tmp_path: Path, course: Course) -> None:
    require_browser()
    db = tmp_path / "reports.db"
    store = Store(db)
    accounts = Accounts(store)
    teacher = accounts.sign_up("teacher", "Tess Teacher", "teacher-pass", INSTRUCTOR)
    cohort = accounts.create_cohort(teacher, "Autumn")
    ana = accounts.sign_up("ana", "Ana Lima", "password123")
    accounts.join(ana, cohort["join_code"])
    attempts = Attempts(store, course)
    attempt = attempts.start(ana.id, course.practice_quizzes[0], cohort_id=cohort["id"])
    question = course.question(attempt.slots[0].question_id)
    attempts.answer(attempt, question.id, correct_answer(question))  # its feedback shows

    with served(db) as url, chromium() as browser:
        page = new_page(browser, 1400, 900)
        page.goto(url)
        sign_in(page, "ana", "password123")
        page.get_by_role("heading", name="Welcome, Ana Lima").wait_for()
        page.goto(f"{url}/quiz?attempt={attempt.id}")
        page.get_by_text("Correct.").wait_for()
        settle(page)
        page.get_by_role("button", name="Report a problem with this question").click()
        page.get_by_text("The marked answer is wrong").click()
        type_into(page.get_by_role("textbox", name="Comment"), COMMENT)
        page.get_by_role("button", name="Send report").click()
        page.get_by_text("Thank you: your report is with your instructor.").wait_for()
        page.get_by_text("You reported: The marked answer is wrong (open).").wait_for()
        shot(page, "qreports-learner")
        (row,) = store.table_rows("question_reports")
        assert (row["question_id"], row["reason"], row["comment"]) == (
            question.id, "wrong_key", COMMENT)  # fmt: skip

        page = new_page(browser, 1400, 900)  # the instructor, in a browser of their own
        page.goto(url)
        sign_in(page, "teacher", "teacher-pass")
        page.get_by_role("heading", name="Cohort dashboard").wait_for()
        page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Problem reports").click()
        page.get_by_role("heading", name="Problem reports").wait_for()
        page.get_by_role("heading", name=f"{question.id} ·").wait_for()
        page.get_by_text(COMMENT).wait_for()  # as typed: no emphasis, no bold tag obeyed
        page.get_by_text("Cited source").wait_for()
        page.get_by_text("Ana Lima (ana)").wait_for()
        shot(page, "qreports-queue")
        type_into(page.get_by_role("textbox", name="Resolution note"), "Checked: the key holds.")
        page.get_by_role("button", name="Mark resolved").click()
        page.get_by_text("Report resolved.").wait_for()
        page.get_by_text("No open problem reports from this cohort.").wait_for()
        stored = store.question_report(row["id"])
        assert stored["resolved_by"] == teacher.id
        assert stored["resolution"] == "Checked: the key holds."
        page.get_by_test_id("stButtonGroup").get_by_text("Resolved", exact=True).click()
        page.get_by_text("Resolved by Tess Teacher on").wait_for()
