"""Accommodations: extra time and extra attempts an instructor grants a learner of their
cohort, or the whole cohort, for learners who need them (WCAG 2.2.1 Timing Adjustable).

What applies to a learner is worked out in one place, quiz_app.limits (the most lenient
of their own grant and their cohorts', each limit on its own). Every grant, change and
revocation is a new row, saying who recorded it and when (migration m017): nothing is
overwritten, and `records` gives a cohort's whole history for the audit pack.

A grant made while a learner has the post-test open extends that attempt at once (its
stored deadline moves in the same write as the grant), since the learner needs the time
now; a revocation never shortens an attempt already running: the learner was told their
time when they began. A revocation applies from their next attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from quiz_app.accounts import Accounts, User
from quiz_app.clock import Clock, SystemClock, iso, parse
from quiz_app.course import Course
from quiz_app.errors import QuizError
from quiz_app.limits import Grant, Limits, quiz_limits
from quiz_app.store import Row, Store

MAX_MULTIPLIER = Decimal(4)
MAX_EXTRA_MINUTES = 600
MAX_EXTRA_ATTEMPTS = 20
MAX_REASON = 300

# The audit pack's columns, in order (`Accommodations.records`).
ACCOMMODATION_COLUMNS = (
    "id", "cohort", "applies_to", "username", "display_name", "action", "time_multiplier",
    "extra_minutes", "extra_attempts", "reason", "recorded_by", "recorded_at", "in_force",
)  # fmt: skip


@dataclass(frozen=True)
class Accommodation:
    """One row of a cohort's accommodations, as recorded."""

    id: int
    user_id: int | None  # None: the whole cohort
    username: str | None
    display_name: str | None
    action: str  # "grant" or "revoke"
    grant: Grant
    reason: str
    recorded_by: str  # the instructor's username
    recorded_at: str
    in_force: bool

    @classmethod
    def from_row(cls, row: Row) -> Accommodation:
        return cls(
            row["id"],
            row["user_id"],
            row["username"],
            row["display_name"],
            row["action"],
            Grant.from_row(row),
            row["reason"] or "",
            row["recorded_by_username"],
            row["recorded_at"],
            bool(row["in_force"]),
        )

    def words(self) -> str:
        """What the row did, in words: "1.5× time, 1 extra attempt" or "revoked"."""
        return self.grant.words() if self.action == "grant" else "revoked"


def parse_multiplier(value: object) -> Decimal:
    """A time multiplier as typed ("1.5", 1.5) as an exact decimal; raises QuizError
    unless it is more than 1 and at most 4, in steps of 0.01."""
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise QuizError(f'"{value}" is not a number; give a multiplier such as 1.5.') from None
    if not number.is_finite() or number <= 1 or number > MAX_MULTIPLIER:
        raise QuizError(f"A time multiplier is more than 1 and at most {MAX_MULTIPLIER}.")
    if number != number.quantize(Decimal("0.01")):
        raise QuizError("A time multiplier has at most two decimals (1.25, 1.5, 2).")
    return number.normalize()


def _whole(value: object, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise QuizError(f"{what} is a whole number from {low} to {high}.")
    return value


class Accommodations:
    """Grants and revokes accommodations, over a Store, Course and Clock."""

    def __init__(self, store: Store, course: Course, clock: Clock | None = None):
        self.store = store
        self.course = course
        self.clock = clock or SystemClock()

    def _owned(self, instructor: User, cohort_id: int, user_id: int | None) -> Row:
        """The instructor's cohort, the learner (when given) one of its members; raises
        QuizError otherwise."""
        cohort = Accounts(self.store, self.clock).owned_cohort(instructor, cohort_id)
        if user_id is not None and self.store.member(cohort_id, user_id) is None:
            raise QuizError("That learner is not in this cohort.")
        return cohort

    def grant(
        self,
        instructor: User,
        cohort_id: int,
        user_id: int | None,
        *,
        multiplier: object = None,
        extra_minutes: int | None = None,
        extra_attempts: int = 0,
        reason: str = "",
    ) -> Accommodation:
        """Grant a learner of the instructor's cohort (or, with `user_id` None, the whole
        cohort) extra time, a multiplier or extra minutes, and/or extra attempts, in place
        of what they had (a new row: the old one stays in the history). Extends the open
        attempts it applies to (see the module). Raises QuizError for another's cohort, a
        learner not in it, or bad values."""
        self._owned(instructor, cohort_id, user_id)
        if multiplier is not None and extra_minutes is not None:
            raise QuizError("Give extra time as a multiplier or as extra minutes, not both.")
        factor = parse_multiplier(multiplier) if multiplier is not None else None
        if extra_minutes is not None:
            _whole(extra_minutes, 1, MAX_EXTRA_MINUTES, "Extra minutes")
        _whole(extra_attempts, 0, MAX_EXTRA_ATTEMPTS, "Extra attempts")
        if factor is None and extra_minutes is None and not extra_attempts:
            raise QuizError("Nothing to grant: give extra time, extra attempts or both.")
        return self._record(
            instructor,
            cohort_id,
            user_id,
            "grant",
            {
                "time_multiplier": str(factor) if factor is not None else None,
                "extra_minutes": extra_minutes,
                "extra_attempts": extra_attempts,
            },
            reason,
        )

    def revoke(
        self, instructor: User, cohort_id: int, user_id: int | None, reason: str = ""
    ) -> Accommodation:
        """Revoke the accommodation in force for a learner of the instructor's cohort (or
        the whole cohort's), from their next attempt on; raises QuizError when there is
        none."""
        self._owned(instructor, cohort_id, user_id)
        if self.in_force(instructor, cohort_id, user_id) is None:
            raise QuizError("There is no accommodation to revoke.")
        return self._record(instructor, cohort_id, user_id, "revoke", {}, reason)

    def _record(
        self,
        instructor: User,
        cohort_id: int,
        user_id: int | None,
        action: str,
        grant: Row,
        reason: str,
    ) -> Accommodation:
        reason = " ".join(str(reason or "").split())
        if len(reason) > MAX_REASON:
            raise QuizError(f"A reason is at most {MAX_REASON} characters.")
        row_id = self.store.record_accommodation(
            {
                "cohort_id": cohort_id,
                "user_id": user_id,
                "action": action,
                **grant,
                "reason": reason or None,
                "recorded_by": instructor.id,
                "recorded_at": iso(self.clock.now()),
            },
            self._deadline,
        )
        return next(a for a in self._history(cohort_id) if a.id == row_id)

    def _deadline(self, attempt: Row, in_force: list[Row]) -> str | None:
        """An open attempt's deadline under the accommodations now in force."""
        if not self.course.has_quiz(attempt["quiz_id"]):
            return None
        limits = quiz_limits(self.course.quiz(attempt["quiz_id"]), in_force)
        deadline = limits.deadline(parse(attempt["started_at"]))
        return iso(deadline) if deadline is not None else None

    def _history(self, cohort_id: int) -> list[Accommodation]:
        return [Accommodation.from_row(r) for r in self.store.cohort_accommodations(cohort_id)]

    def history(self, instructor: User, cohort_id: int) -> list[Accommodation]:
        """Every grant and revocation of the instructor's cohort, oldest first."""
        self._owned(instructor, cohort_id, None)
        return self._history(cohort_id)

    def in_force(
        self, instructor: User, cohort_id: int, user_id: int | None
    ) -> Accommodation | None:
        """The grant in force for this learner of the cohort (their own; not the cohort's),
        or for the whole cohort when `user_id` is None; None when there is none."""
        return next(
            (
                a
                for a in reversed(self.history(instructor, cohort_id))
                if a.user_id == user_id and a.in_force
            ),
            None,
        )

    def member_limits(self, cohort_id: int) -> dict[int, Limits]:
        """The post-test's limits for each member of a cohort whom an accommodation gives
        more (for the dashboard); {} without a post-test."""
        quiz = self.course.post_test
        if quiz is None:
            return {}
        rows: dict[int, list[Row]] = {}
        for row in self.store.member_accommodations(cohort_id):
            rows.setdefault(row["learner_id"], []).append(row)
        limits = {user_id: quiz_limits(quiz, found) for user_id, found in rows.items()}
        return {user_id: lim for user_id, lim in limits.items() if lim.accommodated}

    def records(self, cohort_id: int) -> list[dict[str, Any]]:
        """A cohort's accommodations, every grant and revocation ever recorded (current
        ones have `in_force` True), oldest first, as rows with ACCOMMODATION_COLUMNS: for
        the audit pack. Reads only; checks no owner (the caller has)."""
        cohort = self.store.cohort(cohort_id)
        name = cohort["name"] if cohort else ""
        return [
            {
                "id": a.id,
                "cohort": name,
                "applies_to": "learner" if a.user_id is not None else "cohort",
                "username": a.username or "",
                "display_name": a.display_name or "",
                "action": a.action,
                "time_multiplier": float(a.grant.time_multiplier)
                if a.grant.time_multiplier is not None
                else None,
                "extra_minutes": a.grant.extra_minutes if a.action == "grant" else None,
                "extra_attempts": a.grant.extra_attempts if a.action == "grant" else None,
                "reason": a.reason,
                "recorded_by": a.recorded_by,
                "recorded_at": a.recorded_at,
                "in_force": a.in_force,
            }
            for a in self._history(cohort_id)
        ]
