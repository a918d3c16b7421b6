"""Schema, pragmas, indexes and migrations of the store."""

from __future__ import annotations

import contextlib
import re
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from quiz_app.migrations import migrations
from quiz_app.store import DATA_TABLES, Store

ALL_MIGRATIONS = [
    "m001_core",
    "m002_question_versions",
    "m003_sessions",
    "m004_data_version",
    "m005_certificates",
    "m006_exact_marks_one_open_attempt",
    "m007_signin_guard",
    "m008_certificate_time_zone",
    "m009_certificate_scope",
    "m010_report_versions",
    "m011_username_skeletons",
    "m012_question_flags",
    "m013_password_resets",
    "m014_cohort_archive",
    "m015_spaced_review",
    "m016_question_reports",
    "m017_accommodations",
    "m018_course_evaluations",
    "m019_attestation_certificate_fields",
    "m020_attempt_slots",
    "m021_slot_answers",
    "m022_card_recall_index",
    "m023_report_sums",
]


# Every registered migration, in order: the upgrade tests start before each of them.
MIGRATIONS = [m.name for m in migrations.pending(Database(memory=True))]


def test_fresh_database_has_every_migration(store: Store, db_path: Path) -> None:
    assert MIGRATIONS == ALL_MIGRATIONS
    assert store.applied_migrations() == ALL_MIGRATIONS
    tables = {name for kind, name, _, _ in schema(db_path)["objects"] if kind == "table"}
    tables -= {"sqlite_sequence"}  # SQLite's own, where AUTOINCREMENT is used
    assert tables == {*DATA_TABLES, Migrations.migrations_table}


def test_connection_pragmas(store: Store) -> None:
    assert store.pragma("journal_mode") == "wal"
    assert store.pragma("foreign_keys") == 1
    assert store.pragma("busy_timeout") >= 1000
    assert store.pragma("synchronous") == 2  # FULL


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        store.write(
            lambda conn: conn.execute(
                "INSERT INTO responses (attempt_id, question_id, answer, mark, max_mark,"
                " content_hash, answered_at) VALUES (999, 'q', '1', 1, 1, 'h', 'now')"
            )
        )
    assert store.query("SELECT count(*) AS n FROM responses") == [{"n": 0}]


@pytest.mark.parametrize(
    ("sql", "index"),
    [
        (
            "SELECT * FROM attempts WHERE user_id = 1 AND quiz_id = 'x' ORDER BY started_at",
            "idx_attempts_user_id_quiz_id_started_at",
        ),
        (
            "SELECT * FROM attempts WHERE cohort_id = 1 AND quiz_id = 'x'",
            "idx_attempts_cohort_id_quiz_id_started_at",
        ),
        (
            "SELECT * FROM responses WHERE question_id = 'q'",
            "idx_responses_question_id_content_hash",
        ),
        ("SELECT * FROM cohorts WHERE join_code = 'ABC'", "idx_cohorts_join_code"),
        ("SELECT * FROM cohorts WHERE instructor_id = 1", "idx_cohorts_instructor_id"),
        ("SELECT * FROM memberships WHERE user_id = 1", "idx_memberships_user_id"),
        ("SELECT * FROM users WHERE username = 'a'", "idx_users_username"),
        ("SELECT * FROM users WHERE skeleton = 'a'", "idx_users_skeleton"),
        ("SELECT * FROM sessions WHERE token_hash = 'h'", "idx_sessions_token_hash"),
        ("SELECT * FROM sessions WHERE handoff_hash = 'h'", "idx_sessions_handoff_hash"),
        ("SELECT * FROM sessions WHERE id = 1", "INTEGER PRIMARY KEY"),
        ("DELETE FROM signin_guards WHERE renews_at <= 't'", "idx_signin_guards_renews_at"),
    ],
    ids=[
        "learner-attempts",
        "cohort-attempts",
        "item-responses",
        "join-code",
        "instructor-cohorts",
        "learner-cohorts",
        "sign-in",
        "look-alike",
        "refresh",
        "claim-cookie",
        "session-recheck",
        "guard-expiry",
    ],
)
def test_page_queries_use_an_index(store: Store, sql: str, index: str) -> None:
    plan = " ".join(str(row) for row in store.query("EXPLAIN QUERY PLAN " + sql))
    assert index in plan, plan


def test_old_database_upgrades_without_loss(db_path: Path) -> None:
    """Build a database at the first migration only, fill it, then open it as today:
    the rows are all there, and the schema is a fresh database's."""
    old = Database(db_path)
    old.enable_wal()
    migrations.apply(old, stop_before="m002_question_versions")
    assert "question_versions" not in old.table_names()
    old["users"].insert(
        {
            "id": 1,
            "username": "ana",
            "display_name": "Ana",
            "role": "learner",
            "password_hash": "x",
            "failed_signins": 0,
            "created_at": "t",
        }
    )
    old["cohorts"].insert(
        {"id": 1, "name": "C", "join_code": "ABCD2345", "instructor_id": 1, "created_at": "t"}
    )
    old["memberships"].insert({"cohort_id": 1, "user_id": 1, "joined_at": "t"})
    old["attempts"].insert(
        {
            "id": 7,
            "user_id": 1,
            "cohort_id": 1,
            "quiz_id": "post-test",
            "quiz_title": "PT",
            "mode": "post_test",
            "seed": 3,
            "slots": "[]",
            "position": 0,
            "started_at": "t",
        }
    )
    old["responses"].insert(
        {
            "attempt_id": 7,
            "question_id": "q",
            "answer": "1",
            "mark": 1.0,
            "max_mark": 1.0,
            "content_hash": "h",
            "answered_at": "t",
        }
    )
    before = {
        t: list(old[t].rows) for t in ("users", "cohorts", "memberships", "attempts", "responses")
    }
    old.close()

    store = Store(db_path)
    assert store.applied_migrations() == ALL_MIGRATIONS
    for row in before["users"]:  # m007 moved the sign-in counts to signin_guards
        del row["failed_signins"], row["locked_until"]
        row["skeleton"] = row["username"]  # m011: what it looks like ("ana", as it is)
        row["review_cap"] = row["reviews_paused_at"] = None  # m015: review settings unset
        row["licence_number"] = row["licence_jurisdiction"] = None  # m017: no licence given
    for row in before["responses"]:  # m006 keeps each mark as an exact fraction too
        row["mark_exact"] = "1"
    for row in before["attempts"]:  # an open attempt has no score yet, exact or not
        row["score_exact"] = None
        row["attested_at"] = row["attestation"] = None  # m017: not attested
    for row in before["cohorts"]:  # m014: not archived
        row["archived_at"] = None
    for table, rows in before.items():
        assert store.table_rows(table) == rows, table
    assert store.table_rows("question_versions") == []
    fresh = db_path.with_name("fresh.db")
    Store(fresh)
    assert schema(db_path) == schema(fresh)


def test_migrating_twice_changes_nothing(db_path: Path) -> None:
    Store(db_path)
    again = Store(db_path)
    assert again.applied_migrations() == ALL_MIGRATIONS


def _sql(text: str | None) -> str | None:
    """SQL text with its layout folded away: runs of whitespace become one space, and
    none is kept beside brackets and commas."""
    if text is None:
        return None
    return re.sub(r"\s*([(),])\s*", r"\1", " ".join(text.split()))


def schema(path: Path) -> dict[str, object]:
    """Everything that defines a database's schema, read from SQLite itself: each object's
    SQL (tables, indexes with any partial WHERE, triggers, views), and per table its
    columns (type, default, not-null, key), foreign keys and indexes with their columns."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        objects = conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master"
            " WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name"
        ).fetchall()  # (the statistics ANALYZE keeps are data, not schema)
        tables = [name for kind, name, _, _ in objects if kind == "table"]
        found: dict[str, object] = {
            "objects": [(kind, name, table, _sql(sql)) for kind, name, table, sql in objects],
            "user_version": conn.execute("PRAGMA user_version").fetchone()[0],
        }
        for table in tables:
            indexes = conn.execute(f"PRAGMA index_list('{table}')").fetchall()
            found[table] = {
                "columns": conn.execute(f"PRAGMA table_xinfo('{table}')").fetchall(),
                "foreign_keys": conn.execute(f"PRAGMA foreign_key_list('{table}')").fetchall(),
                "indexes": sorted(
                    (*index[1:], conn.execute(f"PRAGMA index_xinfo('{index[1]}')").fetchall())
                    for index in indexes
                ),
            }
    return found


@pytest.mark.parametrize("before", MIGRATIONS)
def test_upgraded_schema_equals_a_fresh_one(tmp_path: Path, before: str) -> None:
    """A database made before migration `before` and opened as today has exactly the
    schema of a database made today."""
    fresh = tmp_path / "fresh.db"
    Store(fresh)
    old = tmp_path / "old.db"
    database = Database(old)
    database.enable_wal()
    migrations.apply(database, stop_before=before)
    database.close()
    assert schema(old) != schema(fresh)  # there was something to upgrade
    assert Store(old).applied_migrations() == MIGRATIONS
    assert schema(old) == schema(fresh)
