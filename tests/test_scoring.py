"""Scoring rules, per type, with properties checked by hypothesis."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz_app.course import Course
from quiz_app.scoring import InvalidAnswer, check_answer, correct_answer, describe, mark


@pytest.fixture
def q(tiny_course: Course):
    return tiny_course.question


def test_single_and_true_false(q) -> None:
    assert mark(q("q-single"), 0) == 1.0
    assert mark(q("q-single"), 1) == 0.0
    assert mark(q("q-tf"), False) == 1.0
    assert mark(q("q-tf"), True) == 0.0


@pytest.mark.parametrize(
    ("ticked", "expected"),
    [([0, 1], 1.0), ([0], 0.5), ([0, 1, 2], 0.0), ([2], 0.0), ([0, 2], 0.0), ([], 0.0)],
    ids=["both-right", "one-right", "all", "only-wrong", "right-and-wrong", "none"],
)
def test_multiple_partial_credit(q, ticked: list[int], expected: float) -> None:
    """Two right choices (+0.5 each) and one wrong (-1), floored at 0."""
    assert mark(q("q-multiple"), ticked) == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ([0, 1, 2], 1.0),
        ([0, None, None], 0.3333),
        ([0, 2, 1], 0.0),
        ([0, 1, None], 0.6667),
        ([1, 2, 0], 0.0),
        ([None, None, None], 0.0),
    ],
    ids=[
        "all-right",
        "one-right-rest-blank",
        "one-right-two-swapped",
        "two-right-one-blank",
        "all-wrong",
        "blank",
    ],
)
def test_matching_partial_credit(q, answer, expected: float) -> None:
    """Three pairs: +1/3 per right pair, -1/6 per wrong pair, floored at 0.

    One right and two swapped is what a blind guess scores on average, hence 0.
    """
    assert mark(q("q-match"), answer) == expected


@pytest.mark.parametrize(
    ("order", "expected"),
    [([0, 1, 2], 1.0), ([0, 2, 1], 0.3333), ([1, 2, 0], 0.0)],
    ids=["right", "one-in-place", "none-in-place"],
)
def test_ordering_share_in_place(q, order, expected: float) -> None:
    assert mark(q("q-order"), order) == expected


@pytest.mark.parametrize(
    ("question_id", "answer"),
    [
        ("q-single", 7),
        ("q-single", True),
        ("q-single", "0"),
        ("q-tf", 1),
        ("q-multiple", [5]),
        ("q-multiple", 0),
        ("q-match", [0, 1]),
        ("q-match", [0, 1, 9]),
        ("q-order", [0, 0, 1]),
        ("q-order", [0, 1]),
    ],
    ids=[
        "single-range",
        "single-bool",
        "single-text",
        "tf-int",
        "multi-range",
        "multi-scalar",
        "match-short",
        "match-range",
        "order-repeat",
        "order-short",
    ],
)
def test_misfit_answers_are_refused(q, question_id: str, answer) -> None:
    with pytest.raises(InvalidAnswer):
        check_answer(q(question_id), answer)


def test_multiple_answers_are_canonical(q) -> None:
    assert check_answer(q("q-multiple"), [1, 0, 1]) == [0, 1]


def test_describe_answers_in_words(q) -> None:
    assert describe(q("q-single"), 0) == "Alpha"
    assert describe(q("q-multiple"), [0, 2]) == "One; Three"
    assert describe(q("q-tf"), True) == "True"
    assert describe(q("q-match"), [0, None, 1]) == "a → 1; b → (blank); c → 2"
    assert describe(q("q-order"), [2, 0, 1]) == "third → first → second"
    assert describe(q("q-order"), None) == "(no answer)"


@pytest.mark.parametrize("question_id", ["q-single", "q-multiple", "q-tf", "q-match", "q-order"])
def test_the_correct_answer_earns_full_marks(q, question_id: str) -> None:
    question = q(question_id)
    assert mark(question, check_answer(question, correct_answer(question))) == 1.0


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_marks_stay_between_0_and_1(tiny_course: Course, data: st.DataObject) -> None:
    question = tiny_course.question(
        data.draw(st.sampled_from(["q-single", "q-multiple", "q-tf", "q-match", "q-order"]))
    )
    if question.type == "single":
        answer = data.draw(st.integers(0, len(question.choices) - 1))
    elif question.type == "multiple":
        answer = data.draw(st.lists(st.integers(0, len(question.choices) - 1), unique=True))
    elif question.type == "true_false":
        answer = data.draw(st.booleans())
    elif question.type == "matching":
        p = len(question.pairs)
        answer = data.draw(st.lists(st.none() | st.integers(0, p - 1), min_size=p, max_size=p))
    else:
        answer = data.draw(st.permutations(range(len(question.items))))
    earned = mark(question, check_answer(question, answer))
    assert 0.0 <= earned <= 1.0
    assert (earned == 1.0) == (check_answer(question, answer) == correct_answer(question))
