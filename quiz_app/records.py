"""What the store keeps, as immutable domain objects (pure: no SQL, no Streamlit).

The store hands out rows (dicts, one key per column); these types decode them once:
an attempt with its slots and exact marks, its responses, a certificate. Reports,
progress and the PDF work on these, never on SQL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from fractions import Fraction
from functools import lru_cache
from typing import Any

from quiz_app import grading
from quiz_app.clock import UTC_NAME, LocalTime, parse
from quiz_app.quiz import Slot
from quiz_app.quizdef import DELIVERY_FORMATS, POST_TEST

Row = dict[str, Any]
Answer = Any  # int | bool | list[int] | list[int | None]: see quiz_app.scoring


@dataclass(frozen=True)
class Response:
    """One stored answer: what was answered, its exact mark, and to which version."""

    question_id: str
    answer: Answer
    mark: Fraction
    content_hash: str
    answered_at: str

    @classmethod
    def from_row(cls, row: Row) -> Response:
        return cls(
            row["question_id"],
            json.loads(row["answer"]),
            grading.exact(row["mark_exact"]) or Fraction(0),
            row["content_hash"],
            row["answered_at"],
        )


@dataclass(frozen=True)
class Attempt:
    """An attempt as stored, with its slots and responses decoded."""

    id: int
    user_id: int
    cohort_id: int | None
    quiz_id: str
    quiz_title: str
    mode: str
    seed: int
    slots: tuple[Slot, ...]
    position: int
    started_at: str
    deadline: str | None
    submitted_at: str | None
    score: Fraction | None
    max_score: float | None
    pass_mark: float | None
    passed: bool | None
    responses: dict[str, Response] = field(default_factory=dict)
    attested_at: str | None = None  # when the learner ticked the course's attestation
    attestation: str | None = None  # its words as shown; None: not attested

    @classmethod
    def from_rows(cls, row: Row, responses: list[Row]) -> Attempt:
        """An attempt from its `attempts` row and its `responses` rows."""
        decoded = {"slots", "score", "passed", "responses"}
        plain = {f.name: row[f.name] for f in fields(cls) if f.name not in decoded}
        return cls(
            **plain,
            slots=_slots(row["slots"]),
            score=grading.exact(row["score_exact"]),
            passed=None if row["passed"] is None else bool(row["passed"]),
            responses={r["question_id"]: Response.from_row(r) for r in responses},
        )

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None

    @property
    def is_post_test(self) -> bool:
        return self.mode == POST_TEST

    @property
    def feedback_released(self) -> bool:
        """Whether the learner may see how right the answers are (see quiz_app.grading)."""
        return grading.feedback_released(self.mode, not self.is_open)

    @property
    def timed_out(self) -> bool:
        """Submitted by its deadline rather than by the learner."""
        return self.deadline is not None and self.submitted_at == self.deadline

    @property
    def percent(self) -> float | None:
        return grading.shown_percent(self.score, self.max_score)

    @property
    def answered(self) -> int:
        return sum(1 for slot in self.slots if slot.question_id in self.responses)

    def remaining(self, now: datetime) -> timedelta | None:
        """Time left before the deadline (never negative), or None without one."""
        if self.deadline is None:
            return None
        return max(timedelta(0), parse(self.deadline) - now)


@lru_cache(maxsize=256)
def _slots(text: str) -> tuple[Slot, ...]:
    """An attempt's slots from their stored JSON, decoded once per text: slots never
    change after the start (Slot is immutable), and every run of a question page loads
    its attempt, twice when it stores an answer (a 100-question review's slots took
    a quarter of a millisecond each time)."""
    return tuple(Slot.from_json(s) for s in json.loads(text))


@dataclass(frozen=True)
class Certificate:
    """A certificate of completion as issued: what it says is fixed at issue."""

    code: str
    attempt_id: int
    user_id: int
    learner_name: str
    course_title: str
    objectives: tuple[str, ...]
    ce_hours: float
    provider: str
    score_pct: float
    pass_mark: float
    completed_at: str
    issued_at: str
    time_zone: str = UTC_NAME  # the course's when issued: what completed_on is read in
    scope: str | None = None  # the course's scope statement when issued, if it had one
    # Kept at issue (m019); None on certificates issued before they existed.
    licence_number: str | None = None
    licence_jurisdiction: str | None = None
    provider_number: str | None = None
    approval_number: str | None = None
    delivery_format: str | None = None  # a key of quizdef.DELIVERY_FORMATS
    minutes_per_hour: int | None = None  # of a contact hour (None: 60)
    # The course's attestation words and when the learner ticked them (None: not
    # attested, e.g. submitted by the deadline); no words: the course asked for none.
    attested_at: str | None = None
    attestation: str | None = None
    superseded_by: str | None = None  # the code of the reissue that replaced this one
    superseded_at: str | None = None

    @classmethod
    def from_row(cls, row: Row) -> Certificate:
        return cls(**{**row, "objectives": tuple(json.loads(row["objectives"]))})

    @property
    def completed_on(self) -> str:
        """The local day of completion, in the zone kept at issue: 21 November 2026."""
        return LocalTime(self.time_zone).day_text(self.completed_at)

    @property
    def is_current(self) -> bool:
        return self.superseded_by is None

    @property
    def ceus(self) -> float:
        """Continuing-education units: 1 CEU is 10 contact hours."""
        return self.ce_hours / 10

    @property
    def delivery_text(self) -> str | None:
        """The delivery format as printed ("Self-study"), or None when not recorded."""
        if self.delivery_format is None:
            return None
        return DELIVERY_FORMATS.get(self.delivery_format, self.delivery_format)

    @property
    def hours_text(self) -> str:
        """The contact hours with the length of an hour: "1.5 (60-minute hours)"."""
        return f"{self.ce_hours:.1f} ({self.minutes_per_hour or 60}-minute hours)"

    @property
    def licence_text(self) -> str | None:
        """ "PT12345 (Texas)", or None when the certificate records no licence."""
        if not self.licence_number:
            return None
        where = f" ({self.licence_jurisdiction})" if self.licence_jurisdiction else ""
        return self.licence_number + where

    @property
    def course_numbers(self) -> list[tuple[str, str]]:
        """The provider and approval numbers recorded, as (label, number)."""
        return [
            (label, number)
            for label, number in (
                ("Provider number", self.provider_number),
                ("Approval number", self.approval_number),
            )
            if number
        ]

    def attested_on(self) -> str | None:
        """The local moment of attestation, in the zone kept at issue, or None."""
        if self.attested_at is None:
            return None
        return LocalTime(self.time_zone).moment_text(self.attested_at)

    def superseded_on(self) -> str | None:
        if self.superseded_at is None:
            return None
        return LocalTime(self.time_zone).day_text(self.superseded_at)


@dataclass(frozen=True)
class Reissue:
    """One reissue of a certificate: the old code superseded by the new, with a corrected
    name, by an instructor, for a reason."""

    old_code: str
    new_code: str
    reissued_by: int
    reissued_by_name: str
    reissued_at: str
    reason: str
    old_name: str
    new_name: str

    @classmethod
    def from_row(cls, row: Row) -> Reissue:
        return cls(**{f.name: row[f.name] for f in fields(cls)})


@dataclass(frozen=True)
class Attestation:
    """Whether a submitted post-test attempt was attested, and with which words when."""

    attempt_id: int
    user_id: int
    username: str
    display_name: str
    quiz_id: str
    submitted_at: str
    timed_out: bool
    attested_at: str | None
    attestation: str | None

    @classmethod
    def from_row(cls, row: Row) -> Attestation:
        return cls(
            **{**{f.name: row[f.name] for f in fields(cls)}, "timed_out": bool(row["timed_out"])}
        )
