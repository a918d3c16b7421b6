"""Answers of the wrong shape are refused where they enter (scoring.check_answer and
Attempts.answer), so nothing a caller sends can crash the responses export later."""

from __future__ import annotations

import pytest

from quiz_app.attempts import Attempts
from quiz_app.errors import QuizError
from quiz_app.reports import Filters, Reports
from quiz_app.scoring import InvalidAnswer, check_answer

MISFITS = [
    ("q-order", [0.0, 1.0, 2.0]),
    ("q-order", [0, 1.0, 2]),
    ("q-order", [False, True, 2]),
    ("q-order", (2.0, 1, 0)),
    ("q-order", "012"),
    ("q-order", {0: 0, 1: 1, 2: 2}),
    ("q-order", [[0], [1], [2]]),
    ("q-order", None),
    ("q-multiple", [0.0, 1.0]),
    ("q-multiple", [True]),
    ("q-multiple", "01"),
    ("q-multiple", {0, 1}),
    ("q-multiple", [-1]),
    ("q-match", [0.0, 1.0, 2.0]),
    ("q-match", [True, None, None]),
    ("q-match", "012"),
    ("q-single", 0.0),
    ("q-single", -1),
    ("q-single", None),
    ("q-single", [0]),
    ("q-tf", "true"),
    ("q-tf", None),
    ("q-tf", 0.0),
]
IDS = [f"{question}-{answer!r}" for question, answer in MISFITS]


@pytest.mark.parametrize(("question_id", "answer"), MISFITS, ids=IDS)
def test_check_answer_refuses_every_misfit(tiny_course, question_id, answer) -> None:
    with pytest.raises(InvalidAnswer, match=question_id):
        check_answer(tiny_course.question(question_id), answer)


@pytest.mark.parametrize(("question_id", "answer"), MISFITS, ids=IDS)
def test_the_service_refuses_misfits_and_the_export_still_works(
    store, tiny_course, clock, learner, question_id, answer
) -> None:
    attempts = Attempts(store, tiny_course, clock)
    attempt = attempts.start(learner.id, tiny_course.post_test)
    with pytest.raises(InvalidAnswer):
        attempts.answer(attempt, question_id, answer)
    assert store.response(attempt.id, question_id) is None


@pytest.mark.parametrize("question_id", [["q-order"], None, 3, {"q": 1}], ids=repr)
def test_the_service_refuses_a_question_id_that_is_not_text(
    store, tiny_course, clock, learner, question_id
) -> None:
    attempts = Attempts(store, tiny_course, clock)
    attempt = attempts.start(learner.id, tiny_course.post_test)
    with pytest.raises(QuizError, match="not part of attempt"):
        attempts.answer(attempt, question_id, [0, 1, 2])


def test_responses_export_after_a_float_ordering_was_tried(cohort_world, store, tiny_course, clock):
    attempts, cyd = cohort_world["attempts"], cohort_world["people"]["cyd"]
    attempt = attempts.start(cyd.id, tiny_course.post_test, cohort_id=cohort_world["cohort"]["id"])
    with pytest.raises(InvalidAnswer):
        attempts.answer(attempt, "q-order", [2.0, 1.0, 0.0])
    attempts.answer(attempt, "q-order", [2, 1, 0])
    attempts.submit(attempt)
    reports = Reports(store, tiny_course, clock)
    rows = reports.responses(cohort_world["cohort"], Filters("post-test"))
    mine = [r for r in rows if r["username"] == "cyd"]
    assert [(r["question_id"], r["answer"]) for r in mine] == [
        ("q-order", "third → second → first")
    ]
