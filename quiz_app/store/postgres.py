"""PostgreSQL's engine for the Store: a psycopg 3 connection pool, transactions, errors.

The Store's parts (users, cohorts, attempts...) are written once, against `base.Engine`,
in SQLite's dialect of SQL and of the DB-API. `PostgresBase` gives them a connection
that speaks it on PostgreSQL, so each rule stays in one query:

- `translate` turns a statement into PostgreSQL's: `?` and `:name` parameters become
  psycopg's, a literal `%` is doubled, and the expressions the trigger translation
  knows (quiz_app.store.pg_schema.postgres_sql) plus `json_each(?)` of a JSON array of
  values and INSERT OR IGNORE are written PostgreSQL's way. It is cached per text.
- Each write statement inside a transaction runs in a savepoint of its own, as an SQLite
  statement does: one that fails is undone alone and the transaction goes on, so a part
  may catch an error and carry on (a taken username, then a look-up of who has it).
- PostgreSQL's integrity errors are raised as sqlite3.IntegrityError in SQLite's words
  ("UNIQUE constraint failed: users.username", with its `sqlite_errorname`), which is
  what the parts catch; a server that cannot be reached raises StoreError.

Writes run in READ COMMITTED transactions on pooled connections, several at once (no
writer thread: PostgreSQL has no single writer); a transaction that fails on a
serialization failure or deadlock is run again, up to WRITE_RETRIES times. psycopg is
imported only when a PostgreSQL store is opened.
"""

from __future__ import annotations

import contextlib
import functools
import json
import random
import re
import sqlite3
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from quiz_app.databases import shown_url
from quiz_app.store import pg_schema
from quiz_app.store.base import POOL_SIZE, Engine
from quiz_app.writer import WRITE_PATIENCE_S, StoreBusy, StoreError

T = TypeVar("T")
WRITE_RETRIES = 10
RETRY_PAUSE_S = 0.02  # the longest pause before a retry grows by this each time
CONNECT_TIMEOUT_S = 10
UNREACHABLE = (
    "The database server cannot be reached, so nothing can be read or saved. Please try "
    "again in a moment; if it keeps happening, tell the administrator."
)
CANNOT_OPEN = (
    "The database cannot be opened: the server cannot be reached, or it refused this "
    "database, user or password."
)
BAD_ADDRESS = (
    "This is not a valid PostgreSQL address; it should read "
    "postgresql://user:password@host:port/database."
)
BUSY = "The database is busy right now; please try again in a moment."
DISK_FULL = (
    "The database server's disk is full, so this could not be saved. Everything saved "
    "before is safe. Please tell your instructor or the administrator."
)
_WRITES = ("INSERT", "UPDATE", "DELETE", "WITH")
# a string literal (skipped), a `?`, a `:name` (not a `::` cast) or a `%`
_TOKENS = re.compile(r"'(?:[^']|'')*'|\?|(?<!:):(\w+)|%")


_LIST = "\x00"  # marks a parameter that is a JSON array passed as a PostgreSQL array


@functools.lru_cache(maxsize=4096)
def translate(sql: str) -> tuple[str, frozenset[int | str]]:
    """An SQLite statement of the Store in PostgreSQL's dialect, with psycopg's parameters,
    and which parameters (by position or name) are JSON arrays to pass as arrays: `x IN
    (SELECT value FROM json_each(?))` becomes `x = ANY(?)`, which keeps the types (and
    the index) of x; any other json_each of a parameter reads it as json."""
    text = re.sub(r"IN \(SELECT value FROM json_each\((\?|:\w+)\)\)", rf"= ANY(\1{_LIST})", sql)
    text = re.sub(r"json_each\((\?|:\w+)\)", r"json_array_elements(\1::json)", text)
    # a parameter only tested for NULL has no type PostgreSQL can tell: text will do
    text = re.sub(r"(\?|:\w+) IS (NOT )?NULL\b", r"CAST(\1 AS TEXT) IS \2NULL", text)
    if text.lstrip().upper().startswith("INSERT OR IGNORE INTO"):
        text = re.sub(r"(?i)INSERT OR IGNORE INTO", "INSERT INTO", text, count=1)
        text += " ON CONFLICT DO NOTHING"
    # SQLite's CROSS JOIN ... ON is an inner join in the order written (a hint to its
    # planner); PostgreSQL plans an inner join itself
    text = re.sub(r"\bCROSS JOIN (\w+ \w+ ON)\b", r"JOIN \1", text)
    text = pg_schema.postgres_sql(text, trigger=False)
    # unixepoch() is whole seconds, as SQLite's (so a difference / 86400 is whole days)
    text = pg_schema.replace_calls(
        text,
        "unixepoch",
        lambda arg: f"CAST(extract(epoch FROM CAST({arg} AS timestamptz)) AS bigint)",
    )
    text = _scalar_extremes(text)
    text = re.sub(r"\btemp\.(\w+)", r"pg_temp.\1", text)  # a TEMP table, by its schema
    text = _aliased_subqueries(text)
    # SQLite joins a table-valued json_each without a condition; PostgreSQL asks for one
    text = re.sub(
        r"(JOIN json_array_elements\([^()]*\) WITH ORDINALITY AS \w+ \(value, ordinal\))"
        r"(?!\s+ON\b)",
        r"\1 ON true",
        text,
    )
    lists: set[int | str] = set()
    position = 0

    def token(match: re.Match[str]) -> str:
        nonlocal position
        found = match.group(0)
        if found == "%":
            return "%%"
        if found == "?" or match.group(1) is not None:
            key: int | str = position if found == "?" else match.group(1)
            position += found == "?"
            if text.startswith(_LIST, match.end()):
                lists.add(key)
            return "%s" if found == "?" else f"%({key})s"
        return found.replace("%", "%%")  # a literal, as it is

    return _TOKENS.sub(token, text).replace(_LIST, ""), frozenset(lists)


_AFTER_SUBQUERY = re.compile(
    r"\s*($|[),;]|(WHERE|GROUP|ORDER|LIMIT|UNION|JOIN|LEFT|CROSS|INNER|ON|HAVING|WINDOW)\b)", re.I
)


def _aliased_subqueries(text: str) -> str:
    """Each subquery in FROM or JOIN given a name, as PostgreSQL asks (SQLite does not)."""
    start, named = 0, 0
    while found := re.compile(r"\b(FROM|JOIN) \(\s*SELECT\b", re.I).search(text, start):
        opening = text.index("(", found.start())
        closing = pg_schema.closing_parenthesis(text, opening)
        if _AFTER_SUBQUERY.match(text, closing + 1):
            named += 1
            text = f"{text[: closing + 1]} AS subquery_{named}{text[closing + 1 :]}"
        start = opening + 1
    return text


def _scalar_extremes(text: str) -> str:
    """SQLite's max(a, b) and min(a, b) of several arguments (not the aggregates of one)
    as PostgreSQL's greatest and least."""
    for name, other in (("max", "greatest"), ("min", "least")):
        start = 0
        while (found := re.compile(rf"\b{name}\(").search(text, start)) is not None:
            opening = found.end() - 1
            closing = pg_schema.closing_parenthesis(text, opening)
            depth, several = 0, False
            for char in text[opening + 1 : closing]:
                depth += {"(": 1, ")": -1}.get(char, 0)
                several = several or (char == "," and depth == 0)
            if several:
                text = text[: found.start()] + other + text[opening:]
            start = found.start() + 1
    return text


def _parameters(params: Any, lists: frozenset[int | str]) -> Any:
    """`params` for psycopg: () for none, the JSON arrays `lists` names decoded."""
    if not params:
        return ()
    if not lists:
        return params
    if isinstance(params, dict):
        return {k: json.loads(v) if k in lists else v for k, v in params.items()}
    return [json.loads(v) if i in lists else v for i, v in enumerate(params)]


def _columns(detail: str) -> list[str]:
    found = re.match(r"Key \((.*?)\)=", detail or "")
    return [c.strip().strip('"') for c in found.group(1).split(",")] if found else []


def _as_sqlite(exc: Exception) -> sqlite3.IntegrityError:
    """PostgreSQL's integrity error (or a trigger's exception) in SQLite's words."""
    import psycopg.errors as errors

    diag = exc.diag  # type: ignore[attr-defined]
    if isinstance(exc, errors.UniqueViolation):
        names = ", ".join(f"{diag.table_name}.{c}" for c in _columns(diag.message_detail))
        error = sqlite3.IntegrityError(f"UNIQUE constraint failed: {names}")
        error.sqlite_errorname = "SQLITE_CONSTRAINT_UNIQUE"
    elif isinstance(exc, errors.ForeignKeyViolation):
        error = sqlite3.IntegrityError("FOREIGN KEY constraint failed")
        error.sqlite_errorname = "SQLITE_CONSTRAINT_FOREIGNKEY"
    elif isinstance(exc, errors.NotNullViolation):
        error = sqlite3.IntegrityError(
            f"NOT NULL constraint failed: {diag.table_name}.{diag.column_name}"
        )
        error.sqlite_errorname = "SQLITE_CONSTRAINT_NOTNULL"
    elif isinstance(exc, errors.CheckViolation):
        error = sqlite3.IntegrityError(f"CHECK constraint failed: {diag.constraint_name}")
        error.sqlite_errorname = "SQLITE_CONSTRAINT_CHECK"
    else:  # a trigger's RAISE, as SQLite's RAISE(ABORT, ...) is raised
        error = sqlite3.IntegrityError(diag.message_primary or str(exc))
        error.sqlite_errorname = "SQLITE_CONSTRAINT_TRIGGER"
    return error


class _Connection:
    """A psycopg connection seen as the Store's parts see an sqlite3 one."""

    __slots__ = ("_conn",)
    row_locks = True  # base._locked: read-then-write steps lock the rows they read

    def __init__(self, conn: Any):
        self._conn = conn

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self._conn.info.transaction_status != TransactionStatus.IDLE

    def _run(self, sql: str, call: Callable[[Any], Any]) -> Any:
        import psycopg

        cursor = self._conn.cursor()
        alone = self.in_transaction and sql.lstrip()[:6].upper().startswith(_WRITES)
        try:
            if alone:
                with self._conn.transaction():  # a savepoint: SQLite's statement rollback
                    call(cursor)
            else:
                call(cursor)
        except (psycopg.errors.IntegrityError, psycopg.errors.RaiseException) as exc:
            raise _as_sqlite(exc) from None
        return cursor

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        query, lists = translate(sql)
        return self._run(sql, lambda cursor: cursor.execute(query, _parameters(params, lists)))

    def executemany(self, sql: str, rows: Any) -> Any:
        query, lists = translate(sql)
        return self._run(
            sql, lambda cursor: cursor.executemany(query, (_parameters(r, lists) for r in rows))
        )


def _check_address(url: str) -> None:
    """Raise StoreError unless `url` is a well-formed PostgreSQL address (a number for its
    port, percent signs that encode something)."""
    from psycopg import ProgrammingError
    from psycopg.conninfo import conninfo_to_dict

    try:
        urllib.parse.urlsplit(url).port  # noqa: B018  (raises for a port that is no number)
        conninfo_to_dict(url)
    except (ValueError, ProgrammingError) as exc:
        raise StoreError(BAD_ADDRESS, str(exc)) from None


def _conflict(exc: BaseException) -> bool:
    """A transaction PostgreSQL rolled back for a conflict (a serialization failure, a
    deadlock: SQLSTATE class 40), which succeeds when run again."""
    return (getattr(exc, "sqlstate", None) or "").startswith("40")


def _mapped(exc: BaseException) -> StoreError | None:
    """The StoreError for a failure of the server or the pool, or None."""
    import psycopg
    import psycopg_pool

    if isinstance(exc, psycopg_pool.PoolTimeout):
        return StoreBusy(BUSY, str(exc))
    if not isinstance(exc, psycopg.OperationalError) or _conflict(exc):
        return None  # a conflict is run again by `write`
    state = exc.sqlstate or ""
    if state == "53100":
        return StoreError(DISK_FULL, str(exc))
    if state.startswith("53"):  # out of connections or memory
        return StoreBusy(BUSY, f"{state}: {exc}")
    if state == "" or state.startswith(("08", "57P")):  # no connection, or a shutdown
        return StoreError(UNREACHABLE, str(exc))
    return None


@contextlib.contextmanager
def _plain_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        mapped = _mapped(exc)
        if mapped is None:
            raise
        raise mapped from None


@functools.cache
def _numbers() -> type:
    """A loader of PostgreSQL's numeric as SQLite gives numbers: an int when whole (a sum
    of integers is numeric in PostgreSQL, an integer in SQLite), else a float."""
    from psycopg.adapt import Loader

    class Numbers(Loader):
        def load(self, data: Any) -> int | float:
            text = bytes(data)
            return int(text) if text.lstrip(b"-").isdigit() else float(text)

    return Numbers


def _configure(conn: Any) -> None:
    from psycopg.types.string import TextLoader

    conn.adapters.register_loader("numeric", _numbers())
    for kind in ("json", "jsonb"):  # JSON comes back as its text, as from SQLite
        conn.adapters.register_loader(kind, TextLoader)


class PostgresBase(Engine):
    """The connections and transactions of one PostgreSQL database, by its URL."""

    dialect = "postgresql"

    def __init__(self, url: str, *, migrate: bool = True, read_only: bool = False):
        import psycopg
        from psycopg_pool import ConnectionPool

        self.url = url
        self.path = shown_url(url)
        self.read_only = read_only
        options: dict[str, Any] = {"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S}
        if read_only:  # every transaction on these connections refuses to write
            options["options"] = "-c default_transaction_read_only=on"
        # one connection first, so that what keeps the database from opening is said at
        # once, in words: a malformed address, or a server that is out of reach or refuses
        # the database, user or password
        _check_address(url)
        try:
            first = psycopg.connect(url, **options)
        except psycopg.OperationalError as exc:
            raise StoreError(CANNOT_OPEN, " ".join(str(exc).split())) from None
        with _plain_errors(), first as conn:
            if migrate and not read_only:
                pg_schema.apply(conn)
        self._pool = ConnectionPool(
            url,
            min_size=2,
            max_size=POOL_SIZE,
            kwargs=options,
            configure=_configure,
            timeout=WRITE_PATIENCE_S,  # as long as an SQLite write waits for a lock
            open=True,
            name="quiz-store",
        )

    @contextlib.contextmanager
    def borrow(self, synchronous: str = "FULL") -> Iterator[Any]:
        """A pooled connection for this thread alone until the block ends (for reads; a
        statement commits by itself). `synchronous` is SQLite's; PostgreSQL has one."""
        with _plain_errors(), self._pool.connection() as conn:
            yield _Connection(conn)

    def write(self, work: Callable[[Any], T]) -> T:
        """Run `work(conn)` in one transaction: all of it is committed, or none; returns
        its result once committed. Run again after a serialization failure or deadlock."""
        import psycopg

        if self.read_only:
            raise StoreError(
                "The database was opened read-only, so nothing can be saved.", self.path
            )
        for attempt in range(WRITE_RETRIES):
            try:
                with _plain_errors(), self._pool.connection() as conn, conn.transaction():
                    return work(_Connection(conn))
            except psycopg.OperationalError as exc:
                if not _conflict(exc):
                    raise
                if attempt == WRITE_RETRIES - 1:
                    raise StoreBusy(BUSY, f"{WRITE_RETRIES} tries: {exc}") from None
                time.sleep(random.uniform(0, RETRY_PAUSE_S * (attempt + 1)))  # no lockstep
        raise AssertionError("unreachable")

    def stream(
        self, sql: str, params: Sequence[Any] | dict[str, Any], batch: int = 1_000
    ) -> Iterator[tuple[Any, ...]]:
        """As Engine.stream, through a server-side cursor in a read transaction (a client
        cursor would hold every row of the result in memory)."""
        query, lists = translate(sql)
        with (
            _plain_errors(),
            self._pool.connection() as conn,
            conn.transaction(),
            conn.cursor(name=f"quiz_stream_{id(conn):x}") as cursor,
        ):
            cursor.execute(query, _parameters(params, lists))
            while rows := cursor.fetchmany(batch):
                yield from rows

    def close(self, wait: bool = False) -> None:
        self._pool.close()

    def migrate(self) -> None:
        with _plain_errors(), self._pool.connection() as conn:
            pg_schema.apply(conn)

    def applied_migrations(self) -> list[str]:
        rows = self.query(f"SELECT name FROM {pg_schema.MIGRATIONS_TABLE} ORDER BY id")
        return [row["name"] for row in rows]

    def check(self) -> None:
        """Raise StoreError unless this process can write to the database: a trial lock
        of the kind every write takes, in a transaction that is undone."""

        def trial(conn: Any) -> None:
            conn.execute("LOCK TABLE users IN ROW EXCLUSIVE MODE NOWAIT")
            raise _TrialWritten

        import psycopg

        try:
            self.write(trial)
        except _TrialWritten:
            return
        except psycopg.Error as exc:
            raise StoreError(
                "The database cannot be written: the server refuses this account's writes.",
                f"{self.path}: {exc}",
            ) from None

    def check_current(self) -> None:
        """Raise StoreError unless the database holds exactly this version's migrations
        (for a read-only store, which cannot apply them)."""
        found = self.first(
            "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = ?",
            (pg_schema.MIGRATIONS_TABLE,),
        )
        if not found or not found["n"]:
            raise StoreError("This PostgreSQL database is not a quiz database.", self.path)
        applied, known = set(self.applied_migrations()), pg_schema.migration_names()
        if applied - set(known):
            raise StoreError(
                "This database was written by a newer version of quiz-app; upgrade quiz-app "
                "to read it.",
                self.path,
            )
        if pending := [name for name in known if name not in applied]:
            raise StoreError(
                "This database was made by an older version of quiz-app and needs an upgrade, "
                "which a read-only command does not do: start the app on it once "
                "(quiz-app serve --db ...), then try again.",
                f"{self.path}: {len(pending)} migrations pending",
            )


class _TrialWritten(Exception):
    """Raised by the trial of PostgresBase.check, so that its transaction is undone."""
