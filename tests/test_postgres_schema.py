"""The PostgreSQL schema (quiz_app.store.pg_schema) against SQLite's: part by part, and
by what the triggers keep when the same writes go to both.

Skipped where PostgreSQL is not installed, except in CI (tests/conftest.py)."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from quiz_app.store import Store, pg_schema
from quiz_app.store.pg_schema import Schema, describe_postgres, describe_sqlite


def _connect(url: str) -> Any:
    import psycopg

    return psycopg.connect(url, autocommit=True)


def _default(value: str | None) -> str | None:
    """A column default as both backends would write it: PostgreSQL adds a cast."""
    return None if value is None else re.sub(r"::text$", "", value)


def _condition(value: str | None) -> str | None:
    """An index's WHERE: PostgreSQL wraps it in parentheses."""
    if value is not None and value.startswith("(") and value.endswith(")"):
        return value[1:-1]
    return value


def _event(event: str) -> str:
    """A trigger's event, its columns in order of name (PostgreSQL keeps them in the
    table's order)."""
    kind, _, columns = event.partition(" OF ")
    return f"{kind} OF {', '.join(sorted(columns.split(', ')))}" if columns else kind


def _comparable(schema: Schema) -> dict[str, Any]:
    return {
        "tables": {
            name: (
                # a key's columns are NOT NULL in PostgreSQL, as they always hold values here
                [(c, t, n or c in table.key, _default(d)) for c, t, n, d in table.columns],
                table.key,
                sorted(table.foreign_keys),
                len(table.checks),  # the CHECKs' effect is compared by test_same_writes
                table.uniques,
            )
            for name, table in schema.tables.items()
        },
        "indexes": {
            name: (table, unique, on, _condition(where))
            for name, (table, unique, on, where) in schema.indexes.items()
        },
        "triggers": {
            name: (table, timing, _event(event))
            for name, (table, timing, event) in schema.triggers.items()
        },
    }


@pytest.fixture
def postgres(postgres_url: str) -> Any:
    with _connect(postgres_url) as conn:
        pg_schema.apply(conn)
        yield conn


@pytest.fixture
def sqlite(tmp_path: Path) -> Any:
    Store(tmp_path / "quiz.db").close(wait=True)
    conn = sqlite3.connect(tmp_path / "quiz.db", isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    yield conn
    conn.close()


def test_every_migration_has_a_postgres_form() -> None:
    names = pg_schema.migration_names()
    assert pg_schema.BASELINE in names
    assert list(pg_schema.LATER) == names[names.index(pg_schema.BASELINE) + 1 :]


def test_the_postgres_schema_is_sqlites(postgres: Any, sqlite: Any) -> None:
    found, wanted = _comparable(describe_postgres(postgres)), _comparable(describe_sqlite(sqlite))
    assert sorted(found["tables"]) == sorted(wanted["tables"])
    for part in ("tables", "indexes", "triggers"):
        for name in wanted[part]:
            assert found[part].get(name) == wanted[part][name], (part, name)
        assert found[part] == wanted[part], part


def test_applying_twice_applies_nothing_and_records_every_migration(postgres: Any) -> None:
    assert pg_schema.apply(postgres) == []
    rows = postgres.execute(f"SELECT name FROM {pg_schema.MIGRATIONS_TABLE} ORDER BY id")
    assert [name for (name,) in rows] == pg_schema.migration_names()


def test_two_servers_migrating_at_once_migrate_once(postgres_url: str) -> None:
    import threading

    results: list[list[str]] = []
    barrier = threading.Barrier(2)

    def migrate() -> None:
        with _connect(postgres_url) as conn:
            barrier.wait()
            results.append(pg_schema.apply(conn))

    threads = [threading.Thread(target=migrate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(len, results)) == [0, len(pg_schema.migration_names())]


# -- the same writes against both -----------------------------------------------------------

SLOTS = json.dumps([{"id": "q1", "hash": "h1"}, {"id": "q2", "hash": "h2"}, {"id": "q3"}])
OTHER_SLOTS = json.dumps([{"id": "q2", "hash": "h2b"}, {"id": "q4", "hash": "h4"}])
ATTEMPT = (
    "INSERT INTO attempts (id, user_id, cohort_id, quiz_id, quiz_title, mode, seed, slots,"
    " started_at, submitted_at) VALUES (?, ?, ?, ?, 'Quiz', 'post_test', 1, ?, ?, ?)"
)
ANSWER = (
    "INSERT INTO responses (attempt_id, question_id, answer, mark, max_mark, content_hash,"
    " answered_at) VALUES (?, ?, '1', ?, 1, 'h', '2026-01-01T10:00:00+00:00')"
)
CERTIFICATE = (
    "INSERT INTO certificates (code, attempt_id, user_id, learner_name, course_title,"
    " objectives, ce_hours, provider, score_pct, pass_mark, completed_at, issued_at)"
    " VALUES (?, ?, ?, 'Ana', 'Course', '[]', 1.5, 'P', 90, 80, 'then', 'then')"
)
CARD = (
    "INSERT INTO cards (user_id, question_id, key_hash, card, due, last_review)"
    " VALUES (?, ?, 'k', '{}', '2026-02-01', '2026-01-01')"
)
GRANT = (
    "INSERT INTO accommodations (cohort_id, user_id, action, extra_minutes, recorded_by,"
    " recorded_at) VALUES (?, ?, 'grant', 30, 1, 'then')"
)
START = "2026-01-01T09:47:12+00:00"
LATE = "2026-01-01T23:59:59+00:00"  # the day's last quarter hour
WRITES: list[tuple[str, tuple[Any, ...]]] = [
    ("INSERT INTO users (id, username, display_name, role, password_hash, created_at)"
     " VALUES (?, ?, ?, ?, 'x', 'then')", (n, f"u{n}", f"User {n}", role, ))
    for n, role in ((1, "instructor"), (2, "learner"), (3, "learner"), (4, "learner"))
] + [
    ("INSERT INTO cohorts (id, name, join_code, instructor_id, created_at)"
     " VALUES (?, ?, ?, 1, 'then')", (n, f"C{n}", f"CODE{n}"))
    for n in (10, 11, 12)
] + [
    ("INSERT INTO memberships (cohort_id, user_id, joined_at) VALUES (?, ?, 'then')", pair)
    for pair in ((10, 2), (10, 3), (11, 3))
] + [
    (ATTEMPT, (100, 2, 10, "post", SLOTS, START, None)),
    (ANSWER, (100, "q1", 1.0)),
    (ANSWER, (100, "q2", 0.5)),
    ("UPDATE responses SET mark = 1, answer = '2' WHERE attempt_id = 100 AND question_id = 'q2'",
     ()),
    ("UPDATE attempts SET submitted_at = '2026-01-01T10:05:00+00:00', score = 2"
     " WHERE id = 100", ()),
    (ATTEMPT, (101, 3, 10, "post", SLOTS, LATE, "2026-01-02T00:10:00+00:00")),
    (ANSWER, (101, "q1", 0.25)),
    (ANSWER, (101, "q3", 1.0)),
    ("UPDATE attempts SET cohort_id = 11 WHERE id = 101", ()),
    ("UPDATE attempts SET slots = ? WHERE id = 101", (OTHER_SLOTS,)),
    (ANSWER, (101, "q2", 0.75)),
    ("UPDATE attempts SET started_at = '2026-01-01T10:14:59+00:00' WHERE id = 101", ()),
    ("UPDATE attempts SET quiz_id = 'other', position = 1 WHERE id = 101", ()),
    ("UPDATE responses SET question_id = 'q4' WHERE attempt_id = 101 AND question_id = 'q2'",
     ()),
    (ATTEMPT, (102, 4, None, "post", SLOTS, START, START)),
    (ANSWER, (102, "q1", 1.0)),
    ("UPDATE attempts SET submitted_at = NULL WHERE id = 101", ()),
    ("UPDATE attempts SET submitted_at = '2026-01-03T00:00:00+00:00' WHERE id = 101", ()),
    ("UPDATE users SET display_name = 'Renamed' WHERE id = 3", ()),
    (CERTIFICATE, ("CERT-1", 100, 2)),
    ("UPDATE certificates SET superseded_by = 'CERT-1' WHERE code = 'CERT-1'", ()),
    ("DELETE FROM certificates WHERE code = 'CERT-1'", ()),
    (CARD, (2, "q1")),
    ("UPDATE cards SET reviews = 1 WHERE user_id = 2", ()),
    ("DELETE FROM cards WHERE user_id = 2", ()),
    (GRANT, (10, None)),
    (GRANT, (11, 3)),
    ("INSERT INTO memberships (cohort_id, user_id, joined_at) VALUES (11, 2, 'then')", ()),
    ("UPDATE memberships SET joined_at = 'later' WHERE cohort_id = 10 AND user_id = 3", ()),
    ("DELETE FROM memberships WHERE cohort_id = 11 AND user_id = 2", ()),
    ("UPDATE cohorts SET name = 'Renamed' WHERE id = 12", ()),
    ("UPDATE cohorts SET archived_at = 'then' WHERE id = 12", ()),
    ("DELETE FROM cohorts WHERE id = 12", ()),
    ("DELETE FROM responses WHERE attempt_id = 100 AND question_id = 'q1'", ()),
    ("DELETE FROM responses WHERE attempt_id = 100", ()),
    ("DELETE FROM attempts WHERE id = 100", ()),
    ("INSERT INTO evaluations (attempt_id, user_id, submitted_at, items, answers)"
     " VALUES (101, 3, 'then', '[]', '{}')", ()),
]  # fmt: skip
REFUSED = [
    # a submitted evaluation is never changed (a trigger)
    "UPDATE evaluations SET answers = '[1]' WHERE attempt_id = 101",
    # an accommodation is a grant or a revoke, of extra time or a multiplier (CHECKs)
    "INSERT INTO accommodations (cohort_id, action, recorded_by, recorded_at)"
    " VALUES (10, 'gift', 1, 'then')",
    "INSERT INTO accommodations (cohort_id, action, time_multiplier, extra_minutes,"
    " recorded_by, recorded_at) VALUES (10, 'grant', '1.5', 30, 1, 'then')",
    # one open attempt per learner and quiz (a partial unique index)
    "INSERT INTO attempts (user_id, quiz_id, quiz_title, mode, seed, slots, started_at)"
    " VALUES (2, 'p', 'P', 'practice', 1, '[]', 'now'), (2, 'p', 'P', 'practice', 1, '[]', 'now')",
]
KEPT = {  # what the triggers keep, and the order to compare it in
    "report_versions": "cohort_id, quiz_id",
    "review_versions": "cohort_id",
    "attempt_slots": "attempt_id, position",
    "question_totals": "cohort_id, quiz_id, question_id, content_hash",
    "question_quarters": "cohort_id, quarter, quiz_id, question_id",
    "attempt_starts": "cohort_id, quarter, quiz_id",
}


def _kept(conn: Any) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: [
            tuple(round(v, 9) if isinstance(v, float) else v for v in row)
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
        ]
        for table, order in KEPT.items()
    }


def _postgres(sql: str) -> str:
    return sql.replace("?", "%s")


def test_same_writes_keep_the_same_sums_versions_and_slots(postgres: Any, sqlite: Any) -> None:
    for number, (sql, params) in enumerate(WRITES):
        sqlite.execute(sql, params)
        postgres.execute(_postgres(sql), params)
        assert _kept(postgres) == _kept(sqlite), (number, sql)
    assert _kept(sqlite)["question_quarters"], "the writes must leave sums to compare"


@pytest.mark.parametrize("sql", REFUSED)
def test_same_writes_are_refused(postgres: Any, sqlite: Any, sql: str) -> None:
    import psycopg

    for setup, params in WRITES:
        sqlite.execute(setup, params)
        postgres.execute(_postgres(setup), params)
    with pytest.raises(sqlite3.IntegrityError):
        sqlite.execute(sql)
    with pytest.raises(psycopg.errors.IntegrityError if "evaluations" not in sql
                       else psycopg.errors.RaiseException):  # fmt: skip
        postgres.execute(sql)
