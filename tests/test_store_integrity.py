"""Every write is stored or refused, never acknowledged without a commit; failures of the
disk or the file reach people as plain messages (issue 10, scenarios 1 to 4)."""

from __future__ import annotations

import json
import random
import sqlite3
import threading
import time
from pathlib import Path

import pytest

import quiz_app.store.base as store_module
from quiz_app.attempts import Attempts
from quiz_app.course import Course
from quiz_app.store import Store
from tests.test_store_concurrency import make_attempts

THREADS = 16
REAL_CONNECT = sqlite3.connect


class FlakyConnection(sqlite3.Connection):
    """A connection whose transaction statements fail now and then, as a failing disk's do."""

    failure_rate = 0.0
    rng = random.Random(7)
    lock = threading.Lock()

    def execute(self, sql, *args):  # type: ignore[override]
        if sql in ("BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"):
            with self.lock:
                unlucky = self.rng.random() < self.failure_rate
            if unlucky:
                raise sqlite3.OperationalError("disk I/O error")
        return super().execute(sql, *args)


@pytest.fixture
def flaky(monkeypatch: pytest.MonkeyPatch):
    """Call it to make new connections fail to open, begin, commit or roll back at random."""

    def connect(*args, **kwargs):
        with FlakyConnection.lock:
            unlucky = FlakyConnection.rng.random() < FlakyConnection.failure_rate
        if unlucky:
            raise sqlite3.OperationalError("unable to open database file")
        return REAL_CONNECT(*args, factory=FlakyConnection, **kwargs)

    monkeypatch.setattr(store_module, "POOL_SIZE", 0)  # every borrow connects anew
    monkeypatch.setattr(sqlite3, "connect", connect)
    monkeypatch.setattr(FlakyConnection, "failure_rate", 0.0)
    return lambda: monkeypatch.setattr(FlakyConnection, "failure_rate", 0.15)


def stored_answers(db_path: Path) -> dict[tuple[int, str], object]:
    with REAL_CONNECT(db_path) as conn:
        rows = conn.execute("SELECT attempt_id, question_id, answer FROM responses").fetchall()
    return {(a, q): json.loads(answer) for a, q, answer in rows}


def test_a_write_is_never_acknowledged_unless_it_committed(store: Store, db_path: Path, flaky):
    """Scenario 1: connections that fail to open, begin, commit or roll back; every
    record_answer that returns has stored its answer, every other one raised."""
    attempts = make_attempts(store, THREADS)
    store.close()
    flaky()
    acknowledged: list[tuple[int, str, object]] = []
    refused: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def writer(worker: int) -> None:
        start.wait()
        for n in range(60):
            answer = {"worker": worker, "n": n}
            try:
                store.record_answer(attempts[worker], f"q{n}", answer, 1.0, "h", "t")
            except Exception as exc:
                refused.append(exc)
            else:
                acknowledged.append((attempts[worker], f"q{n}", answer))

    threads = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    give_up = time.monotonic() + 60
    for thread in threads:
        thread.join(timeout=max(0.0, give_up - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "a writer waited forever for its write"
    stored = stored_answers(db_path)
    lost = [(a, q, answer) for a, q, answer in acknowledged if stored.get((a, q)) != answer]
    assert refused, "the failures were not injected"
    assert lost == [], f"{len(lost)} answers acknowledged but not stored"
    assert len(stored) == len(acknowledged)


def test_a_transaction_rolled_back_by_sqlite_fails_every_writer_of_its_batch(
    store: Store, db_path: Path
) -> None:
    """Scenario 2: a full disk makes SQLite undo the whole transaction; each writer whose
    work was in it gets a plain error (not "no such savepoint"), and nothing is stored."""
    (attempt,) = make_attempts(store, 1)
    release = threading.Event()
    queued = threading.Barrier(4)
    outcomes: dict[str, object] = {}

    def blocker(conn: sqlite3.Connection) -> None:
        release.wait(10)  # holds the writer while the next batch queues up

    def insert(question: str):
        def work(conn: sqlite3.Connection) -> str:
            conn.execute(
                "INSERT INTO responses (attempt_id, question_id, answer, mark, max_mark,"
                " content_hash, answered_at) VALUES (?, ?, '1', 1, 1, 'h', 't')",
                (attempt, question),
            )
            return question

        return work

    def fills_the_disk(conn: sqlite3.Connection) -> None:
        conn.execute("ROLLBACK")  # what SQLite does by itself on SQLITE_FULL or SQLITE_IOERR
        error = sqlite3.OperationalError("database or disk is full")
        error.sqlite_errorname = "SQLITE_FULL"  # type: ignore[attr-defined]
        raise error

    def run(name: str, work) -> None:
        queued.wait()
        try:
            outcomes[name] = store.write(work)
        except Exception as exc:
            outcomes[name] = exc

    holder = threading.Thread(target=lambda: store.write(blocker))
    holder.start()
    threads = [
        threading.Thread(target=run, args=(name, work))
        for name, work in [("a", insert("qa")), ("full", fills_the_disk), ("b", insert("qb"))]
    ]
    for thread in threads:
        thread.start()
    queued.wait()
    threading.Event().wait(0.3)  # the three writes are now queued behind the blocker
    release.set()
    for thread in [holder, *threads]:
        thread.join()
    messages = {name: str(outcome) for name, outcome in outcomes.items()}
    for name in ("a", "full", "b"):
        assert isinstance(outcomes[name], Exception), (name, outcomes[name])
        assert "savepoint" not in messages[name]
        assert "disk is full" in messages[name], messages[name]
    assert store.responses(attempt) == []
    store.record_answer(attempt, "qc", 1, 1.0, "h", "t")  # and the store works on
    assert [r["question_id"] for r in store.responses(attempt)] == ["qc"]


def test_32_threads_starting_attempts_never_misuse_a_connection(
    store: Store, tiny_course: Course
) -> None:
    """Scenario 3: `InterfaceError: bad parameter or other API misuse` came from a write
    returning its cursor, which then died on another thread while the writer reused its
    connection. 32 threads start and resume attempts for a few thousand rounds."""
    users = [store.create_user(f"u{n}", "U", "learner", "x", "t") for n in range(32)]
    attempts = Attempts(store, tiny_course)
    practice = tiny_course.quiz("practice-demo")
    errors: list[BaseException] = []
    start = threading.Barrier(32)

    def starter(worker: int) -> None:
        start.wait()
        for n in range(120):
            try:
                attempts.start(users[worker], practice.model_copy(update={"id": f"p-{n}"}))
                for k in range(4):
                    store.save_question_versions([(f"h{worker}-{n}-{k}", "q", "{}")])
            except Exception as exc:
                errors.append(exc)

    threads = [threading.Thread(target=starter, args=(w,)) for w in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [repr(e) for e in errors] == []
    assert store.first("SELECT count(*) AS n FROM attempts") == {"n": 32 * 120}


def test_a_write_that_returns_a_cursor_is_refused(store: Store) -> None:
    with pytest.raises(TypeError, match="must not return a cursor"):
        store.write(lambda conn: conn.execute("INSERT INTO report_versions VALUES (1, 'q', 99)"))
    assert store.report_version(1) == 0
