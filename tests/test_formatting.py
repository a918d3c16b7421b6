"""How numbers are written for people (quiz_app/formatting.py): marks, percents, counts,
one rule of each, and the pages that show them (issue 13, "small things")."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from quiz_app import formatting, grading
from quiz_app.accounts import User
from quiz_app.attempts import Attempts
from quiz_app.clock import ManualClock
from quiz_app.course import Course
from quiz_app.quiz import Slot
from quiz_app.quizdef import REVIEW_PARTS
from quiz_app.scoring import correct_answer
from quiz_app.store import Store
from quiz_app.testing import open_app, texts
from quiz_app.widgets import _review_markdown
from tests.conftest import WRONG_ANSWERS


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Fraction(40, 3), "13.33"),
        (Fraction(2, 3), "0.67"),
        (Fraction(1, 2), "0.5"),
        (18, "18"),
        (18.0, "18"),
        (0, "0"),
    ],
    ids=["thirds", "two-thirds", "half", "whole", "whole-float", "zero"],
)
def test_marks_keep_two_decimals_at_most(value: Fraction | float, shown: str) -> None:
    assert formatting.marks(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (grading.shown_percent(Fraction(47, 10), 15), "31.3%"),
        (grading.shown_percent(Fraction(1199, 100), 15), "79.9%"),  # 79.93: a fail, never 80%
        (Fraction(7996, 100), "79.9%"),
        (80.0, "80%"),
        (79.9, "79.9%"),  # already rounded: stays
        (100 * 0.313, "31.3%"),  # 31.299999999999997 in floating point
        (100, "100%"),
        (None, "–"),
    ],
    ids=["score", "just-below-pass", "exact", "whole", "rounded", "float-noise", "all", "none"],
)
def test_percents_round_down_to_one_decimal(value: float | None, shown: str) -> None:
    assert formatting.percent(value) == shown


def test_a_ratio_of_learners_uses_the_same_rule() -> None:
    assert formatting.ratio_percent(1, 3) == "33.3%"
    assert formatting.ratio_percent(2, 3) == "66.6%"
    assert formatting.ratio_percent(0, 0) == "–"


@pytest.mark.parametrize(
    ("count", "noun", "shown"),
    [(1, "question", "1 question"), (2, "question", "2 questions"), (0, "minute", "0 minutes"),
     (1.5, "CE hour", "1.5 CE hours"), (1, "minute", "1 minute")],
    ids=["one", "two", "zero", "fraction", "one-minute"],
)  # fmt: skip
def test_plural(count: float, noun: str, shown: str) -> None:
    assert formatting.plural(count, noun) == shown


def test_a_right_choice_not_ticked_is_not_called_also_right(tiny_course: Course) -> None:
    question = tiny_course.question("q-multiple")  # One and Two are right, Three is not
    slot = Slot("q-multiple", (0, 1, 2))
    parts = frozenset(REVIEW_PARTS)
    only_wrong = _review_markdown(question, slot, [2], parts)
    assert "also right" not in only_wrong
    assert only_wrong.count("(right, not ticked)") == 2
    one_of_two = _review_markdown(question, slot, [0], parts)
    assert "Two *(also right)*" in one_of_two
    assert "not ticked" not in one_of_two


@pytest.fixture
def service(env: None, db_path: Path, tiny_course: Course, clock: ManualClock) -> Attempts:
    return Attempts(Store(db_path), tiny_course, clock)


@pytest.mark.usefixtures("env")
def test_one_weak_spot_is_one_question(learner: User, service: Attempts, tiny_course: Course):
    attempt = service.start(learner.id, tiny_course.practice_quiz(["demo"], 5))
    for slot in attempt.slots:  # every question right but the true-or-false one
        question = tiny_course.question(slot.question_id)
        wrong = question.type == "true_false"
        answer = WRONG_ANSWERS[question.type] if wrong else correct_answer(question)
        service.answer(attempt, slot.question_id, answer)
    service.submit(attempt)
    at = open_app(learner, "views/progress.py")
    assert not at.exception
    assert "1 question you have not yet got fully right." in texts(at)
    assert at.button(key="weak-spots").label == "Practise my weak spots (1 question)"


def test_the_dashboard_shows_percents_as_every_page_does(cohort_world, env) -> None:
    """31.3% on the learner's pages is 31.3% in the instructor's table, not 31%."""
    at = open_app(cohort_world["teacher"], "views/dashboard.py")
    assert not at.exception
    columns = json.loads(at.dataframe[0].proto.columns)  # what the browser formats by
    shown = {columns[c]["type_config"]["format"] for c in ("Best %", "Last %")}
    assert shown == {formatting.PERCENT_COLUMN}


@pytest.mark.usefixtures("env")
def test_mastery_is_rounded_down_as_every_percent_is(
    learner: User, service: Attempts, tiny_course: Course
) -> None:
    """Four questions met, three right and one half right: 87.5%, not 88%."""
    attempt = service.start(learner.id, tiny_course.practice_quiz(["demo"], 5))
    for slot in attempt.slots:
        question = tiny_course.question(slot.question_id)
        if question.type == "ordering":  # 3 items, one out of place: (2 - 1) / (3 - 1)
            right = list(correct_answer(question))
            service.answer(attempt, slot.question_id, [right[1], right[0], *right[2:]])
        elif question.type != "true_false":
            service.answer(attempt, slot.question_id, correct_answer(question))
    service.submit(attempt)
    at = open_app(learner, "views/progress.py")
    assert not at.exception
    (mastery,) = at.dataframe[0].value["Mastery"]
    assert mastery == 87.5
    columns = json.loads(at.dataframe[0].proto.columns)
    assert columns["Mastery"]["type_config"]["format"] == formatting.PERCENT_COLUMN
