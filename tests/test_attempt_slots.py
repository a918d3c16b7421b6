"""attempt_slots (m020): each attempt's slots as rows, always the same as its slots JSON,
however the attempt was written (a start, a bulk load, a database from before m020), and
gone with the attempt; and (m021) each slot's answer and mark, always its response's."""

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


def response(attempt_id: int, question_id: str, answer: str, mark: float) -> dict:
    return {
        "attempt_id": attempt_id, "question_id": question_id, "answer": answer, "mark": mark,
        "mark_exact": str(mark), "max_mark": 1.0, "content_hash": "h",
        "answered_at": "2026-01-01T09:30:00+00:00",
    }  # fmt: skip


def answers(store: Store) -> list[tuple]:
    return [
        (r["attempt_id"], r["question_id"], r["answer"], r["mark"])
        for r in store.table_rows("attempt_slots")
    ]


def from_responses(store: Store) -> list[tuple]:
    """What the slots' answers should be: each slot's response's, None where it has none."""
    rows = store.query(
        "SELECT s.attempt_id, s.question_id, r.answer, r.mark FROM attempt_slots s"
        " LEFT JOIN responses r ON r.attempt_id = s.attempt_id"
        " AND r.question_id = s.question_id ORDER BY s.attempt_id, s.position"
    )
    return [(r["attempt_id"], r["question_id"], r["answer"], r["mark"]) for r in rows]


def test_answered_attempts_have_their_answers_in_their_slots(cohort_world, store: Store) -> None:
    assert answers(store) == from_responses(store)
    assert any(row[2] is not None for row in answers(store))


def test_a_slot_follows_its_response_stored_changed_and_cleared(store: Store) -> None:
    store.bulk_insert({"users": [USER], "attempts": [attempt_row(1, SLOTS), attempt_row(2, SLOTS)]})
    store.bulk_insert({"responses": [response(1, "q1", "0", 0.0), response(2, "q3", "[1]", 0.5)]})
    assert answers(store) == [
        (1, "q1", "0", 0.0), (1, "q2", None, None), (1, "q3", None, None),
        (2, "q1", None, None), (2, "q2", None, None), (2, "q3", "[1]", 0.5),
    ]  # fmt: skip
    store.execute("UPDATE responses SET answer = '2', mark = 1.0 WHERE attempt_id = 1")
    store.execute("UPDATE responses SET question_id = 'q2' WHERE attempt_id = 2")
    store.execute("DELETE FROM responses WHERE attempt_id = 1")
    assert answers(store) == [
        (1, "q1", None, None), (1, "q2", None, None), (1, "q3", None, None),
        (2, "q1", None, None), (2, "q2", "[1]", 0.5), (2, "q3", None, None),
    ]  # fmt: skip
    assert answers(store) == from_responses(store)


def test_changed_slots_keep_the_answers_given(store: Store) -> None:
    store.bulk_insert({"users": [USER], "attempts": [attempt_row(1, SLOTS)]})
    store.bulk_insert({"responses": [response(1, "q3", "1", 1.0)]})
    store.execute("UPDATE attempts SET slots = ? WHERE id = 1", [json.dumps(SLOTS[1:])])
    assert answers(store) == [(1, "q2", None, None), (1, "q3", "1", 1.0)]


def test_an_older_database_gets_the_answers_of_its_slots(db_path: Path) -> None:
    old = Database(db_path)
    old.enable_wal()
    migrations.apply(old, stop_before="m021_slot_answers")
    old["users"].insert(USER)
    old["attempts"].insert_all([attempt_row(1, SLOTS), attempt_row(2, SLOTS)])
    old["responses"].insert_all([response(1, "q2", "[0, 1]", 0.25), response(2, "q1", "0", 0)])
    old.close()
    store = Store(db_path)
    assert answers(store) == from_responses(store)
    assert [row for row in answers(store) if row[2] is not None] == [
        (1, "q2", "[0, 1]", 0.25), (2, "q1", "0", 0.0),
    ]  # fmt: skip
