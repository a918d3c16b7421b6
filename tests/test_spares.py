"""Matching questions with spares: right-hand options that match no left item.

q-spares (tests/conftest.py) has 4 pairs and 1 spare: rights 0-3 are the pairs' right
sides, 4 is the spare, "<i>fifty</i>".
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz_app.course import Course
from quiz_app.scoring import (
    InvalidAnswer,
    check_answer,
    correct_answer,
    describe,
    expected_guess,
    mark,
)
from tests.test_scoring import matching

SPARE = 4


@pytest.fixture
def tiny_course(spares_course: Course) -> Course:
    """The app under test (the `env` fixture) serves the course with q-spares."""
    return spares_course


@pytest.fixture
def question(spares_course: Course):
    return spares_course.question("q-spares")


# -- scoring ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ([0, 1, 2, 3], 1),
        ([0, 1, 2, SPARE], Fraction(3, 4) - Fraction(1, 16)),
        ([0, 1, 2, None], Fraction(3, 4)),
        ([1, 0, 2, 3], Fraction(2, 4) - Fraction(2, 16)),
        ([SPARE, SPARE, 2, 3], Fraction(2, 4) - Fraction(2, 16)),
        ([0, SPARE, SPARE, SPARE], Fraction(1, 4) - Fraction(3, 16)),
        ([SPARE, SPARE, SPARE, SPARE], 0),
        ([1, 2, 3, 0], 0),
    ],
    ids=[
        "all-right",
        "spare-for-one",
        "one-blank",
        "two-swapped",
        "spare-for-two",
        "spare-for-three",
        "spare-for-all",
        "all-wrong",
    ],
)
def test_a_spare_chosen_is_a_wrong_pair(question, answer, expected) -> None:
    """4 pairs and 1 spare: +1/4 per right pair, -1/(4 * 4) per wrong one, floored at 0."""
    assert mark(question, check_answer(question, answer)) == expected


def test_answers_may_choose_a_spare_but_nothing_beyond(question) -> None:
    assert check_answer(question, [SPARE, 1, 2, 3]) == [SPARE, 1, 2, 3]
    with pytest.raises(InvalidAnswer):
        check_answer(question, [SPARE + 1, 1, 2, 3])
    in_words = describe(question, [SPARE, 1, None, 3])
    assert in_words == "w → <i>fifty</i>; x → 20; y → (blank); z → 40"


@pytest.mark.parametrize(
    ("pairs", "spares"),
    [(3, 0), (3, 1), (3, 3), (4, 1), (4, 2), (5, 3), (6, 1)],
    ids=lambda n: str(n),
)
def test_expected_guess_is_the_mean_over_every_complete_matching(pairs: int, spares: int):
    """Against brute force: every way to give each left item a different right option."""
    question = matching(pairs, spares)
    answers = list(itertools.permutations(range(pairs + spares), pairs))
    mean = sum((mark(question, list(a)) for a in answers), Fraction(0)) / len(answers)
    assert expected_guess(question) == mean
    assert isinstance(expected_guess(question), Fraction)


def test_a_spare_makes_guessing_earn_less() -> None:
    guesses = [expected_guess(matching(4, spares)) for spares in range(4)]
    assert guesses[0] == Fraction(1, 8)
    assert guesses == sorted(guesses, reverse=True) and len(set(guesses)) == 4


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_marks_with_spares_stay_between_0_and_1(question, data: st.DataObject) -> None:
    options = st.none() | st.integers(0, len(question.rights) - 1)
    answer = check_answer(question, data.draw(st.lists(options, min_size=4, max_size=4)))
    earned = mark(question, answer)
    assert 0 <= earned <= 1
    assert (earned == 1) == (answer == correct_answer(question))
