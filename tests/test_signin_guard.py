"""The sign-in guard: lockout under parallel guesses, recognised browsers, no enumeration."""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Callable

import pytest

import quiz_app.accounts
from quiz_app.accounts import (
    INSTRUCTOR,
    LEARNER,
    AccountError,
    AccountLocked,
    Accounts,
    User,
)
from quiz_app.auth import verify_password
from quiz_app.clock import ManualClock

THREADS = 64
RIGHT, WRONG = "right-password", "wrong-password"


@pytest.fixture
def ana(accounts: Accounts) -> User:
    return accounts.sign_up("ana", "Ana", RIGHT)


def device_of(accounts: Accounts, user: User) -> str:
    """The device token a browser gets when it signs in as `user` and claims its cookie."""
    cookies = accounts.claim_session(accounts.start_session(user).handoff)
    assert cookies is not None and cookies.device_token is not None
    return cookies.device_token


def outcome(attempt: Callable[[], User]) -> str:
    try:
        attempt()
    except AccountError as exc:
        return type(exc).__name__
    return "signed in"


class HeldChecks:
    """Stands in for verify_password: counts checks of WRONG and holds each until released,
    so that every guess of a burst is in before any check of it ends."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.held = 0
        self.finished = 0
        self.released = False

    def verify(self, password: str, stored: str) -> bool:
        if password == WRONG:
            with self.cond:
                self.held += 1
                self.cond.notify_all()
                self.cond.wait_for(lambda: self.released, timeout=60)
        return verify_password(password, stored)

    def wait_until_all_in(self, total: int) -> None:
        """Wait until each of `total` guesses is either held in its check or answered."""
        with self.cond:
            assert self.cond.wait_for(lambda: self.held + self.finished >= total, timeout=60)

    def release(self) -> None:
        with self.cond:
            self.released = True
            self.cond.notify_all()

    def burst(self, count: int, attempt: Callable[[], User]) -> tuple[list[threading.Thread], list]:
        outcomes: list[str] = []
        start = threading.Barrier(count)

        def guess() -> None:
            start.wait()
            result = outcome(attempt)
            with self.cond:
                outcomes.append(result)
                self.finished += 1
                self.cond.notify_all()

        threads = [threading.Thread(target=guess) for _ in range(count)]
        for thread in threads:
            thread.start()
        return threads, outcomes


# -- 12: lockout under parallel guesses ----------------------------------------------------


@pytest.mark.both_backends
def test_lockout_holds_under_64_parallel_guesses(
    accounts: Accounts, ana: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """64 wrong passwords at once: five are checked, the other 59 are refused unchecked."""
    checks = Counter()

    def counting(password: str, stored: str) -> bool:
        checks[password] += 1
        return verify_password(password, stored)

    monkeypatch.setattr(quiz_app.accounts, "verify_password", counting)
    outcomes: list[str] = []
    start = threading.Barrier(THREADS)

    def guess() -> None:
        start.wait()
        outcomes.append(outcome(lambda: accounts.sign_in("ana", WRONG)))

    threads = [threading.Thread(target=guess) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert checks[WRONG] == 5
    assert Counter(outcomes) == {"AccountLocked": 60, "AccountError": 4}
    assert outcome(lambda: accounts.sign_in("ana", RIGHT)) == "AccountLocked"


@pytest.mark.both_backends
def test_lockout_refuses_the_right_password_in_the_same_burst(
    accounts: Accounts, ana: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once a burst has used the five checks, the right password is refused unchecked,
    even while those five are still being checked."""
    checks = HeldChecks()
    monkeypatch.setattr(quiz_app.accounts, "verify_password", checks.verify)
    threads, outcomes = checks.burst(THREADS, lambda: accounts.sign_in("ana", WRONG))
    try:
        checks.wait_until_all_in(THREADS)
        assert checks.held == 5
        assert outcome(lambda: accounts.sign_in("ana", RIGHT)) == "AccountLocked"
    finally:
        checks.release()
        for thread in threads:
            thread.join()
    assert Counter(outcomes) == {"AccountLocked": 60, "AccountError": 4}


# -- 13: lockout is not a weapon ------------------------------------------------------------


@pytest.mark.both_backends
@pytest.mark.parametrize("role", [LEARNER, INSTRUCTOR])
def test_lockout_is_not_a_weapon_against_a_recognised_browser(
    accounts: Accounts, clock: ManualClock, role: str
) -> None:
    """An attacker who locks the username out does not lock out its owner's own browser."""
    owner = accounts.sign_up("morgan", "Morgan", RIGHT, role)
    device = device_of(accounts, owner)
    for _ in range(5):
        with pytest.raises(AccountError):
            accounts.sign_in("morgan", WRONG)
    with pytest.raises(AccountLocked, match="try again in 15 minutes"):
        accounts.sign_in("morgan", RIGHT)  # right, but from the attacker's browser
    assert accounts.sign_in("morgan", RIGHT, device) == owner
    clock.advance(minutes=5)
    with pytest.raises(AccountLocked, match="try again in 10 minutes"):
        accounts.sign_in("morgan", RIGHT)  # the owner's success did not unlock the attacker


@pytest.mark.both_backends
def test_a_recognised_browser_has_its_own_limit_then_is_forgotten(
    accounts: Accounts, ana: User
) -> None:
    device = device_of(accounts, ana)
    for left in (4, 3, 2, 1):
        with pytest.raises(AccountError, match=f"After {left} more failed attempts?, this"):
            accounts.sign_in("ana", WRONG, device)
    with pytest.raises(AccountError, match="this browser is no longer recognised"):
        accounts.sign_in("ana", WRONG, device)
    assert accounts.store.table_rows("devices") == []
    with pytest.raises(AccountError, match="4 more failed attempts will lock"):
        accounts.sign_in("ana", WRONG, device)  # from now on, like any other browser


@pytest.mark.both_backends
def test_a_success_clears_only_the_count_it_came_from(accounts: Accounts, ana: User) -> None:
    device = device_of(accounts, ana)
    for _ in range(3):
        with pytest.raises(AccountError):
            accounts.sign_in("ana", WRONG, device)
        with pytest.raises(AccountError):
            accounts.sign_in("ana", WRONG)
    accounts.sign_in("ana", RIGHT, device)
    with pytest.raises(AccountError, match="After 4 more failed attempts, this browser"):
        accounts.sign_in("ana", WRONG, device)
    with pytest.raises(AccountError, match="1 more failed attempt will lock"):
        accounts.sign_in("ana", WRONG)


@pytest.mark.both_backends
def test_a_device_token_counts_only_for_its_own_account(accounts: Accounts, ana: User) -> None:
    bob = accounts.sign_up("bob", "Bob", RIGHT)
    for _ in range(5):
        with pytest.raises(AccountError):
            accounts.sign_in("bob", WRONG)
    with pytest.raises(AccountLocked):
        accounts.sign_in("bob", RIGHT, device_of(accounts, ana))
    assert accounts.sign_in("bob", RIGHT, device_of(accounts, bob)) == bob


@pytest.mark.both_backends
def test_parallel_guesses_with_a_stolen_device_token_get_at_most_ten_checks(
    accounts: Accounts, ana: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copied device cookie adds its five checks to the username's five, no more."""
    device = device_of(accounts, ana)
    checks = HeldChecks()
    monkeypatch.setattr(quiz_app.accounts, "verify_password", checks.verify)
    threads, outcomes = checks.burst(THREADS, lambda: accounts.sign_in("ana", WRONG, device))
    try:
        checks.wait_until_all_in(THREADS)
        assert checks.held == 10
    finally:
        checks.release()
        for thread in threads:
            thread.join()
    assert Counter(outcomes)["AccountLocked"] == THREADS - 9
    assert accounts.store.table_rows("devices") == []


# -- 14: no username enumeration ------------------------------------------------------------


@pytest.mark.both_backends
def test_unknown_username_locks_like_a_real_one(accounts: Accounts, ana: User) -> None:
    def answers(username: str) -> list[tuple[str, str]]:
        said = []
        for _ in range(6):
            with pytest.raises(AccountError) as raised:
                accounts.sign_in(username, WRONG)
            said.append((type(raised.value).__name__, str(raised.value)))
        return said

    assert answers("nobody") == answers("ana")
    assert answers("nobody")[-1][0] == "AccountLocked"


def test_username_enumeration_same_work_for_unknown_and_real_usernames(
    accounts: Accounts, ana: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrong password costs the same for both: one scrypt of the same cost, one write."""
    work: list[str] = []
    scrypt, write = hashlib.scrypt, accounts.store.write

    def counting_scrypt(password: bytes, **cost: int) -> bytes:
        work.append(f"scrypt n={cost['n']} r={cost['r']} p={cost['p']}")
        return scrypt(password, **cost)

    def counting_write(task):
        work.append("write")
        return write(task)

    monkeypatch.setattr(hashlib, "scrypt", counting_scrypt)
    monkeypatch.setattr(accounts.store, "write", counting_write)

    def cost(username: str) -> list[list[str]]:
        per_attempt = []
        for _ in range(6):
            work.clear()
            with pytest.raises(AccountError):
                accounts.sign_in(username, WRONG)
            per_attempt.append(list(work))
        return per_attempt

    assert cost("nobody") == cost("ana")
