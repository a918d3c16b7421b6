"""Certificates of completion: issued for a passed post-test, verifiable by code, as PDF.

A certificate fixes, when it is issued, what it says: the learner's name, the course
title, its learning objectives and scope statement, the CE hours, the provider, the
score and pass mark, and the date of completion. Later edits to the course or the
account change nothing on it. Its code is 80 random bits in Crockford's base 32
(`7KQ2-M9XD-...`), so codes cannot be guessed; typing mistakes between O and 0, I or L
and 1 are forgiven.
"""

from __future__ import annotations

import json
import os
import random
import re
import secrets

from quiz_app import formatting, grading
from quiz_app.clock import Clock, SystemClock, iso
from quiz_app.course import Course
from quiz_app.errors import QuizError
from quiz_app.quizdef import QuizDef
from quiz_app.records import Certificate, Row
from quiz_app.store import Store

PROVIDER_ENV = "QUIZ_PROVIDER"
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
CODE_CHARS = 16  # 16 x 5 bits = 80 random bits
_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1"})


class NotEligible(QuizError):
    """No certificate for this attempt: it does not exist, is not a post-test, or failed."""


def new_code(source: random.Random | None = None) -> str:
    """A fresh code, `XXXX-XXXX-XXXX-XXXX`, from 80 random bits (from `source` if given,
    as demo data does to be reproducible; else from the operating system's CSPRNG)."""
    source = source or secrets.SystemRandom()
    raw = "".join(source.choice(CODE_ALPHABET) for _ in range(CODE_CHARS))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_CHARS, 4))


def normalise_code(text: str) -> str | None:
    """A code as typed, in canonical form; None when it cannot be a code at all."""
    raw = re.sub(r"[\s\-]", "", text.upper()).translate(_TYPOS)
    if len(raw) != CODE_CHARS or any(c not in CODE_ALPHABET for c in raw):
        return None
    return "-".join(raw[i : i + 4] for i in range(0, CODE_CHARS, 4))


def provider_name(course: Course) -> str:
    """$QUIZ_PROVIDER when set, else the provider quizzes.yaml names."""
    return os.environ.get(PROVIDER_ENV, "").strip() or course.info.provider


def course_objectives(course: Course, quiz: QuizDef) -> list[str]:
    """The learning objectives of every topic the quiz covers, in course order."""
    topics = set(quiz.all_topics)
    return [
        text for bank in course.banks if bank.topic in topics for text in bank.objectives.values()
    ]


def certificate_fields(
    course: Course, attempt: Row, learner_name: str, code: str, issued_at: str
) -> Row:
    """The row a certificate stores for a passed post-test attempt."""
    quiz = course.quiz(attempt["quiz_id"])
    return {
        "code": code,
        "attempt_id": attempt["id"],
        "user_id": attempt["user_id"],
        "learner_name": learner_name,
        "course_title": course.info.title,
        "objectives": json.dumps(course_objectives(course, quiz), ensure_ascii=False),
        "ce_hours": float(quiz.ce_hours or 0),
        "provider": provider_name(course),
        "score_pct": grading.shown_percent(
            grading.exact(attempt["score_exact"]), attempt["max_score"]
        ),
        "pass_mark": float(attempt["pass_mark"]),
        "completed_at": attempt["submitted_at"],
        "issued_at": issued_at,
        "time_zone": course.info.time_zone,
        "scope": course.info.scope,
    }


class Certificates:
    """Issues and verifies certificates over a Store and Course."""

    def __init__(self, store: Store, course: Course, clock: Clock | None = None):
        self.store = store
        self.course = course
        self.clock = clock or SystemClock()

    def issue(self, attempt_id: int) -> Certificate:
        """The certificate of a passed post-test attempt, issued now if it has none.

        Raises NotEligible, saying why, for an attempt that does not exist, is not
        submitted, is not a post-test, or did not pass.
        """
        existing = self.store.certificate_for_attempt(attempt_id)
        if existing is not None:
            return Certificate.from_row(existing)
        attempt = self.store.attempt(attempt_id)
        if attempt is None:
            raise NotEligible(f"There is no attempt {attempt_id}.")
        if attempt["mode"] != "post_test":
            raise NotEligible(f"Attempt {attempt_id} is a practice quiz; only a passed "
                              "post-test earns a certificate.")  # fmt: skip
        if attempt["submitted_at"] is None:
            raise NotEligible(f"Attempt {attempt_id} has not been submitted yet.")
        if not attempt["passed"]:
            percent = grading.shown_percent(
                grading.exact(attempt["score_exact"]), attempt["max_score"]
            )
            raise NotEligible(
                f"Attempt {attempt_id} did not pass ({formatting.percent(percent)} against a "
                f"pass mark of {attempt['pass_mark']:g}%), so it has no certificate."
            )
        if not self.course.has_quiz(attempt["quiz_id"]):
            raise NotEligible(f"The quiz {attempt['quiz_id']} is no longer in the course.")
        learner = self.store.user(attempt["user_id"])
        assert learner is not None
        fields = certificate_fields(
            self.course, attempt, learner["display_name"], new_code(), iso(self.clock.now())
        )
        return Certificate.from_row(self.store.issue_certificate(fields))

    def for_attempt(self, attempt_id: int) -> Certificate | None:
        row = self.store.certificate_for_attempt(attempt_id)
        return Certificate.from_row(row) if row else None

    def verify(self, typed: str) -> Certificate | None:
        """The certificate with this code, or None (also for anything that is not a code)."""
        return verify(self.store, typed)


def verify(store: Store, typed: str) -> Certificate | None:
    """The certificate with this code in `store`, or None (also for anything that is not a
    code). Needs no course: a certificate says everything it certifies."""
    code = normalise_code(typed)
    row = store.certificate(code) if code else None
    return Certificate.from_row(row) if row else None
