"""The schema in PostgreSQL's dialect, from the one migration list (quiz_app.migrations).

No PostgreSQL database was ever made before `BASELINE`, so PostgreSQL starts there: its
first migration is the schema SQLite's migrations reach at `BASELINE`, translated, not
written a second time by hand. `baseline_statements` reads that SQLite schema (tables,
columns, keys, checks, indexes, triggers) from an in-memory database and writes each
part in PostgreSQL's words:

- INTEGER, TEXT and REAL columns become bigint, text and double precision; an `id`
  INTEGER PRIMARY KEY (SQLite's rowid) an identity column, which takes an explicit id
  as SQLite's does (a bulk load that sets ids must move the sequence on after it);
- each trigger becomes a PL/pgSQL function of the same statements and a row trigger
  of the same event: `json_each` becomes `json_array_elements ... WITH ORDINALITY`
  (json, not jsonb: a value keeps its text as stored; its key counting from 0),
  `total()` a sum that is 0 for no rows, `printf('%02d')` a left-padded number,
  `IS NOT` between values `IS DISTINCT FROM`, RAISE(ABORT) an exception, a GROUP BY of
  later columns one of the columns before them too (SQLite lets one attempt's cohort
  and quiz stand bare beside its slots' groups; PostgreSQL asks for them in the GROUP
  BY, where they change no group), and a WHEN clause
  (PostgreSQL allows no subquery there) an IF in the body.

Every migration after BASELINE is written in both dialects: its SQLite form in
quiz_app.migrations, its PostgreSQL statements in `LATER` under the same name (a test
holds the two lists equal). `apply` records the applied names in `quiz_migrations`.
The tests compare the two backends' schemas part by part, and run the same writes
against both to compare what the triggers keep.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from quiz_app.migrations import migrations

BASELINE = "m023_report_sums"
# the migrations after BASELINE, by name: their PostgreSQL statements, in order
LATER: dict[str, list[str]] = {}
MIGRATIONS_TABLE = "quiz_migrations"
_TYPES = {"INTEGER": "bigint", "TEXT": "text", "REAL": "double precision"}
MIGRATION_LOCK = 0x7175697A  # pg_advisory_xact_lock key: one server migrates at a time


@dataclass
class Table:
    columns: list[tuple[str, str, bool, str | None]]  # name, type, NOT NULL, default SQL
    key: list[str]
    foreign_keys: list[tuple[str, str, str, str]]  # column, table, column, ON DELETE
    checks: list[str] = field(default_factory=list)
    uniques: list[tuple[str, ...]] = field(default_factory=list)  # UNIQUE (...) constraints


@dataclass
class Schema:
    """A database's schema, part by part, comparable across the two backends."""

    tables: dict[str, Table]
    indexes: dict[str, tuple[str, bool, tuple[str, ...], str | None]]  # table, unique, on, where
    triggers: dict[str, tuple[str, str, str]]  # table, timing, event (with its columns)


# -- reading SQLite's schema -------------------------------------------------------------


def _checks(sql: str) -> list[str]:
    """The CHECK constraints of a CREATE TABLE statement, as written."""
    found = []
    for match in re.finditer(r"\bCHECK \(", sql):
        depth, start = 0, match.end() - 1
        for end in range(start, len(sql)):
            depth += {"(": 1, ")": -1}.get(sql[end], 0)
            if depth == 0:
                found.append(sql[start + 1 : end])
                break
    return found


def describe_sqlite(conn: sqlite3.Connection) -> Schema:
    """The schema of an SQLite quiz database, without sqlite-utils' migrations table."""
    master = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master"
        " WHERE name NOT LIKE 'sqlite_%' AND tbl_name != '_sqlite_migrations' ORDER BY name"
    ).fetchall()
    tables, indexes, triggers = {}, {}, {}
    for kind, name, table, sql in master:
        if kind == "table":
            info = conn.execute(f"PRAGMA table_info({name})").fetchall()
            tables[name] = Table(
                columns=[(c[1], c[2].upper(), bool(c[3]), c[4]) for c in info],
                key=[c[1] for c in sorted((c for c in info if c[5]), key=lambda c: c[5])],
                foreign_keys=[
                    (f[3], f[2], f[4], f[6])
                    for f in conn.execute(f"PRAGMA foreign_key_list({name})").fetchall()
                ],
                checks=_checks(sql),
                uniques=sorted(
                    tuple(c[2] for c in conn.execute(f"PRAGMA index_info({index[1]})"))
                    for index in conn.execute(f"PRAGMA index_list({name})").fetchall()
                    if index[3] == "u"
                ),
            )
        elif kind == "index" and sql is not None:
            on = tuple(r[2] for r in conn.execute(f"PRAGMA index_info({name})").fetchall())
            where = re.search(r"\bWHERE (.*)$", sql, re.S)
            unique = sql.upper().startswith("CREATE UNIQUE")
            indexes[name] = (table, unique, on, where.group(1).strip() if where else None)
        elif kind == "trigger":
            timing, event, _, _ = _trigger_parts(sql)
            triggers[name] = (table, timing, event)
    return Schema(tables, indexes, triggers)


_TRIGGER = re.compile(
    r"CREATE TRIGGER \w+ (BEFORE|AFTER) (INSERT|DELETE|UPDATE(?: OF [\w, ]+?)?) ON \w+"
    r"(?: WHEN (.*?))? BEGIN (.*) END$",
    re.S,
)


def _trigger_parts(sql: str) -> tuple[str, str, str | None, str]:
    """(timing, event, WHEN condition or None, body) of an SQLite CREATE TRIGGER."""
    match = _TRIGGER.match(" ".join(sql.split()))
    if match is None:
        raise ValueError(f"a trigger this translation does not know: {sql[:80]}")
    timing, event, when, body = match.groups()
    return timing, event, when, body


# -- writing it in PostgreSQL's dialect ---------------------------------------------------


def closing_parenthesis(text: str, start: int) -> int:
    """The index of the parenthesis closing the one at `text[start]`."""
    depth = 0
    for end in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[end], 0)
        if depth == 0:
            return end
    raise ValueError(f"unbalanced parentheses in {text[start:][:80]}")


def replace_calls(text: str, name: str, write: Any) -> str:
    """`text` with each call name(args) replaced by write(args)."""
    while (found := text.find(name + "(")) != -1:
        start = found + len(name)
        end = closing_parenthesis(text, start)
        text = text[:found] + write(text[start + 1 : end]) + text[end + 1 :]
    return text


def _padded(arguments: str) -> str:
    """printf('...%0Nd...', value) as text and lpad, the one form of printf used."""
    pattern, value = arguments.split(",", 1)
    found = re.fullmatch(r"'([^'%]*)%0(\d+)d([^'%]*)'", pattern.strip())
    if found is None:
        raise ValueError(f"a printf this translation does not know: {pattern}")
    before, width, after = found.groups()
    padded = f"lpad(({value.strip()})::text, {width}, '0')"
    return " || ".join([*([f"'{before}'"] if before else []), padded,
                        *([f"'{after}'"] if after else [])])  # fmt: skip


@functools.cache
def current() -> Schema:
    """The schema every migration leaves (read from an in-memory SQLite database)."""
    conn = sqlite3.connect(":memory:")
    try:
        migrations.apply(Database(conn))
        return describe_sqlite(conn)
    finally:
        conn.close()


def _identity(table: Table, column: str, kind: str) -> bool:
    """Whether `column` is an identity column on PostgreSQL: an `id` INTEGER PRIMARY KEY."""
    return table.key == [column] == ["id"] and kind == "INTEGER"


def identity_tables() -> frozenset[str]:
    """The tables whose `id` is an identity column on PostgreSQL (SQLite's rowid)."""
    return frozenset(
        name
        for name, table in current().tables.items()
        if any(_identity(table, c[0], c[1]) for c in table.columns)
    )


def _columns_of() -> dict[str, frozenset[str]]:
    return {
        name: frozenset(c[0] for c in table.columns) for name, table in current().tables.items()
    }


_UPSERT = re.compile(r"INSERT INTO (\w+)(.*?) DO UPDATE SET (.*?)(?=\bRETURNING\b|;|$)", re.S)


def _qualified(match: re.Match[str]) -> str:
    """An upsert whose DO UPDATE names the old row's columns by their table, as PostgreSQL
    asks (a bare name could be the old row's or `excluded`'s), but for the columns set."""
    table, body = match[1], match[3]
    columns = _columns_of().get(table, frozenset())

    def name(word: re.Match[str]) -> str:
        before = body[: word.start()].rstrip()
        if word[0] not in columns or before.endswith("."):
            return word[0]
        setting = before == "" or before.endswith(",")
        if setting and re.match(r"\s*=(?!=)", body[word.end() :]):
            return word[0]  # the column set, which PostgreSQL wants bare
        return f"{table}.{word[0]}"

    return f"INSERT INTO {table}{match[2]} DO UPDATE SET " + re.sub(
        r"(?<![.\w'])[A-Za-z_]\w*", name, body
    )


def postgres_sql(statement: str, *, trigger: bool = True) -> str:
    """A statement of SQLite's dialect (a trigger body's, or with `trigger` False one of
    the Store's) in PostgreSQL's."""
    text = re.sub(
        r"json_each\((\w+\.\w+)\) (\w+)",
        r"json_array_elements(\1::json) WITH ORDINALITY AS \2 (value, ordinal)",
        statement,
    )
    text = re.sub(r"\b(\w+)\.key\b", r"(\1.ordinal - 1)", text)
    text = replace_calls(text, "total", lambda arg: f"coalesce(sum({arg}), 0)")
    text = replace_calls(text, "printf", _padded)
    if trigger:
        text = re.sub(
            r"GROUP BY (\d+(?:, \d+)*)",
            lambda m: "GROUP BY " + ", ".join(map(str, range(1, int(m[1].split(",")[-1]) + 1))),
            text,
        )
    text = re.sub(r"\bIS NOT (?!NULL\b|TRUE\b|FALSE\b)", "IS DISTINCT FROM ", text)
    text = re.sub(r"\bIS (?!NOT\b|NULL\b|DISTINCT\b|TRUE\b|FALSE\b)", "IS NOT DISTINCT FROM ", text)
    text = _UPSERT.sub(_qualified, text)
    return re.sub(r"SELECT RAISE\(ABORT, ('[^']*')\)", r"RAISE EXCEPTION \1", text)


def _column(table: Table, column: tuple[str, str, bool, str | None]) -> str:
    name, kind, not_null, default = column
    words = [name, _TYPES[kind]]
    if _identity(table, name, kind):
        words.append("GENERATED BY DEFAULT AS IDENTITY")
    if not_null:
        words.append("NOT NULL")
    if default is not None:
        words.append(f"DEFAULT {default}")
    return " ".join(words)


def _create_table(name: str, table: Table) -> str:
    parts = [_column(table, column) for column in table.columns]
    parts.append(f"PRIMARY KEY ({', '.join(table.key)})")
    for column, other, other_column, on_delete in table.foreign_keys:
        rule = "" if on_delete == "NO ACTION" else f" ON DELETE {on_delete}"
        parts.append(f"FOREIGN KEY ({column}) REFERENCES {other} ({other_column}){rule}")
    parts.extend(f"UNIQUE ({', '.join(columns)})" for columns in table.uniques)
    parts.extend(f"CHECK ({check})" for check in table.checks)
    return f"CREATE TABLE {name} ({', '.join(parts)})"


def _create_trigger(name: str, table: str, sql: str) -> list[str]:
    timing, event, when, body = _trigger_parts(sql)
    statements = [postgres_sql(s.strip()) + ";" for s in body.split(";") if s.strip()]
    code = " ".join(statements)
    if when is not None:
        code = f"IF {postgres_sql(when)} THEN {code} END IF;"
    returned = "NULL" if timing == "AFTER" else ("OLD" if event == "DELETE" else "NEW")
    return [
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
        f" BEGIN {code} RETURN {returned}; END $$",
        f"CREATE TRIGGER {name} {timing} {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()",
    ]


def _sqlite_at_baseline() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    names = [m.name for m in migrations.pending(Database(memory=True))]
    after = names[names.index(BASELINE) + 1 :]
    migrations.apply(Database(conn), stop_before=after[0] if after else None)
    return conn


@functools.cache
def baseline_statements() -> tuple[str, ...]:
    """The PostgreSQL statements that make the schema SQLite's migrations reach at
    BASELINE: tables (each after those it references), indexes, trigger functions."""
    conn = _sqlite_at_baseline()
    try:
        schema = describe_sqlite(conn)
        sqls = dict(
            conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
        )
    finally:
        conn.close()
    statements: list[str] = []
    made: set[str] = set()
    waiting = dict(schema.tables)
    while waiting:
        ready = [
            name
            for name, table in waiting.items()
            if all(other in made or other == name for _, other, _, _ in table.foreign_keys)
        ]
        if not ready:
            raise ValueError(f"tables that reference each other: {sorted(waiting)}")
        for name in ready:
            statements.append(_create_table(name, waiting.pop(name)))
            made.add(name)
    for name, (table, unique, on, where) in schema.indexes.items():
        words = "CREATE UNIQUE INDEX" if unique else "CREATE INDEX"
        condition = f" WHERE {where}" if where else ""
        statements.append(f'{words} "{name}" ON {table} ({", ".join(on)}){condition}')
    for name, (table, _, _) in schema.triggers.items():
        statements.extend(_create_trigger(name, table, sqls[name]))
    return tuple(statements)


# -- applying it, and reading it back -------------------------------------------------------


def migration_names() -> list[str]:
    """Every migration's name, in order: SQLite's list, which PostgreSQL's follows."""
    return [m.name for m in migrations.pending(Database(memory=True))]


def apply(conn: Any) -> list[str]:
    """Apply pending migrations to the PostgreSQL database of psycopg connection `conn`,
    in one transaction, under a lock that makes a second server starting at the same time
    wait and then find nothing to do. Returns the names applied."""
    names = migration_names()
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (id bigint GENERATED ALWAYS AS"
            " IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE, applied_at text NOT NULL)"
        )
        done = {row[0] for row in conn.execute(f"SELECT name FROM {MIGRATIONS_TABLE}")}
        first_later = names.index(BASELINE) + 1
        applied: list[str] = []
        if BASELINE not in done:
            for statement in baseline_statements():
                conn.execute(statement)
            applied += [name for name in names[:first_later] if name not in done]
        for name in names[first_later:]:
            if name not in done:
                for statement in LATER[name]:
                    conn.execute(statement)
                applied.append(name)
        now = datetime.now(UTC).isoformat()
        for name in applied:
            conn.execute(
                f"INSERT INTO {MIGRATIONS_TABLE} (name, applied_at) VALUES (%s, %s)",
                (name, now),
            )
    return applied


_PG_TYPES = {v: k for k, v in _TYPES.items()}


def describe_postgres(conn: Any) -> Schema:
    """The schema of a PostgreSQL quiz database (schema public), in `describe_sqlite`'s
    terms, without the migrations table."""
    tables: dict[str, Table] = {}
    for (name,) in conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        " AND table_type = 'BASE TABLE' AND table_name != %s ORDER BY table_name",
        (MIGRATIONS_TABLE,),
    ).fetchall():
        columns = [
            (column, _PG_TYPES[kind], nullable == "NO", default)
            for column, kind, nullable, default in conn.execute(
                "SELECT column_name, data_type, is_nullable, column_default"
                " FROM information_schema.columns WHERE table_schema = 'public'"
                " AND table_name = %s ORDER BY ordinal_position",
                (name,),
            ).fetchall()
        ]
        constraints = conn.execute(
            "SELECT contype, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass ORDER BY conname",
            (name,),
        ).fetchall()
        key = next(
            [c.strip().strip('"') for c in d[len("PRIMARY KEY (") : -1].split(",")]
            for t, d in constraints
            if t == "p"
        )
        foreign = []
        for kind, definition in constraints:
            if kind == "f":
                m = re.match(
                    r"FOREIGN KEY \((\w+)\) REFERENCES (\w+)\((\w+)\)(?: ON DELETE ([A-Z ]+))?",
                    definition,
                )
                assert m is not None, definition
                foreign.append((m[1], m[2], m[3], m[4] or "NO ACTION"))
        checks = [d[len("CHECK (") : -1] for t, d in constraints if t == "c"]
        uniques = sorted(
            tuple(c.strip().strip('"') for c in d[len("UNIQUE (") : -1].split(","))
            for t, d in constraints
            if t == "u"
        )
        tables[name] = Table(columns, key, foreign, checks, uniques)
    indexes = {}
    for name, table, definition in conn.execute(
        "SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'"
        " AND indexname NOT IN (SELECT conname FROM pg_constraint)"
    ).fetchall():
        m = re.match(r"CREATE (UNIQUE )?INDEX \S+ ON \S+ USING btree \((.*?)\)(?: WHERE (.*))?$",
                     definition)  # fmt: skip
        assert m is not None, definition
        on = tuple(c.strip().strip('"') for c in m[2].split(","))
        indexes[name] = (table, bool(m[1]), on, m[3])
    triggers = {}
    for name, table, timing, event, columns in conn.execute(
        "SELECT t.tgname, c.relname,"
        " CASE WHEN t.tgtype & 2 = 2 THEN 'BEFORE' ELSE 'AFTER' END,"
        " CASE WHEN t.tgtype & 4 = 4 THEN 'INSERT' WHEN t.tgtype & 8 = 8 THEN 'DELETE'"
        " ELSE 'UPDATE' END,"
        " (SELECT string_agg(a.attname, ', ' ORDER BY k.n) FROM unnest(t.tgattr)"
        "  WITH ORDINALITY AS k (attnum, n) JOIN pg_attribute a"
        "  ON a.attrelid = t.tgrelid AND a.attnum = k.attnum)"
        " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal"
    ).fetchall():
        triggers[name] = (table, timing, f"{event} OF {columns}" if columns else event)
    return Schema(tables, indexes, triggers)
