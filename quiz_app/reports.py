"""What instructors see: cohort dashboards, item analysis, exports, learner drill-down.

Every report is for one cohort, and every entry point checks that the instructor owns
it (`authorize`). The dashboard and item analysis are aggregated in SQL (the store sends
back one row per member, question or distinct answer, never one per response) and turned
into figures by quiz_app.analytics and quiz_app.grading, the one place of each formula.
Results are cached per database, course content (`Course.fingerprint`), cohort, filters
and the version of what they read (migration m010): a dashboard, every version of its
cohort; an item analysis, that of its cohort and quiz. So a rerun reuses them, a change
in the cohort (or an edited bank) refreshes them, and activity in other cohorts does not.
"""

from __future__ import annotations

import json
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from itertools import islice, repeat
from typing import Any, TypeVar

from quiz_app import grading
from quiz_app.accommodations import Accommodations
from quiz_app.accounts import User
from quiz_app.analytics import (
    ChoiceShare,
    ItemStats,
    Moments,
    QuizStats,
    counted_option_shares,
    item_from_moments,
    quiz_from_moments,
)
from quiz_app.attempts import Attempts
from quiz_app.clock import Clock, LocalTime, quarter_hour
from quiz_app.course import Course
from quiz_app.errors import QuizError
from quiz_app.exports import CsvWriter, csv_text_chunks
from quiz_app.records import Attempt
from quiz_app.scoring import describe
from quiz_app.spaced import CohortReviews, SpacedReview
from quiz_app.store import Row, Store

T = TypeVar("T")

GRADEBOOK_COLUMNS = (
    "username", "display_name", "joined_at", "attempts", "best_score_pct", "last_score_pct",
    "passed", "completed_at", "status", "last_activity", "certificate_code",
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
RESPONSE_BATCH = 1_000  # rows of a responses export put into words at a time

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
        `since` to the end of the local day `until`, as UTC text on quarter hours (as the
        store's sums count; a day of any zone in use since 1980 begins on one)."""
        since = quarter_hour(local.day_bounds(self.since)[0]) if self.since else None
        until = quarter_hour(local.day_bounds(self.until)[1]) if self.until else None
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
    completed_at: str | None = None  # when the first passed post-test was submitted
    accommodation: str = ""  # the post-test's limits an accommodation changed, in short

    def as_export(self, local: LocalTime) -> dict[str, Any]:
        """The gradebook row; days are the course's (`local`), and times (`completed_at`,
        blank until the post-test is passed, and `last_activity`) are in ISO 8601 with the
        zone's offset, as the responses export writes its times: never an unlabelled one."""
        return {
            "username": self.username,
            "display_name": self.display_name,
            "joined_at": local.day(self.joined_at).isoformat(),
            "attempts": self.attempts,
            "best_score_pct": self.best_pct,
            "last_score_pct": self.last_pct,
            "passed": self.passed,
            "completed_at": local.iso(self.completed_at) if self.completed_at else "",
            "status": self.status,
            "last_activity": local.iso(self.last_activity) if self.last_activity else "",
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
    version: int  # the version of its cohort it was built at (Store.report_version)
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
        """What it is cached under: cohort, filters and the version it was built at."""
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
    version: int  # the version of its cohort and quiz it was built at
    test: QuizStats
    items: tuple[ItemRow, ...]
    earlier_versions: int  # answers (blanks too) to since-edited questions, left out

    @property
    def key(self) -> tuple[Any, ...]:
        """What it is cached under: cohort, quiz, attempts counted and the version it was
        built at."""
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


def _as_dicts(
    rows: Iterator[tuple[Any, ...]], columns: tuple[str, ...]
) -> Iterator[dict[str, Any]]:
    try:
        for row in rows:
            yield dict(zip(columns, row, strict=True))
    finally:
        rows.close()


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
        self.accommodations = Accommodations(store, course, clock)
        self.spaced = SpacedReview(store, course, clock)

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
        with the report: per database, course, the report's key (which holds the version
        it was built at) and `piece`."""
        return self._remember((*report.key, piece), build)

    def _cached(self, key: tuple[Any, ...], version: int, build: Callable[[int], T]) -> T:
        """`build(version)`, cached per database, course, `key` and `version` (read before
        the build, so a write meanwhile at worst rebuilds once more)."""
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

    def cohort_reviews(self, cohort: Row) -> CohortReviews:
        """The cohort's spaced review (SpacedReview.cohort), cached until one of its members
        reviews a card, and for the hour: estimated retention falls as time passes."""
        hour = self.spaced.clock.now().strftime("%Y-%m-%dT%H")
        return self._cached(
            ("reviews", cohort["id"], hour),
            self.store.review_version(cohort["id"]),
            lambda _: self.spaced.cohort(cohort["id"]),
        )

    # -- dashboard -----------------------------------------------------------------------

    def dashboard(self, cohort: Row, filters: Filters) -> Dashboard:
        self.attempts.finalize_expired()
        return self._cached(
            ("dashboard", cohort["id"], filters),
            self.store.report_version(cohort["id"]),
            lambda version: self._dashboard(cohort, filters, version),
        )

    def _dashboard(self, cohort: Row, filters: Filters, version: int) -> Dashboard:
        quiz_id, since, until = filters.window(self.course.local_time)
        post_test = self.course.post_test
        post_id = post_test.id if post_test else None
        learners = []
        accommodated = self.accommodations.member_limits(cohort["id"])
        for row in self.store.cohort_learners(cohort["id"], quiz_id, since, until, post_id):
            if row["passed"]:
                status = PASSED
            elif not row["started"]:
                status = NOT_STARTED
            elif row["open"]:
                status = IN_PROGRESS
            else:
                status = NOT_PASSED
            learners.append(
                LearnerRow(
                    user_id=row["id"],
                    username=row["username"],
                    display_name=row["display_name"],
                    joined_at=row["joined_at"],
                    attempts=row["attempts"],
                    best_pct=grading.shown_percent(
                        grading.exact(row["best_exact"]), row["best_max"]
                    ),
                    last_pct=grading.shown_percent(
                        grading.exact(row["last_exact"]), row["last_max"]
                    ),
                    passed=bool(row["passed"]),
                    status=status,
                    last_activity=row["last_activity"],
                    certificate_code=row["certificate_code"],
                    completed_at=row["completed_at"],
                    accommodation=accommodated[row["id"]].summary()
                    if row["id"] in accommodated
                    else "",
                )
            )
        local = self.course.local_time
        activity: Counter[str] = Counter()
        for row in self.store.cohort_starts(cohort["id"], quiz_id, since, until):
            activity[local.day(row["quarter"]).isoformat()] += row["started"]
        pass_mark = post_test.pass_mark if post_test and quiz_id in (None, post_id) else None
        started = sum(1 for r in learners if r.status != NOT_STARTED)
        return Dashboard(
            cohort=cohort,
            filters=filters,
            version=version,
            enrolled=len(learners),
            started=started,
            passed=sum(1 for r in learners if r.passed),
            not_started=len(learners) - started,
            pass_mark=float(pass_mark) if pass_mark is not None else None,
            best_scores=tuple(r.best_pct for r in learners if r.best_pct is not None),
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
            self.store.report_version(cohort["id"], quiz_id),
            lambda version: self._item_analysis(cohort, quiz_id, which, version),
        )

    def _item_analysis(self, cohort: Row, quiz_id: str, which: str, version: int) -> ItemReport:
        current = [(q.id, q.content_hash) for q in self.course.questions]
        test = Moments(0)
        lengths = 0
        moments: dict[str, Moments] = {}
        sorted_products: dict[str, float] = {}
        answers: dict[str, list[tuple[object, int]]] = defaultdict(list)
        for row in self.store.cohort_item_sums(cohort["id"], quiz_id, which, current):
            kind, question_id = row["kind"], row["question_id"]
            if kind == "answer":
                answers[question_id].append((json.loads(row["answer"]), row["n"]))
            elif kind == "sorted":
                sorted_products[question_id] = row["sorted_xr"]
            else:
                found = Moments(
                    row["n"], row["x"], row["xx"], row["x_min"], row["x_max"],
                    row["r"], row["rr"], row["r_min"], row["r_max"], row["xr"] or 0.0,
                )  # fmt: skip
                if kind == "test":
                    test, lengths = found, int(row["items"])
                else:
                    moments[question_id] = found
        stats = [
            item_from_moments(q, replace(m, sorted_xy=sorted_products[q]))
            for q, m in sorted(moments.items())
        ]
        items = []
        for item in stats:
            question = self.course.question(item.question_id)
            topic = self.course.topic_of(item.question_id)
            items.append(
                ItemRow(item, topic, self.course.bank(topic).title, question.type, question.stem,
                        tuple(counted_option_shares(question, answers[item.question_id])))
            )  # fmt: skip
        order = {q.id: i for i, q in enumerate(self.course.questions)}
        items.sort(key=lambda r: order.get(r.stats.question_id, len(order)))
        earlier = self.store.cohort_left_out(cohort["id"], quiz_id, current)
        return ItemReport(
            cohort["id"], quiz_id, which, version, quiz_from_moments(lengths, test, stats),
            tuple(items), earlier,
        )  # fmt: skip

    # -- responses and drill-down --------------------------------------------------------

    def responses(self, cohort: Row, filters: Filters) -> Iterator[dict[str, Any]]:
        """The rows of `response_values` as dicts by RESPONSE_COLUMNS."""
        return _as_dicts(self.response_values(cohort, filters), RESPONSE_COLUMNS)

    def response_values(self, cohort: Row, filters: Filters) -> Iterator[tuple[Any, ...]]:
        """One row per answered question of the cohort's submitted attempts, in attempt then
        question order, as they are read (any number of them in the same memory): a tuple
        in RESPONSE_COLUMNS order, `submitted_at` in ISO 8601 with the course's offset.

        Submits the attempts past their deadline first, at the call; the rows are read when
        they are iterated, on one borrowed connection held until the iterator is exhausted
        or closed.
        """
        local, quiz_id, since, until = self._export_window(filters)
        return self._response_rows(
            self.store.response_export(cohort["id"], quiz_id, since, until), local
        )

    def response_csv(self, cohort: Row, filters: Filters, bom: bool = False) -> Iterator[str]:
        """The responses export as CSV in pieces: the very text `csv_value_chunks` writes
        for `response_values` (and a BOM first, with `bom`), most of it put together by
        SQLite from the cells of each attempt and each distinct answer, which are written
        here by one CsvWriter. Submits the attempts past their deadline first, at the call;
        reads as `Store.response_export_lines` does, when the pieces are asked for."""
        local, quiz_id, since, until = self._export_window(filters)
        writer = CsvWriter()
        words = self._answer_words_memo()

        def attempt_texts(batch: list[tuple[Any, ...]]) -> list[tuple[int, str, str]]:
            ids, users, quizzes, times = zip(*batch, strict=True)
            heads = writer.lines(list(zip(ids, users, quizzes, strict=True)), 3)
            tails = writer.lines([(1.0, local.iso(at)) for at in times], 2)
            return list(zip(ids, heads, tails, strict=True))

        def answer_text(question_id: str, content_hash: str, answer: str, mark: float) -> str:
            return writer.lines([(question_id, words((question_id, content_hash, answer)),
                                  mark)], 3)[0]  # fmt: skip

        lines = self.store.response_export_lines(
            cohort["id"], quiz_id, since, until, attempt_texts, answer_text
        )
        return csv_text_chunks(lines, RESPONSE_COLUMNS, bom)

    def _response_rows(
        self, rows: Iterator[tuple[Any, ...]], local: LocalTime
    ) -> Iterator[tuple[Any, ...]]:
        """The export's rows, RESPONSE_BATCH at a time, column by column: each distinct
        answer of a question version is put into words once (`_answer_words_memo`), each
        distinct submit time made local once a batch."""
        words = self._answer_words_memo()
        try:
            while batch := list(islice(rows, RESPONSE_BATCH)):
                ids, users, quizzes, questions, answers, marks, hashes, times = zip(
                    *batch, strict=True
                )
                keys = zip(questions, hashes, answers, strict=True)
                local_times = {at: local.iso(at) for at in set(times)}
                yield from zip(
                    ids, users, quizzes, questions, map(words, keys), marks,
                    repeat(1.0), map(local_times.__getitem__, times),
                )  # fmt: skip
        finally:
            rows.close()

    def _export_window(
        self, filters: Filters
    ) -> tuple[LocalTime, str | None, str | None, str | None]:
        """What the responses export reads, after submitting the attempts past their
        deadline: the course's time zone, and the filters' quiz and window in it."""
        self.attempts.finalize_expired()
        local = self.course.local_time
        return (local, *filters.window(local))

    def _answer_words_memo(self) -> Callable[[tuple[str, str, str]], str]:
        """`_answer_words` of a (question id, content hash, answer) key, each distinct key
        put into words once and kept, up to ANSWER_WORDS_CACHE of them."""
        words: dict[tuple[str, str, str], str] = {}

        def of(key: tuple[str, str, str]) -> str:
            found = words.get(key)
            if found is None:
                if len(words) >= ANSWER_WORDS_CACHE:
                    words.clear()
                found = words[key] = self._answer_words(*key)
            return found

        return of

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
        member = self.store.member(cohort["id"], user_id)
        if member is None:
            raise NotAllowed("That learner is not in this cohort.")
        return member

    def learner_attempts(self, cohort: Row, user_id: int) -> list[Attempt]:
        """A member's attempts made in this cohort, newest first (others stay private)."""
        self.learner(cohort, user_id)
        return [a for a in self.attempts.of_learner(user_id) if a.cohort_id == cohort["id"]]
