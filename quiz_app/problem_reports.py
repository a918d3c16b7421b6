"""Problem reports: a learner says what is wrong with a question they were shown (its key,
its wording, its currency, a typo), and the cohort's instructor works through them.

Called *problem reports* everywhere, never flags: a post-test's "flag for review"
toggle (quiz_app.attempts, `flags`) is another thing. A report is made from a feedback
or review screen, so only about a question whose feedback the learner has seen: never
from an open post-test (its feedback is deferred, and the exam stays clean), nor from a
submitted one whose review the course hides. It keeps the version of the question the
learner saw (its content hash; `question_versions` holds that version's text), the
attempt and that attempt's cohort: the instructor of that cohort sees it, resolves it
with a note, and the cohort's audit pack carries it (`ProblemReports.cohort_rows`).
A learner has at most one open report per question version and reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from quiz_app.accounts import User
from quiz_app.attempts import Attempts, stored_question
from quiz_app.bank import Question
from quiz_app.clock import Clock, SystemClock, iso
from quiz_app.course import Course
from quiz_app.errors import QuizError
from quiz_app.records import Attempt, Row
from quiz_app.reports import ItemRow, NotAllowed, Reports
from quiz_app.store import Store

# Why a question is reported, by stored key (immutable, so safe to share).
REASONS: Mapping[str, str] = MappingProxyType(
    {
        "wrong_key": "The marked answer is wrong",
        "unclear": "The question is unclear",
        "outdated": "It is out of date",
        "typo": "Typo or wording",
        "other": "Something else",
    }
)
COMMENT_MAX = 1000  # characters a learner's comment may have
NOTE_MAX = 1000  # characters an instructor's resolution note may have
OPEN, RESOLVED = "open", "resolved"
ITEM_STATS_ATTEMPTS = "first"  # the queue's item statistics count first attempts, as the page

REPORT_COLUMNS = (
    "report_id", "question_id", "content_hash", "reason", "comment", "username",
    "display_name", "attempt_id", "quiz_id", "reported_at", "status", "resolved_at",
    "resolved_by", "resolution",
)  # fmt: skip


class CannotReport(QuizError):
    """A problem report that may not be made here (an open post-test, a hidden review...)."""


@dataclass(frozen=True)
class ProblemReport:
    """One learner's report, as the queue shows it."""

    id: int
    username: str
    display_name: str
    reason: str
    comment: str
    reported_at: str
    quiz_title: str | None
    resolved_at: str | None
    resolved_by: str | None  # the resolver's display name
    resolution: str | None

    @property
    def reason_text(self) -> str:
        return REASONS.get(self.reason, self.reason)

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


@dataclass(frozen=True)
class ReportedVersion:
    """One version of a question as learners saw it, with their reports of it."""

    content_hash: str
    question: Question
    current: bool  # the version the banks hold now
    reports: tuple[ProblemReport, ...]


@dataclass(frozen=True)
class ItemFigures:
    """A question's item statistics in one quiz of the cohort (quiz_app.reports)."""

    quiz_title: str
    item: ItemRow


@dataclass(frozen=True)
class ReportedQuestion:
    """A question with reports: each version reported, its cohort's item statistics in
    every quiz that counted it, and its topic (None when the banks no longer have it)."""

    question_id: str
    topic_title: str | None
    versions: tuple[ReportedVersion, ...]
    stats: tuple[ItemFigures, ...]

    @property
    def reports(self) -> int:
        return sum(len(v.reports) for v in self.versions)


def check_reason(reason: object) -> str:
    """`reason` if it is one of REASONS; raises QuizError naming them otherwise."""
    if not isinstance(reason, str) or reason not in REASONS:
        raise QuizError("Choose what is wrong with the question.")
    return reason


def check_text(text: object, limit: int, what: str) -> str:
    """Typed text, stripped, at most `limit` characters; raises QuizError otherwise."""
    if not isinstance(text, str):
        raise QuizError(f"The {what} must be text.")
    text = text.strip()
    if len(text) > limit:
        raise QuizError(f"The {what} is {len(text):,} characters long; at most {limit:,} fit.")
    return text


class ProblemReports:
    """Learners' problem reports and their instructors' queue, over a Store and Course."""

    def __init__(self, store: Store, course: Course, clock: Clock | None = None):
        self.store = store
        self.course = course
        self.clock = clock or SystemClock()
        self.attempts = Attempts(store, course, self.clock)
        self.reports = Reports(store, course, self.clock)

    # -- learners --------------------------------------------------------------------

    def may_report(self, attempt: Attempt) -> bool:
        """Whether the attempt's questions may be reported: its feedback is released (never
        an open post-test) and, for a submitted post-test, its review shows them."""
        if not attempt.feedback_released:
            return False
        return not attempt.is_post_test or bool(self.attempts.review_parts(attempt))

    def report(
        self, user: User, attempt: Attempt, question_id: str, reason: str, comment: str
    ) -> bool:
        """Report a problem with one of the attempt's questions, in the version it showed.

        Returns True when stored, False when the learner has an open report of this
        version for this reason already (nothing changes). Raises CannotReport where no
        report may be made (someone else's attempt, an open post-test, a review that
        hides the questions), QuizError for a question not the attempt's, an unknown
        reason, a comment over COMMENT_MAX characters, or "other" without a comment.
        """
        if attempt.user_id != user.id:
            raise CannotReport("That attempt does not exist.")
        if not self.may_report(attempt):
            raise CannotReport(
                "Problems with a post-test's questions can be reported once its review shows "
                "them, after it is submitted."
            )
        if question_id not in {s.question_id for s in attempt.slots}:
            raise QuizError(f"Question {question_id} is not part of attempt {attempt.id}.")
        reason = check_reason(reason)
        comment = check_text(comment, COMMENT_MAX, "comment")
        if reason == "other" and not comment:
            raise QuizError("Say in the comment what is wrong with the question.")
        question = self.attempts.question_as_shown(attempt, question_id)
        self.store.save_question_versions(
            [(question.content_hash, question.id, question.model_dump_json())]
        )
        stored = self.store.add_question_report(
            user.id, attempt.id, question_id, question.content_hash, reason, comment,
            iso(self.clock.now()),
        )  # fmt: skip
        return stored is not None

    def open_reasons(self, user: User, attempt: Attempt, question_id: str) -> list[str]:
        """The reasons of the learner's open reports of the question as this attempt
        showed it, in the order they were made."""
        question = self.attempts.question_as_shown(attempt, question_id)
        rows = self.store.open_report_reasons(user.id, question.content_hash)
        return [row["reason"] for row in rows]

    # -- instructors -----------------------------------------------------------------

    def queue(self, instructor: User, cohort_id: int, status: str = OPEN) -> list[ReportedQuestion]:
        """The cohort's reports (OPEN or RESOLVED) grouped by question, the most reported
        first, then in bank order: each version as learners saw it with its reports, and
        the question's item statistics in the cohort. Raises NotAllowed for a cohort that
        is not the instructor's."""
        cohort = self.reports.authorize(instructor, cohort_id)
        if status not in (OPEN, RESOLVED):
            raise QuizError(f"Reports are {OPEN} or {RESOLVED}.")
        rows = self.store.cohort_question_reports(cohort["id"], resolved=status == RESOLVED)
        by_question: dict[str, dict[str, list[Row]]] = {}
        for row in rows:
            by_question.setdefault(row["question_id"], {}).setdefault(
                row["content_hash"], []
            ).append(row)
        stats = self._item_figures(cohort) if by_question else {}
        order = {q.id: i for i, q in enumerate(self.course.questions)}
        found = [
            ReportedQuestion(
                question_id,
                self._topic_title(question_id),
                tuple(self._version(h, vrows) for h, vrows in versions.items()),
                tuple(stats.get(question_id, ())),
            )
            for question_id, versions in by_question.items()
        ]
        found.sort(key=lambda q: (-q.reports, order.get(q.question_id, len(order))))
        return found

    def open_counts(self, instructor: User, cohort_id: int) -> dict[str, int]:
        """Open reports per question of the cohort (questions without any are absent)."""
        cohort = self.reports.authorize(instructor, cohort_id)
        return self.store.open_report_counts(cohort["id"])

    def resolve(self, instructor: User, report_id: int, note: str) -> bool:
        """Mark one open report resolved with the instructor's note (required), recording
        who and when. Returns False when it was resolved already (by another instructor
        meanwhile, or a second click). Raises NotAllowed for a report outside the
        instructor's cohorts, QuizError for a missing or too long note."""
        row = self.store.question_report(report_id)
        if row is None or row["cohort_id"] is None:
            raise NotAllowed("That report does not exist or is not from your cohorts.")
        try:
            cohort = self.reports.authorize(instructor, row["cohort_id"])
        except NotAllowed:
            raise NotAllowed("That report does not exist or is not from your cohorts.") from None
        note = check_text(note, NOTE_MAX, "note")
        if not note:
            raise QuizError("Write a note saying what was done (or why nothing needs doing).")
        return self.store.resolve_question_report(
            report_id, cohort["id"], instructor.id, note, iso(self.clock.now())
        )

    # -- exports ---------------------------------------------------------------------

    def cohort_rows(self, cohort: Row) -> list[dict[str, Any]]:
        """Every problem report of the cohort (open and resolved), oldest first, as dicts
        by REPORT_COLUMNS, times in ISO 8601 with the course's offset (for the audit
        pack: write them with quiz_app.exports, which neutralises formula cells)."""
        local = self.course.local_time
        return [
            {
                "report_id": row["id"],
                "question_id": row["question_id"],
                "content_hash": row["content_hash"],
                "reason": row["reason"],
                "comment": row["comment"],
                "username": row["username"],
                "display_name": row["display_name"],
                "attempt_id": row["attempt_id"],
                "quiz_id": row["quiz_id"] or "",
                "reported_at": local.iso(row["reported_at"]),
                "status": OPEN if row["resolved_at"] is None else RESOLVED,
                "resolved_at": local.iso(row["resolved_at"]) if row["resolved_at"] else "",
                "resolved_by": row["resolved_by_name"] or "",
                "resolution": row["resolution"] or "",
            }
            for row in self.store.cohort_question_reports(cohort["id"])
        ]

    # -- helpers ---------------------------------------------------------------------

    def _topic_title(self, question_id: str) -> str | None:
        if not self.course.has_question(question_id):
            return None
        return self.course.bank(self.course.topic_of(question_id)).title

    def _version(self, content_hash: str, rows: list[Row]) -> ReportedVersion:
        current = (
            self.course.has_question(rows[0]["question_id"])
            and self.course.question(rows[0]["question_id"]).content_hash == content_hash
        )
        return ReportedVersion(
            content_hash,
            stored_question(rows[0]["content"]),
            current,
            tuple(
                ProblemReport(
                    row["id"],
                    row["username"],
                    row["display_name"],
                    row["reason"],
                    row["comment"],
                    row["reported_at"],
                    row["quiz_title"],
                    row["resolved_at"],
                    row["resolved_by_name"],
                    row["resolution"],
                )
                for row in rows
            ),
        )

    def _item_figures(self, cohort: Row) -> dict[str, list[ItemFigures]]:
        """Each question's item statistics in each of the course's quizzes, over the
        cohort's first attempts (the item analysis page's default; cached as it is)."""
        found: dict[str, list[ItemFigures]] = {}
        for quiz in sorted(self.course.quizzes, key=lambda q: not q.is_post_test):
            report = self.reports.item_analysis(cohort, quiz.id, ITEM_STATS_ATTEMPTS)
            for item in report.items:
                found.setdefault(item.stats.question_id, []).append(ItemFigures(quiz.title, item))
        return found
