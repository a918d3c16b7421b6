"""The store: the one module that speaks SQL, over SQLite through sqlite-utils.

The database runs in WAL mode with foreign keys on, `synchronous=FULL` (an
acknowledged answer survives a crash or power cut) and a busy timeout. No connection
is ever used by two threads at once: every write goes through the Store's writer thread
(`quiz_app.writer`: group commit, each caller gets its own committed result or an
exception), and each read borrows a connection from a small pool for its duration.
Streamlit runs every script run in a short-lived thread, so a pool, rather than a
connection per thread, spares each rerun from opening a new one.

A database busy in another process is waited for: "database is locked" never reaches a
person; after a long wait they get StoreBusy instead. Storage failures (full disk,
read-only or damaged file, a file deleted or replaced while the app runs) raise
StoreError with a plain message.
"""

from __future__ import annotations

import json
import operator
import os
import re
import sqlite3
import stat as stat_module
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from fractions import Fraction
from itertools import repeat
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

from quiz_app import files, grading
from quiz_app.errors import QuizError
from quiz_app.migrations import migrations, restore_report_sums, set_report_sums_aside
from quiz_app.records import Row
from quiz_app.usernames import username_skeleton
from quiz_app.writer import (
    StoreBusy,
    StoreError,
    Writer,
    damaged,
    is_busy,
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
# The primary key order of each data table WITHOUT ROWID (every other one's is rowid).
_KEY_ORDER = {
    "report_versions": "cohort_id, quiz_id",
    "attempt_slots": "attempt_id, position",
    "question_totals": "cohort_id, quiz_id, question_id, content_hash",
    "question_quarters": "cohort_id, quarter, quiz_id, question_id",
    "attempt_starts": "cohort_id, quarter, quiz_id",
}
BUSY_TIMEOUT_MS = 5_000
POOL_SIZE = 16
SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file
# a report window's bound as stored text, on a quarter hour (UTC): what m023's sums count by
_ON_QUARTER = re.compile(r"\d{4}-\d\d-\d\dT\d\d:(00|15|30|45):00\+00:00")
STREAM_BATCH = 1_000  # rows a streamed read fetches at a time
EXPORT_SAMPLE = 5_000  # attempts whose distinct answers the responses export writes first
# the responses export's username: the user id as text for someone not (or no longer) in
# the cohort, whose membership (m) and user (u) these joins of an attempt (a) find
_EXPORT_USERNAME = "coalesce(u.username, CAST(a.user_id AS TEXT))"
_EXPORT_MEMBER = (
    " LEFT JOIN memberships m ON m.cohort_id = a.cohort_id AND m.user_id = a.user_id"
    " LEFT JOIN users u ON u.id = m.user_id"
)
_MEMBER = (
    "SELECT u.id, u.username, u.display_name, m.joined_at FROM memberships m"
    " JOIN users u ON u.id = m.user_id"
)
_SET_PASSWORD = "UPDATE users SET password_hash = ? WHERE id = ?"
_CURRENT_OF_ATTEMPT = "SELECT * FROM certificates WHERE attempt_id = ? AND superseded_by IS NULL"


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


def _unique_column(exc: sqlite3.IntegrityError) -> str | None:
    """The `table.column` a UNIQUE constraint failure names (one-column indexes), or None
    for any other integrity error."""
    if getattr(exc, "sqlite_errorname", None) != "SQLITE_CONSTRAINT_UNIQUE":
        return None
    prefix, message = "UNIQUE constraint failed: ", str(exc)
    return message.removeprefix(prefix) if message.startswith(prefix) else None


def _dicts(cursor: sqlite3.Cursor) -> list[Row]:
    # map(zip, ...), not zip(keys, row, strict=...) per row: a row always has the
    # description's length, and passing the keyword cost 30% of this function, which
    # every read goes through (500 rows: 0.33 ms, now 0.23 ms).
    keys = [d[0] for d in cursor.description or ()]
    return list(map(dict, map(zip, repeat(keys), cursor.fetchall())))


def _one(cursor: sqlite3.Cursor) -> Row | None:
    rows = _dicts(cursor)
    return rows[0] if rows else None


# Per learner, which of their attempts item analysis counts (analytics.choose_attempts):
# the rank 1 of each learner's attempts in this order, or every attempt.
_CHOOSE = {
    "first": "row_number() OVER (PARTITION BY a.user_id ORDER BY a.started_at, a.id)",
    "best": "row_number() OVER (PARTITION BY a.user_id"
    " ORDER BY a.score / a.max_score DESC, a.started_at, a.id)",
    "last": "row_number() OVER (PARTITION BY a.user_id ORDER BY a.started_at DESC, a.id DESC)",
    "all": "1",
}
# Whether slot `s` (a row of attempt_slots) showed the current version of its question,
# given :current, a JSON list of [question id, content hash]. The IN list does not depend on
# the row, so SQLite builds it once.
_IS_CURRENT = (
    "(s.question_id, coalesce(s.content_hash, ''))"
    " IN (SELECT value ->> 0, value ->> 1 FROM json_each(:current))"
)


def _pairs(current: Iterable[tuple[str, str]]) -> str:
    return json.dumps([list(pair) for pair in current])


# Whether attempt `a` is older than :before (stored UTC text; NULL: every attempt is):
# started and submitted before it, with no answer given at or after it.
# The tables whose rows are an attempt's records (they name it in `attempt_id`), in the
# order a prune deletes them: every one an audit pack holds, so a prune packs them first.
ATTEMPT_RECORD_TABLES = (
    "review_logs", "flags", "evaluations", "evaluation_drafts", "question_reports",
    "certificates", "responses",
)  # fmt: skip
# The reissues of the certificates of the attempts `{}` selects (by id).
_REISSUE_OF = (
    "old_code IN (SELECT code FROM certificates WHERE attempt_id IN ({0}))"
    " OR new_code IN (SELECT code FROM certificates WHERE attempt_id IN ({0}))"
)
_OLDER = (
    "(:before IS NULL OR (a.started_at < :before"
    " AND coalesce(a.submitted_at, a.started_at) < :before"
    " AND NOT EXISTS (SELECT 1 FROM responses o WHERE o.attempt_id = a.id"
    " AND o.answered_at >= :before)))"
)

_RESPONSES = "SELECT * FROM responses WHERE attempt_id = ? ORDER BY answered_at, question_id"


def _answers_refused(
    conn: sqlite3.Connection, attempt_id: int, now: str, reviewer: Reviewer | None
) -> str | None:
    """Inside a write: why the attempt's answers can no longer change ("missing", "closed",
    or "late", in which case it is submitted as it stood at its deadline), or None."""
    row = conn.execute(
        "SELECT submitted_at, deadline FROM attempts WHERE id = ?", (attempt_id,)
    ).fetchone()
    if row is None:
        return "missing"
    submitted_at, deadline = row
    if submitted_at is not None:
        return "closed"
    if grading.expired(deadline, now):
        _close(conn, attempt_id, deadline, reviewer)
        return "late"
    return None


def _answer_outcome(attempt_id: int, outcome: str) -> bool:
    """True when an answer changed; raises for a write `_answers_refused` refused."""
    if outcome == "missing":
        raise NotFound(f"There is no attempt {attempt_id}.")
    if outcome == "closed":
        raise AttemptClosed("This attempt has been submitted; its answers can no longer change.")
    if outcome == "late":
        raise DeadlinePassed(
            "Time is up: the answer came after the deadline, so the attempt was submitted "
            "with the answers given before it."
        )
    return outcome == "changed"


def _review(
    conn: sqlite3.Connection,
    reviewer: Reviewer,
    user_id: int,
    attempt_id: int,
    question_id: str,
    content_hash: str,
    mark: Fraction,
    at: str,
) -> None:
    """Inside the write that stores (or releases) an answer: the learner's card of its
    question after it, as `reviewer` decides (None: not a review), and its log row.
    Once per answer: a review already logged for this attempt and question is kept."""
    card = _one(
        conn.execute(
            "SELECT * FROM cards WHERE user_id = ? AND question_id = ?", (user_id, question_id)
        )
    )
    change = reviewer(question_id, content_hash, mark, at, card)
    if change is None:
        return
    logged = conn.execute(
        "INSERT INTO review_logs (user_id, question_id, attempt_id, rating, reviewed_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (attempt_id, question_id) DO NOTHING",
        (user_id, question_id, attempt_id, change["rating"], at),
    )
    if logged.rowcount != 1:
        return
    conn.execute(
        "INSERT INTO cards (user_id, question_id, key_hash, card, due, stability, difficulty,"
        " last_review, card_before, last_attempt_id, reviews)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)"
        " ON CONFLICT (user_id, question_id) DO UPDATE SET key_hash = excluded.key_hash,"
        " card = excluded.card, due = excluded.due, stability = excluded.stability,"
        " difficulty = excluded.difficulty, last_review = excluded.last_review,"
        " card_before = excluded.card_before, last_attempt_id = excluded.last_attempt_id,"
        " reviews = CASE WHEN cards.key_hash = excluded.key_hash THEN cards.reviews + 1 ELSE 1 END",
        (user_id, question_id, change["key_hash"], change["card"], change["due"],
         change["stability"], change["difficulty"], change["last_review"],
         change["card_before"], attempt_id),
    )  # fmt: skip


def _review_answer(
    conn: sqlite3.Connection,
    reviewer: Reviewer,
    attempt_id: int,
    question_id: str,
    content_hash: str,
    mark: Fraction,
    at: str,
) -> None:
    """Inside the write that stores a new answer: a review of its question when the
    attempt releases feedback at each answer (practice); a post-test's wait for submit."""
    user_id, mode = conn.execute(
        "SELECT user_id, mode FROM attempts WHERE id = ?", (attempt_id,)
    ).fetchone()
    if grading.feedback_released(mode, submitted=False):
        _review(conn, reviewer, user_id, attempt_id, question_id, content_hash, mark, at)


def _close(
    conn: sqlite3.Connection, attempt_id: int, at: str, reviewer: Reviewer | None = None
) -> bool:
    """Submit an open attempt at `at` inside a write: its exact total and pass or fail,
    decided by quiz_app.grading. False when it was submitted already. A post-test's
    answers are reviews from now (their feedback is released): with `reviewer`, each
    updates its card in this same write."""
    row = conn.execute(
        "SELECT slots, pass_mark, mode, user_id FROM attempts WHERE id = ?"
        " AND submitted_at IS NULL",
        (attempt_id,),
    ).fetchone()
    if row is None:
        return False
    max_score = float(len(json.loads(row[0])))
    score = grading.total(
        grading.exact(text) or Fraction(0)
        for (text,) in conn.execute(
            "SELECT mark_exact FROM responses WHERE attempt_id = ?", (attempt_id,)
        )
    )
    passed = None if row[1] is None else int(grading.passed(score, max_score, row[1]))
    conn.execute(
        "UPDATE attempts SET submitted_at = ?, score = ?, score_exact = ?, max_score = ?,"
        " passed = ? WHERE id = ?",
        (at, float(score), grading.stored(score), max_score, passed, attempt_id),
    )
    if reviewer is not None and not grading.feedback_released(row[2], submitted=False):
        answers = conn.execute(
            "SELECT question_id, content_hash, mark_exact FROM responses WHERE attempt_id = ?"
            " ORDER BY answered_at, question_id",
            (attempt_id,),
        ).fetchall()
        for question_id, content_hash, mark_text in answers:
            mark = grading.exact(mark_text) or Fraction(0)
            _review(conn, reviewer, row[3], attempt_id, question_id, content_hash, mark, at)
    return True


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


def _accommodations_of(conn: sqlite3.Connection, user_id: int) -> list[Row]:
    return _dicts(
        conn.execute(
            f"SELECT a.* FROM users u {_IN_FORCE.format(learner='u.id')} WHERE u.id = ?",
            (user_id,),
        )
    )


def _cohorts_of(conn: sqlite3.Connection, table: str, rows: list[Row]) -> set[int]:
    """The cohorts whose report sums inserting `rows` into `table` changes: those of new
    attempts, and of the attempts of new answers."""
    if table == "attempts":
        return {row["cohort_id"] for row in rows if row.get("cohort_id") is not None}
    if table == "responses":
        ids = json.dumps(sorted({row["attempt_id"] for row in rows}))
        return {
            cohort
            for (cohort,) in conn.execute(
                "SELECT DISTINCT cohort_id FROM attempts WHERE id IN"
                " (SELECT value FROM json_each(?)) AND cohort_id IS NOT NULL",
                (ids,),
            )
        }
    return set()


def _insert_rows(conn: sqlite3.Connection, table: str, rows: list[Row]) -> None:
    """Insert rows that share their first row's columns into a data table."""
    columns = tuple(rows[0])
    if table not in DATA_TABLES or not all(c.isidentifier() for c in columns):
        raise ValueError(f"cannot bulk-load {table} {columns}")
    width = len(columns)
    if any(len(row) != width for row in rows):
        raise ValueError(f"the rows for {table} do not all have the columns {columns}")
    values = operator.itemgetter(*columns) if width > 1 else lambda row: (row[columns[0]],)
    try:
        conn.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * width)})",
            map(values, rows),
        )
    except KeyError as exc:
        raise ValueError(f"the rows for {table} do not all have the columns {columns}") from exc


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


class Store:
    """All reads and writes of one SQLite file. Safe to share between threads.

    Opening creates the file if need be and applies pending migrations; raises
    StoreError when the file is not a usable quiz database (`check_database_file`).
    `read_only` opens an existing file as it is: no file is created, no migration is
    applied, nothing is written (`write` raises StoreError), and SQLite is asked for
    read-only connections, so the file is never changed or locked against the app.
    """

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

    # -- users -----------------------------------------------------------------------

    def create_user(
        self, username: str, display_name: str, role: str, password_hash: str, now: str
    ) -> int:
        """Insert a user with the skeleton of `username` (`usernames.username_skeleton`).

        One INSERT decides, under the UNIQUE indexes on username and skeleton: raises
        UsernameTaken when the username exists, LookalikeTaken (naming the account) when
        another username has the same skeleton.
        """
        skeleton = username_skeleton(username)

        def insert(conn: sqlite3.Connection) -> int:
            try:
                cursor = conn.execute(
                    "INSERT INTO users (username, display_name, role, password_hash,"
                    " created_at, skeleton) VALUES (?, ?, ?, ?, ?, ?)",
                    (username, display_name, role, password_hash, now, skeleton),
                )
            except sqlite3.IntegrityError as exc:
                column = _unique_column(exc)
                if column not in ("users.username", "users.skeleton"):
                    raise
                taken = conn.execute(
                    "SELECT username FROM users WHERE skeleton = ?", (skeleton,)
                ).fetchone()
                # Both indexes fail for the same username; SQLite names only one.
                if column == "users.username" or taken is None or taken[0] == username:
                    raise UsernameTaken(
                        f'The username "{username}" is taken; choose another.'
                    ) from None
                raise LookalikeTaken(username, taken[0]) from None
            return int(cursor.lastrowid or 0)

        return self.write(insert)

    def user(self, user_id: int) -> Row | None:
        return self.first("SELECT * FROM users WHERE id = ?", (user_id,))

    def user_by_username(self, username: str) -> Row | None:
        return self.first("SELECT * FROM users WHERE username = ?", (username,))

    def user_by_skeletons(self, skeletons: Iterable[str]) -> Row | None:
        """The first account (lowest id) whose username has one of these skeletons, or
        None: one indexed lookup per skeleton, in one query."""
        return self.first(
            "SELECT * FROM users WHERE skeleton IN (SELECT value FROM json_each(?))"
            " ORDER BY id LIMIT 1",
            (json.dumps(list(skeletons)),),
        )

    def set_display_name(self, user_id: int, display_name: str) -> bool:
        """Change a user's display name unless a certificate has been issued to them, in
        one statement; True when it was changed."""
        return (
            self.execute(
                "UPDATE users SET display_name = ? WHERE id = ? AND NOT EXISTS"
                " (SELECT 1 FROM certificates WHERE user_id = users.id)",
                (display_name, user_id),
            )
            > 0
        )

    def set_licence(self, user_id: int, number: str | None, jurisdiction: str | None) -> None:
        """Store (or, with None, clear) a user's licence number and jurisdiction."""
        self.execute(
            "UPDATE users SET licence_number = ?, licence_jurisdiction = ? WHERE id = ?",
            (number, jurisdiction, user_id),
        )

    def set_password(self, user_id: int, password_hash: str, keep_session_id: int | None) -> None:
        """Store a new password hash and delete every session of the user but
        `keep_session_id`, in one write."""

        def change(conn: sqlite3.Connection) -> None:
            conn.execute(_SET_PASSWORD, (password_hash, user_id))
            conn.execute(
                "DELETE FROM sessions WHERE user_id = ? AND id IS NOT ?", (user_id, keep_session_id)
            )

        self.write(change)

    def take_signin_ticket(
        self,
        guard_key: str,
        device_hash: str | None,
        user_id: int | None,
        now: str,
        lock_until: str,
        limit: int,
        device_limit: int,
    ) -> Row:
        """Allow one password check, or refuse it, in one write (so parallel guesses queue).

        With `device_hash` naming a live device of `user_id` that has had fewer than
        `device_limit` failures, the check is the device's: {"device": True, "checks": n}
        (n counts this check). Otherwise it is the guard's: while the guard of
        `guard_key` has given fewer than `limit` checks since it was opened (a new guard
        is open until `lock_until`), {"device": False, "checks": n}; the `limit`-th check
        keeps the guard until `lock_until`. Refused: {"device": False, "checks": None,
        "locked_until": ...}. Guards past their time are dropped first.
        """

        def take(conn: sqlite3.Connection) -> Row:
            conn.execute("DELETE FROM signin_guards WHERE renews_at <= ?", (now,))
            if device_hash is not None:
                mine = conn.execute(
                    "UPDATE devices SET failures = failures + 1 WHERE token_hash = ?"
                    " AND user_id = ? AND expires_at > ? AND failures < ? RETURNING failures",
                    (device_hash, user_id, now, device_limit),
                ).fetchall()
                if mine:
                    return {"device": True, "checks": mine[0][0]}
            taken = conn.execute(
                "INSERT INTO signin_guards (key, checks, renews_at) VALUES (?, 1, ?)"
                " ON CONFLICT (key) DO UPDATE SET checks = checks + 1,"
                " renews_at = CASE WHEN checks + 1 >= ? THEN excluded.renews_at"
                " ELSE renews_at END"
                " WHERE checks < ? RETURNING checks",
                (guard_key, lock_until, limit, limit),
            ).fetchall()
            if taken:
                return {"device": False, "checks": taken[0][0]}
            until = conn.execute(
                "SELECT renews_at FROM signin_guards WHERE key = ?", (guard_key,)
            ).fetchone()[0]
            return {"device": False, "checks": None, "locked_until": until}

        return self.write(take)

    def signin_succeeded(self, guard_key: str, device_hash: str | None) -> None:
        """Clear the count a successful check was taken from: the device's, else the guard."""
        if device_hash is not None:
            sql, key = "UPDATE devices SET failures = 0 WHERE token_hash = ?", device_hash
        else:
            sql, key = "DELETE FROM signin_guards WHERE key = ?", guard_key
        self.execute(sql, (key,))

    def forget_failing_device(self, device_hash: str, limit: int) -> bool:
        """Delete the device if it has had `limit` failures; True when it was deleted."""
        return (
            self.execute(
                "DELETE FROM devices WHERE token_hash = ? AND failures >= ?", (device_hash, limit)
            )
            > 0
        )

    # -- sessions and devices ----------------------------------------------------------

    def create_session(
        self, user_id: int, handoff_hash: str, handoff_expires_at: str, now: str, expires_at: str
    ) -> int:
        """A new session without a token yet, claimable once with the hand-off code; its id.

        Expired sessions and devices of the user are dropped.
        """

        def insert(conn: sqlite3.Connection) -> int:
            for table in ("sessions", "devices"):
                conn.execute(
                    f"DELETE FROM {table} WHERE user_id = ? AND expires_at <= ?", (user_id, now)
                )
            cursor = conn.execute(
                "INSERT INTO sessions (user_id, created_at, expires_at, handoff_hash,"
                " handoff_expires_at) VALUES (?, ?, ?, ?, ?)",
                (user_id, now, expires_at, handoff_hash, handoff_expires_at),
            )
            return int(cursor.lastrowid or 0)

        return self.write(insert)

    def claim_session(
        self,
        handoff_hash: str,
        token_hash: str,
        now: str,
        presented_hash: str | None,
        device_hash: str | None,
        new_device_hash: str,
        device_expires_at: str,
    ) -> Row | None:
        """Give the session of an unused, unexpired hand-off code its token, in one write.

        The code is used up. The session the browser presented (`presented_hash`), if it
        is another, is deleted. Unless `device_hash` is a live device of the session's
        user, the device `new_device_hash` is created. Returns {"user_id", "expires_at",
        "new_device": bool}, or None when the code is unknown, used or expired.
        """

        def claim(conn: sqlite3.Connection) -> Row | None:
            claimed = conn.execute(
                "UPDATE sessions SET token_hash = ?, handoff_hash = NULL,"
                " handoff_expires_at = NULL WHERE handoff_hash = ? AND handoff_expires_at > ?"
                " AND expires_at > ? RETURNING id, user_id, expires_at",
                (token_hash, handoff_hash, now, now),
            ).fetchall()
            if not claimed:
                return None
            session_id, user_id, expires_at = claimed[0]
            if presented_hash is not None:
                conn.execute(
                    "DELETE FROM sessions WHERE token_hash = ? AND id != ?",
                    (presented_hash, session_id),
                )
            known = conn.execute(
                "SELECT 1 FROM devices WHERE token_hash = ? AND user_id = ? AND expires_at > ?",
                (device_hash, user_id, now),
            ).fetchone()
            if known is None:
                conn.execute(
                    "INSERT INTO devices (token_hash, user_id, created_at, expires_at)"
                    " VALUES (?, ?, ?, ?)",
                    (new_device_hash, user_id, now, device_expires_at),
                )
            return {"user_id": user_id, "expires_at": expires_at, "new_device": known is None}

        return self.write(claim)

    def session_user(self, session_id: int, now: str) -> Row | None:
        """The user of an unexpired session, by the session's id, or None."""
        return self.first(
            "SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id"
            " WHERE s.id = ? AND s.expires_at > ?",
            (session_id, now),
        )

    def session_of_token(self, token_hash: str, now: str) -> Row | None:
        """The user of the unexpired session with this token, with its "session_id", or None."""
        return self.first(
            "SELECT s.id AS session_id, u.* FROM sessions s JOIN users u ON u.id = s.user_id"
            " WHERE s.token_hash = ? AND s.expires_at > ?",
            (token_hash, now),
        )

    def delete_session(self, session_id: int) -> None:
        self.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    def delete_session_of_token(self, token_hash: str) -> None:
        self.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    # -- password resets -------------------------------------------------------------

    def create_password_reset(
        self, user_id: int, token_hash: str, now: str, expires_at: str, issued_by: int | None
    ) -> None:
        """A new reset link for the user; their older unused links are deleted in the same
        write, so only the newest works."""

        def insert(conn: sqlite3.Connection) -> None:
            conn.execute(
                "DELETE FROM password_resets WHERE user_id = ? AND used_at IS NULL", (user_id,)
            )
            conn.execute(
                "INSERT INTO password_resets (token_hash, user_id, issued_by, created_at,"
                " expires_at) VALUES (?, ?, ?, ?, ?)",
                (token_hash, user_id, issued_by, now, expires_at),
            )

        self.write(insert)

    def password_reset_user(self, token_hash: str, now: str) -> Row | None:
        """The user of an unused, unexpired reset link, or None."""
        return self.first(
            "SELECT u.* FROM password_resets r JOIN users u ON u.id = r.user_id"
            " WHERE r.token_hash = ? AND r.used_at IS NULL AND r.expires_at > ?",
            (token_hash, now),
        )

    def use_password_reset(
        self, token_hash: str, now: str, password_hash: str, guard_key: str
    ) -> int | None:
        """Use an unused, unexpired reset link, in one write: mark it used, store the new
        password hash, delete every session of its user, clear the sign-in guard
        `guard_key` (their username's lock) and their devices' failure counts. Returns
        the user's id, or None (nothing changed) when the link is unknown, used or
        expired."""

        def use(conn: sqlite3.Connection) -> int | None:
            used = conn.execute(
                "UPDATE password_resets SET used_at = ? WHERE token_hash = ?"
                " AND used_at IS NULL AND expires_at > ? RETURNING user_id",
                (now, token_hash, now),
            ).fetchall()
            if not used:
                return None
            user_id = int(used[0][0])
            conn.execute(_SET_PASSWORD, (password_hash, user_id))
            conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))
            conn.execute("UPDATE devices SET failures = 0 WHERE user_id = ?", (user_id,))
            conn.execute("DELETE FROM signin_guards WHERE key = ?", (guard_key,))
            return user_id

        return self.write(use)

    # -- cohorts ---------------------------------------------------------------------

    def create_cohort(
        self,
        name: str,
        join_code: str,
        instructor_id: int,
        starts_on: str | None,
        ends_on: str | None,
        now: str,
    ) -> int:
        def insert(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(
                "INSERT INTO cohorts (name, join_code, instructor_id, starts_on, ends_on,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (name, join_code, instructor_id, starts_on, ends_on, now),
            )
            return int(cursor.lastrowid or 0)

        return self.write(insert)

    def cohort(self, cohort_id: int) -> Row | None:
        return self.first("SELECT * FROM cohorts WHERE id = ?", (cohort_id,))

    def cohort_by_code(self, join_code: str) -> Row | None:
        return self.first("SELECT * FROM cohorts WHERE join_code = ?", (join_code,))

    def cohorts_of(self, instructor_id: int) -> list[Row]:
        """An instructor's cohorts, archived ones too, newest first, with their `members`."""
        return self.query(
            "SELECT c.*, (SELECT count(*) FROM memberships m WHERE m.cohort_id = c.id) AS members"
            " FROM cohorts c WHERE c.instructor_id = ? ORDER BY c.created_at DESC, c.id DESC",
            (instructor_id,),
        )

    def rename_cohort(self, cohort_id: int, name: str) -> None:
        self.execute("UPDATE cohorts SET name = ? WHERE id = ?", (name, cohort_id))

    def set_cohort_archived(self, cohort_id: int, archived_at: str | None) -> None:
        """Archive a cohort at `archived_at`, or (None) take it out of the archive."""
        self.execute("UPDATE cohorts SET archived_at = ? WHERE id = ?", (archived_at, cohort_id))

    def set_join_code(self, cohort_id: int, join_code: str) -> None:
        self.execute("UPDATE cohorts SET join_code = ? WHERE id = ?", (join_code, cohort_id))

    def join_cohort(self, cohort_id: int, user_id: int, now: str, today: str) -> str:
        """Add a member, unless the cohort is archived or ended before `today` (a
        YYYY-MM-DD day), checked in the insert itself so that an archive or a new end
        date meanwhile is never missed. Returns "joined", "already" (a member before:
        nothing changes), "archived" or "ended"."""

        def insert(conn: sqlite3.Connection) -> str:
            if conn.execute(
                "SELECT 1 FROM memberships WHERE cohort_id = ? AND user_id = ?",
                (cohort_id, user_id),
            ).fetchone():
                return "already"
            cursor = conn.execute(
                "INSERT INTO memberships (cohort_id, user_id, joined_at)"
                " SELECT id, ?, ? FROM cohorts WHERE id = ? AND archived_at IS NULL"
                " AND (ends_on IS NULL OR ends_on >= ?)",
                (user_id, now, cohort_id, today),
            )
            if cursor.rowcount == 1:
                return "joined"
            (archived,) = conn.execute(
                "SELECT archived_at FROM cohorts WHERE id = ?", (cohort_id,)
            ).fetchone()
            return "archived" if archived else "ended"

        return self.write(insert)

    def cohorts_joined(self, user_id: int) -> list[Row]:
        return self.query(
            "SELECT c.*, m.joined_at FROM memberships m JOIN cohorts c ON c.id = m.cohort_id"
            " WHERE m.user_id = ? ORDER BY m.joined_at",
            (user_id,),
        )

    def teaches(self, instructor_id: int, user_id: int) -> bool:
        """Whether the user is a member of one of the instructor's cohorts."""
        return (
            self.first(
                "SELECT 1 FROM memberships m JOIN cohorts c ON c.id = m.cohort_id"
                " WHERE c.instructor_id = ? AND m.user_id = ? LIMIT 1",
                (instructor_id, user_id),
            )
            is not None
        )

    def members(self, cohort_id: int) -> list[Row]:
        return self.query(_MEMBER + " WHERE m.cohort_id = ? ORDER BY u.display_name", (cohort_id,))

    def member(self, cohort_id: int, user_id: int) -> Row | None:
        """One member of a cohort (as `members` gives them), or None for anyone else."""
        return self.first(
            _MEMBER + " WHERE m.cohort_id = ? AND m.user_id = ?", (cohort_id, user_id)
        )

    # -- accommodations --------------------------------------------------------------

    def record_accommodation(
        self, fields: Row, deadline_of: Callable[[Row, list[Row]], str | None]
    ) -> int:
        """Append a row to `accommodations` (its columns in `fields`); returns its id.

        A grant extends, in the same write, the deadline of each open attempt of the
        learners it applies to that has not passed it yet (at `fields["recorded_at"]`):
        `deadline_of(attempt row, accommodation rows then in force for its learner)`
        gives the new deadline, stored only when later. A revocation shortens none.
        """
        columns = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        now = fields["recorded_at"]

        def insert(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(
                f"INSERT INTO accommodations ({columns}) VALUES ({marks})", tuple(fields.values())
            )
            if fields["action"] == "grant":
                learners = (
                    "SELECT ?" if fields["user_id"] is not None
                    else "SELECT user_id FROM memberships WHERE cohort_id = ?"
                )  # fmt: skip
                subject = (
                    fields["user_id"] if fields["user_id"] is not None else fields["cohort_id"]
                )
                for attempt in _dicts(
                    conn.execute(
                        "SELECT * FROM attempts WHERE submitted_at IS NULL AND deadline >= ?"
                        f" AND user_id IN ({learners})",
                        (now, subject),
                    )
                ):
                    later = deadline_of(attempt, _accommodations_of(conn, attempt["user_id"]))
                    if later is not None and later > attempt["deadline"]:
                        conn.execute(
                            "UPDATE attempts SET deadline = ? WHERE id = ?", (later, attempt["id"])
                        )
            return int(cursor.lastrowid or 0)

        return self.write(insert)

    def accommodations_of(self, user_id: int) -> list[Row]:
        """The accommodations in force for a learner: their own and their cohorts', in
        every cohort they are in."""
        with self.borrow() as conn:
            return _accommodations_of(conn, user_id)

    def member_accommodations(self, cohort_id: int) -> list[Row]:
        """The accommodations in force for each member of a cohort (from any cohort they
        are in), each row with its member's id as `learner_id`."""
        return self.query(
            "SELECT m.user_id AS learner_id, a.* FROM memberships m"
            f" {_IN_FORCE.format(learner='m.user_id')} WHERE m.cohort_id = ?",
            (cohort_id,),
        )

    def cohort_accommodations(self, cohort_id: int) -> list[Row]:
        """Every row a cohort's accommodations ever had, oldest first, with the learner's
        and the recorder's usernames and names (`username`, `display_name`: NULL for the
        whole cohort; `recorded_by_username`) and whether the row is in force now
        (`in_force`: the latest of its learner or cohort, and a grant)."""
        return self.query(
            "SELECT a.*, u.username, u.display_name, r.username AS recorded_by_username,"
            " (a.action = 'grant' AND a.id = (SELECT max(b.id) FROM accommodations b"
            " WHERE b.cohort_id = a.cohort_id AND b.user_id IS a.user_id)) AS in_force"
            " FROM accommodations a LEFT JOIN users u ON u.id = a.user_id"
            " JOIN users r ON r.id = a.recorded_by WHERE a.cohort_id = ? ORDER BY a.id",
            (cohort_id,),
        )

    # -- attempts --------------------------------------------------------------------

    def save_question_versions(self, versions: Iterable[tuple[str, str, str]]) -> None:
        """Keep (content_hash, question_id, content JSON) of shown questions; idempotent."""
        rows = list(versions)
        self.write(
            lambda conn: (
                conn.executemany(
                    "INSERT OR IGNORE INTO question_versions (content_hash, question_id, content)"
                    " VALUES (?, ?, ?)",
                    rows,
                ).rowcount
            )
        )

    def question_version(self, content_hash: str) -> Row | None:
        return self.first("SELECT * FROM question_versions WHERE content_hash = ?", (content_hash,))

    def create_attempt(
        self,
        fields: Row,
        allowed: int | None = None,
        reviewer: Reviewer | None = None,
        limits: Callable[[list[Row]], tuple[str | None, int | None]] | None = None,
    ) -> tuple[int, bool]:
        """Insert an attempt (the columns of `attempts` in `fields`), or find the open one.

        Returns (attempt id, True) when it was created, (id of the learner's open attempt
        of that quiz, False) when one is open, and (0, False) when `allowed` attempts of
        the quiz were used already (quiz_app.grading.may_start). With `limits`, the
        deadline and allowance are `limits(accommodation rows in force for the learner)`
        instead, read in the same write, so a grant at the same moment is never missed.
        All in one write, and the unique index on open attempts keeps one open attempt
        per learner and quiz however many starts race. An open attempt past its deadline
        is first submitted as it stood (`fields["started_at"]` is now).
        """
        user_id, quiz_id, now = fields["user_id"], fields["quiz_id"], fields["started_at"]
        columns = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)

        def insert(conn: sqlite3.Connection) -> tuple[int, bool]:
            values, cap = dict(fields), allowed
            if limits is not None:
                values["deadline"], cap = limits(_accommodations_of(conn, user_id))
            found = conn.execute(
                "SELECT id, deadline FROM attempts WHERE user_id = ? AND quiz_id = ?"
                " AND submitted_at IS NULL",
                (user_id, quiz_id),
            ).fetchone()
            if found is not None:
                if not grading.expired(found[1], now):
                    return found[0], False
                _close(conn, found[0], found[1], reviewer)
            (used,) = conn.execute(
                "SELECT count(*) FROM attempts WHERE user_id = ? AND quiz_id = ?",
                (user_id, quiz_id),
            ).fetchone()
            if not grading.may_start(used, cap):
                return 0, False
            cursor = conn.execute(
                f"INSERT INTO attempts ({columns}) VALUES ({marks})"
                " ON CONFLICT (user_id, quiz_id) WHERE submitted_at IS NULL DO NOTHING",
                tuple(values.values()),
            )
            if cursor.rowcount != 1:
                raise QuizError("Another attempt of this quiz opened at the same time.")
            return int(cursor.lastrowid or 0), True

        return self.write(insert)

    def attempt(self, attempt_id: int) -> Row | None:
        return self.first("SELECT * FROM attempts WHERE id = ?", (attempt_id,))

    def attempts_of(self, user_id: int, quiz_id: str | None = None) -> list[Row]:
        """A learner's attempts, newest first; of one quiz when `quiz_id` is given."""
        sql = "SELECT * FROM attempts WHERE user_id = ?"
        params: list[Any] = [user_id]
        if quiz_id is not None:
            sql += " AND quiz_id = ?"
            params.append(quiz_id)
        return self.query(sql + " ORDER BY started_at DESC, id DESC", params)

    def open_attempts(self, user_id: int) -> list[Row]:
        return self.query(
            "SELECT * FROM attempts WHERE user_id = ? AND submitted_at IS NULL"
            " ORDER BY started_at DESC, id DESC",
            (user_id,),
        )

    def count_attempts(self, user_id: int, quiz_id: str) -> int:
        row = self.first(
            "SELECT count(*) AS n FROM attempts WHERE user_id = ? AND quiz_id = ?",
            (user_id, quiz_id),
        )
        return int(row["n"]) if row else 0

    def set_position(self, attempt_id: int, position: int) -> None:
        """Remember the question a learner is on, without waiting for the disk.

        This is convenience state (a power cut costs one click), so it is written on a
        connection with `synchronous=NORMAL`; answers always go through `write`. A
        database busy for longer than the busy timeout skips the update.
        """
        with self.borrow("NORMAL") as conn:
            try:
                conn.execute(
                    "UPDATE attempts SET position = ? WHERE id = ? AND submitted_at IS NULL",
                    (position, attempt_id),
                )
            except sqlite3.OperationalError as exc:
                if not is_busy(exc):
                    raise

    def record_answer(
        self,
        attempt_id: int,
        question_id: str,
        answer: Any,
        mark: Fraction,
        content_hash: str,
        now: str,
        replace: bool = True,
        reviewer: Reviewer | None = None,
    ) -> bool:
        """Store one answer, idempotently; returns True when something changed.

        The same answer again changes nothing. A different answer replaces the old one
        when `replace` is set (else the first answer stands). Raises NotFound for an
        unknown attempt, AttemptClosed after submit, and DeadlinePassed after the
        deadline, in which case the attempt is submitted as it stood at its deadline.
        """
        encoded = json.dumps(answer, separators=(",", ":"))

        def upsert(conn: sqlite3.Connection) -> str:
            refused = _answers_refused(conn, attempt_id, now, reviewer)
            if refused:
                return refused
            update = (
                "DO UPDATE SET answer = excluded.answer, mark = excluded.mark,"
                " mark_exact = excluded.mark_exact, content_hash = excluded.content_hash,"
                " answered_at = excluded.answered_at WHERE responses.answer != excluded.answer"
                if replace
                else "DO NOTHING"
            )
            cursor = conn.execute(
                "INSERT INTO responses (attempt_id, question_id, answer, mark, mark_exact,"
                " max_mark, content_hash, answered_at) VALUES (?, ?, ?, ?, ?, 1.0, ?, ?)"
                f" ON CONFLICT (attempt_id, question_id) {update}",
                (attempt_id, question_id, encoded, float(mark), grading.stored(mark),
                 content_hash, now),
            )  # fmt: skip
            if cursor.rowcount != 1:
                return "same"
            if reviewer is not None:
                _review_answer(conn, reviewer, attempt_id, question_id, content_hash, mark, now)
            return "changed"

        return _answer_outcome(attempt_id, self.write(upsert))

    def clear_answer(
        self, attempt_id: int, question_id: str, now: str, reviewer: Reviewer | None = None
    ) -> bool:
        """Remove the answer to one question of an open attempt (its learner took every
        choice back); returns True when there was one. Raises as `record_answer` does."""

        def delete(conn: sqlite3.Connection) -> str:
            refused = _answers_refused(conn, attempt_id, now, reviewer)
            if refused:
                return refused
            cursor = conn.execute(
                "DELETE FROM responses WHERE attempt_id = ? AND question_id = ?",
                (attempt_id, question_id),
            )
            return "changed" if cursor.rowcount == 1 else "same"

        return _answer_outcome(attempt_id, self.write(delete))

    def set_flag(
        self,
        attempt_id: int,
        question_id: str,
        flagged: bool,
        now: str,
        reviewer: Reviewer | None = None,
    ) -> None:
        """Flag one question of an open attempt for review, or take the flag off. Raises
        as `record_answer` does (the same rule decides whether the attempt is open)."""

        def flag(conn: sqlite3.Connection) -> str:
            refused = _answers_refused(conn, attempt_id, now, reviewer)
            if refused:
                return refused
            if flagged:
                conn.execute(
                    "INSERT INTO flags (attempt_id, question_id, flagged_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (attempt_id, question_id) DO NOTHING",
                    (attempt_id, question_id, now),
                )
            else:
                conn.execute(
                    "DELETE FROM flags WHERE attempt_id = ? AND question_id = ?",
                    (attempt_id, question_id),
                )
            return "changed"

        _answer_outcome(attempt_id, self.write(flag))

    def flags(self, attempt_id: int) -> set[str]:
        """The questions of an attempt its learner has flagged for review."""
        return {
            row["question_id"]
            for row in self.query(
                "SELECT question_id FROM flags WHERE attempt_id = ?", [attempt_id]
            )
        }

    def submit_attempt(
        self,
        attempt_id: int,
        now: str,
        reviewer: Reviewer | None = None,
        attestation: str | None = None,
    ) -> None:
        """Submit: total the marks exactly and decide pass or fail, once; with
        `attestation` (the words the learner ticked), record it as attested now.

        An attempt past its deadline is submitted at its deadline, not attested. Raises
        NotFound for an unknown attempt and AttemptClosed when it was already submitted.
        """

        def submit(conn: sqlite3.Connection) -> str:
            row = conn.execute(
                "SELECT submitted_at, deadline FROM attempts WHERE id = ?", (attempt_id,)
            ).fetchone()
            if row is None:
                return "missing"
            if row[0] is not None:
                return "closed"
            deadline = row[1]
            if grading.expired(deadline, now):
                _close(conn, attempt_id, deadline, reviewer)
                return "done"
            if attestation is not None:
                conn.execute(
                    "UPDATE attempts SET attested_at = ?, attestation = ? WHERE id = ?",
                    (now, attestation, attempt_id),
                )
            _close(conn, attempt_id, now, reviewer)
            return "done"

        outcome = self.write(submit)
        if outcome == "missing":
            raise NotFound(f"There is no attempt {attempt_id}.")
        if outcome == "closed":
            raise AttemptClosed("This attempt has already been submitted.")

    @staticmethod
    def _expired(now: str, user_id: int | None, attempt_id: int | None) -> tuple[str, list[Any]]:
        """The query of open attempts past their deadline (of one learner or attempt)."""
        sql = "SELECT id, deadline FROM attempts WHERE submitted_at IS NULL AND deadline < ?"
        params: list[Any] = [now]
        if user_id is not None:
            sql += " AND user_id = ?"
            params.append(user_id)
        if attempt_id is not None:
            sql += " AND id = ?"
            params.append(attempt_id)
        return sql, params

    def expired_attempts(self, now: str) -> list[int]:
        """Ids of the open attempts past their deadline, not yet submitted (a read)."""
        sql, params = self._expired(now, None, None)
        return [row["id"] for row in self.query(sql, params)]

    def finalize_expired(
        self,
        now: str,
        user_id: int | None = None,
        attempt_id: int | None = None,
        reviewer: Reviewer | None = None,
    ) -> list[int]:
        """Submit, as they stood at their deadline, the open attempts past it (of one
        learner, or one attempt, when given); returns the ids submitted now.

        Idempotent: an attempt someone else finalised meanwhile is simply not returned.
        """
        sql, params = self._expired(now, user_id, attempt_id)
        if not self.query(sql, params):  # the usual case: a read, no write
            return []

        def finalize(conn: sqlite3.Connection) -> list[int]:
            due = conn.execute(sql, params).fetchall()
            return [a for a, d in due if grading.expired(d, now) and _close(conn, a, d, reviewer)]

        return self.write(finalize)

    def response(self, attempt_id: int, question_id: str) -> Row | None:
        return self.first(
            "SELECT * FROM responses WHERE attempt_id = ? AND question_id = ?",
            (attempt_id, question_id),
        )

    def answers_of(self, user_id: int) -> list[Row]:
        """Every answer a learner has given: question, exact mark, when, and the mode and
        state of its attempt (whether its feedback is released is quiz_app.grading's)."""
        return self.query(
            "SELECT r.question_id, r.mark_exact, r.answered_at, a.mode,"
            " a.submitted_at IS NOT NULL AS submitted FROM attempts a"
            " JOIN responses r ON r.attempt_id = a.id WHERE a.user_id = ?",
            (user_id,),
        )

    def responses(self, attempt_id: int) -> list[Row]:
        return self.query(_RESPONSES, (attempt_id,))

    def attempt_and_responses(self, attempt_id: int) -> tuple[Row | None, list[Row]]:
        """An attempt's row and its responses, read together (one consistent snapshot)."""
        with self.borrow() as conn:
            conn.execute("BEGIN")
            attempt = _one(conn.execute("SELECT * FROM attempts WHERE id = ?", (attempt_id,)))
            responses = _dicts(conn.execute(_RESPONSES, (attempt_id,)))
            conn.execute("COMMIT")
        return attempt, responses

    # -- spaced review (quiz_app.reviews) ------------------------------------------------

    def cards_of(self, user_id: int) -> list[Row]:
        """A learner's cards: question, key hash, FSRS state, due time, reviews so far."""
        return self.query(
            "SELECT question_id, key_hash, card, due, stability, last_review, last_attempt_id,"
            " reviews FROM cards WHERE user_id = ?",
            (user_id,),
        )

    def card_dues(self, user_id: int, before: str | None = None) -> list[Row]:
        """A learner's cards as the due queue and forecast read them: question, key hash,
        due time (not the FSRS state, most of each row); with `before`, only those due
        before it (stored UTC text; the index on (user_id, due) finds them)."""
        if before is None:
            return self.query(
                "SELECT question_id, key_hash, due FROM cards WHERE user_id = ?", (user_id,)
            )
        return self.query(
            "SELECT question_id, key_hash, due FROM cards WHERE user_id = ? AND due < ?",
            (user_id, before),
        )

    def card_count(self, user_id: int) -> int:
        """How many cards a learner has (of any question, current or not)."""
        row = self.first("SELECT count(*) AS n FROM cards WHERE user_id = ?", (user_id,))
        return int(row["n"]) if row else 0

    def review_log(self, attempt_id: int, question_id: str) -> Row | None:
        """The review an attempt's answer to a question made, if it made one, with
        `latest`: whether it is still its card's latest review."""
        return self.first(
            "SELECT l.*, c.last_attempt_id IS l.attempt_id AS latest FROM review_logs l"
            " LEFT JOIN cards c ON c.user_id = l.user_id AND c.question_id = l.question_id"
            " WHERE l.attempt_id = ? AND l.question_id = ?",
            (attempt_id, question_id),
        )

    def rerate_review(
        self,
        attempt_id: int,
        question_id: str,
        rerate: Callable[[str | None, str], Row],
    ) -> bool:
        """Rate again the review an attempt's answer made (the learner said how sure they
        were): `rerate(card before it, when it was)` gives the card's columns after it.
        Only while that review is its card's latest (no later answer built on it); returns
        whether the card changed. One write, so two clicks at once cannot both apply."""

        def change(conn: sqlite3.Connection) -> bool:
            log = _one(
                conn.execute(
                    "SELECT l.user_id, c.card_before, l.reviewed_at FROM review_logs l"
                    " JOIN cards c ON c.user_id = l.user_id AND c.question_id = l.question_id"
                    " WHERE l.attempt_id = ? AND l.question_id = ? AND c.last_attempt_id = ?",
                    (attempt_id, question_id, attempt_id),
                )
            )
            if log is None:
                return False
            new = rerate(log["card_before"], log["reviewed_at"])
            conn.execute(
                "UPDATE cards SET card = ?, due = ?, stability = ?, difficulty = ?"
                " WHERE user_id = ? AND question_id = ?",
                (new["card"], new["due"], new["stability"], new["difficulty"], log["user_id"],
                 question_id),
            )  # fmt: skip
            conn.execute(
                "UPDATE review_logs SET rating = ? WHERE attempt_id = ? AND question_id = ?",
                (new["rating"], attempt_id, question_id),
            )
            return True

        return self.write(change)

    def set_review_settings(self, user_id: int, cap: int, paused_at: str | None) -> None:
        """A learner's review settings: cards per review quiz, and paused since when
        (None: not paused)."""
        self.execute(
            "UPDATE users SET review_cap = ?, reviews_paused_at = ? WHERE id = ?",
            (cap, paused_at, user_id),
        )

    def card_recall(
        self,
        now: str,
        curve: tuple[float, float],
        user_id: int | None = None,
        cohort_id: int | None = None,
    ) -> list[Row]:
        """The cards of a learner, or of a cohort's members, as estimated retention reads
        them: per question and key hash, how many `cards`, and `recall`, the sum over them
        of FSRS's forgetting curve at `now`, (1 + factor t / S) ** decay (`curve` is
        (decay, factor)), t the whole days from the card's last review to `now` as FSRS
        counts them (none before it), S its stability; a card without one counts 0.
        One row per question, however many cards: a cohort holds tens of thousands, read
        from an index of what this reads (m022), not from the cards' rows."""
        if (user_id is None) == (cohort_id is None):
            raise ValueError("card_recall needs a learner or a cohort")
        source, who = (
            ("cards c", "c.user_id = :who")
            if user_id is not None
            else ("memberships m JOIN cards c ON c.user_id = m.user_id", "m.cohort_id = :who")
        )
        decay, factor = curve
        return self.query(
            "SELECT c.question_id, c.key_hash, count(*) AS cards,"
            " total(pow(1 + :factor * max(0, (unixepoch(:now) - unixepoch(c.last_review))"
            " / 86400) / c.stability, :decay)) AS recall"
            f" FROM {source} WHERE {who} GROUP BY c.question_id, c.key_hash",
            {"now": now, "who": user_id if user_id is not None else cohort_id,
             "decay": decay, "factor": factor},
        )  # fmt: skip

    def cohort_card_holders(self, cohort_id: int) -> tuple[int, int]:
        """How many members a cohort has, and how many of them have at least one card."""
        row = self.first(
            "SELECT count(*) AS members,"
            " total(EXISTS (SELECT 1 FROM cards c WHERE c.user_id = m.user_id)) AS holders"
            " FROM memberships m WHERE m.cohort_id = ?",
            (cohort_id,),
        )
        return (int(row["members"]), int(row["holders"])) if row else (0, 0)

    def cohort_reviewers_since(self, cohort_id: int, since: str) -> int:
        """How many of a cohort's members have reviewed a card since `since`."""
        row = self.first(
            "SELECT count(DISTINCT m.user_id) AS n FROM memberships m JOIN review_logs l"
            " ON l.user_id = m.user_id WHERE m.cohort_id = ? AND l.reviewed_at >= ?",
            (cohort_id, since),
        )
        return int(row["n"]) if row else 0

    def review_version(self, cohort_id: int) -> int:
        """A number that grows at every review by a member of the cohort (m015)."""
        row = self.first("SELECT version FROM review_versions WHERE cohort_id = ?", (cohort_id,))
        return int(row["version"]) if row else 0

    # -- certificates -------------------------------------------------------------------

    def issue_certificate(self, fields: Row) -> Row:
        """Store a certificate unless its attempt has one already; returns the one stored.

        Issuing twice, even at once from two sessions, leaves the first code in place.
        """
        columns = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)

        def insert(conn: sqlite3.Connection) -> Row:
            conn.execute(
                f"INSERT INTO certificates ({columns}) VALUES ({marks})"
                " ON CONFLICT (attempt_id) WHERE superseded_by IS NULL DO NOTHING",
                tuple(fields.values()),
            )
            row = _one(conn.execute(_CURRENT_OF_ATTEMPT, (fields["attempt_id"],)))
            assert row is not None
            return row

        return self.write(insert)

    def certificate(self, code: str) -> Row | None:
        return self.first("SELECT * FROM certificates WHERE code = ?", (code,))

    def certificate_for_attempt(self, attempt_id: int) -> Row | None:
        """The attempt's current certificate (not superseded), or None."""
        return self.first(_CURRENT_OF_ATTEMPT, (attempt_id,))

    def reissue_certificate(self, old_code: str, fields: Row, log: Row) -> Row | None:
        """Supersede the current certificate `old_code` by a new one (`fields`), set the
        learner's name to the new one's, and log it (`log`: reissued_by, reissued_at,
        reason, old_name), in one write; returns the new certificate, or None when
        `old_code` is not current (superseded meanwhile, or unknown)."""
        columns = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)

        def reissue(conn: sqlite3.Connection) -> Row | None:
            superseded = conn.execute(
                "UPDATE certificates SET superseded_by = ?, superseded_at = ?"
                " WHERE code = ? AND superseded_by IS NULL",
                (fields["code"], fields["issued_at"], old_code),
            ).rowcount
            if not superseded:
                return None
            conn.execute(
                f"INSERT INTO certificates ({columns}) VALUES ({marks})", tuple(fields.values())
            )
            conn.execute(
                "INSERT INTO certificate_reissues (old_code, new_code, reissued_by, reissued_at,"
                " reason, old_name, new_name) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (old_code, fields["code"], log["reissued_by"], log["reissued_at"],
                 log["reason"], log["old_name"], fields["learner_name"]),
            )  # fmt: skip
            conn.execute(
                "UPDATE users SET display_name = ? WHERE id = ?",
                (fields["learner_name"], fields["user_id"]),
            )
            return _one(
                conn.execute("SELECT * FROM certificates WHERE code = ?", (fields["code"],))
            )

        return self.write(reissue)

    def cohort_certificates_all(self, cohort_id: int) -> list[Row]:
        """Every certificate of the cohort's attempts, superseded ones included, in the
        order issued."""
        return self.query(
            "SELECT c.* FROM certificates c JOIN attempts a ON a.id = c.attempt_id"
            " WHERE a.cohort_id = ? ORDER BY c.issued_at, c.code",
            (cohort_id,),
        )

    def cohort_reissues(self, cohort_id: int | None) -> list[Row]:
        """The reissue log of the cohort's certificates, oldest first, with the name of
        the instructor who reissued each."""
        return self.query(
            "SELECT r.*, c.attempt_id, u.display_name AS reissued_by_name"
            " FROM certificate_reissues r"
            " JOIN certificates c ON c.code = r.old_code JOIN attempts a ON a.id = c.attempt_id"
            " JOIN users u ON u.id = r.reissued_by WHERE a.cohort_id IS ?"
            " ORDER BY r.reissued_at, r.id",
            (cohort_id,),
        )

    def cohort_attestations(self, cohort_id: int | None) -> list[Row]:
        """Every submitted post-test attempt of the cohort with its attestation (NULL when
        not attested) and whether it was submitted by its deadline."""
        return self.query(
            "SELECT a.id AS attempt_id, a.user_id, u.username, u.display_name, a.quiz_id,"
            " a.submitted_at, a.deadline IS NOT NULL AND a.submitted_at = a.deadline"
            " AS timed_out, a.attested_at, a.attestation"
            " FROM attempts a JOIN users u ON u.id = a.user_id"
            " WHERE a.cohort_id IS ? AND a.mode = 'post_test' AND a.submitted_at IS NOT NULL"
            " ORDER BY a.submitted_at, a.id",
            (cohort_id,),
        )

    def has_certificate(self, user_id: int) -> bool:
        return (
            self.first("SELECT 1 FROM certificates WHERE user_id = ? LIMIT 1", (user_id,))
            is not None
        )

    def cohort_certificates(self, cohort_id: int) -> dict[int, Row]:
        """Each learner's first certificate earned in this cohort, by user id."""
        first: dict[int, Row] = {}
        for row in self.query(
            "SELECT c.* FROM certificates c JOIN attempts a ON a.id = c.attempt_id"
            " WHERE a.cohort_id = ? AND c.superseded_by IS NULL ORDER BY c.completed_at, c.code",
            (cohort_id,),
        ):
            first.setdefault(row["user_id"], row)
        return first

    # -- course evaluations (m018) --------------------------------------------------------

    def submit_evaluation(
        self, attempt_id: int, user_id: int, submitted_at: str, items: str, answers: str
    ) -> Row:
        """Store the evaluation of `attempt_id` (items and answers as JSON) and delete its
        draft, in one write; returns the row stored.

        Raises EvaluationSubmitted when the attempt has one already, however many
        submissions race: the attempt is the table's primary key.
        """

        def insert(conn: sqlite3.Connection) -> Row:
            try:
                conn.execute(
                    "INSERT INTO evaluations (attempt_id, user_id, submitted_at, items, answers)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (attempt_id, user_id, submitted_at, items, answers),
                )
            except sqlite3.IntegrityError as exc:
                if getattr(exc, "sqlite_errorname", None) == "SQLITE_CONSTRAINT_PRIMARYKEY":
                    raise EvaluationSubmitted() from None
                raise
            conn.execute("DELETE FROM evaluation_drafts WHERE attempt_id = ?", (attempt_id,))
            row = _one(
                conn.execute("SELECT * FROM evaluations WHERE attempt_id = ?", (attempt_id,))
            )
            assert row is not None
            return row

        return self.write(insert)

    def evaluation(self, attempt_id: int) -> Row | None:
        return self.first("SELECT * FROM evaluations WHERE attempt_id = ?", (attempt_id,))

    def save_evaluation_draft(self, attempt_id: int, answers: str, saved_at: str) -> None:
        """Keep the unsubmitted answers (JSON) of an attempt's evaluation, replacing the
        draft before. Raises EvaluationSubmitted once the evaluation is submitted (checked
        inside the write, so a draft never outlives its submission)."""

        def upsert(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "INSERT INTO evaluation_drafts (attempt_id, answers, saved_at)"
                " SELECT ?, ?, ? WHERE NOT EXISTS"
                " (SELECT 1 FROM evaluations WHERE attempt_id = ?)"
                " ON CONFLICT (attempt_id) DO UPDATE SET answers = excluded.answers,"
                " saved_at = excluded.saved_at",
                (attempt_id, answers, saved_at, attempt_id),
            )
            return cursor.rowcount > 0

        if not self.write(upsert):
            raise EvaluationSubmitted()

    def evaluation_draft(self, attempt_id: int) -> Row | None:
        return self.first("SELECT * FROM evaluation_drafts WHERE attempt_id = ?", (attempt_id,))

    def cohort_evaluations(self, cohort_id: int | None) -> list[Row]:
        """The evaluations of the cohort's attempts, oldest first, each with the learner's
        username and name."""
        return self.query(
            "SELECT e.*, u.username, u.display_name FROM evaluations e"
            " JOIN attempts a ON a.id = e.attempt_id JOIN users u ON u.id = e.user_id"
            " WHERE a.cohort_id IS ? ORDER BY e.submitted_at, e.attempt_id",
            (cohort_id,),
        )

    # -- reports ------------------------------------------------------------------------
    #
    # Reports aggregate in SQL: what comes back is one row per member, per question, per
    # quarter hour or per distinct answer, never one per response. Every query starts from
    # the cohort's attempts (idx_attempts_cohort_id_quiz_id_started_at), so a cohort's
    # report costs what that cohort holds, however large the database.

    def report_version(self, cohort_id: int, quiz_id: str | None = None) -> int:
        """A number that grows whenever anything a report of this cohort reads changes;
        with `quiz_id`, only what that quiz's item analysis reads (m010)."""
        sql = "SELECT total(version) AS v FROM report_versions WHERE cohort_id = ?"
        params: list[Any] = [cohort_id]
        if quiz_id is not None:
            sql += " AND quiz_id = ?"
            params.append(quiz_id)
        row = self.first(sql, params)
        return int(row["v"]) if row else 0

    @staticmethod
    def _window(
        quiz_id: str | None,
        since: str | None,
        until: str | None,
        quiz: str = "a.quiz_id",
        start: str = "a.started_at",
    ) -> tuple[str, list[Any]]:
        """SQL conditions for a quiz and a start-time window [since, until), on the columns
        `quiz` and `start` (by default those of `a.`, attempts), and their parameters."""
        sql, params = "", []
        for clause, value in (
            (f" AND {quiz} = ?", quiz_id),
            (f" AND {start} >= ?", since),
            (f" AND {start} < ?", until),
        ):
            if value is not None:
                sql += clause
                params.append(value)
        return sql, params

    def cohort_attempts(
        self,
        cohort_id: int,
        quiz_id: str | None = None,
        since: str | None = None,
        until: str | None = None,
        with_slots: bool = False,
    ) -> list[Row]:
        """A cohort's attempts, optionally of one quiz, started within [since, until)."""
        window, params = self._window(quiz_id, since, until)
        columns = (
            "a.id, a.user_id, a.quiz_id, a.quiz_title, a.mode, a.started_at, a.deadline,"
            " a.submitted_at, a.score, a.score_exact, a.max_score, a.pass_mark, a.passed"
            + (", a.slots" if with_slots else "")
        )
        return self.query(
            f"SELECT {columns} FROM attempts a WHERE a.cohort_id = ?{window}"
            " ORDER BY a.started_at, a.id",
            [cohort_id, *params],
        )

    def _submitted(
        self, cohort_id: int, quiz_id: str | None, since: str | None, until: str | None
    ) -> tuple[str, list[Any]]:
        """The WHERE clause, on `a.` (attempts), of a cohort's submitted attempts of a quiz
        started in a window, and its parameters."""
        window, params = self._window(quiz_id, since, until)
        where = f" WHERE a.cohort_id = ? AND a.submitted_at IS NOT NULL{window}"
        return where, [cohort_id, *params]

    def cohort_responses(
        self,
        cohort_id: int,
        quiz_id: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> list[Row]:
        """Answers of a cohort's submitted attempts (of one quiz, started in a window)."""
        where, params = self._submitted(cohort_id, quiz_id, since, until)
        return self.query(
            "SELECT r.attempt_id, r.question_id, r.answer, r.mark, r.content_hash, r.answered_at"
            " FROM attempts a JOIN responses r ON r.attempt_id = a.id" + where,
            params,
        )

    def response_export_sql(
        self,
        cohort_id: int,
        quiz_id: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> tuple[str, list[Any]]:
        """The SELECT `response_export` runs, and its parameters (benchmarks run the same
        text in the sqlite3 shell)."""
        where, params = self._submitted(cohort_id, quiz_id, since, until)
        sql = (
            f"SELECT r.attempt_id, {_EXPORT_USERNAME} AS username,"
            " a.quiz_id, r.question_id, r.answer, r.mark, r.content_hash, a.submitted_at"
            " FROM attempts a JOIN responses r ON r.attempt_id = a.id"
            + _EXPORT_MEMBER
            + where
            + " ORDER BY a.id, r.question_id"
        )
        return sql, params

    def response_export(
        self,
        cohort_id: int,
        quiz_id: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """Answers of a cohort's submitted attempts (of one quiz, started in a window), in
        attempt then question order, as tuples (attempt_id, username, quiz_id,
        question_id, answer, mark, content_hash, submitted_at) read as they are needed;
        username is the user id as text for someone who is not a member of the cohort.

        A generator over one read (one consistent snapshot) on one borrowed connection,
        which goes back to the pool when it is exhausted or closed, or raises; nothing is
        borrowed until the first row is asked for.
        """
        return self._stream(*self.response_export_sql(cohort_id, quiz_id, since, until))

    def response_export_lines(
        self,
        cohort_id: int,
        quiz_id: str | None,
        since: str | None,
        until: str | None,
        attempt_texts: Callable[[list[tuple[Any, ...]]], Iterable[tuple[int, str, str]]],
        answer_text: Callable[[str, str, str, float], str],
    ) -> Iterator[str]:
        """The rows of `response_export` as lines of text that SQLite puts together, in
        pieces of up to STREAM_BATCH lines (each line ending with a line break), so that
        Python handles one text per row, not eight values.

        `attempt_texts` gets batches of the export's attempts as (attempt_id, username,
        quiz_id, submitted_at) and gives (attempt_id, head, tail) for each; `answer_text`
        gives the text of a (question_id, content_hash, answer, mark). A line is
        `head,answer text,tail`. The attempts' texts, and those of the distinct answers
        of the first EXPORT_SAMPLE attempts, are kept in TEMP tables of the read's own
        connection for the read alone; an answer not among those is asked of
        `answer_text` as its line is built.

        A generator over one read transaction (one consistent snapshot, the TEMP tables
        filled within it) on one borrowed connection, which goes back to the pool when it
        is exhausted or closed, or raises; nothing is borrowed until the first piece is
        asked for.
        """
        where, params = self._submitted(cohort_id, quiz_id, since, until)
        with self.borrow() as conn:
            conn.execute("BEGIN")  # the TEMP tables are dropped by the ROLLBACK that ends it
            conn.create_function("export_answer_text", 4, answer_text, deterministic=True)
            try:
                conn.execute(
                    "CREATE TEMP TABLE export_attempts"
                    " (id INTEGER PRIMARY KEY, head TEXT NOT NULL, tail TEXT NOT NULL)"
                )
                attempts = conn.execute(
                    f"SELECT a.id, {_EXPORT_USERNAME}, a.quiz_id, a.submitted_at FROM attempts a"
                    + _EXPORT_MEMBER
                    + where,
                    params,
                )
                while batch := attempts.fetchmany(STREAM_BATCH):
                    conn.executemany(
                        "INSERT INTO temp.export_attempts VALUES (?, ?, ?)", attempt_texts(batch)
                    )
                # what the first attempts answered covers nearly every row (a full pass for
                # the distinct answers would cost half as much as the export itself)
                conn.execute(
                    "CREATE TEMP TABLE export_answers AS"
                    " SELECT question_id, content_hash, answer, mark,"
                    " export_answer_text(question_id, content_hash, answer, mark) AS text"
                    " FROM (SELECT DISTINCT r.question_id, r.content_hash, r.answer, r.mark"
                    " FROM (SELECT id FROM temp.export_attempts ORDER BY id LIMIT ?) t"
                    " CROSS JOIN responses r ON r.attempt_id = t.id)",
                    (EXPORT_SAMPLE,),
                )
                lines = conn.execute(
                    "SELECT t.head || ',' || coalesce(w.text, export_answer_text(r.question_id,"
                    " r.content_hash, r.answer, r.mark)) || ',' || t.tail"
                    " FROM temp.export_attempts t JOIN responses r ON r.attempt_id = t.id"
                    " LEFT JOIN temp.export_answers w ON w.question_id = r.question_id"
                    " AND w.content_hash = r.content_hash AND w.answer = r.answer"
                    " AND w.mark = r.mark ORDER BY t.id, r.question_id"
                )
                try:
                    while batch := lines.fetchmany(STREAM_BATCH):
                        yield "\n".join(map(operator.itemgetter(0), batch)) + "\n"
                finally:
                    lines.close()
            finally:
                conn.execute("ROLLBACK")
                conn.create_function("export_answer_text", 4, None)

    def _stream(
        self, sql: str, params: Sequence[Any] | dict[str, Any]
    ) -> Iterator[tuple[Any, ...]]:
        """The rows of one read as tuples, fetched STREAM_BATCH at a time. The generator
        may be advanced from different threads, one at a time (as a threadpool does)."""
        with self.borrow() as conn:
            cursor = conn.execute(sql, params)
            try:
                while batch := cursor.fetchmany(STREAM_BATCH):
                    yield from batch
            finally:
                cursor.close()

    @staticmethod
    def _quarters(
        quiz_id: str | None, since: str | None, until: str | None
    ) -> tuple[str, list[Any]]:
        """SQL conditions on a table of sums per quarter hour (m023: `quarter`, `quiz_id`) for
        a quiz and a window [since, until) whose bounds fall on quarter hours (UTC)."""
        for bound in (since, until):
            if bound is not None and not _ON_QUARTER.fullmatch(bound):
                raise ValueError(f"a report window starts and ends on a quarter hour: {bound}")
        return Store._window(quiz_id, since, until, quiz="quiz_id", start="quarter")

    def cohort_question_marks(
        self,
        cohort_id: int,
        quiz_id: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> list[Row]:
        """Per question of a cohort's submitted attempts (of one quiz, started in a window
        on quarter hours): how many attempts showed it (`shown`) and the total mark they
        earned on it (`marks`, a blank adding 0), from the sums m023 keeps."""
        table = "question_totals" if since is None and until is None else "question_quarters"
        where, params = self._quarters(quiz_id, since, until)
        return self.query(
            f"SELECT question_id, sum(shown) AS shown, total(marks) AS marks FROM {table}"
            f" WHERE cohort_id = ?{where} GROUP BY 1 HAVING sum(shown) > 0",
            [cohort_id, *params],
        )

    def cohort_learners(
        self,
        cohort_id: int,
        quiz_id: str | None,
        since: str | None,
        until: str | None,
        post_test_id: str | None,
    ) -> list[Row]:
        """One row per member of the cohort, by display name, over the cohort's attempts
        started in [since, until): who (`id`, `username`, `display_name`, `joined_at`);
        `started` (any attempt), `open` (one not submitted), `passed` (a passed attempt of
        the post-test `post_test_id`), `completed_at` (when the first such attempt was
        submitted), `last_activity` (the latest start or submit);
        `attempts` of the quiz (every quiz when None), and the exact score and maximum of
        the best (`best_exact`, `best_max`, by score over maximum) and of the last
        (`last_exact`, `last_max`, by start) of those that are finished; and the code of
        the member's first certificate earned in this cohort (`certificate_code`)."""
        named = {"cohort": cohort_id, "quiz": quiz_id, "since": since, "until": until,
                 "post": post_test_id}  # fmt: skip
        in_window = (
            "a.cohort_id = :cohort AND (:since IS NULL OR a.started_at >= :since)"
            " AND (:until IS NULL OR a.started_at < :until)"
        )
        # one pass over the cohort's attempts each (attempts_by_learner, in learner order):
        # with a single max() SQLite takes the other columns from the row holding it;
        # the last attempt is the latest start, then the highest id
        finished = (
            f"FROM attempts a WHERE {in_window} AND (:quiz IS NULL OR a.quiz_id = :quiz)"
            " AND a.submitted_at IS NOT NULL AND a.max_score <> 0 GROUP BY a.user_id"
        )
        rows = self.query(
            f"""
            SELECT u.id, u.username, u.display_name, m.joined_at,
                p.user_id IS NOT NULL AS started, coalesce(p.open, 0) AS open,
                coalesce(p.passed, 0) AS passed, p.completed_at, p.last_activity,
                coalesce(p.attempts, 0) AS attempts, b.score AS best, l.score AS last,
                (SELECT c.code FROM certificates c CROSS JOIN attempts a ON a.id = c.attempt_id
                 WHERE c.user_id = m.user_id AND a.cohort_id = m.cohort_id
                 AND c.superseded_by IS NULL
                 ORDER BY c.completed_at, c.code LIMIT 1) AS certificate_code
            FROM memberships m JOIN users u ON u.id = m.user_id
            LEFT JOIN (
                SELECT a.user_id, max(a.submitted_at IS NULL) AS open,
                    max(a.quiz_id IS :post AND a.passed = 1) AS passed,
                    min(CASE WHEN a.quiz_id IS :post AND a.passed = 1 THEN a.submitted_at END)
                        AS completed_at,
                    max(coalesce(a.submitted_at, a.started_at)) AS last_activity,
                    total(:quiz IS NULL OR a.quiz_id = :quiz) AS attempts
                FROM attempts a WHERE {in_window}
                GROUP BY a.user_id
            ) p ON p.user_id = m.user_id
            LEFT JOIN (
                SELECT a.user_id, max(a.score / a.max_score),
                    a.score_exact || ' ' || a.max_score AS score {finished}
            ) b ON b.user_id = m.user_id
            LEFT JOIN (
                SELECT a.user_id, max(a.started_at || printf(' %020d', a.id)),
                    a.score_exact || ' ' || a.max_score AS score {finished}
            ) l ON l.user_id = m.user_id
            WHERE m.cohort_id = :cohort
            ORDER BY u.display_name, u.id
            """,
            named,
        )
        for row in rows:  # score and maximum travel as one text: "31/12 25.0"
            for name in ("best", "last"):
                exact, _, maximum = (row.pop(name) or "").partition(" ")
                row[f"{name}_exact"] = exact or None
                row[f"{name}_max"] = float(maximum) if maximum else None
            row["attempts"] = int(row["attempts"])
        return rows

    def cohort_starts(
        self, cohort_id: int, quiz_id: str | None, since: str | None, until: str | None
    ) -> list[Row]:
        """How many of a cohort's attempts (of one quiz, started in a window on quarter
        hours) started in each quarter hour (UTC), from the counts m023 keeps: `quarter`
        is its start as stored text ("...T09:45:00+00:00"), `started` the count. Every
        time zone's offset and daylight-saving change falls on a quarter hour, so each
        quarter lies within one local day of any zone."""
        where, params = self._quarters(quiz_id, since, until)
        return self.query(
            "SELECT quarter, sum(started) AS started FROM attempt_starts"
            f" WHERE cohort_id = ?{where} GROUP BY 1 HAVING sum(started) > 0 ORDER BY 1",
            [cohort_id, *params],
        )

    def cohort_item_sums(
        self, cohort_id: int, quiz_id: str, which: str, current: Iterable[tuple[str, str]]
    ) -> list[Row]:
        """Sums for item analysis over a cohort's finished attempts of a quiz, per learner
        the first, best (by score over maximum; the earliest of equals) or last of them
        (by start, then id), or all (`which`, analytics.ATTEMPT_CHOICES).

        A question an attempt showed counts only when the version it showed (the slot's
        hash) is the one in `current` (question id, content hash); a question shown and
        left blank counts with mark 0. Each attempt's total T is its score, or, when it
        showed questions left out, the sum of its marks on those counted, and its maximum
        likewise. Returns rows of four kinds (`kind`): `test`, one row over the attempts
        counting a question (`n`; `items`, the questions they count; of the percent
        100 T / maximum the sums `x`, `xx` and extremes, of T the sums `r`, `rr` and
        extremes); `item`, per question (`n`; of the mark x and of the rest of the test
        X = T - x the sums `x`, `xx`, `r`, `rr`, `xr` and extremes); `sorted`, per question,
        `sorted_xr`, the sum of x_(i) X_(i) with x and X each sorted ascending; `answer`,
        per question and stored answer text, how many counted attempts gave it (`n`).

        It reads the attempts and their slots alone (m021 keeps each slot's answer and mark
        beside it). An attempt's T and maximum are its score and maximum unless it showed
        a question left out (`stale`). Marks take few values, so `sorted_xr` needs X sorted
        only: with runs of equal marks x_1 < x_2 < ... (x_(i) is x_u for ranks in run u),
        H_u the ranks up to the end of run u and C(k) the sum of the k smallest X, it is the
        sum over runs of (x_u - x_(u+1)) C(H_u), x after the last run being 0.

        Rest scores take few values too, so the counted (x, answer, X) are sorted once,
        into groups of equal ones (`groups`, a fifth of the rows at 10,000 learners), and
        everything else is read from those: per answer (`by_answer`), and per X in order
        (`by_r`: the ranks `upto` and sum `below` up to the end of each X), where C(k) for
        a rank k within the group of X is below - (upto - k) X.
        """
        if which not in _CHOOSE:
            raise ValueError(f"attempts must be one of {', '.join(_CHOOSE)}")
        named = {"cohort": cohort_id, "quiz": quiz_id, "current": _pairs(current)}
        rows = self.query(
            f"""
            WITH chosen AS MATERIALIZED (
                SELECT id, score, max_score FROM (
                    SELECT a.id, a.score, a.max_score, {_CHOOSE[which]} AS pick FROM attempts a
                    WHERE a.cohort_id = :cohort AND a.quiz_id = :quiz
                        AND a.submitted_at IS NOT NULL AND a.max_score <> 0
                )
                WHERE pick = 1
            ),
            shown AS MATERIALIZED (
                SELECT c.id AS attempt_id, c.score, s.question_id, s.answer,
                    coalesce(s.mark, 0.0) AS x, {_IS_CURRENT} AS kept
                FROM chosen c JOIN attempt_slots s ON s.attempt_id = c.id
            ),
            stale AS MATERIALIZED (
                SELECT attempt_id, total(CASE WHEN kept THEN x END) AS t, sum(kept) AS counted
                FROM shown WHERE attempt_id IN (SELECT attempt_id FROM shown WHERE NOT kept)
                GROUP BY attempt_id
            ),
            attempt_totals AS (
                SELECT coalesce(st.counted, (SELECT max(position) + 1 FROM attempt_slots
                        WHERE attempt_id = c.id)) AS counted,
                    coalesce(st.t, c.score) AS t, coalesce(st.counted, c.max_score) AS maximum
                FROM chosen c LEFT JOIN stale st ON st.attempt_id = c.id
            ),
            pairs AS (
                SELECT k.question_id, k.answer, k.x, coalesce(st.t, k.score) - k.x AS r
                FROM shown k LEFT JOIN stale st ON st.attempt_id = k.attempt_id WHERE k.kept
            ),
            groups AS MATERIALIZED (
                SELECT question_id, x, answer, r, count(*) AS n
                FROM pairs GROUP BY question_id, x, answer, r
            ),
            by_answer AS MATERIALIZED (
                SELECT question_id, x, answer, sum(n) AS n, total(r * n) AS r,
                    total(r * r * n) AS rr, min(r) AS r_min, max(r) AS r_max
                FROM groups GROUP BY question_id, x, answer
            ),
            by_r AS MATERIALIZED (
                SELECT question_id, r, sum(n) AS n, sum(sum(n)) OVER w AS upto,
                    sum(r * sum(n)) OVER w AS below
                FROM groups GROUP BY question_id, r
                WINDOW w AS (PARTITION BY question_id ORDER BY r ROWS UNBOUNDED PRECEDING)
            ),
            x_runs AS MATERIALIZED (
                SELECT question_id, x - coalesce(lead(x) OVER w, 0.0) AS step,
                    sum(sum(n)) OVER w AS hi
                FROM by_answer GROUP BY question_id, x
                WINDOW w AS (PARTITION BY question_id ORDER BY x)
            )
            SELECT 'test' AS kind, NULL AS question_id, NULL AS answer, count(*) AS n,
                total(counted) AS items, total(f) AS x, total(f * f) AS xx, min(f) AS x_min,
                max(f) AS x_max, total(t) AS r, total(t * t) AS rr, min(t) AS r_min,
                max(t) AS r_max, NULL AS xr, NULL AS sorted_xr
            FROM (SELECT counted, t, t / maximum * 100 AS f FROM attempt_totals WHERE counted > 0)
            UNION ALL
            SELECT 'item', question_id, NULL, sum(n), NULL, total(x * n), total(x * x * n),
                min(x), max(x), total(r), total(rr), min(r_min), max(r_max), total(x * r), NULL
            FROM by_answer GROUP BY question_id
            UNION ALL
            SELECT 'sorted', k.question_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                NULL, NULL, NULL, NULL, NULL, total(k.step * (g.below - (g.upto - k.hi) * g.r))
            FROM x_runs k JOIN by_r g ON g.question_id = k.question_id
                AND g.upto - g.n < k.hi AND k.hi <= g.upto
            GROUP BY k.question_id
            UNION ALL
            SELECT 'answer', question_id, answer, sum(n), NULL, NULL, NULL, NULL, NULL,
                NULL, NULL, NULL, NULL, NULL, NULL
            FROM by_answer WHERE answer IS NOT NULL GROUP BY question_id, answer
            """,
            named,
        )
        return rows

    def cohort_left_out(
        self, cohort_id: int, quiz_id: str, current: Iterable[tuple[str, str]]
    ) -> int:
        """How many questions a cohort's finished attempts of a quiz showed in a version
        other than the one in `current` (question id, content hash), blanks too, from the
        sums m023 keeps per version shown (an attempt showing questions has a maximum)."""
        row = self.first(
            "SELECT total(s.shown) AS n FROM question_totals s"
            f" WHERE s.cohort_id = :cohort AND s.quiz_id = :quiz AND NOT {_IS_CURRENT}",
            {"cohort": cohort_id, "quiz": quiz_id, "current": _pairs(current)},
        )
        return int(row["n"]) if row else 0

    # -- problem reports (quiz_app.problem_reports) --------------------------------------

    def add_question_report(
        self,
        user_id: int,
        attempt_id: int,
        question_id: str,
        content_hash: str,
        reason: str,
        comment: str,
        now: str,
    ) -> int | None:
        """Store a learner's problem report on a question version shown in one of their
        attempts, in that attempt's cohort. Returns its id, or None when the learner has
        an open report of this version for this reason already (the partial UNIQUE index
        decides, in the insert itself) or the attempt is not theirs."""

        def insert(conn: sqlite3.Connection) -> int | None:
            cursor = conn.execute(
                "INSERT INTO question_reports (user_id, cohort_id, attempt_id, question_id,"
                " content_hash, reason, comment, reported_at)"
                " SELECT user_id, cohort_id, id, ?, ?, ?, ?, ? FROM attempts"
                " WHERE id = ? AND user_id = ?"
                " ON CONFLICT (user_id, content_hash, reason) WHERE resolved_at IS NULL"
                " DO NOTHING",
                (question_id, content_hash, reason, comment, now, attempt_id, user_id),
            )
            return int(cursor.lastrowid or 0) if cursor.rowcount == 1 else None

        return self.write(insert)

    def open_report_reasons(self, user_id: int, content_hash: str) -> list[Row]:
        """A learner's open reports of one question version: reason and when, oldest first."""
        return self.query(
            "SELECT reason, reported_at FROM question_reports WHERE user_id = ?"
            " AND content_hash = ? AND resolved_at IS NULL ORDER BY reported_at, id",
            (user_id, content_hash),
        )

    def question_report(self, report_id: int) -> Row | None:
        return self.first("SELECT * FROM question_reports WHERE id = ?", (report_id,))

    def cohort_question_reports(
        self, cohort_id: int | None, resolved: bool | None = None
    ) -> list[Row]:
        """A cohort's problem reports (open ones, resolved ones, or with None all), oldest
        first, each with its learner's username and name, its attempt's quiz, the
        content of the version reported, and the resolver's name."""
        status = {
            None: "",
            False: " AND r.resolved_at IS NULL",
            True: " AND r.resolved_at IS NOT NULL",
        }
        return self.query(
            "SELECT r.*, u.username, u.display_name, a.quiz_id, a.quiz_title, v.content,"
            " s.display_name AS resolved_by_name FROM question_reports r"
            " JOIN users u ON u.id = r.user_id"
            " JOIN question_versions v ON v.content_hash = r.content_hash"
            " LEFT JOIN attempts a ON a.id = r.attempt_id"
            " LEFT JOIN users s ON s.id = r.resolved_by"
            f" WHERE r.cohort_id IS ?{status[resolved]} ORDER BY r.reported_at, r.id",
            (cohort_id,),
        )

    def open_report_counts(self, cohort_id: int) -> dict[str, int]:
        """How many open problem reports each question of a cohort has (none: absent)."""
        return {
            row["question_id"]: row["n"]
            for row in self.query(
                "SELECT question_id, count(*) AS n FROM question_reports"
                " WHERE cohort_id = ? AND resolved_at IS NULL GROUP BY question_id",
                (cohort_id,),
            )
        }

    def resolve_question_report(
        self, report_id: int, cohort_id: int, resolved_by: int, note: str, now: str
    ) -> bool:
        """Mark an open report of the cohort resolved, by whom, when and with what note.
        False when it is not open (resolved meanwhile) or not the cohort's."""
        return (
            self.execute(
                "UPDATE question_reports SET resolved_at = ?, resolved_by = ?, resolution = ?"
                " WHERE id = ? AND cohort_id = ? AND resolved_at IS NULL",
                (now, resolved_by, note, report_id, cohort_id),
            )
            == 1
        )

    # -- audit pack and retention (quiz_app.audit) --------------------------------------
    #
    # The records of an attempt: its row, its responses and in-attempt flags (m012), its
    # certificate, and the review logs of its answers (m015). `before` (stored UTC text)
    # narrows a cohort's attempts to those older than it (`_OLDER`); None keeps them all.

    def audit_attempt_slots(self, cohort_id: int | None, before: str | None) -> Iterator[Row]:
        """Every question of every attempt of the cohort (None: attempts in no cohort),
        in attempt then slot order, blanks too, as they are read: the attempt's columns,
        the learner's `username` and `display_name`, `slot` (1, 2, ...), the slot's
        `question_id`, `content_hash` and shown `part_order` (JSON), and the response's
        `answer` (JSON), `mark_exact` and `answered_at` (None when left blank). A generator
        over one read, as `response_export` is."""
        columns = (
            "attempt_id", "user_id", "username", "display_name", "quiz_id", "quiz_title", "mode",
            "started_at", "deadline", "submitted_at", "score_exact", "max_score", "pass_mark",
            "passed", "slot", "question_id", "content_hash", "part_order", "answer",
            "mark_exact", "answered_at",
        )  # fmt: skip
        sql = (
            "SELECT a.id, a.user_id, u.username, u.display_name, a.quiz_id, a.quiz_title, a.mode,"
            " a.started_at, a.deadline, a.submitted_at, a.score_exact, a.max_score, a.pass_mark,"
            " a.passed, s.key + 1, s.value ->> 'id',"
            " coalesce(nullif(s.value ->> 'hash', ''), r.content_hash, ''),"
            " coalesce(s.value -> 'order', '[]'), r.answer, r.mark_exact, r.answered_at"
            " FROM attempts a JOIN json_each(a.slots) s LEFT JOIN users u ON u.id = a.user_id"
            " LEFT JOIN responses r ON r.attempt_id = a.id AND r.question_id = s.value ->> 'id'"
            f" WHERE a.cohort_id IS :cohort AND {_OLDER} ORDER BY a.id, s.key"
        )
        rows = self._stream(sql, {"cohort": cohort_id, "before": before})
        try:
            for row in rows:
                yield dict(zip(columns, row, strict=True))
        finally:
            rows.close()

    def audit_attempt_ids(self, cohort_id: int | None, before: str | None) -> set[int]:
        """The ids of the cohort's attempts (older than `before`)."""
        return {
            row["id"]
            for row in self.query(
                f"SELECT a.id FROM attempts a WHERE a.cohort_id IS :cohort AND {_OLDER}",
                {"cohort": cohort_id, "before": before},
            )
        }

    def audit_certificates(self, cohort_id: int | None, before: str | None) -> list[Row]:
        """Every certificate issued for the cohort's attempts (older than `before`), by
        issue, with the learner's `username`."""
        return self.query(
            "SELECT c.*, u.username FROM certificates c JOIN attempts a ON a.id = c.attempt_id"
            " LEFT JOIN users u ON u.id = c.user_id"
            f" WHERE a.cohort_id IS :cohort AND {_OLDER} ORDER BY c.issued_at, c.code",
            {"cohort": cohort_id, "before": before},
        )

    def audit_question_versions(self, cohort_id: int | None, before: str | None) -> list[Row]:
        """The stored versions (m002) of the questions the cohort's attempts (older than
        `before`) showed, each once, by question id and hash."""
        return self.query(
            "SELECT v.content_hash, v.question_id, v.content FROM question_versions v"
            " WHERE v.content_hash IN (SELECT coalesce(nullif(s.value ->> 'hash', ''),"
            " r.content_hash) FROM attempts a JOIN json_each(a.slots) s"
            " LEFT JOIN responses r ON r.attempt_id = a.id AND r.question_id = s.value ->> 'id'"
            f" WHERE a.cohort_id IS :cohort AND {_OLDER})"
            " ORDER BY v.question_id, v.content_hash",
            {"cohort": cohort_id, "before": before},
        )

    def cohorts_with_records_before(self, before: str) -> list[int | None]:
        """The cohorts (None: no cohort) that hold attempts older than `before`."""
        return [
            row["cohort_id"]
            for row in self.query(
                f"SELECT DISTINCT a.cohort_id FROM attempts a WHERE {_OLDER}"
                " ORDER BY a.cohort_id IS NULL, a.cohort_id",
                {"before": before},
            )
        ]

    def count_records_before(self, before: str) -> dict[str, int]:
        """How many rows `delete_records_before` would delete from each table."""
        older = f"SELECT a.id FROM attempts a WHERE {_OLDER}"
        row = self.first(
            f"SELECT (SELECT count(*) FROM ({older})) AS attempts,"
            + ", ".join(
                f" (SELECT count(*) FROM {t} WHERE attempt_id IN ({older})) AS {t}"
                for t in ATTEMPT_RECORD_TABLES
            )
            + f", (SELECT count(*) FROM certificate_reissues WHERE {_REISSUE_OF.format(older)})"
            " AS certificate_reissues",
            {"before": before},
        )
        return dict(row or {})

    def delete_records_before(self, before: str) -> dict[str, int]:
        """Delete, in one write, every attempt older than `before` with its records (the
        rows of ATTEMPT_RECORD_TABLES that name it, and the reissue log of its
        certificates); cards that name it as their last
        attempt keep their state and forget the attempt. Returns how many rows went from
        each table (and `cards` forgetting one)."""

        def delete(conn: sqlite3.Connection) -> dict[str, int]:
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS pruned (id INTEGER PRIMARY KEY)")
            conn.execute("DELETE FROM temp.pruned")
            conn.execute(
                f"INSERT INTO temp.pruned SELECT a.id FROM attempts a WHERE {_OLDER}",
                {"before": before},
            )
            counts = {
                "certificate_reissues": conn.execute(
                    "DELETE FROM certificate_reissues"
                    f" WHERE {_REISSUE_OF.format('SELECT id FROM temp.pruned')}"
                ).rowcount
            }
            for table in ATTEMPT_RECORD_TABLES:
                counts[table] = conn.execute(
                    f"DELETE FROM {table} WHERE attempt_id IN (SELECT id FROM temp.pruned)"
                ).rowcount
            counts["cards"] = conn.execute(
                "UPDATE cards SET last_attempt_id = NULL"
                " WHERE last_attempt_id IN (SELECT id FROM temp.pruned)"
            ).rowcount
            counts["attempts"] = conn.execute(
                "DELETE FROM attempts WHERE id IN (SELECT id FROM temp.pruned)"
            ).rowcount
            conn.execute("DELETE FROM temp.pruned")
            return counts

        return self.write(delete)

    def consistency_problems(self) -> list[str]:
        """What SQLite's integrity_check and foreign_key_check find wrong (empty: none)."""
        with self.borrow() as conn:
            found = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
            problems = [] if found == ["ok"] else found
            problems += [
                f"{table} row {rowid} names a missing {parent}"
                for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check")
            ]
        return problems

    # -- bulk load and backup ----------------------------------------------------------

    def next_ids(self, tables: Iterable[str]) -> dict[str, int]:
        """The next free integer id of each table (for bulk loads that set ids)."""
        result = {}
        for table in tables:
            if table not in DATA_TABLES:
                raise ValueError(f"unknown table {table}")
            row = self.first(f"SELECT max(id) AS top FROM {table}")
            result[table] = ((row or {}).get("top") or 0) + 1
        return result

    def table_rows(self, table: str) -> list[Row]:
        """Every row of one data table, in insertion order (exports, comparisons); a table
        WITHOUT ROWID (_KEY_ORDER) in its primary key's order."""
        if table not in DATA_TABLES:
            raise ValueError(f"unknown table {table}")
        order = _KEY_ORDER.get(table, "rowid")
        return self.query(f"SELECT * FROM {table} ORDER BY {order}")

    def bulk_insert(self, tables: dict[str, list[Row]]) -> None:
        """Insert many rows into several tables in one transaction (see `bulk_load`)."""
        self.bulk_load([tables])

    def bulk_load(self, batches: Iterable[dict[str, list[Row]]]) -> None:
        """Insert every batch's rows, table by table, in one transaction: all of them are
        stored, or none (an error, or an exception raised by `batches`, undoes them all).

        The writer thread draws the batches one at a time, so a generator can feed
        millions of rows while only one batch is in memory; it must not use the store.
        Every other write, from any process, waits until the load commits.
        The rows of one table in a batch all have the columns of its first row; each goes
        in through one prepared INSERT (executemany), triggers firing as for any insert,
        except those keeping the report sums (m023): the sums of every cohort the load
        touched are worked out again once at the end, in the same transaction.
        Raises ValueError for a table that is not a data table or a row with other
        columns.
        """

        def load(conn: sqlite3.Connection) -> None:
            touched: set[int] = set()
            set_report_sums_aside(conn)
            for batch in batches:
                for table, rows in batch.items():
                    if rows:
                        _insert_rows(conn, table, rows)
                        touched.update(_cohorts_of(conn, table, rows))
            restore_report_sums(conn, touched)

        self.write(load)

    def backup(self, destination: str | Path) -> None:
        """Copy the database to `destination`, a new file, with SQLite's online backup API.

        The source is checked first (`PRAGMA quick_check`): a damaged database raises
        StoreError and nothing is written. The copy is a consistent snapshot even while
        other connections keep writing; it is written under a temporary name beside
        `destination`, checked, and only then given its name (never replacing a file that
        appeared there meanwhile: FileExistsError). On any failure (a full disk, say) the
        temporary file is removed, so no partial or damaged copy passes for a backup.
        """
        destination = Path(destination)
        with self.borrow() as conn:
            _quick_check(conn)
        partial = files.partial_name(destination)
        try:
            try:
                target = sqlite3.connect(str(partial))
                target.execute("PRAGMA user_version")  # creates the file, or fails here
            except sqlite3.Error as exc:
                raise StoreError(
                    "The copy cannot be written in that folder.", f"{destination.parent}: {exc}"
                ) from None
            try:
                with self.borrow() as conn, _plain_errors():
                    conn.backup(target)
                _quick_check(target)
            finally:
                target.close()
            files.give_name(partial, destination)
        finally:
            partial.unlink(missing_ok=True)
