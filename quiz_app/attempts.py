"""The attempt lifecycle: start (draw and shuffle), answer, move, submit, review.

Practice attempts give feedback after each answer, so the first answer to a question
stands. Post-test attempts defer feedback, let answers change until submit, and are
bound by a deadline enforced here, on the server: an answer after it is refused and
the attempt is submitted as it stood.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter

from quiz_app.bank import Question
from quiz_app.certificates import Certificates
from quiz_app.clock import Clock, SystemClock, iso, parse
from quiz_app.course import Course
from quiz_app.errors import QuizError
from quiz_app.quiz import Slot, draw
from quiz_app.quizdef import POST_TEST, QuizDef
from quiz_app.scoring import Answer, check_answer, mark
from quiz_app.store import DeadlinePassed, NotFound, Row, Store

_question_adapter: TypeAdapter[Any] = TypeAdapter(Question)


class NoAttemptsLeft(QuizError):
    """Every attempt the post-test allows has been used."""


@dataclass(frozen=True)
class Response:
    question_id: str
    answer: Answer
    mark: float
    content_hash: str
    answered_at: str

    @classmethod
    def from_row(cls, row: Row) -> Response:
        return cls(
            row["question_id"],
            json.loads(row["answer"]),
            row["mark"],
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
    score: float | None
    max_score: float | None
    pass_mark: float | None
    passed: bool | None
    responses: dict[str, Response] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, row: Row, responses: list[Row]) -> Attempt:
        """An attempt from its `attempts` row and its `responses` rows."""
        decoded = {"slots", "passed", "responses"}
        plain = {f.name: row[f.name] for f in fields(cls) if f.name not in decoded}
        return cls(
            **plain,
            slots=tuple(Slot.from_json(s) for s in json.loads(row["slots"])),
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
    def percent(self) -> float | None:
        if self.score is None or not self.max_score:
            return None
        return round(100 * self.score / self.max_score, 1)

    @property
    def answered(self) -> int:
        return sum(1 for slot in self.slots if slot.question_id in self.responses)

    def remaining(self, now: datetime) -> timedelta | None:
        """Time left before the deadline (never negative), or None without one."""
        if self.deadline is None:
            return None
        return max(timedelta(0), parse(self.deadline) - now)


class Attempts:
    """Starts, answers and submits attempts for learners, over a Store, Course and Clock."""

    def __init__(self, store: Store, course: Course, clock: Clock | None = None):
        self.store = store
        self.course = course
        self.clock = clock or SystemClock()
        self.certificates = Certificates(store, course, self.clock)

    def _after_submit(self, attempt_id: int) -> None:
        """Issue the certificate of a passed post-test, however it came to be submitted."""
        row = self.store.attempt(attempt_id)
        if row is not None and row["mode"] == POST_TEST and row["passed"]:
            self.certificates.issue(attempt_id)

    def start(
        self,
        user_id: int,
        quiz: QuizDef,
        cohort_id: int | None = None,
        length: int | None = None,
        pool: list[str] | None = None,
        title: str | None = None,
        quiz_id: str | None = None,
    ) -> Attempt:
        """Begin an attempt, or return the learner's open one of the same quiz.

        Post-tests are limited to `attempts_allowed` (raises NoAttemptsLeft) and get a
        deadline of now plus the time limit. The draw is seeded and stored, so the
        attempt can be resumed and reviewed exactly as shown.
        """
        quiz_key = quiz_id or quiz.id
        for row in self.store.open_attempts(user_id):
            if row["quiz_id"] == quiz_key:
                attempt = self.load(row["id"], user_id)
                if attempt.is_open:
                    return attempt
        now = self.clock.now()
        if quiz.is_post_test and quiz.attempts_allowed is not None:
            used = self.store.count_attempts(user_id, quiz_key)
            if used >= quiz.attempts_allowed:
                raise NoAttemptsLeft(_no_attempts_message(quiz.attempts_allowed))
        seed = secrets.randbits(31)
        slots = draw(quiz, self.course, seed, pool=pool, length=length)
        self.store.save_question_versions(
            (q.content_hash, q.id, q.model_dump_json())
            for q in (self.course.question(s.question_id) for s in slots)
        )
        deadline = (
            iso(now + timedelta(minutes=quiz.time_limit_minutes))
            if quiz.is_post_test and quiz.time_limit_minutes
            else None
        )
        attempt_id = self.store.create_attempt(
            {
                "user_id": user_id,
                "cohort_id": cohort_id,
                "quiz_id": quiz_key,
                "quiz_title": title or quiz.title,
                "mode": quiz.mode,
                "seed": seed,
                "slots": json.dumps([s.as_json() for s in slots]),
                "position": 0,
                "started_at": iso(now),
                "deadline": deadline,
                "pass_mark": float(quiz.pass_mark) if quiz.pass_mark is not None else None,
            },
            max_attempts=quiz.attempts_allowed if quiz.is_post_test else None,
        )
        if not attempt_id:
            raise NoAttemptsLeft(_no_attempts_message(quiz.attempts_allowed or 0))
        return self.load(attempt_id, user_id)

    def load(self, attempt_id: int, user_id: int | None = None) -> Attempt:
        """The attempt, submitting it first if its deadline has passed.

        With `user_id`, raises NotFound unless the attempt is that learner's.
        """
        row = self.store.attempt(attempt_id)
        if row is None or (user_id is not None and row["user_id"] != user_id):
            raise NotFound("That attempt does not exist.")
        now = iso(self.clock.now())
        if row["submitted_at"] is None and row["deadline"] is not None and now > row["deadline"]:
            self.store.submit_attempt(attempt_id, now)
            self._after_submit(attempt_id)
            row = self.store.attempt(attempt_id)
            assert row is not None
        return Attempt.from_rows(row, self.store.responses(attempt_id))

    def answer(self, attempt: Attempt, question_id: str, raw: Any) -> Response:
        """Record an answer to one of the attempt's questions; returns what is stored.

        Raises InvalidAnswer for an answer that does not fit, AttemptClosed after
        submit, DeadlinePassed after the deadline (the attempt is then submitted).
        """
        if question_id not in {s.question_id for s in attempt.slots}:
            raise QuizError(f"Question {question_id} is not part of attempt {attempt.id}.")
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
            )
        except DeadlinePassed:
            self._after_submit(attempt.id)
            raise
        stored = self.store.response(attempt.id, question_id)
        assert stored is not None
        return Response.from_row(stored)

    def move(self, attempt: Attempt, position: int) -> None:
        """Remember which question the learner is on, so a resume lands there."""
        position = max(0, min(position, len(attempt.slots) - 1))
        if position != attempt.position:
            self.store.set_position(attempt.id, position)

    def submit(self, attempt: Attempt) -> Attempt:
        """Submit once: marks are totalled and pass or fail decided. AttemptClosed after."""
        self.store.submit_attempt(attempt.id, iso(self.clock.now()))
        self._after_submit(attempt.id)
        return self.load(attempt.id)

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
        return _question_adapter.validate_json(row["content"])


def _no_attempts_message(allowed: int) -> str:
    return (
        f"You have used all {allowed} attempt{'s' if allowed != 1 else ''} this post-test "
        "allows. Ask your instructor if you need another."
    )
