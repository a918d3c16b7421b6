"""Scoring rules, per type, with properties checked by hypothesis."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from quiz_app import grading
from quiz_app.bank import Question
from quiz_app.course import Course
from quiz_app.scoring import (
    InvalidAnswer,
    check_answer,
    correct_answer,
    describe,
    expected_guess,
    mark,
)


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
        ([0, None, None], Fraction(1, 3)),
        ([0, 2, 1], 0.0),
        ([0, 1, None], Fraction(2, 3)),
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
    [([0, 1, 2], 1), ([0, 2, 1], Fraction(1, 2)), ([1, 2, 0], Fraction(1, 2)), ([2, 1, 0], 0)],
    ids=["right", "one-out-of-place", "first-moved-to-the-end", "reversed"],
)
def test_ordering_credits_the_order_kept(q, order, expected: Fraction) -> None:
    """(L - 1)/(n - 1), L the longest run of items in the right relative order."""
    assert mark(q("q-order"), order) == expected


@pytest.mark.parametrize(
    ("order", "expected"),
    [([1, 2, 3, 4, 0], Fraction(3, 4)), ([4, 0, 1, 2, 3], Fraction(3, 4)),
     ([1, 0, 3, 2, 4], Fraction(1, 2)), ([4, 3, 2, 1, 0], 0)],
    ids=["first-to-the-end", "last-to-the-front", "two-swaps", "reversed"],
)  # fmt: skip
def test_moving_one_item_keeps_the_credit_of_the_others(order, expected: Fraction) -> None:
    """Scenario 24: moving the first of five items to the end scored 0 by absolute
    position; four items are still in order, so it earns 3/4."""
    question = build("ordering", items=["a", "b", "c", "d", "e"])
    assert mark(question, order) == expected


def test_three_thirds_make_exactly_one(q) -> None:
    """Scenario 8: marks are exact, so three one-third marks sum to exactly one."""
    third = mark(q("q-match"), [0, None, None])
    assert third == Fraction(1, 3) and grading.total([third] * 3) == 1
    assert grading.passed(grading.total([third] * 3) + 2, 5, 60)
    assert grading.shown_percent(Fraction(1999, 100), 25) == 79.9  # never rounded up to 80


GUESS_ROW = re.compile(r"^\| (single|true/false|multiple|matching|ordering)(.*?) \| ([0-9.]+) \|$")


def shape(kind: str, size: str) -> Question:
    numbers = [int(n) for n in re.findall(r"\d+", size)]
    if kind == "single":
        return build("single", choices=[{"text": f"c{i}", "correct": i == 0}
                                        for i in range(numbers[0])])  # fmt: skip
    if kind == "true/false":
        return build("true_false", answer=True)
    if kind == "multiple":
        n, k = numbers
        return build("multiple", choices=[{"text": f"c{i}", "correct": i < k} for i in range(n)])
    if kind == "matching":
        return matching(*numbers)  # "4 pairs + 1 spare": 4 and 1
    return build("ordering", items=[f"i{i}" for i in range(numbers[0])])


def test_readme_says_what_a_blind_guess_earns() -> None:
    """Scenario 24: the README's table of what blind guessing earns is what the code gives."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    rows = [GUESS_ROW.match(line) for line in readme.splitlines()]
    found = [(m.group(1), m.group(2), float(m.group(3))) for m in rows if m]
    assert len(found) >= 10, "the README's blind-guessing table is missing"
    for kind, size, said in found:
        assert said == round(float(expected_guess(shape(kind, size))), 2), (kind, size)


def build(kind: str, **parts) -> Question:
    return TypeAdapter(Question).validate_python(
        {"id": "q", "type": kind, "objective": "o", "level": "recall", "stem": "Which?",
         "explanation": "Because.", "sources": [{"doc": "d", "quote": "q"}], **parts}
    )  # fmt: skip


def matching(pairs: int, spares: int = 0) -> Question:
    """A matching question with `pairs` pairs and `spares` spares."""
    return build(
        "matching",
        pairs=[[f"l{i}", f"r{i}"] for i in range(pairs)],
        spares=[f"s{i}" for i in range(spares)],
    )


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
