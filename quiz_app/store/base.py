"""What every part of the store shares: the connections and transactions of one SQLite
file (StoreBase), the errors it raises, and the SQL and helpers more than one part uses.

How connections, the writer and errors behave is told in the package's docstring
(quiz_app.store).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat as stat_module
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from fractions import Fraction
from itertools import repeat
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

from quiz_app.errors import QuizError
from quiz_app.migrations import migrations
from quiz_app.records import Row
from quiz_app.writer import (
    StoreBusy,
    StoreError,
    Writer,
    damaged,
    not_a_database,
    storage_error,
)

T = TypeVar("T")
# Decides what an answer does to its learner's card, inside the write that stores or
# releases it: (question id, content hash, exact mark, when, card row or None) -> the
# card's new columns, or None when the answer is no review (quiz_app.reviews.Reviewer).
Reviewer = Callable[[str, str, Fraction, str, "Row | None"], "Row | None"]

__all__ = ["StoreBusy", "StoreError"]

DATA_TABLES = (
    "users",
    "cohorts",
    "memberships",
    "attempts",
    "responses",
    "question_versions",
    "sessions",
    "report_versions",
    "certificates",
    "signin_guards",
    "devices",
    "flags",
    "password_resets",
    "cards",
    "review_logs",
    "review_versions",
    "question_reports",
    "accommodations",
    "evaluations",
    "evaluation_drafts",
    "certificate_reissues",
    "attempt_slots",
    "question_totals",
    "question_quarters",
    "attempt_starts",
)
BUSY_TIMEOUT_MS = 5_000
POOL_SIZE = 16
SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file


class NotFound(QuizError):
    """A row that should exist does not."""


class UsernameTaken(QuizError):
    """Sign-up with a username someone already has."""


class LookalikeTaken(UsernameTaken):
    """Sign-up with a username that would look the same as `taken`, another account's
    (they share a skeleton, `quiz_app.usernames.username_skeleton`)."""

    def __init__(self, username: str, taken: str) -> None:
        super().__init__(
            f'The username "{username}" would look the same as "{taken}"; choose another.'
        )
        self.taken = taken


class AttemptClosed(QuizError):
    """An answer or a submit for an attempt that has already been submitted."""


class DeadlinePassed(QuizError):
    """An answer after the attempt's deadline; the attempt was submitted as it stood."""


class EvaluationSubmitted(QuizError):
    """A submission or draft of a course evaluation for an attempt whose evaluation has
    been submitted already: it is never changed."""

    def __init__(self) -> None:
        super().__init__("This course evaluation has been submitted already; it cannot change.")


def _dicts(cursor: sqlite3.Cursor) -> list[Row]:
    # map(zip, ...), not zip(keys, row, strict=...) per row: a row always has the
    # description's length, and passing the keyword cost 30% of this function, which
    # every read goes through (500 rows: 0.33 ms, now 0.23 ms).
    keys = [d[0] for d in cursor.description or ()]
    return list(map(dict, map(zip, repeat(keys), cursor.fetchall())))


def _one(cursor: sqlite3.Cursor) -> Row | None:
    rows = _dicts(cursor)
    return rows[0] if rows else None


# The accommodations in force for the learner `{learner}` names, joined to a query that
# has it: their own and their cohorts', of every cohort they are in; each is the latest
# row of its learner or cohort, and a grant.
_IN_FORCE = (
    "JOIN memberships mine ON mine.user_id = {learner}"
    " JOIN accommodations a ON a.cohort_id = mine.cohort_id"
    " AND (a.user_id = {learner} OR a.user_id IS NULL) AND a.action = 'grant'"
    " AND a.id = (SELECT max(b.id) FROM accommodations b"
    " WHERE b.cohort_id = a.cohort_id AND b.user_id IS a.user_id)"
)


def _locked(conn: Any, sql: str, params: Sequence[Any] = ()) -> Any:
    """Run `sql` (a SELECT of the rows a read-then-write decides on) so that the rows it
    reads stay as read until the write commits: under SQLite's one writer they always do;
    on PostgreSQL (a connection with `row_locks`) the SELECT locks them FOR NO KEY UPDATE,
    so a second write deciding on them waits, then reads them as the first left them.
    (NO KEY: inserts that only reference the rows, by a foreign key, need not wait.)"""
    if getattr(conn, "row_locks", False):
        sql += " FOR NO KEY UPDATE"
    return conn.execute(sql, params)


def _accommodations_of(conn: sqlite3.Connection, user_id: int) -> list[Row]:
    return _dicts(
        conn.execute(
            f"SELECT a.* FROM users u {_IN_FORCE.format(learner='u.id')} WHERE u.id = ?",
            (user_id,),
        )
    )


@contextmanager
def _plain_errors() -> Iterator[None]:
    """Raise storage failures inside the block as StoreError."""
    try:
        yield
    except sqlite3.Error as exc:
        mapped = storage_error(exc)
        if mapped is None:
            raise
        raise mapped from exc


def _quick_check(conn: sqlite3.Connection) -> None:
    """Raise StoreError when SQLite's quick_check finds the file damaged."""
    with _plain_errors():
        found = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
    if found != ["ok"]:
        raise damaged("quick_check: " + "; ".join(" ".join(str(f).split()) for f in found))


class _TrialWritten(Exception):
    """Raised by the trial write of Store.check, so that the writer undoes it."""


def _trial_write(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE quiz_write_check (x)")  # writes the header and a new page
    raise _TrialWritten


def check_database_file(path: str | Path) -> None:
    """Raise StoreError unless `path` is missing (a new database may be made there) or is
    a regular file that starts with SQLite's header. So an empty or one-byte file, a text
    file, a folder, a FIFO or a device is never taken for a database, nor turned into one."""
    try:
        with open(path, "rb", opener=_no_block) as file:
            if not stat_module.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise not_a_database("not a regular file (a device, a pipe or a socket)")
            header = file.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except IsADirectoryError:
        raise not_a_database("a folder") from None
    except OSError as exc:
        raise StoreError("The database file cannot be read.", str(exc.strerror)) from None
    if header != SQLITE_HEADER:
        raise not_a_database(
            f"the file does not start with SQLite's header ({len(header)} bytes read)"
        )


def _no_block(path: str, flags: int) -> int:
    """os.open that does not wait for a writer when `path` is a FIFO."""
    return os.open(path, flags | os.O_NONBLOCK)


class Engine:
    """What every part of the Store (quiz_app.store) builds on: connections and
    transactions of one database. `StoreBase` is SQLite's, `postgres.PostgresBase`
    PostgreSQL's; the parts use only what is declared here, on a connection that speaks
    sqlite3's dialect of the DB-API (`?` and `:name` parameters, sqlite3's errors)."""

    path: str  # what names the database in messages: the file, or the URL without password
    read_only: bool
    dialect = "sqlite"  # or "postgresql": for the few queries each backend plans its own way

    def borrow(self, synchronous: str = "FULL") -> contextlib.AbstractContextManager[Any]:
        raise NotImplementedError

    def write(self, work: Callable[[Any], T]) -> T:
        raise NotImplementedError

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """One write statement, committed; returns how many rows it changed."""
        return self.write(lambda conn: conn.execute(sql, params).rowcount)

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Row]:
        """Rows of a read, as dicts."""
        with self.borrow() as conn:
            return _dicts(conn.execute(sql, params))

    def first(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Row | None:
        """The first row of a read, or None."""
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def stream(
        self, sql: str, params: Sequence[Any] | dict[str, Any], batch: int = 1_000
    ) -> Iterator[tuple[Any, ...]]:
        """The rows of one read as tuples, fetched `batch` at a time, never all at once.
        The generator may be advanced from different threads, one at a time (as a
        threadpool does)."""
        with self.borrow() as conn:
            cursor = conn.execute(sql, params)
            try:
                while rows := cursor.fetchmany(batch):
                    yield from rows
            finally:
                cursor.close()

    def close(self, wait: bool = False) -> None:
        raise NotImplementedError


class StoreBase(Engine):
    """The connections, the writer and transactions of one SQLite file."""

    def __init__(self, path: str | Path, *, migrate: bool = True, read_only: bool = False):
        self.path = str(Path(path).resolve())
        self.read_only = read_only
        mode = "ro" if read_only else "rw"
        self._uri = "file:" + urllib.parse.quote(self.path) + "?mode=" + mode
        self._idle: dict[str, list[sqlite3.Connection]] = {"FULL": [], "NORMAL": []}
        self._idle_lock = threading.Lock()
        check_database_file(self.path)
        if read_only:
            if not os.path.exists(self.path):
                raise StoreError("The database file does not exist.", self.path)
            migrate = False
        else:
            with _plain_errors():
                sqlite3.connect(self.path).close()  # the only connection that may create it
        self._identity = self._file_identity()
        self._writer = Writer(lambda: self._connect("FULL"), self._check_file, "quiz-writer")
        if migrate:
            try:
                self.migrate()
            except BaseException:
                self.close()  # a Store that failed to open keeps no connection open
                raise

    # -- connections and transactions ------------------------------------------------

    def _file_identity(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            return None
        return stat.st_dev, stat.st_ino

    def _check_file(self) -> None:
        """Raise StoreError when the database file was deleted or replaced since opening
        (connections still open would read and write a file nobody will see again)."""
        if self._file_identity() != self._identity:
            self.close()
            raise StoreError(
                "The database file was deleted or replaced while the app was running, so "
                "nothing more can be read or saved. The administrator must restore it and "
                "restart the app.",
                f"{self.path} is missing or is another file",
            )

    def _connect(self, synchronous: str) -> sqlite3.Connection:
        """A new connection to the existing file (never creates one: a deleted database
        is an error, not a fresh empty file)."""
        with _plain_errors():
            conn = sqlite3.connect(
                self._uri,
                uri=True,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA synchronous = {synchronous}")
        return conn

    @contextmanager
    def borrow(self, synchronous: str = "FULL") -> Iterator[sqlite3.Connection]:
        """A connection for this thread alone until the block ends, then back to the pool.

        For reads (writes go through `write`). `synchronous` is FULL for everything that
        matters; NORMAL only for convenience state that may be lost in a power cut.
        Storage failures inside the block raise StoreError.
        """
        self._check_file()
        with self._idle_lock:
            idle = self._idle[synchronous]
            conn = idle.pop() if idle else None
        if conn is None:
            conn = self._connect(synchronous)
        try:
            with _plain_errors():
                yield conn
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            with self._idle_lock:
                idle = self._idle[synchronous]
                if len(idle) < POOL_SIZE:
                    idle.append(conn)
                    conn = None
            if conn is not None:
                conn.close()

    def database(self) -> Database:
        """A sqlite-utils Database on a connection of its own (for tools and tests)."""
        return Database(self._connect("FULL"), execute_plugins=False)

    def close(self, wait: bool = False) -> None:
        """Close the pooled connections and let the writer thread end (connections in
        use close when returned); with `wait`, return once the writer has closed its
        connection too. The store stays usable: it reconnects when used."""
        self._writer.stop(wait)
        with self._idle_lock:
            for idle in self._idle.values():
                for conn in idle:
                    conn.close()
                idle.clear()

    def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work(conn)` atomically and durably on the writer thread: all of it is
        stored, or none.

        Returns `work`'s result only after the commit, so a returned write survives a
        crash. Writes that queue while a commit is in flight are committed together,
        each in its own savepoint: an exception from one `work` undoes that work alone
        and is raised to its caller alone. When the transaction as a whole fails (the
        commit, or a full disk or I/O error that makes SQLite roll everything back),
        every caller of that batch gets StoreError and nothing of the batch is stored.
        `work` must use only the connection it is given and must not return a cursor.
        Waits while another process holds the database; StoreBusy after
        `quiz_app.writer.WRITE_PATIENCE_S`.
        """
        if self.read_only:
            raise StoreError(
                "The database was opened read-only, so nothing can be saved.", self.path
            )
        return self._writer.run(work)

    def pragma(self, name: str) -> Any:
        """The value of a PRAGMA on the store's connections (journal_mode, synchronous...)."""
        with self.borrow() as conn:
            return conn.execute(f"PRAGMA {name}").fetchone()[0]

    def migrate(self) -> None:
        """Turn on WAL and apply pending migrations, in one exclusive transaction."""
        with self.borrow() as conn:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
        self.write(lambda conn: migrations.apply(Database(conn, execute_plugins=False)))

    def check(self) -> None:
        """Raise StoreError unless the file is sound and this process can write to it.

        Runs SQLite's `PRAGMA quick_check`, which reads every page (0.1 s for the 70 MB
        database of a 1,000-learner demo cohort), then a trial write that the writer undoes
        at once, so nothing changes. `quiz-app serve` runs it before it starts.
        """
        with self.borrow() as conn:
            _quick_check(conn)
        with suppress(_TrialWritten):
            self.write(_trial_write)

    def applied_migrations(self) -> list[str]:
        with self.borrow() as conn:
            return [m.name for m in migrations.applied(Database(conn, execute_plugins=False))]

    def check_current(self) -> None:
        """Raise StoreError unless the file is a quiz database with exactly the migrations
        of this version applied (for a read-only store, which cannot apply them)."""
        with self.borrow() as conn:
            db = Database(conn, execute_plugins=False)
            if not db[migrations.migrations_table].exists():
                raise StoreError(
                    "This file is an SQLite database but not a quiz database.", self.path
                )
            applied = {m.name for m in migrations.applied(db)}
            pending = migrations.pending(db)
        if applied - {m.name for m in migrations.pending(Database(memory=True))}:
            raise StoreError(
                "This database was written by a newer version of quiz-app; upgrade quiz-app "
                "to read it.",
                self.path,
            )
        if pending:
            raise StoreError(
                "This database was made by an older version of quiz-app and needs an upgrade, "
                "which a read-only command does not do: start the app on it once "
                "(quiz-app serve --db ...), then try again.",
                f"{self.path}: {len(pending)} migrations pending",
            )
