"""Tiny fixtures shared by the tests: a sources folder, bank folders, the shipped course."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
import textwrap
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from quiz_app.clock import ManualClock, SystemClock
from quiz_app.course import BANKS_ENV, SHIPPED_BANKS, Course, load_course
from quiz_app.store import PostgresStore, Store

SOURCE_TEXT = (
    "The quick brown fox jumps over the “lazy” dog — twice.\n"
    "A long passage follows here with exactly thirty one words in it so that a quote of "
    "all of them is one word over the limit that the validator allows today.\n"
)

SOURCES_YAML = """\
documents:
  doc:
    label: Test document
    title: A test document
    file: doc.txt
"""

# A minimal valid bank; the line numbers matter to test_validate_rules.py.
BANK = """\
topic: demo
title: Demo topic
objectives:
  obj-a: Identify things.
questions:
  - id: q-single
    type: single
    objective: obj-a
    level: recall
    stem: Which one?
    choices:
      - text: Alpha
        correct: true
      - text: Beta
      - text: Gamma
    explanation: Because.
    sources:
      - doc: doc
        quote: the quick brown fox
"""


@pytest.fixture
def sources_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "doc.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    monkeypatch.setenv("QUIZ_SOURCES_DIR", str(folder))
    return folder


@pytest.fixture
def bank_dir(tmp_path: Path, sources_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty banks folder with a sources.yaml, as the current directory."""
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "sources.yaml").write_text(SOURCES_YAML, encoding="utf-8")
    monkeypatch.chdir(folder)
    return folder


def together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """`work(i)` for i in range(count), each on a thread of its own, all released at the
    same instant: their results (or the exceptions they raised), in order."""
    results: list[Any] = [None] * count
    barrier = threading.Barrier(count)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def course() -> Course:
    return load_course(SHIPPED_BANKS)


# One question of every type, after BANK's single question.
ALL_TYPES = (
    BANK
    + """\
  - id: q-multiple
    type: multiple
    objective: obj-a
    level: understanding
    stem: Which ones?
    choices:
      - {text: One, correct: true, feedback: Yes.}
      - {text: Two, correct: true}
      - {text: Three, feedback: No.}
    explanation: Because.
    sources: [{doc: doc, quote: jumps over the}]
  - id: q-tf
    type: true_false
    objective: obj-a
    level: recall
    stem: True?
    answer: false
    explanation: Because.
    sources: [{doc: doc, quote: "\\"lazy\\" dog - twice"}]
  - id: q-match
    type: matching
    objective: obj-a
    level: application
    stem: Match them.
    pairs: [[a, "1"], [b, "2"], [c, "3"]]
    explanation: Because.
    sources: [{doc: doc, quote: fox jumps over}]
  - id: q-order
    type: ordering
    objective: obj-a
    level: recall
    stem: Order them.
    items: [first, second, third]
    explanation: Because.
    sources: [{doc: doc, quote: quick brown fox}]
"""
)

# ALL_TYPES and a matching question with a spare (4 pairs and 1 spare, whose text is HTML
# to show that it is escaped).
WITH_SPARES = (
    ALL_TYPES
    + """\
  - id: q-spares
    type: matching
    objective: obj-a
    level: application
    stem: Match them; one option matches nothing.
    pairs: [[w, "10"], [x, "20"], [y, "30"], [z, "40"]]
    spares: ["<i>fifty</i>"]
    explanation: Because.
    sources: [{doc: doc, quote: quick brown fox}]
"""
)

# A wrong answer of the right shape for each question of ALL_TYPES, by type.
WRONG_ANSWERS = {
    "single": 1,
    "multiple": [2],
    "true_false": True,
    "matching": [1, 2, 0],
    "ordering": [2, 1, 0],
}

QUIZZES = """\
course:
  title: Demo course
  provider: Demo provider
quizzes:
  - id: practice-demo
    title: "Practice: demo"
    mode: practice
    topics: [demo]
    questions: 3
  - id: post-test
    title: Demo post-test
    mode: post_test
    blueprint: {demo: 5}
    pass_mark: 80
    time_limit_minutes: 30
    attempts_allowed: 2
    ce_hours: 1.5
    reserved_only: false
"""


def demo_course(folder: Path, bank: str) -> Course:
    """The course of one "demo" topic holding `bank`, with a practice quiz and a post-test."""
    folder.mkdir()
    write(folder, "sources.yaml", SOURCES_YAML)
    write(folder, "demo.yaml", bank)
    write(folder, "quizzes.yaml", QUIZZES)
    return load_course(folder)


def with_scope(course: Course, scope: str) -> Course:
    """The course after setting `course.scope` in its quizzes.yaml, loaded afresh."""
    path = course.folder / "quizzes.yaml"
    text = re.sub(r"(?m)^  scope: .*\n", "", path.read_text(encoding="utf-8"))
    provider = "  provider: Demo provider\n"
    assert provider in text
    path.write_text(text.replace(provider, f"{provider}  scope: {scope}\n"), encoding="utf-8")
    return load_course(course.folder)


EVALUATION = """\
  evaluation:
    required: {required}
    items:
      - id: objectives-met
        text: The objectives were met.
        kind: likert
      - id: free-of-bias
        text: The content was free of commercial bias.
        kind: likert
      - id: improve
        text: What would you improve?
        kind: text
"""


def with_evaluation(course: Course, required: bool = True) -> Course:
    """The course after adding EVALUATION (two Likert items, one text item) to its
    quizzes.yaml, loaded afresh."""
    path = course.folder / "quizzes.yaml"
    text = path.read_text(encoding="utf-8")
    provider = "  provider: Demo provider\n"
    assert provider in text and "evaluation:" not in text
    added = EVALUATION.format(required=str(required).lower())
    path.write_text(text.replace(provider, provider + added), encoding="utf-8")
    return load_course(course.folder)


@pytest.fixture
def tiny_course(tmp_path: Path, sources_dir: Path) -> Course:
    """Five questions, one of each type, with a practice quiz and a post-test."""
    return demo_course(tmp_path / "tiny_banks", ALL_TYPES)


@pytest.fixture
def spares_course(tmp_path: Path, sources_dir: Path) -> Course:
    """The tiny course plus q-spares, a matching question with a spare."""
    return demo_course(tmp_path / "spares_banks", WITH_SPARES)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "quiz.db"


BACKENDS = ("sqlite", "postgres")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test marked `both_backends` runs once per backend, on the `store` fixture."""
    if metafunc.definition.get_closest_marker("both_backends") and (
        "store" in metafunc.fixturenames
    ):
        metafunc.parametrize("store", BACKENDS, indirect=True)


@pytest.fixture
def store(request: pytest.FixtureRequest, db_path: Path) -> Iterator[Store]:
    """The Store of `db_path`, or a PostgresStore on a new database of the test server:
    for a test marked `both_backends`, its "postgres" run; for any test, with
    QUIZ_TEST_STORE=postgres (to see how a module fares on PostgreSQL)."""
    backend = getattr(request, "param", os.environ.get("QUIZ_TEST_STORE", "sqlite"))
    if backend == "postgres":
        made: Any = PostgresStore(request.getfixturevalue("postgres_url"))
    else:
        made = Store(db_path)
    yield made
    made.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def accounts(store: Store, clock: ManualClock):
    from quiz_app.accounts import Accounts

    return Accounts(store, clock)


@pytest.fixture
def learner(accounts):
    """Ana Lima, a learner (password "password123")."""
    return accounts.sign_up("ana", "Ana Lima", "password123")


@pytest.fixture
def env(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    db_path: Path,
    tiny_course: Course,
    clock: ManualClock,
) -> Iterator[None]:
    """The app (under AppTest, or its cookie routes) on `db_path` and the tiny course, on
    the test's clock; with QUIZ_TEST_STORE=postgres, on the `store` fixture's PostgreSQL
    database instead."""
    from quiz_app import session  # Streamlit, imported only by the tests that need it

    if os.environ.get("QUIZ_TEST_STORE") == "postgres":
        monkeypatch.setenv("QUIZ_DB", request.getfixturevalue("store").url)
    else:
        monkeypatch.setenv("QUIZ_DB", str(db_path))
    monkeypatch.setenv(BANKS_ENV, str(tiny_course.folder))
    session.set_clock(clock)
    yield
    session.set_clock(SystemClock())


@pytest.fixture
def cohort_world(store: Store, tiny_course: Course, clock: ManualClock):
    """One instructor's cohort with learners who passed, failed, stalled or never started,
    plus a second instructor with a cohort of their own."""
    from quiz_app.accounts import INSTRUCTOR, Accounts
    from quiz_app.attempts import Attempts
    from quiz_app.scoring import correct_answer

    accounts = Accounts(store, clock)
    attempts = Attempts(store, tiny_course, clock)
    teacher = accounts.sign_up("teacher", "Teacher", "teacher-pass", INSTRUCTOR)
    other = accounts.sign_up("other", "Other Teacher", "other-pass", INSTRUCTOR)
    cohort = accounts.create_cohort(teacher, "Autumn")
    elsewhere = accounts.create_cohort(other, "Elsewhere")
    people = {}
    for username, name in [("ana", "Ana"), ("bob", "Bob"), ("cyd", "Cyd"), ("dia", "Dia"),
                           ("eve", '=HYPERLINK("http://evil")')]:  # fmt: skip
        people[username] = accounts.sign_up(username, name, "password123")
        accounts.join(people[username], cohort["join_code"])

    def sit(user, right: int, submit: bool = True, quiz=None):
        attempt = attempts.start(user.id, quiz or tiny_course.post_test, cohort_id=cohort["id"])
        for n, slot in enumerate(attempt.slots):
            question = tiny_course.question(slot.question_id)
            answer = correct_answer(question) if n < right else WRONG_ANSWERS[question.type]
            attempts.answer(attempt, slot.question_id, answer)
            clock.advance(seconds=30)
        if not submit:
            return attempt  # still open, and well within its deadline
        clock.advance(hours=1)
        return attempts.submit(attempt)

    sit(people["ana"], 5)
    sit(people["bob"], 2)
    clock.advance(days=1)
    sit(people["bob"], 4)
    sit(people["dia"], 3, quiz=tiny_course.quiz("practice-demo"))
    sit(people["eve"], 3)
    sit(people["dia"], 1, submit=False)
    return {"teacher": teacher, "other": other, "cohort": cohort, "elsewhere": elsewhere,
            "people": people, "attempts": attempts, "accounts": accounts}  # fmt: skip


@pytest.fixture
def cli_world(cohort_world, tiny_course: Course, monkeypatch):
    """The cohort world, with the command line reading the tiny course's banks."""
    from quiz_app.course import BANKS_ENV

    monkeypatch.setenv(BANKS_ENV, str(tiny_course.folder))
    return cohort_world


@pytest.fixture
def no_fonts(monkeypatch, tmp_path):
    """A server with no font installed beyond Source Sans Pro."""
    from quiz_app import fonts

    monkeypatch.setattr(fonts, "FONT_FOLDERS", (tmp_path / "no fonts here",))
    fonts._installed.cache_clear()
    fonts.fallback_chain.cache_clear()
    yield
    fonts._installed.cache_clear()
    fonts.fallback_chain.cache_clear()


def add_compliance_records(world: dict, store: Store, course: Course, clock) -> dict:
    """Give the cohort world one of each compliance record an audit pack holds and a
    prune deletes: Ana's course evaluation and her certificate reissued under a corrected
    name, Dia's problem report from her practice quiz, Bob's accommodation. Returns the
    evaluated attempt, the old and new certificate codes and the report's attempt."""
    from quiz_app.accommodations import Accommodations
    from quiz_app.certificates import Certificates
    from quiz_app.evaluations import Evaluations
    from quiz_app.problem_reports import ProblemReports

    people, teacher, cohort = world["people"], world["teacher"], world["cohort"]
    passed = next(a["id"] for a in store.attempts_of(people["ana"].id) if a["passed"])
    evaluated = with_evaluation(course)
    Evaluations(store, evaluated, clock).submit(
        passed, people["ana"].id, {"objectives-met": 4, "free-of-bias": 5, "improve": "=1+1"}
    )
    old = store.certificate_for_attempt(passed)["code"]
    new = (
        Certificates(store, course, clock)
        .reissue(teacher, old, "Ana Maria Lima", "Her legal name was misspelt")
        .code
    )
    practice = next(a["id"] for a in store.attempts_of(people["dia"].id) if a["submitted_at"])
    attempt = world["attempts"].load(practice)
    ProblemReports(store, course, clock).report(
        people["dia"], attempt, attempt.slots[0].question_id, "typo", "A typo in the stem"
    )
    Accommodations(store, course, clock).grant(
        teacher, cohort["id"], people["bob"].id, multiplier="1.5", reason="On file"
    )
    return {"evaluated": passed, "old_code": old, "new_code": new, "reported": practice}


# -- PostgreSQL -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server for the tests, never a system cluster: the one
    `.ci/run` started ($QUIZ_TEST_POSTGRES), or else a throwaway cluster of the session's
    own (tests/pg_cluster.py) when PostgreSQL is installed. Skips the test when it is not
    (or psycopg is missing), except under QUIZ_REQUIRE_POSTGRES=1 (CI): a failure there."""
    from tests import pg_cluster

    def missing(reason: str) -> None:
        if os.environ.get("QUIZ_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)

    try:
        import psycopg  # noqa: F401
    except ImportError:
        missing("psycopg is not installed (pip install -e '.[test]')")
    given = os.environ.get("QUIZ_TEST_POSTGRES")
    if given:
        yield given
        return
    if pg_cluster.binaries() is None:
        missing("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="quiz-test-postgres-"))
    try:
        yield pg_cluster.start(folder)
    finally:
        pg_cluster.stop(folder)


@contextlib.contextmanager
def postgres_database(server: str) -> Iterator[str]:
    """The URL of a new, empty database on the PostgreSQL `server`, dropped at the end."""
    import psycopg

    name = f"quiz_test_{secrets.token_hex(6)}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield urllib.parse.urlsplit(server)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """The URL of a new, empty database on the test server, dropped after the test."""
    with postgres_database(postgres_server) as url:
        yield url
