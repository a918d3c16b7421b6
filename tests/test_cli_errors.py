"""Hostile values on the command line: odd --db, --out and --attempt values, files that
are not databases, damaged or old databases, full disks. Each gets one clear line and
exit status 1 (2 for a malformed option), never a traceback, a hang, a silently created
or overwritten file; `report` and `verify-certificate` never change the database."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz_app import cli
from quiz_app.clock import ManualClock
from quiz_app.course import BANKS_ENV, Course
from quiz_app.store import Store

NOT_SQLITE = {
    "empty": b"",
    "one-byte": b"x",
    "text": b"username,password\nana,secret\n",
    "short-header": b"SQLite format 3",  # 15 of the 16 bytes
}
PASSWORD = "a-long-password"


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli.cli, list(args), input=stdin)


def one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def commands(db: Path, out: Path) -> dict[str, list[str]]:
    return {
        "report": ["report", "--db", str(db), "--cohort", "ABCDEFGH"],
        "verify-certificate": ["verify-certificate", "XXXX-XXXX-XXXX-XXXX", "--db", str(db)],
        "backup": ["backup", "--db", str(db), str(out)],
        "certificate": ["certificate", "--db", str(db), "--attempt", "1", "--out", str(out)],
        "add-instructor": ["add-instructor", "lead", "--db", str(db), "--password-stdin"],
        "demo-data": ["demo-data", "--db", str(db), "--learners", "3", "--attempts", "1"],
    }


@pytest.fixture
def world(cohort_world, tiny_course: Course, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(BANKS_ENV, str(tiny_course.folder))
    return cohort_world


# -- files that are not databases ------------------------------------------------------


@pytest.mark.parametrize("command", list(commands(Path(), Path())), ids=str)
@pytest.mark.parametrize("content", list(NOT_SQLITE), ids=str)
def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(
    content: str, command: str, tmp_path: Path, tiny_course: Course,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """An empty or one-byte file is never silently turned into a database."""
    monkeypatch.setenv(BANKS_ENV, str(tiny_course.folder))
    db = tmp_path / "given.db"
    db.write_bytes(NOT_SQLITE[content])
    out = tmp_path / "out.file"
    result = run(*commands(db, out)[command], stdin=PASSWORD + "\n")
    line = one_error_line(result)
    assert "not a quiz database" in line and "SQLITE_NOTADB" in line
    assert db.read_bytes() == NOT_SQLITE[content]
    assert sorted(p.name for p in tmp_path.glob("given.db*")) == ["given.db"]  # no WAL files
    assert not out.exists()


@pytest.mark.parametrize("command", ["report", "verify-certificate", "backup", "demo-data"])
def test_a_fifo_or_a_device_is_refused_without_hanging(command: str, tmp_path: Path) -> None:
    """A FIFO is never opened for reading (that would wait for a writer forever); the real
    command runs in its own process with a time limit."""
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    for db in (fifo, Path("/dev/null")):
        args = commands(db, tmp_path / "out.file")[command]
        try:
            done = subprocess.run([sys.executable, "-m", "quiz_app", *args],
                                  capture_output=True, text=True, timeout=60)  # fmt: skip
        except subprocess.TimeoutExpired:
            pytest.fail(f"{command} hung on {db}")
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr
        assert "not a regular file" in done.stderr
    assert not (tmp_path / "out.file").exists()


def test_a_folder_as_db_is_a_usage_error(tmp_path: Path) -> None:
    result = run("report", "--db", str(tmp_path), "--cohort", "X")
    assert result.exit_code == 2 and "is a directory" in result.output


def test_terminal_escapes_in_a_file_name_are_shown_escaped(tmp_path: Path) -> None:
    db = tmp_path / "evil\x1b[2Jname.db"
    db.write_bytes(b"")
    line = one_error_line(run("report", "--db", str(db), "--cohort", "X"))
    assert "\x1b" not in line and "\\x1b[2Jname.db" in line


# -- read-only commands ----------------------------------------------------------------


def test_report_and_verify_never_change_the_database(world, db_path: Path) -> None:
    Store(db_path).close(wait=True)
    before = digest(db_path)
    code = world["cohort"]["join_code"]
    for kind in ([], ["--items"], ["--responses"]):
        assert run("report", "--db", str(db_path), "--cohort", code, *kind).exit_code == 0
    assert run("verify-certificate", "NOPE-NOPE-NOPE-NOPE", "--db", str(db_path)).exit_code == 1
    assert digest(db_path) == before


def test_report_reads_while_the_app_holds_the_write_lock(world, db_path: Path) -> None:
    """A read-only report neither waits for nor blocks the app's writes."""
    writer = sqlite3.connect(db_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE users SET display_name = display_name")
    try:
        result = run("report", "--db", str(db_path), "--cohort", world["cohort"]["join_code"])
        assert result.exit_code == 0, result.output
    finally:
        writer.execute("COMMIT")
        writer.close()


def test_report_works_on_a_database_it_may_not_write(
    world, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every connection is read-only (as for a file the user may only read)."""
    original = Store._connect

    def read_only(self: Store, synchronous: str) -> sqlite3.Connection:
        conn = original(self, synchronous)
        conn.execute("PRAGMA query_only = 1")
        return conn

    monkeypatch.setattr(Store, "_connect", read_only)
    result = run("report", "--db", str(db_path), "--cohort", world["cohort"]["join_code"])
    assert result.exit_code == 0, result.output


def test_report_leaves_timed_out_attempts_as_they_are_and_says_so(
    store: Store, tiny_course: Course, clock: ManualClock, db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from quiz_app.accounts import INSTRUCTOR, Accounts
    from quiz_app.attempts import Attempts

    monkeypatch.setenv(BANKS_ENV, str(tiny_course.folder))
    accounts = Accounts(store, clock)
    teacher = accounts.sign_up("teacher", "Teacher", "teacher-pass", INSTRUCTOR)
    cohort = accounts.create_cohort(teacher, "Autumn")
    ana = accounts.sign_up("ana", "Ana", "password123")
    accounts.join(ana, cohort["join_code"])
    attempt = Attempts(store, tiny_course, clock).start(
        ana.id, tiny_course.post_test, cohort_id=cohort["id"]
    )
    store.execute("UPDATE attempts SET deadline = '2000-01-01T00:00:00Z' WHERE id = ?",
                  [attempt.id])  # fmt: skip
    result = CliRunner().invoke(cli.cli, ["report", "--db", str(db_path), "--cohort",
                                          cohort["join_code"]])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Note: out of time but not yet submitted: 1 attempt;" in result.stderr
    assert "in progress" in result.stdout
    assert store.attempt(attempt.id)["submitted_at"] is None


def test_an_old_database_is_not_upgraded_by_a_report(world, db_path: Path) -> None:
    Store(db_path).close(wait=True)
    conn = sqlite3.connect(db_path)
    with conn:
        last = conn.execute("SELECT max(rowid) FROM _sqlite_migrations").fetchone()[0]
        conn.execute("DELETE FROM _sqlite_migrations WHERE rowid = ?", [last])
    conn.close()
    before = digest(db_path)
    line = one_error_line(run("report", "--db", str(db_path), "--cohort", "X"))
    assert "older version" in line and "quiz-app serve" in line
    assert digest(db_path) == before


def test_a_newer_database_is_refused(world, db_path: Path) -> None:
    Store(db_path).close(wait=True)
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                     " VALUES ('quiz_app', 'm999_future', '2030-01-01')")  # fmt: skip
    conn.close()
    line = one_error_line(run("verify-certificate", "X", "--db", str(db_path)))
    assert "newer version" in line


def test_an_sqlite_file_that_is_not_a_quiz_database(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    line = one_error_line(run("report", "--db", str(other), "--cohort", "X"))
    assert "not a quiz database" in line


def test_verify_needs_no_question_banks(world, db_path: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    broken = tmp_path / "broken_banks"
    broken.mkdir()
    (broken / "quizzes.yaml").write_text("quizzes: [unclosed\n")
    monkeypatch.setenv(BANKS_ENV, str(broken))
    result = run("verify-certificate", "NOPE-NOPE-NOPE-NOPE", "--db", str(db_path))
    assert result.exit_code == 1 and result.output.strip().endswith("not found")


# -- certificate -----------------------------------------------------------------------


def passed_attempt(store: Store) -> int:
    return store.first("SELECT id FROM attempts WHERE passed = 1")["id"]


@pytest.mark.parametrize("value", ["0", "-1", "99999999999999999999", "1.5", "x"])
def test_an_attempt_id_out_of_range_is_a_usage_error(world, db_path: Path, value: str,
                                                    tmp_path: Path) -> None:  # fmt: skip
    result = run("certificate", "--db", str(db_path), "--attempt", value,
                 "--out", str(tmp_path / "c.pdf"))  # fmt: skip
    assert result.exit_code == 2 and "--attempt" in result.output
    assert "Traceback" not in result.output


def test_certificate_refuses_to_overwrite_unless_forced(world, db_path: Path,
                                                        tmp_path: Path) -> None:  # fmt: skip
    out = tmp_path / "mine.pdf"
    out.write_bytes(b"my thesis")
    attempt = str(passed_attempt(Store(db_path)))
    line = one_error_line(run("certificate", "--db", str(db_path), "--attempt", attempt,
                              "--out", str(out)))  # fmt: skip
    assert "exists" in line and "--force" in line
    assert out.read_bytes() == b"my thesis"
    forced = run("certificate", "--db", str(db_path), "--attempt", attempt, "--out", str(out),
                 "--force")  # fmt: skip
    assert forced.exit_code == 0, forced.output
    assert out.read_bytes().startswith(b"%PDF")
    assert [p.name for p in tmp_path.glob(".*partial")] == []


@pytest.mark.parametrize("where", ["missing-folder", "folder-is-a-file"])
def test_certificate_out_in_a_folder_that_is_not_one(world, db_path: Path, tmp_path: Path,
                                                     where: str) -> None:  # fmt: skip
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    parent = tmp_path / "nowhere" if where == "missing-folder" else blocker
    attempt = str(passed_attempt(Store(db_path)))
    line = one_error_line(run("certificate", "--db", str(db_path), "--attempt", attempt,
                              "--out", str(parent / "c.pdf")))  # fmt: skip
    assert "no such folder" in line
    assert not (tmp_path / "nowhere").exists()


# -- backup ----------------------------------------------------------------------------


def test_backup_that_runs_out_of_disk_leaves_nothing(
    world, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy's file may grow by one page only: SQLite fails with SQLITE_FULL half-way."""
    real_connect = sqlite3.connect

    def small_disk(path, *args, **kwargs):
        conn = real_connect(path, *args, **kwargs)
        if str(path).endswith(".partial"):
            conn.execute("PRAGMA max_page_count = 1")
        return conn

    monkeypatch.setattr(sqlite3, "connect", small_disk)
    dest = tmp_path / "copies" / "copy.db"
    line = one_error_line(run("backup", "--db", str(db_path), str(dest)))
    assert "disk is full" in line
    assert list((tmp_path / "copies").iterdir()) == []


def test_backup_into_a_folder_that_cannot_hold_it(world, db_path: Path) -> None:
    line = one_error_line(run("backup", "--db", str(db_path), "/proc/copy.db"))
    assert "cannot be written in that folder" in line


def test_certificate_never_replaces_what_is_not_a_file(world, db_path: Path) -> None:
    attempt = str(passed_attempt(Store(db_path)))
    line = one_error_line(run("certificate", "--db", str(db_path), "--attempt", attempt,
                              "--out", "/dev/null", "--force"))  # fmt: skip
    assert "not a regular file" in line
    assert Path("/dev/null").is_char_device()


# -- add-instructor --------------------------------------------------------------------


def test_add_instructor_does_not_create_a_database_unasked(tmp_path: Path) -> None:
    db = tmp_path / "typo.db"
    line = one_error_line(run("add-instructor", "lead", "--db", str(db), "--password-stdin",
                              stdin=PASSWORD + "\n"))  # fmt: skip
    assert str(db) in line and "--yes" in line
    assert not db.exists()
    made = run("add-instructor", "lead", "--db", str(db), "--password-stdin", "--yes",
               stdin=PASSWORD + "\n")  # fmt: skip
    assert made.exit_code == 0, made.output
    assert f"created in {db}" in made.output


@pytest.mark.parametrize(("answer", "created"), [("n", False), ("y", True)])
def test_add_instructor_asks_at_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: str, created: bool
) -> None:
    monkeypatch.setattr(cli, "_interactive", lambda: True)
    db = tmp_path / "new.db"
    result = run("add-instructor", "lead", "--db", str(db),
                 stdin=f"{answer}\n{PASSWORD}\n{PASSWORD}\n")  # fmt: skip
    assert f"{db} does not exist. Create a new database there?" in result.output
    assert db.exists() is created
    assert result.exit_code == (0 if created else 1)
