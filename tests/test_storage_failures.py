"""Storage failures reach people as plain messages, never as tracebacks (issue 10,
scenario 4): a full disk, a read-only database, a damaged file (a page in the middle, or
its header) and a database deleted while the app serves it.

Learners and instructors see the message on the page. Root ignores file permissions,
so each failure is a real SQLite condition: a page limit the file has reached
(SQLITE_FULL), `query_only` connections (SQLITE_READONLY), overwritten bytes
(SQLITE_CORRUPT and SQLITE_NOTADB), and unlinked files.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest, local_script_runner

from quiz_app import session
from quiz_app.accounts import INSTRUCTOR, Accounts, User
from quiz_app.attempts import Attempt, Attempts
from quiz_app.clock import ManualClock
from quiz_app.course import Course
from quiz_app.scoring import correct_answer
from quiz_app.store import Store, StoreError
from quiz_app.testing import APP, fill_answer, open_app, sign_in_as, submit_answer, texts
from tests.browser import chromium_page, require_browser, served, settle, type_into

REAL_CONNECT = Store._connect
PASSWORD = "password123"


# -- the failures -----------------------------------------------------------------------------


def on_new_connections(monkeypatch: pytest.MonkeyPatch, pragma: str) -> None:
    """Every connection a Store opens from now on runs `PRAGMA {pragma}` first."""

    def connect(self: Store, synchronous: str) -> sqlite3.Connection:
        conn = REAL_CONNECT(self, synchronous)
        conn.execute(f"PRAGMA {pragma}")
        return conn

    monkeypatch.setattr(Store, "_connect", connect)


def close(stores: list[Store]) -> None:
    """Close every connection of these stores and wait for their writers to close theirs."""
    for store in stores:
        store.close(wait=True)


def wal(db: Path, suffix: str = "-wal") -> Path:
    return db.with_name(db.name + suffix)


def pragma(db: Path, name: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def fill_the_disk(db: Path, stores: list[Store], monkeypatch: pytest.MonkeyPatch) -> None:
    """The file may grow by two pages more, which padding then fills, with the free pages
    and the last page of the attempts and responses tables: a new attempt or answer needs
    a page SQLite may not add (SQLITE_FULL, as on a full disk)."""
    store = stores[0]
    padder = store.create_user("padding", "Padding", "learner", "x", "t")

    def attempt(title: str) -> int:
        return store.create_attempt(
            {"user_id": padder, "quiz_id": "padding", "quiz_title": title, "mode": "practice",
             "seed": 1, "slots": "[]", "position": 0, "started_at": "t"}
        )  # fmt: skip

    padding = attempt("")
    on_new_connections(monkeypatch, f"max_page_count = {pragma(db, 'page_count') + 2}")
    close(stores)
    size = pragma(db, "page_size")

    def answer(n: int, text: str) -> None:
        store.record_answer(padding, f"pad-{n}", text, 0.0, "h", "t")

    count = 0
    while size:
        for pad in (lambda n, text: attempt(text), answer):
            while True:
                count += 1
                try:
                    pad(count, "x" * size)
                except StoreError:
                    break
        size //= 2
    with pytest.raises(StoreError, match="disk is full"):  # not even one byte more fits
        store.record_answer(padding, "pad-last", "", 0.0, "h", "t")


def make_read_only(db: Path, stores: list[Store], monkeypatch: pytest.MonkeyPatch) -> None:
    on_new_connections(monkeypatch, "query_only = 1")
    close(stores)


def quiet(db: Path, stores: list[Store]) -> None:
    """No connection left open: SQLite has folded the WAL into the file and deleted it."""
    close(stores)
    assert not wal(db).exists(), "a connection is still open"


def attempts_page(db: Path) -> tuple[int, int]:
    """Where the attempts table's first page is in the file: (offset, length)."""
    conn = sqlite3.connect(db)
    try:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'attempts'")
        page = root.fetchone()[0]
    finally:
        conn.close()
    size = pragma(db, "page_size")
    return (page - 1) * size, size


def overwrite(db: Path, offset: int, data: bytes) -> None:
    with db.open("r+b") as file:
        file.seek(offset)
        file.write(data)


def damage_a_page(db: Path, stores: list[Store], monkeypatch: pytest.MonkeyPatch) -> None:
    """Garbage over the attempts table's first page, in the middle of the file: users and
    sessions still read, attempts do not (SQLITE_CORRUPT)."""
    quiet(db, stores)
    offset, size = attempts_page(db)
    assert 0 < offset < db.stat().st_size - size
    quiet(db, [])
    overwrite(db, offset, b"\xff" * size)


def damage_the_header(db: Path, stores: list[Store], monkeypatch: pytest.MonkeyPatch) -> None:
    """Zeros over the file's 100-byte header: nothing reads (SQLITE_NOTADB)."""
    quiet(db, stores)
    overwrite(db, 0, bytes(100))


def delete(db: Path, stores: list[Store], monkeypatch: pytest.MonkeyPatch) -> None:
    """The database and its WAL files unlinked while the app holds them open."""
    for path in (db, wal(db), wal(db, "-shm")):
        path.unlink(missing_ok=True)


def stored(db: Path) -> object:
    """Every answer stored, read by a connection of its own."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT * FROM responses ORDER BY attempt_id, question_id").fetchall()
    finally:
        conn.close()


@dataclass(frozen=True)
class Failure:
    name: str
    cause: Callable[[Path, list[Store], pytest.MonkeyPatch], None]
    says: str  # words of the message people see
    reads_work: bool  # pages that only read still work
    kept: Callable[[Path], object]  # what must be the same after the app has tried

    def __str__(self) -> str:
        return self.name


FAILURES = [
    Failure("disk-full", fill_the_disk, "The server's disk is full", True, stored),
    Failure("read-only", make_read_only, "The database is read-only", True, stored),
    Failure("corrupt-page", damage_a_page, "The database file is damaged", False, Path.read_bytes),
    Failure("corrupt-header", damage_the_header, "is damaged or is not a quiz database", False,
            Path.read_bytes),
    Failure("deleted", delete, "was deleted or replaced while the app was running", False,
            Path.exists),
]  # fmt: skip


# -- pages ---------------------------------------------------------------------------------------


@pytest.fixture
def as_served(monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest runs with the `on_script_error` handler of the app `quiz-app serve` runs
    (AppTest itself takes none): what a widget callback raises reaches it, as in the
    browser."""
    from quiz_app import server

    handler = server.app._on_script_error
    init = local_script_runner.LocalScriptRunner.__init__

    def with_handler(self, *args, **kwargs) -> None:
        init(self, *args, **kwargs)
        self._on_script_error = handler

    monkeypatch.setattr(local_script_runner.LocalScriptRunner, "__init__", with_handler)


@pytest.fixture
def people(env: None, store: Store, clock: ManualClock) -> dict[str, User]:
    accounts = Accounts(store, clock)
    teacher = accounts.sign_up("teacher", "Teacher", PASSWORD, INSTRUCTOR)
    cohort = accounts.create_cohort(teacher, "Autumn")
    people = {"teacher": teacher}
    for name in ("ana", "bob"):
        people[name] = accounts.sign_up(name, name.title(), PASSWORD)
        accounts.join(people[name], cohort["join_code"])
    return people


@pytest.fixture
def practice(people, store: Store, tiny_course: Course, clock: ManualClock) -> Attempt:
    """Ana's practice, its first question answered, the second on her screen."""
    service = Attempts(store, tiny_course, clock)
    attempt = service.start(people["ana"].id, tiny_course.practice_quiz(["demo"], 3))
    first = tiny_course.question(attempt.slots[0].question_id)
    service.answer(attempt, first.id, correct_answer(first))
    service.move(attempt, 1)
    return service.load(attempt.id)


def messages(at: AppTest) -> str:
    return "\n".join(e.value for e in (*at.error, *at.warning))


def shows_no_file_path(at: AppTest, db: Path) -> bool:
    return str(db.parent) not in texts(at) and db.name not in texts(at)


@pytest.mark.parametrize("failure", FAILURES, ids=str)
def test_check_answer_when_storage_fails(
    failure: Failure, as_served: None, people, practice: Attempt, store: Store,
    tiny_course: Course, db_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Ana, mid-practice, clicks "Check answer" as the storage fails: a plain message, no
    traceback, no feedback for an answer that was not stored, and nothing stored lost."""
    at = open_app(people["ana"], "views/quiz.py")
    slot = practice.slots[1]
    question = tiny_course.question(slot.question_id)
    key = f"a{practice.id}-{slot.question_id}"
    fill_answer(at, key, question, correct_answer(question))

    failure.cause(db_path, [store, session.store()], monkeypatch)
    before = failure.kept(db_path)
    submit_answer(at, key, post_test=False)

    assert not at.exception
    assert failure.says in messages(at)
    assert not at.success, "feedback shown for an answer that was not stored"
    assert failure.kept(db_path) == before
    assert shows_no_file_path(at, db_path)


@pytest.mark.parametrize("failure", FAILURES, ids=str)
def test_pages_when_storage_fails(
    failure: Failure, as_served: None, people, practice: Attempt, store: Store,
    tiny_course: Course, clock: ManualClock, db_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Bob, his post-test open, opens the Start page and the teacher the dashboard as the
    storage fails. Pages that only read work on a full or read-only disk, and starting a
    practice then says why it cannot; a damaged or deleted file ends both pages with the
    plain message."""
    cohort = store.cohorts_of(people["teacher"].id)[0]
    Attempts(store, tiny_course, clock).start(
        people["bob"].id, tiny_course.post_test, cohort_id=cohort["id"]
    )
    pages = {}
    for name, page in [("bob", "views/home.py"), ("teacher", "views/dashboard.py")]:
        pages[name] = AppTest.from_file(APP, default_timeout=30)
        sign_in_as(pages[name], people[name])
        pages[name].switch_page(page)

    failure.cause(db_path, [store, session.store()], monkeypatch)
    before = failure.kept(db_path)
    for at in pages.values():
        at.run()
        assert not at.exception
        assert shows_no_file_path(at, db_path)
        if failure.reads_work:
            assert messages(at) == ""
        else:
            assert failure.says in messages(at)

    bob = pages["bob"]
    if failure.reads_work:
        assert bob.title[0].value == "Welcome, Bob"
        bob.button(key="FormSubmitter:practice-Start practice").click().run()
        assert not bob.exception
        assert failure.says in messages(bob)
        assert "attempt_id" not in bob.session_state
    assert failure.kept(db_path) == before


@pytest.mark.parametrize("where", ["page", "callback"])
def test_an_unexpected_error_shows_a_short_message_and_logs_the_traceback(
    where: str, as_served: None, people, practice: Attempt, tiny_course: Course,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    """A bug, in a page's run or in a button's callback: the learner is told the answers
    are safe and to reload, never what failed; the server's log gets the traceback."""
    from quiz_app import routes, ui

    at = open_app(people["ana"], "views/quiz.py")

    def bug(*args, **kwargs):
        raise RuntimeError("bug at /srv/secret/quiz.db")

    slot = practice.slots[1]
    key = f"a{practice.id}-{slot.question_id}"
    if where == "page":
        monkeypatch.setattr(ui, "show_bank_status", bug)
        at.run()
    else:
        monkeypatch.setattr(Attempts, "answer", bug)
        question = tiny_course.question(slot.question_id)
        fill_answer(at, key, question, correct_answer(question))
        submit_answer(at, key, post_test=False)

    assert not at.exception
    assert [e.value for e in at.error] == [routes.UNEXPECTED]
    assert "secret" not in texts(at)
    logged = [r for r in caplog.records if r.exc_info and "bug at" in str(r.exc_info[1])]
    assert logged and logged[0].name == "quiz_app.routes"


# -- in the browser --------------------------------------------------------------------------------


@pytest.mark.browser
def test_browser_database_deleted_mid_session(tmp_path: Path, course: Course) -> None:
    """Against `quiz-app serve`: the database is deleted while Ana practises; "Check
    answer" (a widget callback) and then a reload show the plain message, never a
    traceback, and no empty database takes the deleted one's place."""
    from tests.test_browser_learner import answer_in_browser

    require_browser()
    db = tmp_path / "served.db"
    store = Store(db)
    ana = Accounts(store).sign_up("ana", "Ana Lima", PASSWORD)
    service = Attempts(store, course)
    attempt = service.start(ana.id, course.practice_quiz(course.topics[:1], 3))
    question = course.question(attempt.slots[0].question_id)
    close([store])
    says = "The database file was deleted or replaced while the app was running"

    with served(db) as url, chromium_page() as page:
        page.goto(url)
        type_into(page.get_by_role("textbox", name="Username"), "ana")
        type_into(page.get_by_role("textbox", name="Password"), PASSWORD)
        with page.expect_response(lambda r: r.url.endswith("/auth/session")) as claim:
            page.get_by_role("button", name="Sign in").click()
        assert claim.value.status == 204  # the session cookie is set: a reload keeps Ana in
        page.get_by_role("button", name="Resume").click()
        page.get_by_text("Question 1 of 3 · 0 answered").wait_for()
        settle(page)

        delete(db, [], None)
        answer_in_browser(page, attempt.id, question, correct_answer(question), "Check answer")
        for reload in (False, True):
            if reload:
                page.reload()
            message = page.get_by_test_id("stAlertContentError").filter(has_text=says)
            exception = page.get_by_test_id("stException")
            message.or_(exception).first.wait_for()
            settle(page)
            assert exception.count() == 0, exception.first.inner_text()
            assert str(tmp_path) not in page.inner_text("body")
        assert not db.exists()
