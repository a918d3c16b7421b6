"""Certificates of completion: issued for a passed post-test, verifiable by code, as PDF.

A certificate fixes, when it is issued, what it says: the learner's name, the course
title, its learning objectives and scope statement, the CE hours, the provider, the
score and pass mark, and the date of completion. Later edits to the course or the
account change nothing on it. Its code is 80 random bits in Crockford's base 32
(`7KQ2-M9XD-...`), so codes cannot be guessed; typing mistakes between O and 0, I or L
and 1 are forgiven.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import re
import secrets

from quiz_app import formatting, grading
from quiz_app.accounts import User, check_display_name
from quiz_app.clock import Clock, SystemClock, iso
from quiz_app.course import Course
from quiz_app.errors import QuizError
from quiz_app.evaluations import Evaluations
from quiz_app.quizdef import QuizDef
from quiz_app.records import Certificate, Reissue, Row
from quiz_app.store import Store

PROVIDER_ENV = "QUIZ_PROVIDER"
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
CODE_CHARS = 16  # 16 x 5 bits = 80 random bits
_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1"})


class NotEligible(QuizError):
    """No certificate for this attempt: it does not exist, is not a post-test, or failed."""


class Waiting(NotEligible):
    """A passed attempt whose certificate waits for the learner to do something first
    (give a licence, fill in the course evaluation): issued once they have."""


class EvaluationDue(Waiting):
    """The course requires its evaluation before the certificate, and the learner has
    not submitted it for this attempt."""

    def __init__(self, attempt_id: int) -> None:
        super().__init__(
            f"The certificate of attempt {attempt_id} waits for its course evaluation, "
            "which this course requires first: it is issued once the learner submits it."
        )


class LicenceMissing(Waiting):
    """The course requires a licence on the profile before a certificate is issued, and
    the learner has not given it (`missing` says which parts)."""

    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__(
            "Your certificate is waiting for your " + " and ".join(missing) + ": this course "
            "prints them on it. Add them on your Profile page and the certificate is issued."
        )


class CannotReissue(QuizError):
    """A reissue refused: not the instructor's learner, not a current certificate, no
    reason, or the same name."""


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
    course: Course,
    attempt: Row,
    learner_name: str,
    code: str,
    issued_at: str,
    licence: tuple[str | None, str | None] = (None, None),
) -> Row:
    """The row a certificate stores for a passed post-test attempt: what it says, fixed
    now, with the learner's `licence` (number, jurisdiction) as their profile has it."""
    quiz = course.quiz(attempt["quiz_id"])
    settings = course.info.certificate
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
        "licence_number": licence[0],
        "licence_jurisdiction": licence[1],
        "provider_number": settings.provider_number,
        "approval_number": settings.approval_number,
        "delivery_format": settings.delivery_format,
        "minutes_per_hour": settings.minutes_per_contact_hour,
        "attested_at": attempt.get("attested_at"),
        # The words ticked; when not ticked, the course's words, with no attested_at.
        "attestation": attempt.get("attestation") or course.info.attestation,
    }


def missing_licence(course: Course, learner: Row) -> list[str]:
    """What the course requires of a learner's profile before a certificate is issued
    and they lack ("licence number", "licence jurisdiction"); empty when nothing."""
    if not course.info.certificate.require_licence:
        return []
    wanted = {"licence number": "licence_number", "licence jurisdiction": "licence_jurisdiction"}
    return [label for label, column in wanted.items() if not learner.get(column)]


class Certificates:
    """Issues and verifies certificates over a Store and Course."""

    def __init__(self, store: Store, course: Course, clock: Clock | None = None):
        self.store = store
        self.course = course
        self.clock = clock or SystemClock()

    def issue(self, attempt_id: int) -> Certificate:
        """The certificate of a passed post-test attempt, issued now if it has none.

        Raises NotEligible, saying why, for an attempt that does not exist, is not
        submitted, is not a post-test, or did not pass; Waiting (EvaluationDue,
        LicenceMissing) while it waits for the learner's course evaluation or licence.
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
        if Evaluations(self.store, self.course, self.clock).withholds_certificate(attempt_id):
            raise EvaluationDue(attempt_id)
        missing = missing_licence(self.course, learner)
        if missing:
            raise LicenceMissing(missing)
        fields = certificate_fields(
            self.course,
            attempt,
            learner["display_name"],
            new_code(),
            iso(self.clock.now()),
            (learner["licence_number"], learner["licence_jurisdiction"]),
        )
        return Certificate.from_row(self.store.issue_certificate(fields))

    def reissue(self, instructor: User, code: str, new_name: str, reason: str) -> Certificate:
        """Reissue the current certificate `code` under a corrected name, for an instructor
        of the cohort it was earned in: a new code with everything else as the old one
        said, the old one marked superseded by it, the learner's name changed, and the
        change logged (who, when, why, old and new name). Raises CannotReissue saying why,
        AccountError for a name the certificate cannot take."""
        name = check_display_name(new_name)
        why = " ".join(reason.split())
        if not why:
            raise CannotReissue("Say why the certificate is reissued (e.g. the learner's "
                                "legal name was misspelt).")  # fmt: skip
        if len(why) > 500:
            raise CannotReissue("Keep the reason to 500 characters.")
        old = verify(self.store, code)
        if old is None:
            raise CannotReissue(f"There is no certificate {code}.")
        attempt = self.store.attempt(old.attempt_id)
        cohort = (
            self.store.cohort(attempt["cohort_id"]) if attempt and attempt["cohort_id"] else None
        )
        if cohort is None or cohort["instructor_id"] != instructor.id:
            raise CannotReissue("Only an instructor of the cohort it was earned in can reissue "
                                "this certificate.")  # fmt: skip
        if not old.is_current:
            raise CannotReissue(f"Certificate {old.code} was already superseded by "
                                f"{old.superseded_by}; reissue that one.")  # fmt: skip
        if name == old.learner_name:
            raise CannotReissue("The new name is the name on the certificate already.")
        now = iso(self.clock.now())
        fields = {
            **{f.name: getattr(old, f.name) for f in dataclasses.fields(old)},
            "objectives": json.dumps(list(old.objectives), ensure_ascii=False),
            "code": new_code(),
            "learner_name": name,
            "issued_at": now,
            "superseded_by": None,
            "superseded_at": None,
        }
        log = {"reissued_by": instructor.id, "reissued_at": now, "reason": why,
               "old_name": old.learner_name}  # fmt: skip
        row = self.store.reissue_certificate(old.code, fields, log)
        if row is None:
            raise CannotReissue(f"Certificate {old.code} was superseded meanwhile.")
        return Certificate.from_row(row)

    def of_cohort(self, cohort_id: int) -> list[Certificate]:
        """Every certificate earned in the cohort, superseded ones included (each says
        `superseded_by` and `superseded_at`), in the order issued: for the audit pack.
        Those of timed-out attempts are issued by `Attempts.finalize_expired`: call it
        first."""
        return [Certificate.from_row(r) for r in self.store.cohort_certificates_all(cohort_id)]

    def reissues_of_cohort(self, cohort_id: int) -> list[Reissue]:
        """The reissue log of the cohort's certificates, oldest first: for the audit pack."""
        return [Reissue.from_row(r) for r in self.store.cohort_reissues(cohort_id)]

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
