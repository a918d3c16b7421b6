"""Many writers, a killed writer, and backups while writing: nothing lost or doubled."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz_app.cli import cli
from quiz_app.store import DATA_TABLES, Store

THREADS = 32
PER_THREAD = 500
QUESTIONS_PER_ATTEMPT = 10


def make_attempts(store: Store, count: int) -> list[int]:
    """`count` open attempts of one learner, created straight through the store."""
    store.create_user("ana", "Ana", "learner", "x", "2026-01-01T00:00:00+00:00")
    return [
        store.create_attempt(
            {
                "user_id": 1,
                "quiz_id": f"quiz-{n}",
                "quiz_title": "Q",
                "mode": "practice",
                "seed": n,
                "slots": json.dumps([{"id": f"q{i}"} for i in range(10)]),
                "position": 0,
                "started_at": "2026-01-01T00:00:00+00:00",
            }
        )[0]
        for n in range(count)
    ]


@pytest.mark.both_backends
def test_32_threads_each_record_500_answers(store: Store) -> None:
    attempts_per_thread = PER_THREAD // QUESTIONS_PER_ATTEMPT
    attempt_ids = make_attempts(store, THREADS * attempts_per_thread)
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def writer(worker: int) -> None:
        try:
            start.wait()
            mine = attempt_ids[worker * attempts_per_thread : (worker + 1) * attempts_per_thread]
            for n in range(PER_THREAD):
                attempt = mine[n // QUESTIONS_PER_ATTEMPT]
                question = f"q{n % QUESTIONS_PER_ATTEMPT}"
                answer = {"worker": worker, "n": n}
                store.record_answer(attempt, question, answer, 1.0, "h", "2026-01-01T00:01:00")
                if n % 7 == 0:  # a double click: the same answer again
                    store.record_answer(attempt, question, answer, 1.0, "h", "2026-01-01T00:01:00")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = store.query("SELECT attempt_id, question_id, answer FROM responses")
    assert len(rows) == THREADS * PER_THREAD
    assert len({(r["attempt_id"], r["question_id"]) for r in rows}) == len(rows)
    seen = {(json.loads(r["answer"])["worker"], json.loads(r["answer"])["n"]) for r in rows}
    assert seen == {(w, n) for w in range(THREADS) for n in range(PER_THREAD)}


WRITER = textwrap.dedent("""
    import json, sys
    from quiz_app.store import Store
    store = Store(sys.argv[1])
    attempt = int(sys.argv[2])
    n = 0
    while True:
        store.record_answer(attempt, f"q{n}", {"n": n, "text": "x" * 200}, 1.0, "h", "t")
        print(n, flush=True)
        n += 1
""")


def test_writer_killed_mid_attempt_loses_no_acknowledged_answer(
    store: Store, db_path: Path
) -> None:
    (attempt,) = make_attempts(store, 1)
    store.close()
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db_path), str(attempt)],
        stdout=subprocess.PIPE,
        text=True,
    )
    acknowledged = []
    assert process.stdout is not None
    for line in process.stdout:
        acknowledged.append(int(line))
        if len(acknowledged) >= 300:
            break
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    reopened = Store(db_path)
    assert reopened.query("PRAGMA integrity_check") == [{"integrity_check": "ok"}]
    stored = {json.loads(r["answer"])["n"] for r in reopened.responses(attempt)}
    assert set(acknowledged) <= stored
    assert stored <= set(range(max(stored) + 1))


def test_backup_during_writes_is_consistent(store: Store, tmp_path: Path) -> None:
    attempt_ids = make_attempts(store, 50)
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        n = 0
        while not stop.is_set() and n < 5_000:
            store.record_answer(attempt_ids[n % 50], f"q{n}", {"n": n}, 1.0, "h", "t")
            written.append(n)
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    while len(written) < 200 and thread.is_alive():
        threading.Event().wait(0.01)
    assert len(written) >= 200, "the writer stopped"
    during = tmp_path / "during.db"
    store.backup(during)
    stop.set()
    thread.join()

    copy = sqlite3.connect(during)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copied = {row[0] for row in copy.execute("SELECT question_id FROM responses")}
    source = {r["question_id"] for r in store.query("SELECT question_id FROM responses")}
    assert 200 <= len(copied) <= len(source) and copied <= source
    copy.close()

    after = tmp_path / "after.db"
    store.backup(after)
    restored = Store(after)
    for table in DATA_TABLES:
        assert restored.table_rows(table) == store.table_rows(table), table


def test_backup_command(store: Store, db_path: Path, tmp_path: Path) -> None:
    make_attempts(store, 3)
    dest = tmp_path / "backups" / "copy.db"  # the folder is made if need be
    result = CliRunner().invoke(cli, ["backup", "--db", str(db_path), str(dest)])
    assert result.exit_code == 0, result.output
    assert Store(dest).table_rows("attempts") == store.table_rows("attempts")
    again = CliRunner().invoke(cli, ["backup", "--db", str(db_path), str(dest)])
    assert again.exit_code == 1 and "exists" in again.output
    missing = CliRunner().invoke(cli, ["backup", "--db", str(tmp_path / "no.db"), str(dest)])
    assert missing.exit_code == 1 and "does not exist" in missing.output


@pytest.mark.both_backends
def test_a_failing_write_in_a_group_affects_only_its_caller(store: Store) -> None:
    """Writes committed together still succeed or fail one by one."""
    (attempt,) = make_attempts(store, 1)
    outcomes: dict[int, str] = {}
    barrier = threading.Barrier(16)

    def work(n: int) -> None:
        barrier.wait()

        def insert(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO responses (attempt_id, question_id, answer, mark, max_mark,"
                " content_hash, answered_at) VALUES (?, ?, '1', 1, 1, 'h', 't')",
                (attempt if n % 4 else 999_999, f"q{n}"),  # every fourth breaks a foreign key
            )

        try:
            store.write(insert)
            outcomes[n] = "ok"
        except sqlite3.IntegrityError:
            outcomes[n] = "refused"

    threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == {n: "ok" if n % 4 else "refused" for n in range(16)}
    stored = {r["question_id"] for r in store.responses(attempt)}
    assert stored == {f"q{n}" for n in range(16) if n % 4}


HOLDER = textwrap.dedent("""
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    conn.execute("COMMIT")
""")


def hold_lock(db_path: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the database's write lock for `seconds`."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db_path), str(seconds)], stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def test_a_database_busy_in_another_process_is_waited_for(store: Store, db_path: Path) -> None:
    (attempt,) = make_attempts(store, 1)
    holder = hold_lock(db_path, 1.0)
    store.record_answer(attempt, "q1", {"n": 1}, 1.0, "h", "t")  # waits, then succeeds
    holder.wait()
    assert [r["question_id"] for r in store.responses(attempt)] == ["q1"]


def test_a_database_busy_too_long_says_so_and_stores_nothing(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import quiz_app.store.base as store_module
    import quiz_app.writer as writer_module

    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 100)
    monkeypatch.setattr(writer_module, "WRITE_PATIENCE_S", 0.3)
    store = Store(db_path)
    (attempt,) = make_attempts(store, 1)
    holder = hold_lock(db_path, 3.0)
    with pytest.raises(store_module.StoreBusy, match="busy right now; please try again"):
        store.record_answer(attempt, "q1", {"n": 1}, 1.0, "h", "t")
    holder.wait()
    assert store.responses(attempt) == []
