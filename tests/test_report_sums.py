"""The dashboard's sums (m023): per cohort, quiz and question the times shown and marks
earned by submitted attempts, in all and per quarter hour of the start, and the attempts
started per quarter hour, always what the attempts and their slots give, however they are
written (the services, a bulk load, any update or delete, a database from before m023)."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path

import pytest
from sqlite_utils import Database

from quiz_app.migrations import migrations
from quiz_app.store import Store
from tests.test_attempt_slots import USER

COHORTS = (None, 1, 2)
QUIZZES = ("post-test", "practice-a")
QUESTIONS = ("q1", "q2", "q3", "q4")
COLUMNS = {  # each table's key and sums
    "question_totals": (
        ("cohort_id", "quiz_id", "question_id", "content_hash"),
        ("shown", "marks"),
    ),
    "question_quarters": (("cohort_id", "quarter", "quiz_id", "question_id"), ("shown", "marks")),
    "attempt_starts": (("cohort_id", "quarter", "quiz_id"), ("started",)),
}


def quarter(started_at: str) -> str:
    minute = int(started_at[14:16]) // 15 * 15
    return f"{started_at[:14]}{minute:02d}:00+00:00"


def expected(store: Store) -> dict[str, dict]:
    """The three tables' contents, summed here from every attempt and its slots."""
    totals: dict = defaultdict(lambda: [0, 0.0])
    quarters: dict = defaultdict(lambda: [0, 0.0])
    starts: dict = defaultdict(int)
    attempts = {a["id"]: a for a in store.query("SELECT * FROM attempts")}
    for attempt in attempts.values():
        if attempt["cohort_id"] is not None:
            starts[attempt["cohort_id"], quarter(attempt["started_at"]), attempt["quiz_id"]] += 1
    for slot in store.query("SELECT * FROM attempt_slots"):
        attempt = attempts[slot["attempt_id"]]
        if attempt["cohort_id"] is None or attempt["submitted_at"] is None:
            continue
        cohort, quiz = attempt["cohort_id"], attempt["quiz_id"]
        when = quarter(attempt["started_at"])
        version = slot["content_hash"] or ""
        for sums in (totals[cohort, quiz, slot["question_id"], version],
                     quarters[cohort, when, quiz, slot["question_id"]]):  # fmt: skip
            sums[0] += 1
            sums[1] += slot["mark"] or 0.0
    return {
        "question_totals": {k: tuple(v) for k, v in totals.items()},
        "question_quarters": {k: tuple(v) for k, v in quarters.items()},
        "attempt_starts": {k: (v,) for k, v in starts.items()},
    }


def kept(store: Store) -> dict[str, dict]:
    """The three tables as stored, rows whose count fell to 0 left out."""
    found = {}
    for table, (key, sums) in COLUMNS.items():
        found[table] = {
            tuple(row[c] for c in key): tuple(row[c] for c in sums)
            for row in store.table_rows(table)
            if row[sums[0]]
        }
    return found


def assert_kept(store: Store) -> None:
    want, have = expected(store), kept(store)
    for table in want:
        assert have[table].keys() == want[table].keys(), table
        for key, sums in want[table].items():
            assert have[table][key] == pytest.approx(sums, abs=1e-9), (table, key)


def users(count: int) -> list[dict]:
    """Learners 1..count: each attempt its own (one open attempt per learner and quiz)."""
    return [{**USER, "id": n, "username": f"u{n}"} for n in range(1, count + 1)]


def attempt(attempt_id: int, rng: random.Random, submitted: bool) -> dict:
    questions = rng.sample(QUESTIONS, rng.randint(0, len(QUESTIONS)))
    return {
        "id": attempt_id, "user_id": attempt_id, "cohort_id": rng.choice(COHORTS),
        "quiz_id": rng.choice(QUIZZES), "quiz_title": "Q", "mode": "practice", "seed": 1,
        "slots": json.dumps([{"id": q, "hash": rng.choice(["h", "h2"])} if rng.random() < 0.8
                            else {"id": q} for q in questions]), "position": 0,
        "started_at": f"2026-03-0{rng.randint(1, 3)}T0{rng.randint(0, 9)}:"
        f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.5+00:00",
        "submitted_at": "2026-03-04T00:00:00+00:00" if submitted else None,
    }  # fmt: skip


def test_the_services_keep_the_sums(cohort_world, store: Store) -> None:
    assert kept(store)["question_totals"]  # the world has submitted attempts in a cohort
    assert_kept(store)


@pytest.mark.parametrize("seed", range(6))
def test_every_kind_of_write_keeps_the_sums(store: Store, seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    store.bulk_insert(
        {"users": users(200), "cohorts": [
            {"id": c, "name": f"C{c}", "join_code": f"CODE{c}", "instructor_id": 1,
             "created_at": "t"} for c in COHORTS[1:]
        ]}
    )  # fmt: skip
    store.bulk_insert({"attempts": [attempt(i, rng, rng.random() < 0.5) for i in range(1, 9)]})
    next_id = 9
    for _ in range(80):
        ids = [row["id"] for row in store.query("SELECT id FROM attempts")]
        chosen = rng.choice(ids) if ids else None
        slots = {
            row["question_id"]
            for row in store.query(
                "SELECT question_id FROM attempt_slots WHERE attempt_id = ?", [chosen]
            )
        }
        step = rng.randrange(9)
        if step == 0 or chosen is None:
            store.bulk_insert({"attempts": [attempt(next_id, rng, rng.random() < 0.5)]})
            next_id += 1
        elif step == 1 and slots:  # an answer given (in a bulk load too), changed, taken back
            question, mark = rng.choice(sorted(slots)), rng.choice([0.0, 0.25, 1.0])
            answered = store.query(
                "SELECT 1 FROM responses WHERE attempt_id = ? AND question_id = ?",
                [chosen, question],
            )
            if not answered and rng.random() < 0.5:
                store.bulk_insert({"responses": [
                    {"attempt_id": chosen, "question_id": question, "answer": "b",
                     "mark": mark, "max_mark": 1, "content_hash": "h", "answered_at": "t"}
                ]})  # fmt: skip
            elif rng.random() < 0.3:
                store.execute(
                    "DELETE FROM responses WHERE attempt_id = ? AND question_id = ?",
                    [chosen, question],
                )
            else:
                store.execute(
                    "INSERT INTO responses (attempt_id, question_id, answer, mark, max_mark,"
                    " content_hash, answered_at) VALUES (?, ?, 'a', ?, 1, 'h', 't')"
                    " ON CONFLICT DO UPDATE SET mark = excluded.mark",
                    [chosen, question, mark],
                )
        elif step == 2:  # submitted, or (as a repair might) reopened
            store.execute(
                "UPDATE attempts SET submitted_at = CASE WHEN submitted_at IS NULL"
                " THEN '2026-03-05T00:00:00+00:00' END WHERE id = ?",
                [chosen],
            )
        elif step == 3:
            store.execute(
                "UPDATE attempts SET cohort_id = ? WHERE id = ?", [rng.choice(COHORTS), chosen]
            )
        elif step == 4:
            store.execute(
                "UPDATE attempts SET quiz_id = ?, started_at = ? WHERE id = ?",
                [rng.choice(QUIZZES), attempt(0, rng, False)["started_at"], chosen],
            )
        elif step == 5:  # new slots, with the submission and cohort in the same statement
            store.execute(
                "UPDATE attempts SET slots = ?, cohort_id = ?, submitted_at = ? WHERE id = ?",
                [attempt(0, rng, False)["slots"], rng.choice(COHORTS),
                 rng.choice([None, "2026-03-06T00:00:00+00:00"]), chosen],
            )  # fmt: skip
        elif step == 6:  # the same slots written again, and the start moved
            store.execute(
                "UPDATE attempts SET slots = slots, started_at = ? WHERE id = ?",
                [attempt(0, rng, False)["started_at"], chosen],
            )
        elif step == 7:
            store.execute("UPDATE attempts SET deadline = 'later', position = 1 WHERE id = ?",
                          [chosen])  # fmt: skip
        else:  # deleted, answers first (as pruning does)
            store.execute("DELETE FROM responses WHERE attempt_id = ?", [chosen])
            store.execute("DELETE FROM attempts WHERE id = ?", [chosen])
        assert_kept(store)
    assert store.consistency_problems() == []
    assert triggers(store) == triggers(Store(tmp_path / "fresh.db"))  # bulk loads put them back


def triggers(store: Store) -> set[tuple[str, str]]:
    return {
        (row["name"], row["sql"])
        for row in store.query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    }


def test_an_older_database_gets_its_sums(db_path: Path) -> None:
    old = Database(db_path)
    old.enable_wal()
    migrations.apply(old, stop_before="m023_report_sums")
    rng = random.Random(3)
    old["users"].insert_all(users(30))
    old["cohorts"].insert_all(
        [{"id": c, "name": f"C{c}", "join_code": f"CODE{c}", "instructor_id": 1,
          "created_at": "t"} for c in COHORTS[1:]]
    )  # fmt: skip
    old["attempts"].insert_all([attempt(i, rng, i % 3 != 0) for i in range(1, 30)])
    old["responses"].insert_all(
        {"attempt_id": row["attempt_id"], "question_id": row["question_id"], "answer": "a",
         "mark": rng.choice([0.0, 0.5, 1.0]), "max_mark": 1, "content_hash": "h",
         "answered_at": "t"}
        for row in old.query("SELECT attempt_id, question_id FROM attempt_slots")
    )  # fmt: skip
    old.close()
    store = Store(db_path)
    assert len(kept(store)["question_quarters"]) > 10
    assert_kept(store)


def test_a_report_window_falls_on_quarter_hours(store: Store) -> None:
    store.cohort_starts(1, None, "2026-03-01T09:45:00+00:00", "2026-03-02T00:00:00+00:00")
    with pytest.raises(ValueError, match="quarter hour"):
        store.cohort_question_marks(1, None, "2026-03-01T09:50:00+00:00", None)


def test_a_failed_bulk_load_keeps_the_triggers(store: Store, tmp_path: Path) -> None:
    def batches():
        yield {"users": users(1)}
        raise RuntimeError("the generator failed")

    with pytest.raises(RuntimeError, match="generator failed"):
        store.bulk_load(batches())
    assert store.query("SELECT count(*) AS n FROM users") == [{"n": 0}]
    assert triggers(store) == triggers(Store(tmp_path / "fresh.db"))
