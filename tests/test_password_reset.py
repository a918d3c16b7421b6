"""Password-reset links: one-time, one hour, only the newest works, issued only by an
instructor of the learner's cohort (or the command line)."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from quiz_app import cli
from quiz_app.accounts import MAX_FAILED_SIGNINS, AccountError, AccountLocked, Accounts
from quiz_app.clock import LocalTime, ManualClock, iso
from quiz_app.resets import NOT_VALID, RESET_MINUTES, PasswordResets, ResetRefused
from quiz_app.store import Store
from quiz_app.testing import APP, open_app, sign_in_as, texts


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


# -- the pages --------------------------------------------------------------------------


def test_the_reset_page_sets_the_password_from_a_fresh_browser(
    env: None, accounts: Accounts, resets: PasswordResets, learner
) -> None:
    link = resets.issue(learner)
    at = open_app(page="views/reset_password.py", token=link.token)
    assert not at.exception and at.title[0].value == "Set a new password"
    assert "For the account ana." in texts(at)
    at.text_input(key="reset-new").input("brand-new-pass")
    at.text_input(key="reset-repeat").input("brand-new-pasz")
    at.button(key="FormSubmitter:reset-password-Set password").click().run()
    assert at.error[0].value == "The two passwords differ."
    at.text_input(key="reset-new").input("brand-new-pass")
    at.text_input(key="reset-repeat").input("brand-new-pass")
    at.button(key="FormSubmitter:reset-password-Set password").click().run()
    assert "Sign in with the new password." in at.success[0].value
    assert "token" not in at.query_params
    assert "session" not in at.session_state  # signed in only by signing in
    assert accounts.sign_in("ana", "brand-new-pass") == learner


@pytest.mark.parametrize("state", ["used", "expired", "unknown", "missing"])
def test_a_link_that_does_not_work_shows_one_sentence_and_no_form(
    env: None, resets: PasswordResets, learner, clock: ManualClock, state: str
) -> None:
    link = resets.issue(learner)
    if state == "used":
        resets.use(link.token, "brand-new-pass", "brand-new-pass")
    elif state == "expired":
        clock.advance(minutes=RESET_MINUTES)
    query = {} if state == "missing" else {"token": "A" * 43 if state == "unknown" else link.token}
    at = open_app(page="views/reset_password.py", **query)
    assert [e.value for e in at.error] == [NOT_VALID]
    assert not at.text_input and link.token not in texts(at)


def test_an_instructor_makes_a_link_on_the_learners_page_after_confirming(
    cohort_world, env: None, store: Store, clock: ManualClock
) -> None:
    ana = cohort_world["people"]["ana"]
    at = AppTest.from_file(APP, default_timeout=30)
    sign_in_as(at, cohort_world["teacher"])
    at.session_state["learner_choice"] = ana.id
    at.switch_page("views/learners.py")
    at.run()
    at.button(key="reset-link").click().run()
    assert "sets a new password?" in texts(at)
    at.button(key="reset-link-cancel").click().run()
    assert not store.query("SELECT * FROM password_resets") and not at.code
    at.button(key="reset-link").click().run()
    at.button(key="reset-link-make").click().run()
    (code,) = at.code
    address = code.value
    assert address.startswith("http://localhost:8501/reset_password?token=")
    token = address.split("token=")[1]
    assert PasswordResets(store, clock).holder(token) == ana
    in_an_hour = LocalTime("UTC").moment_text(iso(clock.now() + timedelta(hours=1)))
    assert f"Expires {in_an_hour}." in texts(at) and in_an_hour.endswith(" UTC")
    assert "it works once, for one hour" in texts(at)


def test_the_page_link_uses_the_public_address(
    cohort_world, env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUIZ_PUBLIC_URL", "https://ce.example.edu/quiz/")
    at = AppTest.from_file(APP, default_timeout=30)
    sign_in_as(at, cohort_world["teacher"])
    at.switch_page("views/learners.py")
    at.run()
    at.button(key="reset-link").click().run()
    at.button(key="reset-link-make").click().run()
    assert at.code[0].value.startswith("https://ce.example.edu/quiz/reset_password?token=")


# -- the command line -------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(cli.cli, list(args))


def test_the_command_prints_a_link_and_its_expiry(
    env: None, store: Store, learner, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run("reset-password", "ana", "--db", str(db_path))
    assert result.exit_code == 0, result.output
    address, when = result.output.splitlines()
    assert address.startswith("http://localhost:8501/reset_password?token=")
    assert PasswordResets(store).holder(address.split("token=")[1]) == learner
    assert when.startswith("For ana; it works once, until ") and when.endswith(" UTC.")
    monkeypatch.setenv("QUIZ_PUBLIC_URL", "https://ce.example.edu/quiz")
    result = run("reset-password", "ana", "--db", str(db_path))
    assert result.output.startswith("https://ce.example.edu/quiz/reset_password?token=")
    result = run("reset-password", "ana", "--db", str(db_path), "--base-url", "http://x.org:8080/")
    assert result.output.startswith("http://x.org:8080/reset_password?token=")
    assert PasswordResets(store).holder(address.split("token=")[1]) is None  # replaced


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["nobody"], 1, 'Error: no account has the username "nobody"'),
        (["ana", "--base-url", "ftp://x.org"], 2, "is not an http(s) address"),
    ],
    ids=["unknown-username", "bad-base-url"],
)
def test_the_command_refuses_in_one_line(
    env: None, learner, db_path: Path, args: list[str], status: int, message: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "quiz_app", "reset-password", *args, "--db", str(db_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == status
    assert message in result.stderr and "Traceback" not in result.stderr + result.stdout
    assert not result.stdout
    if status == 1:
        assert result.stderr.strip() == message


def test_the_command_never_creates_a_database(env: None, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    result = run("reset-password", "ana", "--db", str(missing))
    assert result.exit_code == 1 and "does not exist" in result.output
    assert not missing.exists()


def test_a_link_opened_signed_in_says_to_sign_out_first(
    cohort_world, env: None, store: Store, clock: ManualClock
) -> None:
    ana = cohort_world["people"]["ana"]
    link = PasswordResets(store, clock).issue(ana)
    at = open_app(cohort_world["teacher"], "views/reset_password.py", token=link.token)
    assert not at.exception and "You are signed in as teacher." in at.info[0].value
    assert not at.text_input and not at.error
    assert PasswordResets(store, clock).holder(link.token) == ana  # still unused


def test_the_sign_in_page_says_where_a_forgotten_password_goes(env: None) -> None:
    assert "Ask your instructor for a reset link." in texts(open_app())
