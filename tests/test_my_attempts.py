"""My attempts is a table of every attempt, quiz, start (in the course's zone), score and
result, each with a button that opens its review (issue 13, small things)."""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz_app.accounts import User
from quiz_app.attempts import Attempts
from quiz_app.clock import ManualClock
from quiz_app.course import Course
from quiz_app.store import Store
from quiz_app.testing import open_app, texts
from tests.test_review_options import answer_all

pytestmark = pytest.mark.usefixtures("env")


@pytest.fixture
def service(env: None, db_path: Path, tiny_course: Course, clock: ManualClock) -> Attempts:
    return Attempts(Store(db_path), tiny_course, clock)


def cells(at) -> list[str]:
    return [m.value for m in at.markdown]


def test_every_attempt_is_a_row_with_its_review(
    learner: User, service: Attempts, tiny_course: Course, clock: ManualClock
) -> None:
    practice = service.start(learner.id, tiny_course.practice_quiz(["demo"], 5))
    answer_all(service, practice, right=True)
    service.submit(practice)
    clock.advance(days=1)
    failed = service.start(learner.id, tiny_course.post_test)
    answer_all(service, failed, right=False)
    service.submit(failed)
    clock.advance(days=1)
    still_open = service.start(learner.id, tiny_course.post_test)

    at = open_app(learner, "views/history.py")
    assert not at.exception
    assert not at.selectbox  # a table, not a dropdown
    shown = cells(at)
    local = tiny_course.local_time
    for attempt in (practice, failed):
        started = local.moment_text(attempt.started_at)
        assert f"**{attempt.quiz_title}**  \n:gray[Started {started}]" in shown
    assert "Score 100% · finished" in shown and "Score 0% · not passed" in shown
    assert any(c.startswith("Score – · in progress, 0 of") for c in shown)
    assert at.button(key=f"history-resume-{still_open.id}").label == "Resume"
    assert not [b for b in at.button if b.key == f"history-review-{still_open.id}"]

    # The newest finished attempt is open below the table: the failed post-test, whose
    # review the course hides while attempts are left.
    assert at.subheader[0].value.startswith("Demo post-test, started ")
    assert not at.expander
    assert "shown once you pass or have used your last attempt" in texts(at)

    at.button(key=f"history-review-{practice.id}").click().run()
    assert at.query_params["attempt"] == str(practice.id)
    assert at.subheader[0].value.startswith("Practice")
    assert len(at.expander) == 5  # practice always shows its questions
    assert "Because." in "\n".join(str(e.value) for e in at.markdown)


def test_a_link_to_an_attempt_opens_its_review(
    learner: User, service: Attempts, tiny_course: Course
) -> None:
    first = service.start(learner.id, tiny_course.practice_quiz(["demo"], 5))
    service.submit(first)
    service.submit(service.start(learner.id, tiny_course.practice_quiz(["demo"], 5)))
    at = open_app(learner, "views/history.py", attempt=str(first.id))
    assert not at.exception
    assert at.subheader[0].value.endswith(tiny_course.local_time.moment_text(first.started_at))


@pytest.mark.parametrize("named", ["theirs", "abc", "-1"], ids=["not-theirs", "text", "negative"])
def test_an_attempt_link_that_names_none_of_theirs_shows_the_newest(
    learner: User, service: Attempts, tiny_course: Course, accounts, clock, named: str
) -> None:
    mine = service.start(learner.id, tiny_course.practice_quiz(["demo"], 5))
    service.submit(mine)
    clock.advance(days=1)  # Bea's attempt is newer, and on another day
    other = accounts.sign_up("bea", "Bea", "password123")
    theirs = service.start(other.id, tiny_course.practice_quiz(["demo"], 5))
    service.submit(theirs)
    asked = str(theirs.id) if named == "theirs" else named
    at = open_app(learner, "views/history.py", attempt=asked)
    assert not at.exception
    assert at.subheader[0].value.endswith(tiny_course.local_time.moment_text(mine.started_at))
