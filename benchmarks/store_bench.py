"""How fast answers go into the store, against what SQLite itself manages on this machine.

The limit is raw `sqlite3` inserting the same response rows, one commit each, from one
thread, in WAL mode with the store's synchronous setting. Then the store records the
same number of answers through `Store.record_answer` from 1, 8 and 32 threads (each
answer checks its attempt is open and upserts idempotently). Every run counts what
arrived: lost and duplicated answers must both be 0.

    python benchmarks/store_bench.py            # a table
    python benchmarks/store_bench.py --json     # one JSON object
    python benchmarks/store_bench.py --quick    # fewer answers, for CI
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

from quiz_app.store import Store

QUESTIONS_PER_ATTEMPT = 20
THREAD_COUNTS = (1, 8, 32)


def _answer_rows(total: int) -> list[tuple[int, str, str]]:
    return [
        (1 + n // QUESTIONS_PER_ATTEMPT, f"q{n % QUESTIONS_PER_ATTEMPT}", json.dumps({"n": n}))
        for n in range(total)
    ]


def _fresh_store(folder: Path, name: str, attempts: int) -> Store:
    store = Store(folder / name)
    store.create_user("bench", "Bench", "learner", "x", "2026-01-01T00:00:00+00:00")
    slots = json.dumps([{"id": f"q{i}"} for i in range(QUESTIONS_PER_ATTEMPT)])
    store.bulk_insert(
        {
            "attempts": [
                {
                    "id": i + 1,
                    "user_id": 1,
                    "quiz_id": f"quiz-{i}",
                    "quiz_title": "Bench",
                    "mode": "practice",
                    "seed": i,
                    "slots": slots,
                    "position": 0,
                    "started_at": "2026-01-01T00:00:00+00:00",
                }
                for i in range(attempts)
            ]
        }
    )
    return store


def measure_limit(folder: Path, rows: list[tuple[int, str, str]]) -> float:
    """Raw sqlite3: one INSERT and one COMMIT per row, one thread. Returns rows per second."""
    store = _fresh_store(folder, "limit.db", len(rows) // QUESTIONS_PER_ATTEMPT + 1)
    synchronous = store.pragma("synchronous")
    store.close()
    conn = sqlite3.connect(folder / "limit.db", isolation_level=None)
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    started = time.perf_counter()
    for attempt, question, answer in rows:
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO responses (attempt_id, question_id, answer, mark, max_mark,"
            " content_hash, answered_at) VALUES (?, ?, ?, 1.0, 1.0, 'h', '2026-01-01T00:01:00')",
            (attempt, question, answer),
        )
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return len(rows) / elapsed


def measure_store(
    folder: Path, rows: list[tuple[int, str, str]], threads: int
) -> tuple[float, int, int]:
    """Record `rows` through the store from `threads` threads: (per second, lost, duplicated)."""
    store = _fresh_store(folder, f"store-{threads}.db", len(rows) // QUESTIONS_PER_ATTEMPT + 1)
    shares = [rows[i::threads] for i in range(threads)]
    barrier = threading.Barrier(threads + 1)
    errors: list[BaseException] = []

    def work(share: list[tuple[int, str, str]]) -> None:
        barrier.wait()
        try:
            for attempt, question, answer in share:
                store.record_answer(
                    attempt, question, json.loads(answer), 1.0, "h", "2026-01-01T00:01:00"
                )
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(share,)) for share in shares]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    stored = store.query("SELECT attempt_id, question_id FROM responses")
    distinct = {(r["attempt_id"], r["question_id"]) for r in stored}
    expected = {(a, q) for a, q, _ in rows}
    return len(rows) / elapsed, len(expected - distinct), len(stored) - len(distinct)


def run(answers: int) -> dict[str, object]:
    rows = _answer_rows(answers)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        limit = measure_limit(folder, rows)
        result: dict[str, object] = {"limit_per_s": round(limit, 1), "threads": {}}
        lost = duplicated = 0
        for count in THREAD_COUNTS:
            per_s, lost_here, dup_here = measure_store(folder, rows, count)
            lost += lost_here
            duplicated += dup_here
            result["threads"][str(count)] = {  # type: ignore[index]
                "per_s": round(per_s, 1),
                "ratio": round(per_s / limit, 3),
            }
        result["lost"] = lost
        result["duplicated"] = duplicated
        result["answers_per_run"] = answers
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="fewer answers (CI)")
    parser.add_argument("--answers", type=int, default=None, help="answers per run")
    args = parser.parse_args()
    answers = args.answers or (800 if args.quick else 6_000)
    result = run(answers)
    if args.json:
        print(json.dumps(result))
        return
    print(f"raw sqlite3 limit: {result['limit_per_s']:.0f} answers/s ({answers} answers)")
    for count, figures in result["threads"].items():  # type: ignore[union-attr]
        print(f"store, {count:>2} threads: {figures['per_s']:8.0f}/s  ratio {figures['ratio']:.2f}")
    print(f"lost {result['lost']}, duplicated {result['duplicated']}")


if __name__ == "__main__":
    main()
