"""The rules that grade an attempt, each in one place (pure: no I/O, no SQL, no Streamlit).

- Marks are exact fractions (`fractions.Fraction`), stored as text such as "2/3", so
  three marks of 1/3 make exactly 1 and a learner exactly on the pass mark passes.
- The percent of a score is shown rounded down to one decimal place, so a score shown
  as reaching the pass mark always passes (79.96% shows as 79.9%, not 80%).
- A post-test's deadline is its start plus the time limit (the learner's, after any
  accommodation: quiz_app.limits); an answer at the deadline counts, one after it does not.
- A quiz with an allowance may be started while fewer attempts than it allows exist.
- A post-test's feedback (right or wrong) is released only once it is submitted;
  practice gives it after each answer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from fractions import Fraction
from functools import lru_cache

from quiz_app.quizdef import POST_TEST


def exact(text: str | None) -> Fraction | None:
    """A stored mark or score ("2/3", "1") as a Fraction; None stays None."""
    return None if text is None else _fraction(text)


@lru_cache(maxsize=4096)
def _fraction(text: str) -> Fraction:
    """Marks take few values and a page reads hundreds of them (a learner's weak spots,
    every answer of theirs): each text is parsed once. Fractions are immutable."""
    numerator, _, denominator = text.partition("/")
    return Fraction(int(numerator), int(denominator or 1))


def stored(value: Fraction) -> str:
    """A mark or score as the text the store keeps ("2/3", "1", "0")."""
    return str(Fraction(value))


def total(marks: Iterable[Fraction]) -> Fraction:
    """The exact sum of some marks."""
    return sum(marks, Fraction(0))


def percent(score: Fraction, max_score: float) -> Fraction:
    """The exact percent of a score out of `max_score` (> 0)."""
    return 100 * Fraction(score) / Fraction(max_score)


def shown_digits(value: Fraction | float) -> float:
    """A percent as it is shown: rounded down to one decimal place. A float is first taken
    to 12 significant digits, so a value already rounded (79.9) or computed in floating
    point (100 * 0.313 = 31.299999999999997) is not pushed down by its binary error."""
    exact_value = Fraction(f"{value:.12g}") if isinstance(value, float) else Fraction(value)
    return math.floor(exact_value * 10) / 10


@lru_cache(maxsize=4096, typed=True)
def shown_percent(score: Fraction | None, max_score: float | None) -> float | None:
    """The percent to show: rounded down to one decimal place; None without a score.
    Scores take few values and a cohort's dashboard shows two per learner: each pair is
    worked out once (exact arithmetic on Fractions is slow)."""
    if score is None or not max_score:
        return None
    return shown_digits(percent(score, max_score))


def passed(score: Fraction, max_score: float, pass_mark: float) -> bool:
    """Whether a score reaches the pass mark (a percent), exactly."""
    if not max_score:
        return False
    return percent(score, max_score) >= Fraction(str(pass_mark))


def deadline(started: datetime, time_limit_minutes: int | Fraction | None) -> datetime | None:
    """When an attempt started at `started` must be in, or None without a time limit (a
    limit with a fraction of a second, from an accommodation, rounds up to the second)."""
    if not time_limit_minutes:
        return None
    return started + timedelta(seconds=math.ceil(Fraction(time_limit_minutes) * 60))


def expired(deadline_text: str | None, now_text: str) -> bool:
    """Whether `now` is after the deadline (both stored UTC ISO 8601 text)."""
    return deadline_text is not None and now_text > deadline_text


def may_start(used: int, allowed: int | None) -> bool:
    """Whether another attempt may start, `used` attempts having been made."""
    return allowed is None or used < allowed


def feedback_released(mode: str, submitted: bool) -> bool:
    """Whether a learner may learn how right an attempt's answers are."""
    return submitted or mode != POST_TEST
