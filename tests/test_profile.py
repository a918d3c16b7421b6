"""The profile: change of display name (until a certificate prints it) and of password
(current password required, every other session revoked)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from quiz_app.accounts import (
    INSTRUCTOR,
    LOCK_MINUTES,
    MAX_FAILED_SIGNINS,
    WRONG_CURRENT,
    AccountError,
    AccountLocked,
    Accounts,
    NameFixed,
)
from quiz_app.clock import ManualClock
from quiz_app.store import Store
from quiz_app.testing import open_app, texts


@pytest.mark.parametrize(
    "bad",
    ["   ", "Ana\u202eLima", "\u200b\u200b", "x" * 101],
    ids=["blank", "bidi", "zwsp", "long"],
)
def test_a_new_name_is_refused_as_sign_up_refuses_it(accounts: Accounts, learner, bad: str) -> None:
    with pytest.raises(AccountError) as at_sign_up:
        accounts.sign_up("bea", bad, "password123")
    with pytest.raises(AccountError) as at_change:
        accounts.change_display_name(learner, bad)
    assert str(at_change.value) == str(at_sign_up.value)
    assert accounts.user(learner.id).display_name == "Ana Lima"


def test_a_new_name_is_stored_as_typed_and_trimmed(accounts: Accounts, learner) -> None:
    renamed = accounts.change_display_name(learner, "  Ana Mari\u0301a Lima ")
    assert renamed.display_name == "Ana María Lima"  # NFC, as at sign-up
    assert accounts.user(learner.id) == renamed


def test_the_name_is_fixed_once_a_certificate_is_issued(cohort_world, store: Store) -> None:
    accounts, people = cohort_world["accounts"], cohort_world["people"]
    ana, cyd = people["ana"], people["cyd"]  # ana passed (a certificate), cyd never sat
    assert store.has_certificate(ana.id) and not store.has_certificate(cyd.id)
    assert accounts.name_fixed(ana) and not accounts.name_fixed(cyd)
    with pytest.raises(NameFixed, match="ask your instructor to correct it"):
        accounts.change_display_name(ana, "Ana Lima-Souza")
    assert accounts.user(ana.id).display_name == "Ana"
    assert accounts.change_display_name(cyd, "Cydney").display_name == "Cydney"


def test_changing_the_password_revokes_every_other_session(accounts: Accounts, learner) -> None:
    here, other = accounts.start_session(learner), accounts.start_session(learner)
    accounts.change_password(learner, "password123", "new-password", "new-password", here.id)
    assert accounts.session_user(here.id) == learner
    assert accounts.session_user(other.id) is None
    assert accounts.sign_in("ana", "new-password") == learner
    with pytest.raises(AccountError):
        accounts.sign_in("ana", "password123")


@pytest.mark.parametrize(
    ("current", "new", "repeat", "message"),
    [
        ("wrong-password", "new-password", "new-password", WRONG_CURRENT),
        ("password123", "new-password", "new-passwort", "The two passwords differ"),
        ("password123", "short", "short", "A password needs at least 8 characters"),
    ],
    ids=["wrong-current", "mismatch", "too-short"],
)
def test_a_refused_change_changes_nothing(
    accounts: Accounts, learner, current: str, new: str, repeat: str, message: str
) -> None:
    other = accounts.start_session(learner)
    with pytest.raises(AccountError, match=message):
        accounts.change_password(learner, current, new, repeat, None)
    assert accounts.session_user(other.id) == learner
    assert accounts.sign_in("ana", "password123") == learner


def test_wrong_current_passwords_count_toward_the_sign_in_lock(
    accounts: Accounts, learner, clock: ManualClock
) -> None:
    for _ in range(MAX_FAILED_SIGNINS - 1):
        with pytest.raises(AccountError, match=WRONG_CURRENT):
            accounts.change_password(learner, "guess-guess", "new-password", "new-password", None)
    with pytest.raises(AccountLocked):
        accounts.change_password(learner, "guess-guess", "new-password", "new-password", None)
    with pytest.raises(AccountLocked):  # the right password is not even checked now
        accounts.sign_in("ana", "password123")
    clock.advance(minutes=LOCK_MINUTES + 1)
    assert accounts.sign_in("ana", "password123") == learner


# -- the page ---------------------------------------------------------------------------


def profile(user) -> AppTest:
    return open_app(user, "views/profile.py")


def test_the_profile_page_shows_who_you_are_and_renames(env: None, accounts, learner) -> None:
    at = profile(learner)
    assert not at.exception and at.title[0].value == "Profile"
    shown = texts(at)
    assert "**Username:** ana" in shown and "**Role:** Learner" in shown
    at.text_input(key="profile-name").input("Ana *Lima* <b>x</b>")
    at.button(key="FormSubmitter:profile-name-Save name").click().run()
    assert accounts.user(learner.id).display_name == "Ana *Lima* <b>x</b>"
    assert at.success[0].value == r"Your name is now Ana \*Lima\* \<b\>x\</b\>."
    assert at.text_input(key="profile-name").value == "Ana *Lima* <b>x</b>"
    at.text_input(key="profile-name").input("   ")
    at.button(key="FormSubmitter:profile-name-Save name").click().run()
    assert at.error[0].value == "Enter your name (1 to 100 characters)."


def test_an_issued_certificate_fixes_the_name_on_the_page(cohort_world, env: None) -> None:
    at = profile(cohort_world["people"]["ana"])
    box = at.text_input(key="profile-name-fixed")
    assert box.disabled and box.value == "Ana"
    assert "ask your instructor to correct it" in texts(at)
    assert not [b for b in at.button if b.label == "Save name"]


def test_the_page_changes_the_password_and_signs_other_sessions_out(
    env: None, accounts, learner
) -> None:
    elsewhere = accounts.start_session(learner)
    at = profile(learner)
    at.text_input(key="profile-current").input("not-my-password")
    at.text_input(key="profile-new").input("new-password")
    at.text_input(key="profile-repeat").input("new-password")
    at.button(key="FormSubmitter:profile-password-Change password").click().run()
    assert at.error[0].value.startswith(WRONG_CURRENT)
    assert accounts.session_user(elsewhere.id) == learner
    at.text_input(key="profile-current").input("password123")
    at.text_input(key="profile-new").input("new-password")
    at.text_input(key="profile-repeat").input("new-password")
    at.button(key="FormSubmitter:profile-password-Change password").click().run()
    assert not at.error
    assert "other sessions are signed out" in at.success[0].value
    assert accounts.session_user(elsewhere.id) is None
    assert accounts.session_user(at.session_state["session"]) == learner  # still signed in
    assert at.title[0].value == "Profile"
    assert accounts.sign_in("ana", "new-password") == learner


def test_instructors_have_the_profile_page_too(env: None, accounts) -> None:
    teacher = accounts.sign_up("teacher", "Teacher", "teacher-pass", INSTRUCTOR)
    at = profile(teacher)
    assert at.title[0].value == "Profile" and "**Role:** Instructor" in texts(at)
