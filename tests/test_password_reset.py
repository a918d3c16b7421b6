"""Password-reset links: one-time, one hour, only the newest works, issued only by an
instructor of the learner's cohort (or the command line)."""

from __future__ import annotations

import pytest

from quiz_app.accounts import MAX_FAILED_SIGNINS, AccountError, AccountLocked, Accounts
from quiz_app.clock import ManualClock
from quiz_app.resets import NOT_VALID, RESET_MINUTES, PasswordResets, ResetRefused
from quiz_app.store import Store


@pytest.fixture
def resets(store: Store, clock: ManualClock) -> PasswordResets:
    return PasswordResets(store, clock)


def test_a_link_sets_the_password_once_and_signs_every_session_out(
    accounts: Accounts, resets: PasswordResets, learner, store: Store
) -> None:
    session = accounts.start_session(learner)
    link = resets.issue(learner)
    assert resets.holder(link.token) == learner
    assert resets.use(link.token, "brand-new-pass", "brand-new-pass") == learner
    assert accounts.session_user(session.id) is None
    assert accounts.sign_in("ana", "brand-new-pass") == learner
    assert resets.holder(link.token) is None
    with pytest.raises(ResetRefused, match="has been used"):
        resets.use(link.token, "another-pass", "another-pass")
    assert accounts.sign_in("ana", "brand-new-pass") == learner
    stored = store.query("SELECT * FROM password_resets")
    assert link.token not in str(stored)  # only its hash is kept


def test_a_link_expires_after_an_hour(
    accounts: Accounts, resets: PasswordResets, learner, clock: ManualClock
) -> None:
    link = resets.issue(learner)
    clock.advance(minutes=RESET_MINUTES - 1)
    assert resets.holder(link.token) == learner
    clock.advance(minutes=1)
    assert resets.holder(link.token) is None
    with pytest.raises(ResetRefused) as refused:
        resets.use(link.token, "brand-new-pass", "brand-new-pass")
    assert str(refused.value) == NOT_VALID and link.token not in NOT_VALID
    assert accounts.sign_in("ana", "password123") == learner


def test_a_new_link_makes_the_older_ones_stop_working(resets: PasswordResets, learner) -> None:
    first, second = resets.issue(learner), resets.issue(learner)
    assert resets.holder(first.token) is None
    assert resets.holder(second.token) == learner


@pytest.mark.parametrize("token", ["", "x" * 43, "not a token", "'; DROP TABLE users; --"])
def test_unknown_tokens_show_nothing(resets: PasswordResets, learner, token: str) -> None:
    assert resets.holder(token) is None
    with pytest.raises(ResetRefused, match="does not work"):
        resets.use(token, "brand-new-pass", "brand-new-pass")


def test_a_refused_password_keeps_the_link(resets: PasswordResets, learner) -> None:
    link = resets.issue(learner)
    with pytest.raises(AccountError, match="The two passwords differ"):
        resets.use(link.token, "brand-new-pass", "brand-new-pasz")
    with pytest.raises(AccountError, match="at least 8 characters"):
        resets.use(link.token, "short", "short")
    assert resets.holder(link.token) == learner


def test_using_a_link_clears_the_sign_in_lock(
    accounts: Accounts, resets: PasswordResets, learner
) -> None:
    for _ in range(MAX_FAILED_SIGNINS):
        with pytest.raises(AccountError):
            accounts.sign_in("ana", "guess-guess")
    with pytest.raises(AccountLocked):
        accounts.sign_in("ana", "password123")
    resets.use(resets.issue(learner).token, "brand-new-pass", "brand-new-pass")
    assert accounts.sign_in("ana", "brand-new-pass") == learner


def test_an_instructor_issues_links_only_for_learners_of_their_own_cohorts(
    cohort_world, store: Store, clock: ManualClock
) -> None:
    resets = PasswordResets(store, clock)
    teacher, other = cohort_world["teacher"], cohort_world["other"]
    ana = cohort_world["people"]["ana"]
    link = resets.issue_for_learner(teacher, ana.id)
    assert link.user == ana
    assert store.first("SELECT issued_by FROM password_resets")["issued_by"] == teacher.id
    stranger = cohort_world["accounts"].sign_up("zed", "Zed", "password123")
    cohort_world["accounts"].join(stranger, cohort_world["elsewhere"]["join_code"])
    for instructor, user_id in [
        (other, ana.id),  # ana is in teacher's cohort, not other's
        (teacher, stranger.id),  # zed is in other's cohort only
        (teacher, other.id),  # another instructor
        (teacher, teacher.id),  # themselves
        (ana, ana.id),  # a learner cannot issue at all
        (teacher, 10_000),  # nobody
    ]:
        with pytest.raises(ResetRefused, match="only for learners in your own cohorts"):
            resets.issue_for_learner(instructor, user_id)
    assert resets.holder(link.token) == ana  # the refusals made no link


def test_the_link_address(resets: PasswordResets, learner) -> None:
    link = resets.issue(learner)
    assert link.address("https://ce.example.edu/quiz/") == (
        f"https://ce.example.edu/quiz/reset_password?token={link.token}"
    )
    assert resets.issue_for_username(" ana ").user == learner
    with pytest.raises(ResetRefused, match='no account has the username "nobody"'):
        resets.issue_for_username("nobody")
