"""The write engine: one writer thread per Store performs every write to its database file.

A caller hands `work(conn)` to `Writer.run` and waits. The writer thread takes every job
queued since its last commit, runs each in a savepoint of one `BEGIN IMMEDIATE`
transaction, commits once (one fsync shared by the group), and only then gives each
caller its own result. A job whose work raised gets its own exception and leaves no
trace; when the transaction as a whole fails (the commit, a rollback SQLite made by
itself after a full disk or an I/O error, a connection that cannot be opened) every job
of that batch gets the same plain-words error. So each caller gets exactly one of its
committed result or an exception, by construction: this is the shape of datasette's
write thread (`Database.execute_write_fn`), with group commit added.

Storage failures are turned into `StoreError`, whose message says what happened in
words a learner or an administrator can act on; the SQLite detail stays in `detail`.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from quiz_app.errors import QuizError

T = TypeVar("T")

WRITE_PATIENCE_S = 30.0  # how long a write waits for another process's lock
IDLE_EXIT_S = 2.0  # an idle writer thread ends; the next write starts another


class StoreError(QuizError):
    """The database cannot be used: full disk, read-only, damaged, missing or busy.

    `str()` is the message for a person; `detail` is SQLite's own words, for logs and
    the command line.
    """

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.detail = detail


class StoreBusy(StoreError):
    """The database stayed locked by another process for too long."""


# SQLite's primary error names, in words. Extended names (SQLITE_IOERR_WRITE, ...) match
# their primary name.
_PLAIN = {
    "SQLITE_FULL": "The server's disk is full, so this could not be saved. Everything saved "
    "before is safe. Please tell your instructor or the administrator.",
    "SQLITE_READONLY": "The database is read-only, so this could not be saved. Everything "
    "saved before is safe. Please tell your instructor or the administrator.",
    "SQLITE_CORRUPT": "The database file is damaged, so nothing can be read or saved. The "
    "administrator can restore it from a backup.",
    "SQLITE_NOTADB": "The database file is damaged or is not a quiz database, so nothing can "
    "be read or saved. The administrator can restore it from a backup.",
    "SQLITE_CANTOPEN": "The database file cannot be opened (it may have been moved or "
    "deleted), so nothing can be read or saved. Please tell the administrator.",
    "SQLITE_IOERR": "The server could not read or write its disk, so this was not saved. "
    "Please try again in a moment; if it keeps happening, tell the administrator.",
    "SQLITE_PERM": "The server may not open the database file, so nothing can be read or "
    "saved. Please tell the administrator.",
}
BUSY_MESSAGE = "The database is busy right now; please try again in a moment."


def is_busy(exc: sqlite3.Error) -> bool:
    name = getattr(exc, "sqlite_errorname", "")
    message = str(exc).lower()
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in message


def storage_error(exc: BaseException) -> StoreError | None:
    """The StoreError for a storage failure, or None when `exc` is not one (a constraint
    refused, a programming error: those stay the caller's own exception)."""
    if isinstance(exc, StoreError):
        return exc
    if not isinstance(exc, sqlite3.Error):
        return None
    if is_busy(exc):
        return StoreBusy(BUSY_MESSAGE, str(exc))
    name = getattr(exc, "sqlite_errorname", "") or ""
    for primary, message in _PLAIN.items():
        if name == primary or name.startswith(primary + "_"):
            return StoreError(message, f"{name}: {exc}")
    if "malformed" in str(exc) or "not a database" in str(exc):
        return StoreError(_PLAIN["SQLITE_CORRUPT"], str(exc))
    return None


def damaged(detail: str) -> StoreError:
    """The StoreError for a file SQLite's own checks found damaged (`detail` says where)."""
    return StoreError(_PLAIN["SQLITE_CORRUPT"], detail)


def not_a_database(detail: str) -> StoreError:
    """The StoreError for a file that is not an SQLite database at all (`detail` says why)."""
    return StoreError(_PLAIN["SQLITE_NOTADB"], "SQLITE_NOTADB: " + detail)


def _plain(exc: BaseException) -> StoreError:
    """A fresh StoreError (one per caller) for a failure that undid a whole batch."""
    mapped = storage_error(exc)
    if mapped is not None:
        return type(mapped)(str(mapped), mapped.detail)
    return StoreError(
        "The database could not save this (the whole batch of writes was undone). Please "
        "try again.",
        f"{type(exc).__name__}: {exc}",
    )


class _Job:
    """One write waiting for the writer thread, and how it ended (set exactly once)."""

    __slots__ = ("_done", "error", "result", "work")

    def __init__(self, work: Callable[[sqlite3.Connection], Any]):
        self.work = work
        self.result: Any = None
        self.error: BaseException | None = None
        self._done = threading.Event()

    @property
    def finished(self) -> bool:
        return self._done.is_set()

    def succeed(self, result: Any) -> None:
        self.result = result
        self._done.set()

    def fail(self, error: BaseException) -> None:
        # The traceback's frames still hold the work's locals (cursors among them); free
        # them here, on the writer thread, and never on the caller's while the writer
        # uses the same connection.
        traceback.clear_frames(error.__traceback__)
        self.error = error
        self._done.set()

    def wait(self) -> Any:
        self._done.wait()
        if self.error is not None:
            raise self.error
        return self.result


class Writer:
    """The writer thread of one Store (started on demand, ended after IDLE_EXIT_S idle).

    `connect()` opens the writer's connection; `check()` raises StoreError when the
    database file can no longer be trusted (deleted or replaced); both run on the thread.
    """

    def __init__(
        self, connect: Callable[[], sqlite3.Connection], check: Callable[[], None], name: str
    ):
        self._connect = connect
        self._check = check
        self._name = name
        self._cond = threading.Condition()
        self._jobs: list[_Job] = []
        self._thread: threading.Thread | None = None
        self._started: list[threading.Thread] = []  # for stop(wait): may still be closing
        self._stopping = False

    def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work(conn)` committed; returns its result or raises its (or the batch's) error."""
        if threading.current_thread() is self._thread:
            raise RuntimeError("a write cannot start another write from inside its work")
        job = _Job(work)
        with self._cond:
            self._jobs.append(job)
            if self._thread is None:
                self._stopping = False
                self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
                self._thread.start()
                self._started = [t for t in self._started if t.is_alive()] + [self._thread]
            self._cond.notify()
        return job.wait()

    def stop(self, wait: bool = False) -> None:
        """Let the thread end once the queue is empty (Store.close); with `wait`, return
        once it has ended and closed its connection (never waits on the thread itself)."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
            threads = list(self._started)
        if wait:
            for thread in threads:
                if thread is not threading.current_thread():
                    thread.join()

    def _loop(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            while True:
                with self._cond:
                    if not self._jobs and not self._stopping:
                        self._cond.wait(IDLE_EXIT_S)
                    if not self._jobs:
                        self._thread = None
                        return
                    batch, self._jobs = self._jobs, []
                conn = self._commit(batch, conn)
        finally:
            if conn is not None:
                conn.close()

    def _commit(
        self, batch: list[_Job], conn: sqlite3.Connection | None
    ) -> sqlite3.Connection | None:
        """Run and commit one batch; returns the connection to keep (None if it broke)."""
        done: list[tuple[_Job, Any]] = []
        try:
            self._check()
            if conn is None:
                conn = self._connect()
            _begin_immediate(conn)
            for job in batch:
                conn.execute("SAVEPOINT write_item")
                try:
                    result = job.work(conn)
                    if isinstance(result, sqlite3.Cursor):
                        raise TypeError("a write's work must not return a cursor (it would "
                                        "outlive the work on another thread)")  # fmt: skip
                except Exception as exc:
                    if not conn.in_transaction:
                        raise  # SQLite rolled the whole transaction back by itself
                    conn.execute("ROLLBACK TO write_item")
                    conn.execute("RELEASE write_item")
                    job.fail(storage_error(exc) or exc)
                else:
                    conn.execute("RELEASE write_item")
                    done.append((job, result))
            conn.execute("COMMIT")
        except BaseException as exc:
            _discard(conn)
            for job in batch:
                if not job.finished:
                    job.fail(_plain(exc))
            return None
        for job, result in done:
            job.succeed(result)
        return conn


def _discard(conn: sqlite3.Connection | None) -> None:
    """Roll back and close a connection whose batch failed (the next batch opens a new one,
    so nothing of a broken or deleted file's connection is reused)."""
    if conn is None:
        return
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass
    finally:
        conn.close()


def _begin_immediate(conn: sqlite3.Connection) -> None:
    give_up = time.monotonic() + WRITE_PATIENCE_S
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if not is_busy(exc) or time.monotonic() > give_up:
                raise
            time.sleep(0.05)
