"""Invalid bank files: the app keeps serving the last valid course, and only instructors
are told what is wrong, as plain FILE:LINE text."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from quiz_app import ui
from quiz_app.accounts import INSTRUCTOR, LEARNER, Accounts
from quiz_app.course import BANKS_ENV
from quiz_app.store import Store
from quiz_app.testing import open_app, texts
from tests.conftest import BANK, write

# A value with Markdown and HTML in it, so a rendered message would differ from the file's.
INVALID = 'level: "**easy** <b>now</b>"'
PROBLEM = 'demo.yaml:9: question q-single: level: "**easy** <b>now</b>" is not one of'


def everything_shown(at: AppTest) -> str:
    return "\n".join([texts(at), *(c.value for c in at.code)])


@pytest.fixture
def world(cohort_world, env, monkeypatch: pytest.MonkeyPatch):
    """The cohort world, served by the app on the test's clock."""
    monkeypatch.setattr(ui, "RELOAD_CHECK_S", 0.0)  # look at the files on every run
    return cohort_world


def test_an_invalid_bank_edit_keeps_serving_the_last_valid_course(world, tiny_course) -> None:
    assert not open_app().exception  # the valid course is loaded
    bank = tiny_course.folder / "demo.yaml"
    bank.write_text(bank.read_text().replace("level: recall", INVALID, 1), encoding="utf-8")

    visitor = open_app()
    assert not visitor.exception
    assert visitor.text_input(key="signin-username") and not visitor.warning
    learner = open_app(world["people"]["ana"])
    assert not learner.exception and learner.title[0].value == "Welcome, Ana"
    assert not learner.warning and "demo.yaml" not in everything_shown(learner)

    instructor = open_app(world["teacher"], "views/dashboard.py")
    assert not instructor.exception
    assert next(m.value for m in instructor.metric if m.label == "Enrolled") == "5"
    assert "still serves the course as it was" in instructor.warning[0].value
    (problems,) = instructor.code
    assert PROBLEM in problems.value
    assert "**easy**" not in texts(instructor)  # only in the plain-text block

    bank.write_text(bank.read_text().replace(INVALID, "level: recall"), encoding="utf-8")
    fixed = open_app(world["teacher"], "views/dashboard.py")
    assert not fixed.warning and not fixed.code


@pytest.mark.parametrize(
    ("role", "told"),
    [(None, False), (LEARNER, False), (INSTRUCTOR, True)],
    ids=["visitor", "learner", "instructor"],
)
def test_invalid_banks_at_first_start_give_a_plain_message(
    bank_dir: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch, role: str | None, told: bool
) -> None:
    write(bank_dir, "demo.yaml", BANK.replace("level: recall", INVALID))
    monkeypatch.setenv("QUIZ_DB", str(db_path))
    monkeypatch.setenv(BANKS_ENV, str(bank_dir))
    user = (
        Accounts(Store(db_path)).sign_up("someone", "Someone", "password123", role)
        if role
        else None
    )
    at = open_app(user)
    assert not at.exception
    assert at.error[0].value.startswith("The course is not available")
    assert (PROBLEM in everything_shown(at)) is told
