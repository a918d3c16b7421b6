"""Matching questions with spares: right-hand options that match no left item.

q-spares (tests/conftest.py) has 4 pairs and 1 spare: rights 0-3 are the pairs' right
sides, 4 is the spare, "<i>fifty</i>".
"""

from __future__ import annotations

import itertools
import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from quiz_app.accounts import INSTRUCTOR, Accounts, User
from quiz_app.analytics import option_shares
from quiz_app.attempts import Attempts
from quiz_app.clock import ManualClock
from quiz_app.course import Course
from quiz_app.demo import generate
from quiz_app.quiz import Slot, draw, shown_order
from quiz_app.scoring import (
    InvalidAnswer,
    check_answer,
    correct_answer,
    describe,
    expected_guess,
    mark,
)
from quiz_app.store import Store
from quiz_app.testing import fill_answer, open_app, submit_answer, texts
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


# -- the draw ---------------------------------------------------------------------------------


def test_the_draw_shuffles_the_spares_in(spares_course: Course, question) -> None:
    quiz = spares_course.practice_quiz(["demo"], 6)
    orders = [
        next(s.order for s in draw(quiz, spares_course, seed) if s.question_id == "q-spares")
        for seed in range(40)
    ]
    assert all(sorted(order) == list(range(len(question.rights))) for order in orders)
    assert len({order.index(SPARE) for order in orders}) == len(question.rights)


def test_a_slot_recorded_without_the_spares_still_shows_them(question) -> None:
    assert shown_order(question, Slot("q-spares", (2, 0, 3, 1))) == (2, 0, 3, 1, SPARE)
    assert shown_order(question, Slot("q-spares", (2, 0, 4, 3, 1))) == (2, 0, 4, 3, 1)


# -- the learner's pages ----------------------------------------------------------------------


def test_practice_offers_every_option_and_reviews_the_spare(
    env: None, learner: User, db_path: Path, spares_course: Course, clock: ManualClock, question
) -> None:
    service = Attempts(Store(db_path), spares_course, clock)
    attempt = service.start(learner.id, spares_course.practice_quiz(["demo"], 6))
    slot = next(s for s in attempt.slots if s.question_id == "q-spares")
    service.move(attempt, attempt.slots.index(slot))
    at = open_app(learner, "views/quiz.py")
    key = f"a{attempt.id}-q-spares"
    shown = [question.rights[i] for i in slot.order]
    for left in range(4):
        assert at.selectbox(key=f"{key}-match-{left}").options == shown
    fill_answer(at, key, question, [0, 1, 2, SPARE])
    submit_answer(at, key, post_test=False)
    assert not at.exception
    assert [w.value for w in at.warning] == ["Partly right: 0.69 of 1 mark."]
    page = texts(at)
    assert "| z | :red[:material/cancel:] &lt;i&gt;fifty&lt;/i&gt; | 40 |" in page
    assert "| w | :green[:material/check_circle:] 10 | 10 |" in page
    assert "*Also offered, matching nothing:* &lt;i&gt;fifty&lt;/i&gt;" in page
    assert "<i>" not in page
    assert service.load(attempt.id).responses["q-spares"].mark == Fraction(11, 16)


def test_an_old_slot_without_the_spares_still_offers_them(question) -> None:
    def page(question, slot):
        from quiz_app.widgets import answer_input

        answer_input(question, slot, "k", None)

    at = AppTest.from_function(page, args=(question, Slot("q-spares", (3, 1, 0, 2)))).run()
    assert at.selectbox(key="k-match-0").options == ["40", "20", "10", "30", "<i>fifty</i>"]


# -- instructors ------------------------------------------------------------------------------


def test_option_shares_show_whether_the_spare_attracts(question) -> None:
    answers = [[0, 1, 2, 3], [SPARE, 1, 2, 3], [SPARE, SPARE, 2, 3], [1, 0, 2, SPARE]]
    assert [(s.label, s.correct, s.share) for s in option_shares(question, answers)] == [
        ("w → 10", True, 0.25),
        ("x → 20", True, 0.5),
        ("y → 30", True, 1.0),
        ("z → 40", True, 0.75),
        ("<i>fifty</i> (matches nothing)", False, 0.75),
    ]


def test_the_bank_browser_lists_the_spares(env: None, accounts: Accounts) -> None:
    teacher = accounts.sign_up("teacher", "Teacher", "teacher-pass", INSTRUCTOR)
    at = open_app(teacher, "views/bank_browser.py")
    assert not at.exception
    page = texts(at)
    assert "- z :material/arrow_forward: **40**" in page
    assert "- *matches nothing:* &lt;i&gt;fifty&lt;/i&gt;" in page
    assert "<i>" not in page


def test_demo_answers_choose_spares_within_range(tmp_path: Path, spares_course: Course) -> None:
    store = Store(tmp_path / "demo.db")
    generate(store, spares_course, learners=30, attempts=4, seed=3)
    rows = store.query("SELECT answer FROM responses WHERE question_id = 'q-spares'")
    answers = [json.loads(row["answer"]) for row in rows]
    question = spares_course.question("q-spares")
    assert answers and all(check_answer(question, a) == a for a in answers)
    assert any(SPARE in a for a in answers)
