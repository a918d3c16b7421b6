"""Sign-up, sign-in, lockout, cohorts and join codes."""

from __future__ import annotations

import pytest

from quiz_app.accounts import (
    INSTRUCTOR,
    AccountError,
    AccountLocked,
    Accounts,
    AlreadyJoined,
    BadJoinCode,
)
from quiz_app.auth import hash_password, verify_password
from quiz_app.clock import ManualClock
from quiz_app.errors import QuizError
from quiz_app.store import Store, UsernameTaken


def test_passwords_are_salted_scrypt_hashes() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first.startswith("scrypt$") and first != second
    assert verify_password("correct horse", first)
    assert not verify_password("wrong horse", first)
    assert not verify_password("x", "not-a-hash")


def test_sign_up_then_sign_in(accounts: Accounts, store: Store) -> None:
    user = accounts.sign_up("  Ana.Lima ", "Ana Lima", "s3cret-pass")
    assert (user.username, user.role) == ("ana.lima", "learner")
    assert accounts.sign_in("ANA.LIMA", "s3cret-pass") == user
    assert "s3cret-pass" not in str(store.table_rows("users"))


@pytest.mark.parametrize(
    ("username", "name", "password", "message"),
    [
        ("ab", "Ab", "long-enough", "3 to 40"),
        ("has space", "X", "long-enough", "3 to 40"),
        ("ana", "Ana", "short", "at least 8"),
        ("ana", "   ", "long-enough", "1 to 100"),
        ("ana", "x" * 101, "long-enough", "1 to 100"),
        ("ana", "Ana\u202e", "long-enough", "cannot be shown"),
        ("ana", "Ana\ud800", "long-enough", "cannot be shown"),
        ("ana", "Ana\x07", "long-enough", "cannot be shown"),
    ],
    ids=[
        "short-username",
        "space",
        "short-password",
        "blank-name",
        "long-name",
        "bidi",
        "surrogate",
        "bell",
    ],
)
def test_bad_sign_ups_are_refused(accounts, username, name, password, message) -> None:
    with pytest.raises(AccountError, match=message):
        accounts.sign_up(username, name, password)


def test_usernames_are_unique_ignoring_case(accounts: Accounts) -> None:
    accounts.sign_up("ana", "Ana", "password-1")
    with pytest.raises(UsernameTaken):
        accounts.sign_up("ANA", "Other Ana", "password-2")


def test_five_failures_lock_for_fifteen_minutes(accounts: Accounts, clock: ManualClock) -> None:
    accounts.sign_up("ana", "Ana", "right-password")
    for left in (4, 3, 2, 1):
        with pytest.raises(AccountError, match=f"{left} more failed"):
            accounts.sign_in("ana", "wrong")
    with pytest.raises(AccountLocked, match="locked for 15 minutes"):
        accounts.sign_in("ana", "wrong")
    with pytest.raises(AccountLocked, match="try again in 15 minutes"):
        accounts.sign_in("ana", "right-password")
    clock.advance(minutes=14)
    with pytest.raises(AccountLocked, match="try again in 1 minute"):
        accounts.sign_in("ana", "right-password")
    clock.advance(minutes=1, seconds=1)
    assert accounts.sign_in("ana", "right-password").username == "ana"


def test_success_resets_the_failure_count(accounts: Accounts) -> None:
    accounts.sign_up("ana", "Ana", "right-password")
    for _ in range(4):
        with pytest.raises(AccountError):
            accounts.sign_in("ana", "wrong")
    accounts.sign_in("ana", "right-password")
    with pytest.raises(AccountError, match="4 more failed"):
        accounts.sign_in("ana", "wrong")


def test_unknown_user_fails_like_a_wrong_password(accounts: Accounts) -> None:
    accounts.sign_up("ana", "Ana", "right-password")
    with pytest.raises(AccountError, match="do not match") as unknown:
        accounts.sign_in("nobody", "whatever-pass")
    with pytest.raises(AccountError, match="do not match") as wrong:
        accounts.sign_in("ana", "whatever-pass")
    assert type(unknown.value) is type(wrong.value) is AccountError
    assert str(unknown.value) == str(wrong.value)


def test_cohorts_and_join_codes(accounts: Accounts) -> None:
    teacher = accounts.sign_up("teacher", "T", "teacher-pass", INSTRUCTOR)
    learner = accounts.sign_up("ana", "Ana", "learner-pass")
    cohort = accounts.create_cohort(teacher, "Autumn <b>2026</b>")
    assert len(cohort["join_code"]) == 8
    joined = accounts.join(learner, f" {cohort['join_code'].lower()} ")
    assert joined["id"] == cohort["id"]
    with pytest.raises(AlreadyJoined, match="already in"):
        accounts.join(learner, cohort["join_code"])
    assert [c["id"] for c in accounts.cohorts_joined(learner)] == [cohort["id"]]
    with pytest.raises(BadJoinCode, match='"NOPE1234"'):
        accounts.join(learner, "NOPE1234")
    new_code = accounts.rotate_join_code(teacher, cohort["id"])
    with pytest.raises(BadJoinCode):
        accounts.join(learner, cohort["join_code"])
    with pytest.raises(AlreadyJoined):  # the new code finds the cohort
        accounts.join(learner, new_code)


def test_only_the_owner_manages_a_cohort(accounts: Accounts) -> None:
    owner = accounts.sign_up("owner", "O", "owner-pass", INSTRUCTOR)
    other = accounts.sign_up("other", "X", "other-pass", INSTRUCTOR)
    learner = accounts.sign_up("ana", "Ana", "learner-pass")
    cohort = accounts.create_cohort(owner, "Mine")
    with pytest.raises(QuizError, match="not yours"):
        accounts.rotate_join_code(other, cohort["id"])
    with pytest.raises(QuizError, match="Only instructors"):
        accounts.create_cohort(learner, "Sneaky")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ＡＮＡ", "ana"),
        ("  Ana ", "ana"),
        ("ﬁnn", "finn"),
        ("STRASSE", "strasse"),
        ("Straße", "strasse"),
    ],
    ids=["fullwidth", "spaces", "ligature", "upper", "sharp-s"],
)
def test_usernames_are_stored_nfkc_casefolded_and_sign_in_alike(accounts, typed, stored) -> None:
    user = accounts.sign_up(typed, "Someone", "password123")
    assert user.username == stored
    assert accounts.sign_in(stored.upper(), "password123") == user
    assert accounts.sign_in(typed, "password123") == user
    with pytest.raises(UsernameTaken):
        accounts.sign_up(stored, "Someone else", "password123")


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("\u200b\u200b\u200b", "would look blank"),
        ("\u200d\u2060\ufeff", "would look blank"),
        ("\u0301\u0308\u0327", "would look blank"),
        ("     ", "would look blank"),
        ("\u3000\u3000\u3000", "would look blank"),
        ("\u3164\u3164\u3164", "would look blank"),
        ("\u2800\u2800\u2800", "would look blank"),
        ("ana\u200b", "invisible characters .*U\\+200B ZERO WIDTH SPACE"),
        ("a\u2060na", "invisible characters .*U\\+2060 WORD JOINER"),
        ("ana\u0336\u0336", "combining marks .*U\\+0336"),
        ("p\u0430ypal", "cannot mix Cyrillic and Latin .*U\\+0430 CYRILLIC SMALL LETTER A"),
        ("\u03bflga", "cannot mix Greek and Latin .*U\\+03BF GREEK SMALL LETTER OMICRON"),
    ],
    ids=[
        "zero-width",
        "joiners",
        "only-combining",
        "only-spaces",
        "ideographic-spaces",
        "hangul-filler",
        "braille-blank",
        "trailing-zero-width",
        "word-joiner",
        "strike-through",
        "cyrillic-a",
        "greek-omicron",
    ],
)
def test_blank_looking_and_mixed_script_usernames_are_refused(accounts, username, message) -> None:
    with pytest.raises(AccountError, match=message):
        accounts.sign_up(username, "Someone", "password123")


@pytest.mark.parametrize(
    ("lookalike", "taken", "why"),
    [
        (
            "\u0440\u0430\u0443\u0435\u0435",
            "payee",
            "U\\+0440 CYRILLIC SMALL LETTER ER looks like 'p'",
        ),
        ("\u03ba\u03b1\u03c4\u03bf", "kato", "U\\+03BA GREEK SMALL LETTER KAPPA looks like 'k'"),
        ("paypa1", "paypal", "U\\+0031 DIGIT ONE looks like 'l'"),
        ("0lga", "olga", "U\\+0030 DIGIT ZERO looks like 'o'"),
        ("rnary", "mary", "; choose another"),
        ("PAYPA1", "paypal", "DIGIT ONE"),
    ],
    ids=["cyrillic", "greek", "digit-one", "digit-zero", "rn-for-m", "upper-case"],
)
def test_usernames_that_look_like_a_taken_one_are_refused(accounts, lookalike, taken, why) -> None:
    accounts.sign_up(taken, "First", "password123")
    with pytest.raises(AccountError, match=f"would look the same as one already taken.*{why}"):
        accounts.sign_up(lookalike, "Second", "password123")


def test_names_that_would_look_blank_are_refused(accounts) -> None:
    for blank in ("\u200b", "\u200b\u200d", "\u0301\u0301", "\u3164"):
        with pytest.raises(AccountError, match="would look blank"):
            accounts.sign_up("someone", blank, "password123")
    teacher = accounts.sign_up("teacher", "Teacher", "password123", INSTRUCTOR)
    with pytest.raises(QuizError, match="would look blank"):
        accounts.create_cohort(teacher, "\u200b\u2060")
