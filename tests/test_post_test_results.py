"""Results as a learner expects them (issue 13, item 6).

They say when the attempt started and finished and how long it took, in the course's
named time zone; a reload keeps them (the address names the attempt); and the Start page
shows the last score after a fail, and after a pass the certificate instead of another
post-test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz_app.attempts import Attempts
from quiz_app.course import Course
from quiz_app.scoring import correct_answer
from quiz_app.store import Store
from quiz_app.testing import go, open_app, texts
from tests.conftest import WRONG_ANSWERS, ManualClock


@pytest.fixture
def service(env: None, db_path: Path, tiny_course: Course, clock: ManualClock) -> Attempts:
    return Attempts(Store(db_path), tiny_course, clock)


def sit(service: Attempts, learner, clock: ManualClock, right: int, minutes: int = 12):
    attempt = service.start(learner.id, service.course.post_test)
    for n, slot in enumerate(attempt.slots):
        question = service.course.question(slot.question_id)
        answer = correct_answer(question) if n < right else WRONG_ANSWERS[question.type]
        service.answer(attempt, slot.question_id, answer)
    clock.advance(minutes=minutes, seconds=5)
    return service.submit(service.load(attempt.id))


def test_results_say_when_and_how_long_and_survive_a_reload(learner, service, clock) -> None:
    done = sit(service, learner, clock, right=5)
    at = open_app(learner, "views/quiz.py", attempt=str(done.id))  # a reload: a new session
    shown = texts(at)
    assert "Review your answers" in shown and "No quiz in progress" not in shown
    assert "· took 12 min 5 s (times in UTC)" in shown
    assert shown.count("Started ") >= 1


@pytest.mark.parametrize("named", ["999999", "12abc", "１２", "9" * 40, ""])
def test_an_attempt_the_address_cannot_name_shows_nothing_of_it(
    learner, accounts, service, clock, named
) -> None:
    other = accounts.sign_up("bob", "Bob Stone", "password123")
    theirs = sit(service, other, clock, right=5)
    for value in (named, str(theirs.id)):
        at = open_app(learner, "views/quiz.py", attempt=value)
        assert not at.exception
        shown = texts(at)
        assert "Review your answers" not in shown and "Bob" not in shown
        assert "No quiz in progress" in shown or "That attempt does not exist." in shown


def test_after_a_fail_the_start_page_shows_the_last_score(learner, service, clock) -> None:
    sit(service, learner, clock, right=2)
    home = open_app(learner, "views/home.py")
    assert "Your last attempt: 40%, not passed (the pass mark is 80%)." in [
        w.value for w in home.warning
    ]
    assert [b for b in home.button if b.key == "start-post-test"]


def test_after_a_pass_no_more_post_test_only_the_certificate(learner, service, clock) -> None:
    sit(service, learner, clock, right=2)
    sit(service, learner, clock, right=5)
    home = open_app(learner, "views/home.py")
    assert "You passed with 100%: nothing more to sit. Your certificate:" in texts(home)
    assert not [b for b in home.button if b.key == "start-post-test"]
    assert [b for b in home.get("download_button") if "certificate" in b.proto.label]
    assert not home.warning  # the fail before the pass is not brought up
    rules = go(home, "views/before_post_test.py")
    assert "nothing more to sit" in texts(rules) and not rules.button
