"""Storage failures reach people as plain messages, never as tracebacks (issue 10,
scenario 4): a full disk, a read-only database, a damaged file (a page in the middle, or
its header) and a database deleted while the app serves it.

Learners and instructors see the message on the page; every command that opens the
database prints one line naming the file and the reason and exits non-zero; `quiz-app
serve` refuses a damaged file before it starts. Root ignores file permissions, so each
failure is a real SQLite condition: a page limit the file has reached (SQLITE_FULL),
`query_only` connections (SQLITE_READONLY), overwritten bytes (SQLITE_CORRUPT and
SQLITE_NOTADB), and unlinked files.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest, local_script_runner

from quiz_app import cli, session
from quiz_app.accounts import INSTRUCTOR, Accounts, User
from quiz_app.attempts import Attempts
from quiz_app.clock import ManualClock
from quiz_app.course import BANKS_ENV, Course
from quiz_app.records import Attempt
from quiz_app.scoring import correct_answer
from quiz_app.store import Store, StoreError
from quiz_app.testing import APP, fill_answer, open_app, sign_in_as, submit_answer, texts
from tests.browser import chromium_page, free_port, require_browser, served, settle, type_into

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

    made = iter(range(10**6))

    def attempt(title: str) -> int:  # a quiz of its own each time: every one stays open
        attempt_id, _ = store.create_attempt(
            {"user_id": padder, "quiz_id": f"padding-{next(made)}", "quiz_title": title,
             "mode": "practice", "seed": 1, "slots": "[]", "position": 0, "started_at": "t"}
        )  # fmt: skip
        return attempt_id

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


def attempts_pages(db: Path) -> list[tuple[int, int]]:
    """Where the first pages of the attempts table and of its indexes (the slots' rows
    among them) are in the file: (offset, length) each. A page that reads attempts through
    an index alone, as the dashboard does, reads one of them."""
    conn = sqlite3.connect(db)
    try:
        roots = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE tbl_name IN ('attempts', 'attempt_slots')"
            " AND rootpage > 0"
        ).fetchall()
    finally:
        conn.close()
    size = pragma(db, "page_size")
    return [((page - 1) * size, size) for (page,) in roots]


def overwrite(db: Path, offset: int, data: bytes) -> None:
    with db.open("r+b") as file:
        file.seek(offset)
        file.write(data)


def damage_attempt_pages(db: Path, stores: list[Store], monkeypatch: pytest.MonkeyPatch) -> None:
    """Garbage over the first pages of the attempts table and its indexes, past the file's
    first page: users and sessions still read, attempts do not (SQLITE_CORRUPT)."""
    quiet(db, stores)
    pages = attempts_pages(db)
    assert all(0 < offset <= db.stat().st_size - size for offset, size in pages)
    quiet(db, [])
    for offset, size in pages:
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
    Failure("corrupt-page", damage_attempt_pages, "The database file is damaged", False,
            Path.read_bytes),
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


# -- the command line -----------------------------------------------------------------------------

COMMANDS = {
    "serve": ["serve", "--db", "{db}", "--port", "8599"],
    "add-instructor": ["add-instructor", "newbie", "--db", "{db}", "--password-stdin", "--yes"],
    "demo-data": ["demo-data", "--db", "{db}", "--learners", "50", "--attempts", "2"],
    "backup": ["backup", "--db", "{db}", "{dest}"],
    "report": ["report", "--db", "{db}", "--cohort", "{code}"],
    "verify-certificate": ["verify-certificate", "XXXX-XXXX-XXXX-XXXX", "--db", "{db}"],
    "certificate": ["certificate", "--db", "{db}", "--attempt", "{attempt}", "--out", "{dest}"],
}


def fresh_and_nearly_full(db: Path, stores: list[Store], monkeypatch: pytest.MonkeyPatch) -> None:
    """A new database (demo data wants one) that may grow by two pages more."""
    db.unlink()
    close([Store(db)])
    on_new_connections(monkeypatch, f"max_page_count = {pragma(db, 'page_count') + 2}")


CLI_FAILURES = {f.name: f for f in FAILURES if f.name not in ("deleted", "disk-full")} | {
    "disk-full": Failure("disk-full", fresh_and_nearly_full, "disk is full", False, stored),
    "no-folder": Failure("no-folder", lambda *_: None, "cannot be opened", False, Path.exists),
}
# Which commands each failure stops. A damaged page stops those that read the attempts
# table (and a backup, which refuses to pass a damaged copy off as one); a report reads
# only the indexes that cover its queries, which are intact, so it is right and goes on.
# A full file stops those that need a new page; a missing folder those that would
# create the file (the others say that the file does not exist).
CLI_CASES = [
    ("corrupt-header", command) for command in COMMANDS
] + [
    ("corrupt-page", command)
    for command in ("serve", "demo-data", "backup", "certificate")
] + [
    ("read-only", command)
    for command in COMMANDS
    if command not in ("backup", "report", "verify-certificate")  # they only read
] + [
    ("disk-full", "demo-data"),
] + [
    ("no-folder", command) for command in ("serve", "add-instructor", "demo-data")
]  # fmt: skip


@pytest.fixture
def filled(
    db_path: Path, tiny_course: Course, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """A database with a cohort and a learner's practice answer, no connection left open;
    the commands read the tiny course."""
    monkeypatch.setenv(BANKS_ENV, str(tiny_course.folder))
    store = Store(db_path)
    accounts = Accounts(store, clock)
    teacher = accounts.sign_up("teacher", "Teacher", PASSWORD, INSTRUCTOR)
    cohort = accounts.create_cohort(teacher, "Autumn")
    learner = accounts.sign_up("ana", "Ana", PASSWORD)
    accounts.join(learner, cohort["join_code"])
    service = Attempts(store, tiny_course, clock)
    practice = tiny_course.practice_quiz(["demo"], 3)
    attempt = service.start(learner.id, practice, cohort_id=cohort["id"])
    first = tiny_course.question(attempt.slots[0].question_id)
    service.answer(attempt, first.id, correct_answer(first))
    quiet(db_path, [store])
    return {"code": cohort["join_code"], "attempt": str(attempt.id)}


@pytest.fixture
def no_exec(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """`quiz-app serve` records the Streamlit command it would run instead of running it."""
    started: list[list[str]] = []
    monkeypatch.setattr(os, "execve", lambda path, args, env: started.append(args))
    return started


def error_line(result) -> str:
    """The one line a failed command printed (click prefixes "Error: ")."""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), lines[0]
    return lines[0]


@pytest.mark.parametrize(("failure", "command"), CLI_CASES, ids=[f"{f}-{c}" for f, c in CLI_CASES])
def test_cli_storage_failure_is_one_line(
    failure: str, command: str, filled: dict[str, str], db_path: Path, tmp_path: Path,
    no_exec: list, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """One line naming the file, the plain reason and SQLite's own, and exit status 1."""
    cause = CLI_FAILURES[failure]
    db = tmp_path / "nowhere" / "quiz.db" if failure == "no-folder" else db_path
    cause.cause(db, [], monkeypatch)
    before = cause.kept(db)
    args = [arg.format(db=db, dest=tmp_path / "out.file", **filled) for arg in COMMANDS[command]]
    result = CliRunner().invoke(cli.cli, args, input="a-password\n")

    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    line = error_line(result)
    assert f"{db}: " in line
    assert cause.says in line
    assert "(SQLITE_" in line or "(quick_check" in line  # SQLite's detail, for whoever fixes it
    assert not no_exec, "serve started"
    assert not (tmp_path / "out.file").exists()
    assert cause.kept(db) == before


@pytest.mark.parametrize("failure", ["corrupt-page", "corrupt-header"])
def test_serve_refuses_a_damaged_database(failure: str, filled, db_path: Path) -> None:
    """The real command, in its own process: one line with the reason, exit status 1, and
    no server started (nothing listens on the port)."""
    CLI_FAILURES[failure].cause(db_path, [], None)
    port = free_port()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "quiz_app", "serve", "--db", str(db_path), "--port",
             str(port), "--host", "127.0.0.1"],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail("quiz-app serve started on a damaged database instead of refusing")
    assert done.returncode == 1
    assert done.stdout == ""
    line = error_line(done)
    assert line.startswith(f"Error: not started: {db_path}: The database file is damaged")
    assert "Traceback" not in done.stderr
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0


def test_serve_still_creates_a_missing_database(tmp_path: Path, no_exec: list) -> None:
    db = tmp_path / "new.db"
    result = CliRunner().invoke(cli.cli, ["serve", "--db", str(db), "--port", "8599"])
    assert result.exit_code == 0, result.output
    assert no_exec and "streamlit" in no_exec[0]
    assert "m001_core" in Store(db).applied_migrations()


def test_an_unexpected_cli_error_is_one_line_with_exit_70(
    filled: dict[str, str], db_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:  # fmt: skip
    """A bug prints what failed and how to see more, exit status 70; QUIZ_DEBUG=1 shows
    the traceback instead."""

    def bug(*args, **kwargs):
        raise RuntimeError("bug\nover two lines")

    monkeypatch.setattr(cli, "load_course", bug)
    monkeypatch.setattr(sys, "argv", ["quiz-app", "report", "--db", str(db_path), "--cohort",
                                      filled["code"]])  # fmt: skip
    monkeypatch.delenv("QUIZ_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_status:
        cli.main()
    assert exit_status.value.code == 70
    assert capsys.readouterr().err == (
        "Error: quiz-app report failed unexpectedly (RuntimeError: bug over two lines). Set "
        "QUIZ_DEBUG=1 to see the traceback.\n"
    )
    monkeypatch.setenv("QUIZ_DEBUG", "1")
    with pytest.raises(RuntimeError, match="bug"):
        cli.main()


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
