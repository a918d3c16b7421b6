"""attempt_slots (m020): each attempt's slots as rows, always the same as its slots JSON,
however the attempt was written (a start, a bulk load, a database from before m020), and
gone with the attempt."""

from __future__ import annotations

import json
from pathlib import Path

from sqlite_utils import Database

from quiz_app.migrations import migrations
from quiz_app.store import Store


def from_json(store: Store) -> list[tuple]:
    """What attempt_slots should hold: every attempt's slots, read from its JSON."""
    return [
        (row["id"], position, slot.get("id"), slot.get("hash"))
        for row in store.query("SELECT id, slots FROM attempts ORDER BY id")
        for position, slot in enumerate(json.loads(row["slots"]))
    ]


def stored(store: Store) -> list[tuple]:
    return [
        (r["attempt_id"], r["position"], r["question_id"], r["content_hash"])
        for r in store.table_rows("attempt_slots")
    ]


def attempt_row(attempt_id: int, slots: list[dict]) -> dict:
    return {
        "id": attempt_id, "user_id": 1, "cohort_id": None, "quiz_id": "post-test",
        "quiz_title": "PT", "mode": "post_test", "seed": 3, "slots": json.dumps(slots),
        "position": 0, "started_at": "2026-01-01T09:00:00+00:00",
        "submitted_at": "2026-01-01T10:00:00+00:00",
    }  # fmt: skip


USER = {"id": 1, "username": "ana", "display_name": "Ana", "role": "learner",
        "password_hash": "x", "created_at": "t"}  # fmt: skip
SLOTS = [{"id": "q1", "hash": "h1", "order": [1, 0]}, {"id": "q2"}, {"id": "q3", "hash": ""}]


def test_started_attempts_have_their_slots_as_rows(cohort_world, store: Store) -> None:
    rows = stored(store)
    assert len(rows) > 20 and rows == from_json(store)
    assert {r[3] for r in rows} != {None}  # the versions shown


def test_a_bulk_load_stores_the_slots_of_its_attempts(store: Store) -> None:
    store.bulk_insert({"users": [USER], "attempts": [attempt_row(1, SLOTS), attempt_row(2, [])]})
    assert stored(store) == [(1, 0, "q1", "h1"), (1, 1, "q2", None), (1, 2, "q3", "")]
    assert stored(store) == from_json(store)


def test_changed_slots_change_the_rows(store: Store) -> None:
    store.bulk_insert({"users": [USER], "attempts": [attempt_row(1, SLOTS)]})
    store.execute("UPDATE attempts SET slots = ? WHERE id = 1", [json.dumps(SLOTS[1:])])
    assert stored(store) == [(1, 0, "q2", None), (1, 1, "q3", "")]


def test_deleting_an_attempt_deletes_its_slots(store: Store) -> None:
    store.bulk_insert(
        {"users": [USER], "attempts": [attempt_row(1, SLOTS), attempt_row(2, SLOTS[:1])]}
    )
    store.execute("DELETE FROM attempts WHERE id = 1")
    assert stored(store) == [(2, 0, "q1", "h1")]
    assert store.consistency_problems() == []


def test_an_older_database_gets_the_slots_of_its_attempts(db_path: Path) -> None:
    old = Database(db_path)
    old.enable_wal()
    migrations.apply(old, stop_before="m020_attempt_slots")
    old["users"].insert(USER)
    old["attempts"].insert_all([attempt_row(1, SLOTS), attempt_row(2, []), attempt_row(5, SLOTS)])
    old.close()
    store = Store(db_path)
    assert stored(store) == from_json(store) and len(stored(store)) == 6
