"""The reports aggregated in SQL give the numbers of the Moodle definitions: the same
counts, texts and None, and floats within 1e-9 (sums added up in another order).

The reference here is the reports as they were computed before they moved into SQL: from
the raw attempts and responses tables, through the pure definitions of quiz_app.analytics
(`ScoredAttempt`, `choose_attempts`, `item_stats`, `quiz_stats`, `option_shares`), which
tests/test_analytics.py checks against numpy and scipy. Two kinds of seeded data: a
hand-built world on a small course of every question type, made through the services,
with the edge cases (partial marks, blanks, ties, an edit between attempts, an open and a
timed-out attempt, a learner in two cohorts); and demo data on the real course.
"""

from __future__ import annotations

import dataclasses
import json
import random
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from quiz_app import accounts as accounts_module
from quiz_app import attempts as attempts_module
from quiz_app import grading
from quiz_app import reports as reports_module
from quiz_app.accounts import INSTRUCTOR, Accounts
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
from quiz_app.attempts import Attempts, NoAttemptsLeft
from quiz_app.bank import Question
from quiz_app.clock import ManualClock
from quiz_app.course import SHIPPED_BANKS, Course, load_course
from quiz_app.demo import generate
from quiz_app.quizdef import QuizDef
from quiz_app.reports import (
    IN_PROGRESS,
    NOT_PASSED,
    NOT_STARTED,
    PASSED,
    Filters,
    LearnerRow,
    Reports,
    TopicAverage,
)
from quiz_app.scoring import correct_answer
from quiz_app.store import PostgresStore, Store
from tests.conftest import (
    ALL_TYPES,
    BACKENDS,
    SOURCE_TEXT,
    WITH_SPARES,
    demo_course,
    postgres_database,
)

WHICH = ("first", "best", "last", "all")
CLOSE = {"rel": 1e-9, "abs": 1e-9}
EDITED_STEM = ("stem: Which one?", "stem: Which one, now?")


# -- the reference: raw table reads and the pure definitions ------------------------------


def raw_attempts(store: Store, cohort_id: int) -> list[dict[str, Any]]:
    """The cohort's attempts as stored, in start order (ties by id)."""
    rows = store.query(
        "SELECT id, user_id, cohort_id, quiz_id, started_at, deadline, submitted_at, score,"
        " score_exact, max_score, passed, slots FROM attempts"
    )
    mine = [r for r in rows if r["cohort_id"] == cohort_id]
    return sorted(mine, key=lambda r: (r["started_at"], r["id"]))


def raw_responses(store: Store) -> dict[int, dict[str, dict[str, Any]]]:
    """Every stored response, by attempt and question."""
    found: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in store.query("SELECT attempt_id, question_id, answer, mark FROM responses"):
        found[r["attempt_id"]][r["question_id"]] = r
    return found


@dataclass(frozen=True)
class ExpectedItems:
    test: QuizStats
    items: list[ItemStats]  # in course order
    shares: dict[str, list[ChoiceShare]]  # by question
    earlier: int


def expected_items(
    store: Store, course: Course, cohort_id: int, quiz_id: str, which: str
) -> ExpectedItems:
    """Item analysis as defined: over the submitted attempts of the quiz (with a maximum),
    a question counting only in the version shown, a blank as 0."""
    current = {q.id: q.content_hash for q in course.questions}
    answers = raw_responses(store)
    scored, kept = [], {}
    for row in raw_attempts(store, cohort_id):
        if row["quiz_id"] != quiz_id or row["submitted_at"] is None or not row["max_score"]:
            continue
        marks, left_out, given = {}, 0, {}
        for slot in json.loads(row["slots"]):
            question_id = slot["id"]
            if current.get(question_id) != slot.get("hash", ""):
                left_out += 1
                continue
            response = answers[row["id"]].get(question_id)
            if response is not None:
                given[question_id] = json.loads(response["answer"])
            marks[question_id] = response["mark"] if response else 0.0
        kept[row["id"]] = given
        scored.append(
            ScoredAttempt(row["id"], row["user_id"], row["started_at"], row["score"],
                          row["max_score"], marks, left_out)
        )  # fmt: skip
    chosen = choose_attempts(scored, which)
    stats = item_stats(chosen)
    order = {q.id: i for i, q in enumerate(course.questions)}
    shares = {
        s.question_id: option_shares(
            course.question(s.question_id),
            [kept[a.id][s.question_id] for a in chosen if s.question_id in kept[a.id]],
        )
        for s in stats
    }
    return ExpectedItems(
        quiz_stats(chosen, stats),
        sorted(stats, key=lambda s: order[s.question_id]),
        shares,
        sum(a.left_out for a in scored),
    )


def expected_dashboard(store: Store, course: Course, cohort_id: int, filters: Filters):
    """The dashboard as defined, from the raw tables (a namespace of its fields)."""
    local = course.local_time
    quiz_id, since, until = filters.window(local)
    attempts = raw_attempts(store, cohort_id)
    everything = [
        a
        for a in attempts
        if (since is None or since <= a["started_at"])
        and (until is None or a["started_at"] < until)
    ]
    chosen = [a for a in everything if quiz_id is None or a["quiz_id"] == quiz_id]
    post_id = course.post_test.id if course.post_test else None
    users = {u["id"]: u for u in store.query("SELECT id, username, display_name FROM users")}
    members = sorted(
        (m for m in store.query("SELECT * FROM memberships") if m["cohort_id"] == cohort_id),
        key=lambda m: (users[m["user_id"]]["display_name"], m["user_id"]),
    )
    in_cohort = {a["id"] for a in attempts}
    certificates: dict[int, str] = {}
    for c in sorted(
        store.query("SELECT user_id, attempt_id, code, completed_at FROM certificates"),
        key=lambda c: (c["completed_at"], c["code"]),
    ):
        if c["attempt_id"] in in_cohort:
            certificates.setdefault(c["user_id"], c["code"])
    learners = []
    for member in members:
        user_id = member["user_id"]
        theirs = [a for a in everything if a["user_id"] == user_id]
        mine = [a for a in chosen if a["user_id"] == user_id]
        percents = [
            grading.shown_percent(grading.exact(a["score_exact"]), a["max_score"])
            for a in mine
            if a["submitted_at"] and a["max_score"]
        ]
        passed = any(a["quiz_id"] == post_id and a["passed"] == 1 for a in theirs)
        if passed:
            status = PASSED
        elif not theirs:
            status = NOT_STARTED
        elif any(a["submitted_at"] is None for a in theirs):
            status = IN_PROGRESS
        else:
            status = NOT_PASSED
        user = users[user_id]
        learners.append(
            LearnerRow(
                user_id=user_id,
                username=user["username"],
                display_name=user["display_name"],
                joined_at=member["joined_at"],
                attempts=len(mine),
                best_pct=max(percents) if percents else None,
                last_pct=percents[-1] if percents else None,
                passed=passed,
                status=status,
                last_activity=max((a["submitted_at"] or a["started_at"] for a in theirs),
                                  default=None),
                certificate_code=certificates.get(user_id),
                completed_at=min((a["submitted_at"] for a in theirs
                                  if a["quiz_id"] == post_id and a["passed"] == 1), default=None),
            )
        )  # fmt: skip
    post_test = course.post_test
    pass_mark = post_test.pass_mark if post_test and quiz_id in (None, post_id) else None
    started = sum(1 for r in learners if r.status != NOT_STARTED)
    activity = Counter(local.day(a["started_at"]).isoformat() for a in chosen)
    return SimpleNamespace(
        enrolled=len(learners),
        started=started,
        passed=sum(1 for r in learners if r.passed),
        not_started=len(learners) - started,
        pass_mark=float(pass_mark) if pass_mark is not None else None,
        best_scores=tuple(r.best_pct for r in learners if r.best_pct is not None),
        topics=expected_topics(store, course, chosen),
        activity=tuple(sorted(activity.items())),
        learners=tuple(learners),
    )


def expected_topics(store: Store, course: Course, chosen: list[dict[str, Any]]):
    """Per topic, the mean mark over every time a submitted attempt showed one of its
    questions (whatever the version), a blank counting 0."""
    answers = raw_responses(store)
    marks: dict[str, float] = defaultdict(float)
    shown: dict[str, int] = defaultdict(int)
    for attempt in chosen:
        if attempt["submitted_at"] is None:
            continue
        for slot in json.loads(attempt["slots"]):
            if course.has_question(slot["id"]):
                topic = course.topic_of(slot["id"])
                response = answers[attempt["id"]].get(slot["id"])
                marks[topic] += response["mark"] if response else 0.0
                shown[topic] += 1
    return tuple(
        TopicAverage(t, course.bank(t).title, marks[t] / shown[t], shown[t])
        for t in course.topics
        if shown.get(t)
    )


# -- comparing --------------------------------------------------------------------------


def assert_same(actual: Any, expected: Any, where: str) -> None:
    """Two values equal: floats to CLOSE, None only to None, dataclasses field by field."""
    if dataclasses.is_dataclass(expected):
        assert type(actual) is type(expected), where
        for f in dataclasses.fields(expected):
            assert_same(getattr(actual, f.name), getattr(expected, f.name), f"{where}.{f.name}")
    elif isinstance(expected, (tuple, list)):
        assert len(actual) == len(expected), f"{where}: {actual!r} != {expected!r}"
        for n, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_same(a, e, f"{where}[{n}]")
    elif expected is None or actual is None:
        assert actual is expected, f"{where}: {actual!r} != {expected!r}"
    elif isinstance(expected, float) and not isinstance(actual, bool):
        assert actual == pytest.approx(expected, **CLOSE), where
    else:
        assert actual == expected, where


def check_item_analysis(
    reports: Reports, store: Store, course: Course, cohort_id: int, quiz_id: str, which: str
) -> None:
    """The item analysis `reports` makes (not from its cache) is the reference's."""
    reports_module._cache.clear()
    report = reports.item_analysis(store.cohort(cohort_id), quiz_id, which)
    expected = expected_items(store, course, cohort_id, quiz_id, which)
    assert report.earlier_versions == expected.earlier
    assert_same(report.test, expected.test, "test")
    assert [r.stats.question_id for r in report.items] == [s.question_id for s in expected.items]
    for row, stats in zip(report.items, expected.items, strict=True):
        question_id = stats.question_id
        assert_same(row.stats, stats, question_id)
        assert_same(row.shares, tuple(expected.shares[question_id]), f"{question_id} shares")
        assert row.topic == course.topic_of(question_id)
        assert row.type == course.question(question_id).type


def check_dashboard(
    reports: Reports, store: Store, course: Course, cohort_id: int, filters: Filters
) -> None:
    """The dashboard `reports` makes (not from its cache) is the reference's."""
    reports_module._cache.clear()
    board = reports.dashboard(store.cohort(cohort_id), filters)
    expected = expected_dashboard(store, course, cohort_id, filters)
    for name, value in vars(expected).items():
        assert_same(getattr(board, name), value, name)


# -- a hand-built world on the small course ----------------------------------------------


@dataclass
class World:
    store: Store
    clock: ManualClock
    # "before" and "after" q-single's stem was edited (midway); "removed": after, and
    # q-spares since deleted from the bank
    courses: dict[str, Course]
    cohorts: tuple[int, int, int]  # the instructor's cohort, another's, and an empty one
    days: list[date]  # local days with an attempt started


def random_answer(question: Question, rng: random.Random, ability: float) -> object:
    """A valid answer: right with probability `ability`, else anything, often partly right."""
    if rng.random() < ability:
        return correct_answer(question)
    kind = question.type
    if kind == "single":
        return rng.randrange(len(question.choices))
    if kind == "multiple":
        n = len(question.choices)
        return sorted(rng.sample(range(n), rng.randint(1, n)))
    if kind == "true_false":
        return rng.random() < 0.5
    if kind == "matching":
        return rng.sample(range(len(question.pairs) + len(question.spares)), len(question.pairs))
    return rng.sample(range(len(question.items)), len(question.items))


def sit(
    service: Attempts,
    clock: ManualClock,
    rng: random.Random,
    user_id: int,
    cohort_id: int,
    quiz: QuizDef,
    end: str,
    blanks: float = 0.2,
    pace: bool = True,
) -> None:
    """One attempt, each question answered or left blank (with probability `blanks`), the
    clock moving after each answer (unless not `pace`); `end` is "submit", "open" (left
    as it is) or "time out" (left until its deadline passes)."""
    attempt = service.start(user_id, quiz, cohort_id=cohort_id)
    ability = 0.3 + 0.7 * (user_id % 5) / 4  # some learners pass, some never do
    for slot in attempt.slots:
        if rng.random() < blanks:
            continue
        question = service.question_as_shown(attempt, slot.question_id)
        service.answer(attempt, slot.question_id, random_answer(question, rng, ability))
        if pace:
            clock.advance(seconds=rng.uniform(5, 90))
    if end == "submit":
        service.submit(attempt)
    elif end == "time out":
        clock.advance(minutes=quiz.time_limit_minutes + 1)


def hand_world(root: Path, seed: int, store: Store) -> World:
    """Two cohorts of learners (one learner in both, some never starting) taking the
    practice quiz and the post-test of the small course over a couple of weeks, with
    q-single edited halfway; at the end two attempts are open and one has timed out."""
    rng = random.Random(seed)
    before = demo_course(root / "before", WITH_SPARES)
    after = demo_course(root / "after", WITH_SPARES.replace(*EDITED_STEM))
    removed = demo_course(root / "removed", ALL_TYPES.replace(*EDITED_STEM))
    clock = ManualClock()
    accounts = Accounts(store, clock)
    teacher = accounts.sign_up("teacher", "Teacher", "teacher-pass", INSTRUCTOR)
    other = accounts.sign_up("other", "Other", "other-pass", INSTRUCTOR)
    mine, theirs = accounts.create_cohort(teacher, "Mine"), accounts.create_cohort(other, "Theirs")
    names = ["Ana", "Bob", "Cyd", "Dia", "Eve", "Fay", "Gus"]  # few: equal names happen
    seats = []  # (user, cohort) that take quizzes
    for n in range(16):
        user = accounts.sign_up(f"learner{n}", rng.choice(names), "password123")
        cohort = mine if n < 11 else theirs
        accounts.join(user, cohort["join_code"])
        if n not in (0, 11):  # one member of each cohort never starts
            seats.append((user, cohort))
    both = accounts.sign_up("both", rng.choice(names), "password123")
    for cohort in (mine, theirs):
        accounts.join(both, cohort["join_code"])
        seats.append((both, cohort))
    services = [Attempts(store, before, clock), Attempts(store, after, clock)]
    quizzes = [before.quiz("practice-demo"), before.post_test]
    tied = accounts.sign_up("tied", rng.choice(names), "password123")
    accounts.join(tied, mine["join_code"])
    for _ in range(2):  # their only attempts: blank, started at one instant
        sit(services[0], clock, rng, tied.id, mine["id"], quizzes[0], "submit", blanks=1)
    events = 70
    for n in range(events):
        service = services[n >= events // 2]  # the edit, halfway
        user, cohort = rng.choice(seats)
        quiz = quizzes[rng.random() < 0.4]
        end = "time out" if quiz.is_post_test and rng.random() < 0.15 else "submit"
        try:
            sit(service, clock, rng, user.id, cohort["id"], quiz, end)
        except NoAttemptsLeft:
            sit(service, clock, rng, user.id, cohort["id"], quizzes[0], "submit")
        clock.advance(minutes=rng.uniform(10, 600))
    for user, cohort in (seats[1], seats[-2]):  # two last attempts started at one instant
        for _ in range(2):
            sit(services[1], clock, rng, user.id, cohort["id"], quizzes[0], "submit", pace=False)
    alone = [(u, c) for u, c in seats[2:-2] if u.id != both.id]
    for user, cohort in rng.sample(alone, 2):  # left open, within no deadline
        sit(services[1], clock, rng, user.id, cohort["id"], quizzes[0], "open")
    timed_out = next(
        (u, c) for u, c in seats if len(store.attempts_of(u.id, before.post_test.id)) < 2
    )
    sit(services[1], clock, rng, timed_out[0].id, timed_out[1]["id"], before.post_test, "time out")
    services[1].finalize_expired()
    starts = store.query("SELECT started_at FROM attempts")
    days = sorted({before.local_time.day(a["started_at"]) for a in starts})
    courses = {"before": before, "after": after, "removed": removed}
    empty = accounts.create_cohort(teacher, "Empty")
    return World(store, clock, courses, (mine["id"], theirs["id"], empty["id"]), days)


def _store(request: pytest.FixtureRequest, backend: str, folder: Path) -> Iterator[Any]:
    """A Store in `folder`, or on a new database of the PostgreSQL test server."""
    if backend == "sqlite":
        yield Store(folder / "quiz.db")
        return
    server = request.getfixturevalue("postgres_server")
    with postgres_database(server) as url:
        store = PostgresStore(url)
        yield store
        store.close()


BOTH = [(seed, backend) for backend in BACKENDS for seed in (1, 2, 3)]


@pytest.fixture(scope="module", params=BOTH, ids=lambda p: f"seed{p[0]}-{p[1]}")
def hand(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    seed, backend = request.param
    root = tmp_path_factory.mktemp(f"hand{seed}")
    (root / "sources").mkdir()
    (root / "sources" / "doc.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    for store in _store(request, backend, root):
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("QUIZ_SOURCES_DIR", str(root / "sources"))
            # Draws seeded from the world's seed, so a failure can be replayed; and a cheap
            # password hash, since nobody here signs in.
            draws = random.Random(f"draws {seed}")
            patch.setattr(attempts_module, "secrets", SimpleNamespace(randbits=draws.getrandbits))
            patch.setattr(accounts_module, "hash_password", lambda password: "not-a-hash")
            world = hand_world(root, seed, store)
        yield world


def test_the_hand_built_world_has_the_edge_cases(hand: World) -> None:
    attempts = hand.store.query("SELECT * FROM attempts")
    responses = hand.store.query("SELECT * FROM responses")
    assert any(0 < r["mark"] < 1 for r in responses), "partial marks"
    submitted = {a["id"]: a for a in attempts if a["submitted_at"]}
    shown = sum(len(json.loads(a["slots"])) for a in submitted.values())
    assert sum(1 for r in responses if r["attempt_id"] in submitted) < shown, "blanks"
    assert any(a["submitted_at"] is None for a in attempts), "an open attempt"
    assert any(a["submitted_at"] == a["deadline"] for a in attempts), "a timed-out attempt"
    scores = Counter(
        (a["user_id"], a["quiz_id"], a["score"] / a["max_score"]) for a in submitted.values()
    )
    assert max(scores.values()) > 1, "a learner's attempts tied in score"
    starts = Counter((a["user_id"], a["quiz_id"], a["started_at"]) for a in attempts)
    assert max(starts.values()) > 1, "a learner's attempts started at one instant"
    for course in hand.courses.values():
        left_out = expected_items(hand.store, course, hand.cohorts[0], "post-test", "all").earlier
        assert left_out > 0, "answers to a version since edited"
    cohorts_of = Counter(m["user_id"] for m in hand.store.query("SELECT * FROM memberships"))
    assert max(cohorts_of.values()) == 2, "a learner in both cohorts"
    assert len(hand.days) > 7
    boards = [
        expected_dashboard(hand.store, hand.courses["before"], c, Filters()) for c in hand.cohorts
    ]
    rows = [row for board in boards for row in board.learners]
    assert {row.status for row in rows} == {PASSED, NOT_PASSED, IN_PROGRESS, NOT_STARTED}
    assert any(row.certificate_code for row in rows)


@pytest.mark.parametrize("which", WHICH)
@pytest.mark.parametrize("quiz_id", ["post-test", "practice-demo"])
@pytest.mark.parametrize("version", ["before", "after", "removed"])
@pytest.mark.parametrize("cohort", [0, 1], ids=["mine", "theirs"])
def test_item_analysis_is_the_definition(hand: World, cohort, version, quiz_id, which) -> None:
    course = hand.courses[version]
    reports = Reports(hand.store, course, hand.clock)
    check_item_analysis(reports, hand.store, course, hand.cohorts[cohort], quiz_id, which)


HAND_FILTERS = ("everything", "post-test", "practice", "since", "until", "window", "no day")


def hand_filters(days: list[date]) -> dict[str, Filters]:
    """The filters HAND_FILTERS names, with dates a third and two thirds into `days`."""
    third = len(days) // 3
    return {
        "everything": Filters(),
        "post-test": Filters("post-test"),
        "practice": Filters("practice-demo"),
        "since": Filters(since=days[third]),
        "until": Filters(until=days[third]),
        "window": Filters("post-test", since=days[third], until=days[2 * third]),
        "no day": Filters(since=days[-1] + timedelta(days=1)),
    }


@pytest.mark.parametrize("filters", HAND_FILTERS)
@pytest.mark.parametrize("version", ["before", "removed"])  # no edit changes a dashboard
@pytest.mark.parametrize("cohort", [0, 1], ids=["mine", "theirs"])
def test_dashboard_is_the_definition(hand: World, cohort, version, filters) -> None:
    course = hand.courses[version]
    reports = Reports(hand.store, course, hand.clock)
    filtered = hand_filters(hand.days)[filters]
    check_dashboard(reports, hand.store, course, hand.cohorts[cohort], filtered)


def test_an_empty_cohort_is_the_definition(hand: World) -> None:
    course = hand.courses["before"]
    reports = Reports(hand.store, course, hand.clock)
    for which in WHICH:
        check_item_analysis(reports, hand.store, course, hand.cohorts[2], "post-test", which)
    for filters in hand_filters(hand.days).values():
        check_dashboard(reports, hand.store, course, hand.cohorts[2], filters)


# -- demo data on the real course --------------------------------------------------------


def course_copy(root: Path, name: str, changes: list[tuple[str, str, str]]) -> Course:
    """The shipped course, copied, after replacing `old` by `new` in each (file, old, new)."""
    folder = root / name
    shutil.copytree(SHIPPED_BANKS, folder)
    for file, old, new in changes:
        text = (folder / file).read_text(encoding="utf-8")
        assert old in text
        (folder / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_course(folder)


AIMS_STEM = "    stem: Which of these are stated aims of dry needling? Select all that apply."


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Course]:
    """The shipped course, and copies of it in time zones a quarter of an hour off whole
    hours (in Chatham, daylight saving starts on 27 September 2026, within the demo's
    weeks), and with one post-test question (fund-aims) edited since the attempts."""
    root = tmp_path_factory.mktemp("courses")
    utc = "time_zone: UTC"
    edit = ("fundamentals.yaml", AIMS_STEM, AIMS_STEM + " (edited)")
    return {
        "shipped": load_course(SHIPPED_BANKS),
        "kathmandu": course_copy(
            root, "kathmandu", [("quizzes.yaml", utc, "time_zone: Asia/Kathmandu")]
        ),
        "chatham": course_copy(
            root, "chatham", [("quizzes.yaml", utc, "time_zone: Pacific/Chatham")]
        ),
        "edited": course_copy(root, "edited", [edit]),
    }


@pytest.fixture(
    scope="module",
    params=[(7, "sqlite"), (8, "sqlite"), (7, "postgres")],
    ids=lambda p: f"seed{p[0]}-{p[1]}",
)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, real):
    seed, backend = request.param
    for store in _store(request, backend, tmp_path_factory.mktemp(f"demo{seed}")):
        generate(store, real["shipped"], learners=40, attempts=4, seed=seed, cohorts=2)
        cohorts = tuple(c["id"] for c in store.query("SELECT id FROM cohorts ORDER BY id"))
        yield store, cohorts


def test_the_demo_data_has_what_the_comparisons_need(demo, real) -> None:
    store, cohorts = demo
    attempts = store.query("SELECT * FROM attempts WHERE submitted_at IS NOT NULL")
    responses = store.query("SELECT * FROM responses")
    assert any(0 < r["mark"] < 1 for r in responses), "partial marks"
    assert len(responses) < sum(len(json.loads(a["slots"])) for a in attempts), "blanks"
    tries = Counter((a["user_id"], a["quiz_id"]) for a in attempts)
    assert max(tries.values()) > 1, "several post-tests per learner"
    assert {a["cohort_id"] for a in attempts} == set(cohorts)
    edited = expected_items(store, real["edited"], cohorts[0], "post-test", "all")
    assert edited.earlier > 0, "answers to a version since edited"
    types = {q.type for q in real["shipped"].questions}
    assert types == {"single", "multiple", "true_false", "matching", "ordering"}


@pytest.mark.parametrize("which", WHICH)
@pytest.mark.parametrize("quiz_id", ["post-test", "practice-fundamentals"])
@pytest.mark.parametrize("version", ["shipped", "edited"])
@pytest.mark.parametrize("cohort", [0, 1], ids=["first", "second"])
def test_demo_item_analysis_is_the_definition(demo, real, cohort, version, quiz_id, which):
    store, cohorts = demo
    course = real[version]
    reports = Reports(store, course, ManualClock())
    check_item_analysis(reports, store, course, cohorts[cohort], quiz_id, which)


DEMO_FILTERS = {
    "everything": Filters(),
    "post-test": Filters("post-test"),
    "practice": Filters("practice-fundamentals"),
    "second week": Filters(since=date(2026, 9, 14), until=date(2026, 9, 20)),
    "post-test from the 20th": Filters("post-test", since=date(2026, 9, 20)),
    "until the 12th": Filters(until=date(2026, 9, 12)),
    "26th to 28th": Filters(since=date(2026, 9, 26), until=date(2026, 9, 28)),  # Chatham DST
}


@pytest.mark.parametrize("filters", list(DEMO_FILTERS))
@pytest.mark.parametrize("version", ["shipped", "kathmandu", "chatham"])
@pytest.mark.parametrize("cohort", [0, 1], ids=["first", "second"])
def test_demo_dashboard_is_the_definition(demo, real, cohort, version, filters) -> None:
    store, cohorts = demo
    course = real[version]
    reports = Reports(store, course, ManualClock())
    check_dashboard(reports, store, course, cohorts[cohort], DEMO_FILTERS[filters])
