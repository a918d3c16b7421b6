"""One contract for the Store, whichever backend holds it: every test here runs against
SQLite and against PostgreSQL (skipped where PostgreSQL is missing, except in CI).

So far the engine (transactions, errors, concurrent writes), the users part (accounts,
sign-in tickets, sessions and devices, password resets) and attempts racing their submit
and time-out; the other parts follow (and the integrity issue's store tests, marked
`both_backends`, run on both too)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from quiz_app.accounts import AccountError, AccountLocked, Accounts
from quiz_app.clock import ManualClock
from quiz_app.store import (
    AttemptClosed,
    LookalikeTaken,
    PostgresStore,
    Store,
    StoreError,
    UsernameTaken,
)
from quiz_app.store.base import Engine
from tests.conftest import together

NOW = "2026-12-01T09:00:00+00:00"
LATER = "2026-12-01T10:00:00+00:00"


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        made: Any = Store(tmp_path / "quiz.db")
    else:
        made = PostgresStore(request.getfixturevalue("postgres_url"))
    yield made
    made.close(wait=True)


def _user(store: Any, name: str = "ana") -> int:
    return store.create_user(name, name.title(), "learner", "hash", NOW)


# -- the engine ------------------------------------------------------------------------------


def test_a_write_that_raises_stores_nothing(store: Any) -> None:
    def half(conn: Any) -> None:
        conn.execute(
            "INSERT INTO users (username, display_name, role, password_hash, created_at)"
            " VALUES ('x', 'X', 'learner', 'h', ?)",
            (NOW,),
        )
        raise RuntimeError("half way")

    with pytest.raises(RuntimeError, match="half way"):
        store.write(half)
    assert store.query("SELECT count(*) AS n FROM users") == [{"n": 0}]


def test_a_refused_statement_leaves_the_rest_of_its_write(store: Any) -> None:
    """As in SQLite, a statement that fails is undone alone: the write may go on."""
    import sqlite3

    user = _user(store)

    def write(conn: Any) -> str:
        try:
            conn.execute(
                "INSERT INTO users (username, display_name, role, password_hash, created_at)"
                " VALUES ('ana', 'Again', 'learner', 'h', ?)",
                (NOW,),
            )
        except sqlite3.IntegrityError as exc:
            conn.execute("UPDATE users SET display_name = 'Kept' WHERE id = ?", (user,))
            return str(exc)
        return "inserted"

    assert store.write(write) == "UNIQUE constraint failed: users.username"
    assert store.user(user)["display_name"] == "Kept"


def test_concurrent_writes_are_all_stored(store: Any) -> None:
    ids = together(16, lambda i: _user(store, f"user{i:02d}"))
    assert all(isinstance(i, int) for i in ids), ids
    assert len(set(ids)) == 16
    assert store.query("SELECT count(*) AS n FROM users") == [{"n": 16}]


def test_parameters_by_name_and_percent_signs(store: Any) -> None:
    _user(store, "ana")
    found = store.query(
        "SELECT username, '100%' AS literal FROM users WHERE username LIKE :pattern",
        {"pattern": "a%"},
    )
    assert found == [{"username": "ana", "literal": "100%"}]


def test_an_unreachable_server_is_a_plain_error() -> None:
    with pytest.raises(StoreError) as raised:
        PostgresStore("postgresql://quiz:secret@127.0.0.1:1/quiz")
    assert "cannot be reached" in str(raised.value)
    assert "secret" not in str(raised.value)


# -- users -----------------------------------------------------------------------------------


def test_users_are_found_by_id_username_and_skeleton(store: Any) -> None:
    first, second = _user(store, "ana"), _user(store, "bo")
    assert second > first
    assert store.user(first)["username"] == "ana"
    assert store.user_by_username("bo")["id"] == second
    assert store.user_by_skeletons(["nobody", "bo"])["id"] == second
    assert store.user_by_skeletons(["nobody"]) is None


def test_a_taken_or_lookalike_username_is_refused(store: Any) -> None:
    _user(store, "paul")
    with pytest.raises(UsernameTaken, match='"paul" is taken'):
        _user(store, "paul")
    with pytest.raises(LookalikeTaken) as lookalike:
        _user(store, "pau1")  # a digit one for the letter l
    assert lookalike.value.taken == "paul"
    assert [row["username"] for row in store.query("SELECT username FROM users")] == ["paul"]


def test_one_of_many_sign_ups_of_one_name_wins(store: Any) -> None:
    results = together(8, lambda i: _user(store, "same"))
    assert sum(isinstance(r, int) for r in results) == 1
    assert all(isinstance(r, (int, UsernameTaken)) for r in results), results


def test_a_display_name_is_frozen_by_a_certificate(store: Any) -> None:
    user = _user(store)
    assert store.set_display_name(user, "Ana Lima")
    store.execute(
        "INSERT INTO attempts (id, user_id, quiz_id, quiz_title, mode, seed, slots, started_at)"
        " VALUES (1, ?, 'post', 'Post', 'post_test', 1, '[]', ?)",
        (user, NOW),
    )
    store.execute(
        "INSERT INTO certificates (code, attempt_id, user_id, learner_name, course_title,"
        " objectives, ce_hours, provider, score_pct, pass_mark, completed_at, issued_at)"
        " VALUES ('C', 1, ?, 'Ana Lima', 'Course', '[]', 1, 'P', 90, 80, ?, ?)",
        (user, NOW, NOW),
    )
    assert not store.set_display_name(user, "Someone Else")
    assert store.user(user)["display_name"] == "Ana Lima"


def test_sign_in_tickets_never_exceed_the_limit_at_once(store: Any) -> None:
    tickets = together(
        12, lambda i: store.take_signin_ticket("guard", None, None, NOW, LATER, 5, 3)
    )
    assert sorted(t["checks"] for t in tickets if t["checks"] is not None) == [1, 2, 3, 4, 5]
    assert {t.get("locked_until") for t in tickets if t["checks"] is None} == {LATER}


def test_a_device_takes_its_own_checks_until_its_limit(store: Any) -> None:
    user = _user(store)
    store.execute(
        "INSERT INTO devices (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        ("dev", user, NOW, LATER),
    )
    taken = [store.take_signin_ticket("g", "dev", user, NOW, LATER, 5, 2) for _ in range(3)]
    assert [(t["device"], t["checks"]) for t in taken] == [(True, 1), (True, 2), (False, 1)]
    assert store.forget_failing_device("dev", 2)
    assert store.query("SELECT count(*) AS n FROM devices") == [{"n": 0}]


def test_a_hand_off_code_is_claimed_once_however_many_try(store: Any) -> None:
    user = _user(store)
    session = store.create_session(user, "handoff", LATER, NOW, LATER)
    claims = together(
        6,
        lambda i: store.claim_session("handoff", f"token{i}", NOW, None, None, f"dev{i}", LATER),
    )
    won = [c for c in claims if c is not None]
    assert len(won) == 1 and won[0]["user_id"] == user and won[0]["new_device"]
    (token,) = [r["token_hash"] for r in store.query("SELECT token_hash FROM sessions")]
    assert store.session_of_token(token, NOW)["session_id"] == session
    assert store.session_user(session, NOW)["id"] == user
    assert store.session_user(session, LATER) is None  # expired by then
    store.delete_session_of_token(token)
    assert store.session_of_token(token, NOW) is None


def test_a_new_password_ends_every_other_session(store: Any) -> None:
    user = _user(store)
    kept = store.create_session(user, "a", LATER, NOW, LATER)
    store.create_session(user, "b", LATER, NOW, LATER)
    store.set_password(user, "new-hash", kept)
    assert [r["id"] for r in store.query("SELECT id FROM sessions")] == [kept]
    assert store.user(user)["password_hash"] == "new-hash"
    store.set_password(user, "newer", None)
    assert store.query("SELECT id FROM sessions") == []


def test_a_reset_link_is_used_once_however_many_try(store: Any) -> None:
    user = _user(store)
    store.create_password_reset(user, "old", NOW, LATER, None)
    store.create_password_reset(user, "link", NOW, LATER, None)  # the older one goes
    assert store.password_reset_user("old", NOW) is None
    assert store.password_reset_user("link", NOW)["id"] == user
    used = together(6, lambda i: store.use_password_reset("link", NOW, f"hash{i}", "guard"))
    assert used.count(user) == 1 and used.count(None) == 5
    assert store.password_reset_user("link", NOW) is None


def test_accounts_sign_up_lock_out_and_sign_in(store: Any) -> None:
    """The accounts service over the store: the lockout counts on either backend."""
    accounts = Accounts(store, ManualClock())
    accounts.sign_up("carla", "Carla", "a long enough password")
    for _ in range(5):
        with pytest.raises(AccountError):
            accounts.sign_in("carla", "wrong password here")
    with pytest.raises(AccountLocked):
        accounts.sign_in("carla", "a long enough password")


# -- attempts --------------------------------------------------------------------------------


def _attempt(store: Any, user: int, questions: int) -> int:
    slots = json.dumps([{"id": f"q{n}", "hash": f"h{n}"} for n in range(questions)])
    fields = {"user_id": user, "quiz_id": "post", "quiz_title": "Post", "mode": "post_test",
              "seed": 1, "slots": slots, "started_at": NOW, "pass_mark": 80.0}  # fmt: skip
    attempt, made = store.create_attempt(fields)
    assert made
    return attempt


def test_no_answer_lands_in_an_attempt_submitted_meanwhile(store: Any) -> None:
    """Answers racing a submit: each is stored before it (and counted) or refused after
    it, never stored after the total was taken. Many rounds, as the window is narrow."""
    user = _user(store)
    for _ in range(15):
        attempt = _attempt(store, user, 40)

        def act(i: int, attempt: int = attempt) -> Any:
            if i == 0:
                return store.submit_attempt(attempt, NOW)
            stored = []
            for n in range(i - 1, 40, 7):
                try:
                    store.record_answer(attempt, f"q{n}", n, Fraction(1), f"h{n}", NOW)
                except AttemptClosed:
                    break
                stored.append(f"q{n}")
            return stored

        results = together(8, act)
        answered = {r["question_id"] for r in store.responses(attempt)}
        acknowledged = {q for stored in results[1:] for q in stored}
        assert answered == acknowledged
        assert store.attempt(attempt)["score"] == len(answered)


def test_one_of_many_time_outs_closes_an_attempt(store: Any) -> None:
    user = _user(store)
    attempt = _attempt(store, user, 3)
    store.execute("UPDATE attempts SET deadline = ? WHERE id = ?", (NOW, attempt))
    closed = together(8, lambda i: store.finalize_expired(LATER, user_id=user))
    assert sorted(a for ids in closed for a in ids) == [attempt]
    assert store.attempt(attempt)["submitted_at"] == NOW


def test_a_deadlock_on_postgres_is_run_again_not_an_error(postgres_url: str) -> None:
    """Two writes that lock the same two rows in opposite orders: PostgreSQL ends one of
    them (a deadlock); the store runs it again, and both are stored."""
    store = PostgresStore(postgres_url)
    first, second = _user(store, "ana"), _user(store, "bo")
    halfway = threading.Barrier(2, timeout=10)
    tries = [0, 0]

    def crossing(i: int) -> None:
        def work(conn: Any) -> None:
            tries[i] += 1
            order = (first, second) if i == 0 else (second, first)
            conn.execute("UPDATE users SET review_cap = ? WHERE id = ?", (i, order[0]))
            if tries[i] == 1:
                halfway.wait()  # both hold their first row now
            conn.execute("UPDATE users SET review_cap = ? WHERE id = ?", (i, order[1]))

        store.write(work)

    try:
        assert together(2, crossing) == [None, None]
        assert sorted(tries) == [1, 2]  # one was ended by the deadlock, and run again
        caps = {row["review_cap"] for row in store.query("SELECT review_cap FROM users")}
        assert len(caps) == 1  # the write run again came last, whole
    finally:
        store.close()
