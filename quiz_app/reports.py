"""What instructors see: cohort dashboards, item analysis, exports, learner drill-down.

Every report is for one cohort, and every entry point checks that the instructor owns
it (`authorize`). Results are cached per database, course content (`Course.fingerprint`),
cohort, filters and data version (see migration m004), so a rerun reuses them and a new
answer or an edited bank refreshes them.
"""

from __future__ import annotations

import json
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from quiz_app import grading
from quiz_app.accounts import User
from quiz_app.analytics import (
    ChoiceShare,
    ItemStats,
    QuizStats,
    ScoredAttempt,
    choose_attempts,
    item_stats,
    option_shares,
    quiz_stats,
)
from quiz_app.attempts import Attempts
from quiz_app.clock import Clock, LocalTime
from quiz_app.course import Course
from quiz_app.errors import QuizError
from quiz_app.records import Attempt
from quiz_app.scoring import describe
from quiz_app.store import Row, Store

T = TypeVar("T")

GRADEBOOK_COLUMNS = (
    "username", "display_name", "joined_at", "attempts", "best_score_pct", "last_score_pct",
    "passed", "status", "last_activity", "certificate_code",
)  # fmt: skip
ITEM_COLUMNS = (
    "question_id", "topic", "type", "n", "facility_pct", "sd_pct", "discrimination_index",
    "discriminative_efficiency", "flags",
)  # fmt: skip
RESPONSE_COLUMNS = (
    "attempt_id", "username", "quiz_id", "question_id", "answer", "mark", "max_mark",
    "submitted_at",
)  # fmt: skip

ANSWER_WORDS_CACHE = 65_536  # answers in words kept while a responses export runs

PASSED, NOT_PASSED, IN_PROGRESS, NOT_STARTED = "passed", "not passed", "in progress", "not started"


class NotAllowed(QuizError):
    """An instructor asked for a cohort, learner or attempt that is not theirs."""


@dataclass(frozen=True)
class Filters:
    """Which attempts a report counts: one quiz (None: every quiz) started in [since, until],
    days of the course's time zone."""

    quiz_id: str | None = None
    since: date | None = None
    until: date | None = None

    def window(self, local: LocalTime) -> tuple[str | None, str | None, str | None]:
        """(quiz_id, since, until) as the store takes them: from the start of the local day
        `since` to the end of the local day `until`, as UTC text."""
        since = local.day_bounds(self.since)[0] if self.since else None
        until = local.day_bounds(self.until)[1] if self.until else None
        return self.quiz_id, since, until


@dataclass(frozen=True)
class LearnerRow:
    user_id: int
    username: str
    display_name: str
    joined_at: str
    attempts: int
    best_pct: float | None
    last_pct: float | None
    passed: bool
    status: str
    last_activity: str | None
    certificate_code: str | None = None

    def as_export(self, local: LocalTime) -> dict[str, Any]:
        """The gradebook row; dates and times are local (`local`, the course's zone)."""
        return {
            "username": self.username,
            "display_name": self.display_name,
            "joined_at": local.day(self.joined_at).isoformat(),
            "attempts": self.attempts,
            "best_score_pct": self.best_pct,
            "last_score_pct": self.last_pct,
            "passed": self.passed,
            "status": self.status,
            "last_activity": (
                f"{local.at(self.last_activity):%Y-%m-%d %H:%M}" if self.last_activity else ""
            ),
            "certificate_code": self.certificate_code or "",
        }


@dataclass(frozen=True)
class TopicAverage:
    topic: str
    title: str
    mean: float  # 0..1, a blank counting 0
    shown: int  # how many times submitted attempts showed a question of the topic


@dataclass(frozen=True)
class Dashboard:
    cohort: Row
    filters: Filters
    version: int  # the data version it was built at
    enrolled: int
    started: int
    passed: int
    not_started: int
    pass_mark: float | None
    best_scores: tuple[float, ...]  # percent, one per learner with a finished attempt
    topics: tuple[TopicAverage, ...]
    activity: tuple[tuple[str, int], ...]  # (local day, attempts started that day)
    learners: tuple[LearnerRow, ...]

    @property
    def key(self) -> tuple[Any, ...]:
        """What it is cached under: cohort, filters and the data version it was built at."""
        return ("dashboard", self.cohort["id"], self.filters, self.version)

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.enrolled if self.enrolled else None

    @property
    def weakest(self) -> TopicAverage | None:
        return min(self.topics, key=lambda t: t.mean) if self.topics else None


@dataclass(frozen=True)
class ItemRow:
    stats: ItemStats
    topic: str
    topic_title: str
    type: str
    stem: str
    shares: tuple[ChoiceShare, ...]

    def as_export(self) -> dict[str, Any]:
        s = self.stats
        return {
            "question_id": s.question_id,
            "topic": self.topic,
            "type": self.type,
            "n": s.n,
            "facility_pct": _round(s.facility, 100),
            "sd_pct": _round(s.sd, 100),
            "discrimination_index": _round(s.discrimination),
            "discriminative_efficiency": _round(s.efficiency),
            "flags": "; ".join(s.flags),
        }


@dataclass(frozen=True)
class ItemReport:
    cohort_id: int
    quiz_id: str
    which: str
    version: int  # the data version it was built at
    test: QuizStats
    items: tuple[ItemRow, ...]
    earlier_versions: int  # answers (blanks too) to since-edited questions, left out

    @property
    def key(self) -> tuple[Any, ...]:
        """What it is cached under: cohort, quiz, attempts counted and the data version it
        was built at."""
        return ("items", self.cohort_id, self.quiz_id, self.which, self.version)

    def test_export(self) -> dict[str, Any]:
        t = self.test
        return {
            "attempts": t.attempts,
            "items_per_attempt": round(t.items_per_attempt, 2),
            "mean_pct": _round(t.mean),
            "sd_pct": _round(t.sd),
            "alpha": _round(t.alpha, digits=3),
            "error_ratio": _round(t.error_ratio),
            "standard_error": _round(t.standard_error),
        }


def _round(value: float | None, scale: float = 1, digits: int = 1) -> float | None:
    return None if value is None else round(value * scale, digits)


_cache: dict[tuple[Any, ...], Any] = {}
_cache_lock = threading.Lock()
CACHE_SIZE = 64


class Reports:
    """Cohort reports over a Store and a Course.

    Every report first submits the attempts past their deadline (Attempts.finalize_expired),
    so a timed-out attempt counts as submitted with the answers it had, whoever reads it;
    nothing else a report reads changes anything.
    """

    def __init__(self, store: Store, course: Course, clock: Clock | None = None):
        self.store = store
        self.course = course
        self.attempts = Attempts(store, course, clock)

    # -- access --------------------------------------------------------------------------

    def authorize(self, instructor: User, cohort_id: int) -> Row:
        """The cohort, if this instructor owns it; raises NotAllowed otherwise."""
        cohort = self.store.cohort(cohort_id)
        if (
            cohort is None
            or not instructor.is_instructor
            or cohort["instructor_id"] != instructor.id
        ):
            raise NotAllowed("That cohort does not exist or is not yours.")
        return cohort

    def cohort_by_code(self, join_code: str) -> Row:
        """The cohort with this join code (for the command line); raises QuizError."""
        cohort = self.store.cohort_by_code(join_code.strip().upper())
        if cohort is None:
            raise QuizError(f'No cohort has the join code "{join_code}".')
        return cohort

    def memo(self, report: Dashboard | ItemReport, piece: str, build: Callable[[], T]) -> T:
        """`build()`, a piece a view derives from `report` (a table, a chart's data), cached
        with the report: per database, course, the report's key (which holds the data
        version it was built at) and `piece`."""
        return self._remember((*report.key, piece), build)

    def _cached(self, key: tuple[Any, ...], build: Callable[[int], T]) -> T:
        """`build(version)` for the data version now, cached per database, course, `key`
        and that version."""
        version = self.store.data_version()
        return self._remember((*key, version), lambda: build(version))

    def _remember(self, key: tuple[Any, ...], build: Callable[[], T]) -> T:
        full = (self.store.path, self.course.fingerprint, *key)
        found = _cache.get(full)
        if found is None:
            found = build()
            with _cache_lock:
                if len(_cache) >= CACHE_SIZE:
                    _cache.pop(next(iter(_cache)))
                _cache[full] = found
        return found

    # -- dashboard -----------------------------------------------------------------------

    def dashboard(self, cohort: Row, filters: Filters) -> Dashboard:
        self.attempts.finalize_expired()
        return self._cached(
            ("dashboard", cohort["id"], filters),
            lambda version: self._dashboard(cohort, filters, version),
        )

    def _dashboard(self, cohort: Row, filters: Filters, version: int) -> Dashboard:
        quiz_id, since, until = filters.window(self.course.local_time)
        members = self.store.members(cohort["id"])
        everything = self.store.cohort_attempts(cohort["id"], None, since, until)
        chosen = [a for a in everything if quiz_id is None or a["quiz_id"] == quiz_id]
        post_test = self.course.post_test
        post_id = post_test.id if post_test else None
        by_user: dict[int, list[Row]] = defaultdict(list)
        for attempt in chosen:
            by_user[attempt["user_id"]].append(attempt)
        passed_users = {
            a["user_id"] for a in everything if a["quiz_id"] == post_id and a["passed"] == 1
        }
        active_users = {a["user_id"] for a in everything}
        open_users = {a["user_id"] for a in everything if a["submitted_at"] is None}
        last_seen: dict[int, str] = {}
        for attempt in everything:
            when = attempt["submitted_at"] or attempt["started_at"]
            if when > last_seen.get(attempt["user_id"], ""):
                last_seen[attempt["user_id"]] = when
        certificates = self.store.cohort_certificates(cohort["id"])
        learners = []
        best_scores = []
        for member in members:
            mine = by_user.get(member["id"], [])
            done = [a for a in mine if a["submitted_at"] and a["max_score"]]
            percents = [
                grading.shown_percent(grading.exact(a["score_exact"]), a["max_score"]) for a in done
            ]
            best = max(percents) if percents else None
            if best is not None:
                best_scores.append(best)
            if member["id"] in passed_users:
                status = PASSED
            elif member["id"] not in active_users:
                status = NOT_STARTED
            elif member["id"] in open_users:
                status = IN_PROGRESS
            else:
                status = NOT_PASSED
            learners.append(
                LearnerRow(
                    user_id=member["id"],
                    username=member["username"],
                    display_name=member["display_name"],
                    joined_at=member["joined_at"],
                    attempts=len(mine),
                    best_pct=best,
                    last_pct=percents[-1] if percents else None,
                    passed=member["id"] in passed_users,
                    status=status,
                    last_activity=last_seen.get(member["id"]),
                    certificate_code=(certificates.get(member["id"]) or {}).get("code"),
                )
            )
        local = self.course.local_time
        activity = Counter(local.day(a["started_at"]).isoformat() for a in chosen)
        pass_mark = post_test.pass_mark if post_test and quiz_id in (None, post_id) else None
        member_ids = {m["id"] for m in members}
        return Dashboard(
            cohort=cohort,
            filters=filters,
            version=version,
            enrolled=len(members),
            started=len(active_users & member_ids),
            passed=len(passed_users & member_ids),
            not_started=len(member_ids - active_users),
            pass_mark=float(pass_mark) if pass_mark is not None else None,
            best_scores=tuple(best_scores),
            topics=tuple(self._topic_averages(cohort["id"], quiz_id, since, until)),
            activity=tuple(sorted(activity.items())),
            learners=tuple(learners),
        )

    def _topic_averages(self, cohort_id: int, *window: str | None) -> list[TopicAverage]:
        """Per topic, the mean mark over every time a submitted attempt showed one of its
        questions, a blank counting 0 (as in the learner's own marks by topic)."""
        marks: dict[str, float] = defaultdict(float)
        shown: dict[str, int] = defaultdict(int)
        for row in self.store.cohort_question_marks(cohort_id, *window):
            if self.course.has_question(row["question_id"]):
                topic = self.course.topic_of(row["question_id"])
                marks[topic] += row["marks"]
                shown[topic] += row["shown"]
        return [
            TopicAverage(t, self.course.bank(t).title, marks[t] / shown[t], shown[t])
            for t in self.course.topics
            if shown.get(t)
        ]

    def gradebook(self, cohort: Row, filters: Filters) -> list[dict[str, Any]]:
        local = self.course.local_time
        return [row.as_export(local) for row in self.dashboard(cohort, filters).learners]

    # -- item analysis -------------------------------------------------------------------

    def item_analysis(self, cohort: Row, quiz_id: str, which: str) -> ItemReport:
        self.attempts.finalize_expired()
        return self._cached(
            ("items", cohort["id"], quiz_id, which),
            lambda version: self._item_analysis(cohort, quiz_id, which, version),
        )

    def _item_analysis(self, cohort: Row, quiz_id: str, which: str, version: int) -> ItemReport:
        rows = [
            a for a in self.store.cohort_attempts(cohort["id"], quiz_id, with_slots=True)
            if a["submitted_at"] and a["max_score"]
        ]  # fmt: skip
        answers: dict[int, dict[str, Row]] = defaultdict(dict)
        for response in self.store.cohort_responses(cohort["id"], quiz_id):
            answers[response["attempt_id"]][response["question_id"]] = response
        current = {q.id: q.content_hash for q in self.course.questions}
        scored = []
        kept: dict[int, dict[str, Row]] = defaultdict(dict)  # answers to the current versions
        for row in rows:
            marks = {}
            left_out = 0
            for slot in json.loads(row["slots"]):
                question_id, shown_hash = slot["id"], slot.get("hash", "")
                if current.get(question_id) != shown_hash:
                    left_out += 1
                    continue
                response = answers[row["id"]].get(question_id)
                if response is not None:
                    kept[row["id"]][question_id] = response
                marks[question_id] = response["mark"] if response else 0.0
            scored.append(
                ScoredAttempt(row["id"], row["user_id"], row["started_at"], row["score"],
                              row["max_score"], marks, left_out)
            )  # fmt: skip
        chosen = choose_attempts(scored, which)
        stats = item_stats(chosen)
        chosen_ids = {a.id for a in chosen}
        items = []
        for item in stats:
            question = self.course.question(item.question_id)
            given = [
                json.loads(kept[a][item.question_id]["answer"])
                for a in chosen_ids
                if item.question_id in kept[a]
            ]
            topic = self.course.topic_of(item.question_id)
            items.append(
                ItemRow(item, topic, self.course.bank(topic).title, question.type, question.stem,
                        tuple(option_shares(question, given)))
            )  # fmt: skip
        order = {q.id: i for i, q in enumerate(self.course.questions)}
        items.sort(key=lambda r: order.get(r.stats.question_id, len(order)))
        earlier = sum(a.left_out for a in scored)
        return ItemReport(
            cohort["id"], quiz_id, which, version, quiz_stats(chosen, stats), tuple(items), earlier
        )

    # -- responses and drill-down --------------------------------------------------------

    def responses(self, cohort: Row, filters: Filters) -> Iterator[dict[str, Any]]:
        """One row per answered question of the cohort's submitted attempts, in attempt then
        question order, as they are read (any number of them in the same memory);
        `submitted_at` in ISO 8601 with the course's offset.

        Submits the attempts past their deadline first, at the call; the rows are read when
        they are iterated, on one borrowed connection held until the iterator is exhausted
        or closed.
        """
        self.attempts.finalize_expired()
        local = self.course.local_time
        quiz_id, since, until = filters.window(local)
        return self._response_rows(
            self.store.response_export(cohort["id"], quiz_id, since, until), local
        )

    def _response_rows(
        self, rows: Iterator[tuple[Any, ...]], local: LocalTime
    ) -> Iterator[dict[str, Any]]:
        words: dict[tuple[str, str, str], str] = {}  # answers in words, per question version
        submitted, submitted_iso = None, ""  # rows come attempt by attempt
        try:
            for attempt_id, username, quiz_id, question_id, answer, mark, content_hash, at in rows:
                key = (question_id, content_hash, answer)
                text = words.get(key)
                if text is None:
                    if len(words) >= ANSWER_WORDS_CACHE:
                        words.pop(next(iter(words)))
                    text = words[key] = self._answer_words(*key)
                if at != submitted:
                    submitted, submitted_iso = at, local.iso(at)
                yield {
                    "attempt_id": attempt_id,
                    "username": username,
                    "quiz_id": quiz_id,
                    "question_id": question_id,
                    "answer": text,
                    "mark": mark,
                    "max_mark": 1.0,
                    "submitted_at": submitted_iso,
                }
        finally:
            rows.close()

    def _answer_words(self, question_id: str, content_hash: str, answer: str) -> str:
        """A stored answer in words when it answers the question as the course has it now,
        else as JSON."""
        given = json.loads(answer)
        if self.course.has_question(question_id):
            question = self.course.question(question_id)
            if question.content_hash == content_hash:
                return describe(question, given)
        return json.dumps(given)

    def learner(self, cohort: Row, user_id: int) -> Row:
        """A member of the cohort; raises NotAllowed for anyone else."""
        for member in self.store.members(cohort["id"]):
            if member["id"] == user_id:
                return member
        raise NotAllowed("That learner is not in this cohort.")

    def learner_attempts(self, cohort: Row, user_id: int) -> list[Attempt]:
        """A member's attempts made in this cohort, newest first (others stay private)."""
        self.learner(cohort, user_id)
        return [a for a in self.attempts.of_learner(user_id) if a.cohort_id == cohort["id"]]
