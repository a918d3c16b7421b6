"""A page of rules before the post-test's clock starts (issue 13, item 2).

Before: one click on "Start the post-test" started the 30-minute timer and used an
attempt. Now it opens the rules; only "Begin the post-test" starts anything.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz_app.attempts import Attempts
from quiz_app.clock import parse
from quiz_app.course import Course
from quiz_app.quizdef import REVIEW_PARTS
from quiz_app.store import Store
from quiz_app.testing import go, open_app, texts
from quiz_app.views.before_post_test import review_words
from tests.conftest import ManualClock, with_scope

SCOPE = "This course covers what dry needling is. It is not a qualification to practise."


@pytest.fixture
def service(env: None, db_path: Path, tiny_course: Course, clock: ManualClock) -> Attempts:
    return Attempts(Store(db_path), tiny_course, clock)


def rules_page(learner):
    at = open_app(learner, "views/home.py")
    at.button(key="start-post-test").click().run()
    return go(at, "views/before_post_test.py")


def post_tests(service: Attempts, learner) -> list:
    return service.store.attempts_of(learner.id, service.course.post_test.id)


def test_start_opens_the_rules_and_starts_no_clock(learner, service, tiny_course) -> None:
    at = rules_page(learner)
    assert post_tests(service, learner) == []  # no attempt used, no clock running
    shown = texts(at)
    quiz = tiny_course.post_test
    for fact in (
        f"**{quiz.length} questions** from every topic",
        f"**{quiz.time_limit_minutes} minutes.** The clock starts when you press *Begin*",
        "keeps running if you leave the page",
        f"**Pass mark {quiz.pass_mark:g}%.**",
        f"This is attempt 1 of {quiz.attempts_allowed}; your best attempt counts.",
        "**Answers save as you choose them**; there is no Save button.",
        "**Feedback waits until the end**",
        "**When the time is up** the post-test is submitted with the answers you chose",
        "if you pass: your score, your marks by topic and objective, and which answers were "
        "right, the right answers, the feedback on each choice, the explanations and the "
        "source passages;",
        "if you do not pass and have attempts left: your score and your marks by topic and "
        "by learning objective;",
        "after your last attempt: your score, your marks by topic and objective, and",
    ):
        assert fact in shown, fact
    assert [b.key for b in at.button] == ["begin-post-test"]


def test_begin_starts_the_attempt_and_its_clock(learner, service, clock) -> None:
    at = rules_page(learner)
    at.button(key="begin-post-test").click().run()
    (attempt,) = post_tests(service, learner)
    assert at.session_state["attempt_id"] == attempt["id"]
    minutes = service.course.post_test.time_limit_minutes
    assert (parse(attempt["deadline"]) - clock.now()).total_seconds() == minutes * 60


def test_an_open_post_test_is_resumed_not_started_again(learner, service) -> None:
    open_one = service.start(learner.id, service.course.post_test)
    at = rules_page(learner)
    assert "You have this post-test in progress" in texts(at)
    assert [b.key for b in at.button] == ["resume-post-test"]
    at.button(key="resume-post-test").click().run()
    assert at.session_state["attempt_id"] == open_one.id
    assert len(post_tests(service, learner)) == 1


def test_the_last_attempt_says_what_a_fail_then_shows(learner, service) -> None:
    quiz = service.course.post_test
    for _ in range(quiz.attempts_allowed - 1):
        service.submit(service.start(learner.id, quiz))
    shown = texts(rules_page(learner))
    assert f"This is attempt {quiz.attempts_allowed} of {quiz.attempts_allowed}" in shown
    assert "if you do not pass: your score, your marks by topic and objective, and" in shown
    assert "have attempts left" not in shown


def test_no_attempt_left_no_begin(learner, service) -> None:
    """The Start page offers no start then; a rules page opened anyway offers no Begin."""
    quiz = service.course.post_test
    for _ in range(quiz.attempts_allowed):
        service.submit(service.start(learner.id, quiz))
    at = go(open_app(learner, "views/home.py"), "views/before_post_test.py")
    assert "You have used every attempt this post-test allows." in texts(at)
    assert not at.button


def test_the_scope_statement_is_on_the_rules(learner, env, tiny_course, monkeypatch) -> None:
    from quiz_app.course import BANKS_ENV

    course = with_scope(tiny_course, SCOPE)
    monkeypatch.setenv(BANKS_ENV, str(course.folder))
    assert SCOPE in texts(rules_page(learner))


def test_review_words() -> None:
    assert review_words(()) == "your score and your marks by topic and by learning objective"
    assert (
        review_words(("key",))
        == "your score, your marks by topic and objective, and the right answers"
    )
    assert review_words(tuple(REVIEW_PARTS)).endswith("the explanations and the source passages")
