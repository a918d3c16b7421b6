"""A quiz's limits for one learner: its time limit and attempt allowance, after the
accommodations an instructor granted (pure: no I/O, no SQL, no Streamlit).

An accommodation (quiz_app.accommodations) gives a learner, or every member of a
cohort, extra time (a multiplier of the time limit, or extra minutes) and/or extra
attempts. Accommodations only ever add, and where several apply the most lenient one
applies, each limit on its own:

- the time limit is the longest of the quiz's own and what each grant gives (a
  multiplier m gives limit x m, extra minutes e give limit + e), rounded up to the
  second;
- the allowance is the quiz's own plus the most extra attempts any grant gives.

So a learner's own grant beats the cohort's where it gives more, and is never cut by
it (nor by revoking it); where the cohort's gives more, the cohort's applies. A quiz
without a time limit or allowance (practice) stays without one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from quiz_app import grading
from quiz_app.quizdef import QuizDef


@dataclass(frozen=True)
class Grant:
    """What one accommodation in force gives: a time multiplier or extra minutes (or
    neither), and extra attempts."""

    time_multiplier: Fraction | None = None
    extra_minutes: int = 0
    extra_attempts: int = 0

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Grant:
        """A grant from its `accommodations` row (the multiplier is stored as text)."""
        multiplier = row["time_multiplier"]
        return cls(
            Fraction(multiplier) if multiplier else None,
            int(row["extra_minutes"] or 0),
            int(row["extra_attempts"] or 0),
        )

    def minutes(self, limit: int) -> Fraction:
        """The time limit this grant gives a quiz of `limit` minutes."""
        if self.time_multiplier is not None:
            return limit * self.time_multiplier
        return Fraction(limit + self.extra_minutes)

    def words(self) -> str:
        """What it gives, in words: "1.5× time, 1 extra attempt"."""
        parts = []
        if self.time_multiplier is not None:
            parts.append(f"{float(self.time_multiplier):g}× time")
        elif self.extra_minutes:
            parts.append(f"{self.extra_minutes} extra minute{'s' * (self.extra_minutes != 1)}")
        if self.extra_attempts:
            parts.append(f"{self.extra_attempts} extra attempt{'s' * (self.extra_attempts != 1)}")
        return ", ".join(parts) or "nothing extra"


@dataclass(frozen=True)
class Limits:
    """A quiz's limits for one learner: the quiz's own and the effective ones."""

    base_seconds: int | None
    seconds: int | None  # the effective time limit, None when untimed
    base_attempts: int | None
    attempts: int | None  # the effective allowance, None when unlimited

    @property
    def extra_time(self) -> bool:
        return self.seconds != self.base_seconds

    @property
    def extra_attempts(self) -> bool:
        return self.attempts != self.base_attempts

    @property
    def accommodated(self) -> bool:
        """Whether an accommodation changes anything."""
        return self.extra_time or self.extra_attempts

    def deadline(self, started: datetime) -> datetime | None:
        """When an attempt started at `started` must be in, or None when untimed."""
        return grading.deadline(started, Fraction(self.seconds, 60) if self.seconds else None)

    def may_start(self, used: int) -> bool:
        """Whether another attempt may start, `used` having been made."""
        return grading.may_start(used, self.attempts)

    def summary(self) -> str:
        """The limits an accommodation changed, in short ("45 min, 4 attempts"); "" when
        none."""
        parts = []
        if self.extra_time and self.seconds is not None:
            parts.append(f"{duration(self.seconds, short=True)}")
        if self.extra_attempts and self.attempts is not None:
            parts.append(f"{self.attempts} attempt{'s' * (self.attempts != 1)}")
        return ", ".join(parts)


def effective_limits(
    time_limit_minutes: int | None, attempts_allowed: int | None, grants: Iterable[Grant]
) -> Limits:
    """The limits of a quiz with this time limit and allowance for a learner to whom
    `grants` apply: the most lenient of them, each limit on its own (see the module)."""
    grants = list(grants)
    base_seconds = time_limit_minutes * 60 if time_limit_minutes else None
    seconds = base_seconds
    if time_limit_minutes and grants:
        longest = max(max(g.minutes(time_limit_minutes) for g in grants), time_limit_minutes)
        seconds = math.ceil(longest * 60)
    attempts = attempts_allowed
    if attempts_allowed is not None and grants:
        attempts = attempts_allowed + max(g.extra_attempts for g in grants)
    return Limits(base_seconds, seconds, attempts_allowed, attempts)


def duration(seconds: int, short: bool = False) -> str:
    """A time limit in words: "45 minutes", "37 minutes 30 seconds" (short: "45 min",
    "37 min 30 s")."""
    whole, rest = divmod(seconds, 60)
    if short:
        return f"{whole} min" + (f" {rest} s" if rest else "")
    text = f"{whole} minute{'s' * (whole != 1)}"
    return text + (f" {rest} second{'s' * (rest != 1)}" if rest else "")


def quiz_limits(quiz: QuizDef, in_force: Iterable[dict[str, Any]]) -> Limits:
    """`quiz`'s limits for a learner with these accommodation rows in force (only a
    post-test has an allowance)."""
    return effective_limits(
        quiz.time_limit_minutes,
        quiz.attempts_allowed if quiz.is_post_test else None,
        (Grant.from_row(row) for row in in_force),
    )
