"""A form sent blank says what is missing (issue 13, small things): the sign-in form
instead of "That username and password do not match", the Verify page instead of
nothing."""

from __future__ import annotations

import pytest

from quiz_app.accounts import AccountError, Accounts, User
from quiz_app.testing import open_app

pytestmark = pytest.mark.usefixtures("env")

SIGN_IN = "FormSubmitter:sign-in-Sign in"


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("", "", "Enter your username and password."),
        ("  ", "password123", "Enter your username."),
        ("ana", "", "Enter your password."),
    ],
    ids=["both", "username", "password"],
)
def test_a_blank_sign_in_says_what_is_missing(
    learner: User, username: str, password: str, message: str
) -> None:
    at = open_app()
    at.text_input(key="signin-username").input(username)
    at.text_input(key="signin-password").input(password)
    at.button(key=SIGN_IN).click().run()
    assert [e.value for e in at.error] == [message]
    assert "user" not in at.session_state


def test_blank_sign_ins_do_not_count_towards_the_lock(learner: User, accounts: Accounts) -> None:
    for _ in range(10):
        with pytest.raises(AccountError, match="Enter your password"):
            accounts.sign_in("ana", "")
    assert accounts.sign_in("ana", "password123").id == learner.id


def test_verify_without_a_code_asks_for_it() -> None:
    at = open_app(page="views/verify.py")
    assert not at.warning  # nothing to say before the button is pressed
    at.button(key="FormSubmitter:verify-Verify").click().run()
    assert [w.value for w in at.warning] == [
        "Enter the code printed on the certificate, then press Verify."
    ]
    assert not at.error and not at.success
