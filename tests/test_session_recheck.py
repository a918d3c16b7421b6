"""Signed out means signed out: every run checks the page's session in the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from quiz_app.accounts import Accounts, User
from quiz_app.clock import ManualClock
from quiz_app.store import Store
from quiz_app.testing import APP, go, open_app, texts


@pytest.fixture
def store(env: None, db_path: Path) -> Store:
    return Store(db_path)


@pytest.fixture
def ana(store: Store, clock: ManualClock) -> User:
    return Accounts(store, clock).sign_up("ana", "Ana Lima", "password123")


def signed_in_tab() -> AppTest:
    """A tab where Ana signed in through the sign-in form, now on Start."""
    at = open_app()
    at.text_input(key="signin-username").input("ana")
    at.text_input(key="signin-password").input("password123")
    at.button(key="FormSubmitter:sign-in-Sign in").click().run()
    assert at.title[0].value == "Welcome, Ana Lima"
    return at


def on_sign_in_page(at: AppTest) -> bool:
    return at.title[0].value == "Dry needling CE quizzes" and "Welcome" not in texts(at)


def test_signed_out_elsewhere_means_signed_out_here(ana: User, store: Store) -> None:
    """Signing out in another tab (which revokes the session) signs this tab out at its
    next run."""
    at = signed_in_tab()
    store.write(lambda conn: conn.execute("DELETE FROM sessions").rowcount)
    at.run()
    assert on_sign_in_page(at)
    assert at.text_input(key="signin-username")


def test_sign_out_in_one_tab_signs_the_other_tab_out(ana: User) -> None:
    first = signed_in_tab()
    other = AppTest.from_file(APP, default_timeout=30)  # another tab: it found the same
    other.session_state["session"] = first.session_state["session"]  # session in the cookie
    assert other.run().title[0].value == "Welcome, Ana Lima"
    go(first, "views/sign_out.py")
    assert first.title[0].value == "Signed out"
    other.run()
    assert on_sign_in_page(other)
    assert "session" not in other.session_state


def test_signed_out_after_the_session_expires(ana: User, clock: ManualClock) -> None:
    at = signed_in_tab()
    clock.advance(hours=11, minutes=59)
    assert at.run().title[0].value == "Welcome, Ana Lima"
    clock.advance(minutes=1)
    at.run()
    assert on_sign_in_page(at)
