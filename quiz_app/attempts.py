"""The attempt lifecycle: start (draw and shuffle), answer, move, submit, review.

Practice attempts give feedback after each answer, so the first answer to a question
stands. Post-test attempts defer feedback, let answers change until submit, and are
bound by a deadline enforced here, on the server: an answer after it is refused and
the attempt is submitted as it stood. An attempt past its deadline counts as submitted
for everyone who reads it: `finalize_expired` submits such attempts (and issues the
certificate of a passed one) before any page or report reads them.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from quiz_app import grading
from quiz_app.bank import Question
from quiz_app.certificates import Certificates, Waiting
from quiz_app.clock import Clock, SystemClock, iso, parse
from quiz_app.course import Course
from quiz_app.errors import QuizError
from quiz_app.evaluations import Evaluations
from quiz_app.limits import Limits, quiz_limits
from quiz_app.progress import Answered, released_answers
from quiz_app.quiz import Slot, draw
from quiz_app.quizdef import POST_TEST, REVIEW_PARTS, QuizDef, ReviewOptions
from quiz_app.records import Attempt, Attestation, Response
from quiz_app.reviews import CONFIDENCE, Reviewer, Scheduling, confidence_of, rating
from quiz_app.scoring import check_answer, mark
from quiz_app.store import DeadlinePassed, NotFound, Store

_question_adapter: TypeAdapter[Any] = TypeAdapter(Question)


def stored_question(content: str) -> Question:
    """A question version as `question_versions` keeps it (its content JSON)."""
    return _question_adapter.validate_json(content)


class NoAttemptsLeft(QuizError):
    """Every attempt the post-test allows has been used."""


class NotAttested(QuizError):
    """A post-test submitted without the attestation its course asks for."""


class OtherAttemptOpen(QuizError):
    """The learner has this quiz open with another set-up (other length or questions):
    resume it, or end it and start the one asked for (`start(..., replace=True)`)."""

    def __init__(self, attempt: Attempt):
        self.attempt = attempt
        super().__init__(
            f"You have {attempt.quiz_title} in progress ({attempt.answered} of "
            f"{len(attempt.slots)} answered)."
        )


def _check_own(attempt: Attempt, question_id: object) -> None:
    """Raise QuizError unless `question_id` is one of the attempt's questions."""
    if not isinstance(question_id, str) or question_id not in {
        s.question_id for s in attempt.slots
    }:
        raise QuizError(f"Question {question_id} is not part of attempt {attempt.id}.")


class Attempts:
    """Starts, answers and submits attempts for learners, over a Store, Course and Clock."""

    def __init__(self, store: Store, course: Course, clock: Clock | None = None):
        self.store = store
        self.course = course
        self.clock = clock or SystemClock()
        self.certificates = Certificates(store, course, self.clock)
        self.evaluations = Evaluations(store, course, self.clock)
        self.scheduling = Scheduling(course.info.desired_retention)
        # Every write that stores or releases an answer updates its card (quiz_app.reviews).
        self.reviewer = Reviewer(course, self.scheduling)

    def _after_submit(self, attempt_ids: list[int]) -> None:
        """Issue the certificate of each passed post-test, however it came to be submitted."""
        for attempt_id in attempt_ids:
            row = self.store.attempt(attempt_id)
            if row is not None and row["mode"] == POST_TEST and row["passed"]:
                # One waiting for the course evaluation or the licence the course requires
                # is issued once the learner has given them (widgets.certificate_button
                # issues it when the page shows it).
                with contextlib.suppress(Waiting):
                    self.certificates.issue(attempt_id)

    def finalize_expired(self, user_id: int | None = None) -> None:
        """Submit every open attempt past its deadline (of one learner, when given) as it
        stood at the deadline, and issue the certificates they earned. Cheap when none.
        A read-only store is left as it is: its timed-out attempts stay open (`timed_out`
        counts them) until the app next runs on it."""
        if self.store.read_only:
            return
        self._after_submit(
            self.store.finalize_expired(
                iso(self.clock.now()), user_id=user_id, reviewer=self.reviewer
            )
        )

    def attestations_of_cohort(self, cohort_id: int) -> list[Attestation]:
        """Every submitted post-test attempt of the cohort, attested or not (with the words
        and time when it was), oldest first, after submitting those past their deadline:
        for the audit pack."""
        self.finalize_expired()
        return [Attestation.from_row(r) for r in self.store.cohort_attestations(cohort_id)]

    def timed_out(self) -> int:
        """How many open attempts are past their deadline and not yet submitted."""
        return len(self.store.expired_attempts(iso(self.clock.now())))

    def start(
        self,
        user_id: int,
        quiz: QuizDef,
        cohort_id: int | None = None,
        length: int | None = None,
        pool: list[str] | None = None,
        replace: bool = False,
    ) -> Attempt:
        """Begin an attempt, or return the learner's open one of the same quiz and set-up.

        At most one attempt of a quiz is open per learner, however many starts race.
        Post-tests are limited to the learner's allowance (raises NoAttemptsLeft) and
        get a deadline of now plus their time limit, accommodations included (`limits`,
        read in the write that starts the attempt). When the open attempt of this quiz was set
        up otherwise (another length or pool), raises OtherAttemptOpen, unless `replace`,
        which submits the open one as it stands first. The draw is seeded and stored, so
        the attempt can be resumed and reviewed exactly as shown.
        """
        self.finalize_expired(user_id)
        now = self.clock.now()
        seed = secrets.randbits(31)
        slots = draw(quiz, self.course, seed, pool=pool, length=length)
        waiting = next(
            (r for r in self.store.open_attempts(user_id) if r["quiz_id"] == quiz.id), None
        )
        if waiting is not None:
            attempt = self.load(waiting["id"], user_id)
            if quiz.is_post_test or _same_set_up(attempt, slots, pool):
                return attempt
            if not replace:
                raise OtherAttemptOpen(attempt)
            self.submit(attempt)
        fields = {
            "user_id": user_id,
            "cohort_id": cohort_id,
            "quiz_id": quiz.id,
            "quiz_title": quiz.title,
            "mode": quiz.mode,
            "seed": seed,
            "slots": json.dumps([s.as_json() for s in slots]),
            "position": 0,
            "started_at": iso(now),
            "deadline": None,  # the learner's, set in the write (`limits_now`)
            "pass_mark": float(quiz.pass_mark) if quiz.pass_mark is not None else None,
        }
        self.store.save_question_versions(
            (q.content_hash, q.id, q.model_dump_json())
            for q in (self.course.question(s.question_id) for s in slots)
        )

        def limits_now(in_force: list[dict[str, Any]]) -> tuple[str | None, int | None]:
            limits = quiz_limits(quiz, in_force)
            return _iso_or_none(limits.deadline(now)), limits.attempts

        attempt_id, _ = self.store.create_attempt(fields, None, self.reviewer, limits_now)
        if not attempt_id:
            raise NoAttemptsLeft(_no_attempts_message(self.limits(user_id, quiz).attempts or 0))
        return self.load(attempt_id, user_id)

    def limits(self, user_id: int, quiz: QuizDef) -> Limits:
        """The quiz's time limit and allowance for this learner, after the accommodations
        in force for them (quiz_app.limits)."""
        return quiz_limits(quiz, self.store.accommodations_of(user_id))

    def load(self, attempt_id: int, user_id: int | None = None) -> Attempt:
        """The attempt, submitted first (idempotently) if its deadline has passed.

        With `user_id`, raises NotFound unless the attempt is that learner's.
        """
        row, responses = self.store.attempt_and_responses(attempt_id)
        if row is None or (user_id is not None and row["user_id"] != user_id):
            raise NotFound("That attempt does not exist.")
        if row["submitted_at"] is None and grading.expired(row["deadline"], iso(self.clock.now())):
            self._after_submit(
                self.store.finalize_expired(
                    iso(self.clock.now()), attempt_id=attempt_id, reviewer=self.reviewer
                )
            )
            row, responses = self.store.attempt_and_responses(attempt_id)
            assert row is not None
        return Attempt.from_rows(row, responses)

    def of_learner(self, user_id: int, quiz_id: str | None = None) -> list[Attempt]:
        """A learner's attempts, newest first (of one quiz when given), every one past its
        deadline submitted."""
        self.finalize_expired(user_id)
        return [self.load(row["id"]) for row in self.store.attempts_of(user_id, quiz_id)]

    def review_parts(self, attempt: Attempt) -> frozenset[str]:
        """What the learner's review of a submitted attempt shows of each question: for a
        post-test, what the course's review options allow after how it ended; for
        practice, everything."""
        if not attempt.is_post_test:
            return REVIEW_PARTS
        quiz = self.course.quiz(attempt.quiz_id) if self.course.has_quiz(attempt.quiz_id) else None
        options = quiz.review if quiz is not None else ReviewOptions()
        rows = self.store.attempts_of(attempt.user_id, attempt.quiz_id)
        still_open = any(row["submitted_at"] is None for row in rows)
        allowed = self.limits(attempt.user_id, quiz).attempts if quiz is not None else None
        left = still_open or grading.may_start(len(rows), allowed)
        return options.shown(bool(attempt.passed), left)

    def released_answers(self, user_id: int) -> list[Answered]:
        """The learner's answers whose feedback is released (never an open post-test's),
        every attempt past its deadline submitted first."""
        self.finalize_expired(user_id)
        return released_answers(self.store.answers_of(user_id))

    def answer(self, attempt: Attempt, question_id: str, raw: Any) -> Response:
        """Record an answer to one of the attempt's questions; returns what is stored.

        Raises QuizError for a question_id that is not one of the attempt's, InvalidAnswer
        for an answer that does not fit (scoring.check_answer), AttemptClosed after
        submit, DeadlinePassed after the deadline (the attempt is then submitted).
        """
        _check_own(attempt, question_id)
        question = self.question_as_shown(attempt, question_id)
        answer = check_answer(question, raw)
        earned = mark(question, answer)
        now = iso(self.clock.now())
        try:
            self.store.record_answer(
                attempt.id,
                question_id,
                answer,
                earned,
                question.content_hash,
                now,
                replace=attempt.is_post_test,
                reviewer=self.reviewer,
            )
        except DeadlinePassed:
            self._after_submit([attempt.id])
            raise
        stored = self.store.response(attempt.id, question_id)
        assert stored is not None
        return Response.from_row(stored)

    def clear(self, attempt: Attempt, question_id: str) -> None:
        """Take back the answer to one of a post-test's questions (its learner undid every
        choice), so that it counts as not answered; a practice answer, checked once, stays.

        Raises QuizError for a question that is not the attempt's or a practice attempt,
        AttemptClosed after submit, DeadlinePassed after the deadline.
        """
        _check_own(attempt, question_id)
        if not attempt.is_post_test:
            raise QuizError("A practice answer, once checked, stays as it was checked.")
        try:
            self.store.clear_answer(attempt.id, question_id, iso(self.clock.now()), self.reviewer)
        except DeadlinePassed:
            self._after_submit([attempt.id])
            raise

    def flag(self, attempt: Attempt, question_id: str, flagged: bool) -> None:
        """Flag one of an open post-test's questions for review (or take the flag off).
        Raises QuizError for a question that is not the attempt's or a practice attempt,
        AttemptClosed after submit, DeadlinePassed after the deadline."""
        _check_own(attempt, question_id)
        if not attempt.is_post_test:
            raise QuizError("Only a post-test's questions can be flagged for review.")
        try:
            self.store.set_flag(
                attempt.id, question_id, flagged, iso(self.clock.now()), self.reviewer
            )
        except DeadlinePassed:
            self._after_submit([attempt.id])
            raise

    def flagged(self, attempt: Attempt) -> set[str]:
        """The attempt's questions its learner flagged for review."""
        return self.store.flags(attempt.id)

    def move(self, attempt: Attempt, position: int) -> None:
        """Remember which question the learner is on, so a resume lands there."""
        position = max(0, min(position, len(attempt.slots) - 1))
        if position != attempt.position:
            self.store.set_position(attempt.id, position)

    @property
    def attestation(self) -> str | None:
        """The words a learner ticks before submitting the post-test, or None when the
        course asks for none."""
        return self.course.info.attestation

    def submit(self, attempt: Attempt, attested: bool = False) -> Attempt:
        """Submit once: marks are totalled and pass or fail decided. AttemptClosed after.

        A post-test of a course with an attestation needs `attested` (the learner ticked
        its words, which are stored with the time): raises NotAttested without it, unless
        the deadline has passed, when the attempt is submitted as it stood at the
        deadline, not attested (as a time-out is)."""
        now = iso(self.clock.now())
        words = self.attestation if attempt.is_post_test else None
        if words is not None and not attested and not grading.expired(attempt.deadline, now):
            raise NotAttested(
                "Tick the statement that you completed this post-test yourself before you "
                "submit it."
            )
        self.store.submit_attempt(attempt.id, now, self.reviewer, words if attested else None)
        self._after_submit([attempt.id])
        return self.load(attempt.id)

    def confidence(self, attempt: Attempt, question_id: str) -> tuple[bool, str | None]:
        """Whether the learner may still say how sure they were of this answer (it is
        right and its review is still its card's latest), and what they said (a key of
        reviews.CONFIDENCE, or None)."""
        response = attempt.responses.get(question_id)
        if response is None or response.mark < 1:
            return False, None
        log = self.store.review_log(attempt.id, question_id)
        if log is None:
            return False, None
        return bool(log["latest"]), confidence_of(log["rating"], response.mark)

    def set_confidence(self, attempt: Attempt, question_id: str, confidence: str | None) -> bool:
        """Record how sure the learner was of a right answer whose feedback they have
        seen: "I knew it" rates its review Easy, "I guessed" Hard, None takes it back
        (Good). Returns False when there is nothing to re-rate: the answer was not fully
        right, made no review, or a later answer has reviewed the card since."""
        _check_own(attempt, question_id)
        if confidence is not None and confidence not in CONFIDENCE:
            raise QuizError(f"Unknown confidence {confidence!r}.")
        response = attempt.responses.get(question_id)
        if response is None or response.mark < 1 or not attempt.feedback_released:
            return False
        grade = rating(response.mark, confidence)
        return self.store.rerate_review(
            attempt.id,
            question_id,
            lambda before, at: self.scheduling.review(before, grade, parse(at)),
        )

    def question_as_shown(self, attempt: Attempt, question_id: str) -> Question:
        """The question as this attempt showed it, even if the bank was edited since."""
        slot = next(s for s in attempt.slots if s.question_id == question_id)
        if self.course.has_question(question_id):
            current = self.course.question(question_id)
            if not slot.content_hash or current.content_hash == slot.content_hash:
                return current
        row = self.store.question_version(slot.content_hash)
        if row is None:
            raise NotFound(f"Question {question_id} is no longer in the banks.")
        return stored_question(row["content"])


def _iso_or_none(when: datetime | None) -> str | None:
    return iso(when) if when is not None else None


def _same_set_up(attempt: Attempt, slots: tuple[Slot, ...], pool: list[str] | None) -> bool:
    """Whether an open attempt is what starting with these slots (and pool) asks for."""
    if len(attempt.slots) != len(slots):
        return False
    return pool is None or {s.question_id for s in attempt.slots} <= set(pool)


def _no_attempts_message(allowed: int) -> str:
    return (
        f"You have used all {allowed} attempt{'s' if allowed != 1 else ''} this post-test "
        "allows. Ask your instructor if you need another."
    )
