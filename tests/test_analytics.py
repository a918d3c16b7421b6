"""Item analysis against an independent computation, and the helpers around it."""

from __future__ import annotations

import random

import numpy as np
import pytest
from scipy.stats import pearsonr

from quiz_app.analytics import (
    ScoredAttempt,
    choose_attempts,
    item_stats,
    option_shares,
    quiz_stats,
)

pytestmark = pytest.mark.both_backends  # the store-level tests run on SQLite and PostgreSQL


def attempt(i: int, marks: dict[str, float], user: int | None = None, day: int = 1):
    return ScoredAttempt(i, user if user is not None else i, f"2026-01-{day:02d}T10:00",
                         sum(marks.values()), float(len(marks)), marks)  # fmt: skip


def test_hand_worked_example() -> None:
    """x = 1,1,0,0 against rest-of-test 3,2,1,0: numbers worked out on paper."""
    attempts = [
        attempt(1, {"q": 1.0, "a": 1.0, "b": 1.0, "c": 1.0}),
        attempt(2, {"q": 1.0, "a": 1.0, "b": 1.0, "c": 0.0}),
        attempt(3, {"q": 0.0, "a": 1.0, "b": 0.0, "c": 0.0}),
        attempt(4, {"q": 0.0, "a": 0.0, "b": 0.0, "c": 0.0}),
    ]
    (stats,) = [s for s in item_stats(attempts) if s.question_id == "q"]
    assert stats.n == 4
    assert stats.facility == pytest.approx(0.5)
    assert stats.sd == pytest.approx((1 / 3) ** 0.5)
    assert stats.discrimination == pytest.approx(100 * (2 / 3) / ((1 / 3) * (5 / 3)) ** 0.5)
    assert stats.discrimination == pytest.approx(89.443, abs=1e-3)
    assert stats.efficiency == pytest.approx(100.0)


@pytest.fixture(scope="module")
def random_draws() -> list[ScoredAttempt]:
    """80 attempts, each shown 8 of 14 questions at random, with partial marks."""
    rng = random.Random(3)
    questions = [f"q{i:02d}" for i in range(14)]
    attempts = []
    for i in range(80):
        ability = rng.gauss(0, 1)
        shown = rng.sample(questions, 8)
        marks = {}
        for q in shown:
            difficulty = int(q[1:]) / 7 - 1
            p = 1 / (1 + np.exp(-(ability - difficulty) * (1.5 if q != "q07" else -1.0)))
            marks[q] = (
                rng.choice([0.0, 0.5, 1.0]) if rng.random() < 0.15 else float(rng.random() < p)
            )
        attempts.append(attempt(i, marks))
    return attempts


def test_item_statistics_match_numpy_and_scipy(random_draws) -> None:
    ours = {s.question_id: s for s in item_stats(random_draws)}
    assert len(ours) == 14
    for question_id, stats in ours.items():
        seen = [a for a in random_draws if question_id in a.marks]
        x = np.array([a.marks[question_id] for a in seen])
        rest = np.array([a.score - a.marks[question_id] for a in seen])
        assert stats.n == len(seen)
        assert stats.facility == pytest.approx(x.mean())
        assert stats.sd == pytest.approx(x.std(ddof=1))
        assert stats.discrimination == pytest.approx(100 * pearsonr(x, rest)[0])
        cov = np.cov(x, rest, ddof=1)[0, 1]
        cov_max = np.cov(np.sort(x), np.sort(rest), ddof=1)[0, 1]
        assert stats.efficiency == pytest.approx(100 * cov / cov_max)
    assert ours["q07"].discrimination < 0
    assert any("negative discrimination" in f for f in ours["q07"].flags)


def test_alpha_is_kr20_when_every_attempt_sees_every_item() -> None:
    rng = random.Random(9)
    matrix = np.array(
        [[float(rng.random() < 1 / (1 + np.exp(-(a - d)))) for d in np.linspace(-1.5, 1.5, 10)]
         for a in [rng.gauss(0, 1) for _ in range(60)]]
    )  # fmt: skip
    attempts = [attempt(i, {f"q{j}": row[j] for j in range(10)}) for i, row in enumerate(matrix)]
    items = item_stats(attempts)
    stats = quiz_stats(attempts, items)
    totals = matrix.sum(axis=1)
    kr20 = 10 / 9 * (1 - matrix.var(axis=0, ddof=1).sum() / totals.var(ddof=1))
    assert stats.alpha == pytest.approx(kr20)
    assert stats.error_ratio == pytest.approx(100 * np.sqrt(1 - kr20))
    percents = 100 * totals / 10
    assert stats.mean == pytest.approx(percents.mean())
    assert stats.sd == pytest.approx(percents.std(ddof=1))
    assert stats.standard_error == pytest.approx(stats.error_ratio * stats.sd / 100)


def test_choose_attempts() -> None:
    attempts = [
        attempt(1, {"q": 0.0}, user=7, day=1),
        attempt(2, {"q": 1.0}, user=7, day=2),
        attempt(3, {"q": 0.0}, user=7, day=3),
        attempt(4, {"q": 1.0}, user=8, day=1),
    ]
    assert [a.id for a in choose_attempts(attempts, "first")] == [1, 4]
    assert [a.id for a in choose_attempts(attempts, "best")] == [4, 2]
    assert [a.id for a in choose_attempts(attempts, "last")] == [4, 3]
    assert [a.id for a in choose_attempts(attempts, "all")] == [1, 4, 2, 3]
    with pytest.raises(ValueError):
        choose_attempts(attempts, "median")


@pytest.mark.parametrize(
    ("marks", "flag"),
    [
        ([1.0] * 39 + [0.0], "too easy: 98% right"),
        ([0.0] * 38 + [1.0] * 2, "too hard: only 5% right"),
        ([1.0, 0.0] * 2, "few attempts: only 4"),
    ],
    ids=["too-easy", "too-hard", "few"],
)
def test_flags_in_plain_words(marks: list[float], flag: str) -> None:
    attempts = [attempt(i, {"q": m, "r": float(i % 3 == 0)}) for i, m in enumerate(marks)]
    (stats,) = [s for s in item_stats(attempts) if s.question_id == "q"]
    assert any(f.startswith(flag) for f in stats.flags), stats.flags


def test_option_shares(tiny_course) -> None:
    single = tiny_course.question("q-single")
    assert [(s.label, s.correct, s.share) for s in option_shares(single, [0, 0, 1, 2])] == [
        ("Alpha", True, 0.5), ("Beta", False, 0.25), ("Gamma", False, 0.25)]  # fmt: skip
    multiple = tiny_course.question("q-multiple")
    assert [s.share for s in option_shares(multiple, [[0, 1], [0, 2]])] == [1.0, 0.5, 0.5]
    true_false = tiny_course.question("q-tf")
    assert [(s.label, s.correct, s.share) for s in option_shares(true_false, [False, True])] == [
        ("True", False, 0.5), ("False", True, 0.5)]  # fmt: skip
    matching = tiny_course.question("q-match")
    assert [s.share for s in option_shares(matching, [[0, 1, 2], [1, 0, 2]])] == [0.5, 0.5, 1.0]
    ordering = tiny_course.question("q-order")
    assert [s.share for s in option_shares(ordering, [[0, 1, 2], [0, 2, 1]])] == [1.0, 0.5, 0.5]
    assert option_shares(single, []) == []
