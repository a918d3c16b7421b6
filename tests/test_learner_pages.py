"""The learner's journey through the app, driven with Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from quiz_app import session
from quiz_app.accounts import INSTRUCTOR, Accounts, User
from quiz_app.attempts import Attempts
from quiz_app.clock import ManualClock, iso
from quiz_app.cookies import CLAIM_PATH, SESSION_COOKIE
from quiz_app.course import Course
from quiz_app.scoring import correct_answer
from quiz_app.store import Store
from quiz_app.testing import (
    begin_post_test,
    fill_answer,
    go,
    open_app,
    sign_in_as,
    submit_answer,
    texts,
)
from tests.asgi import handoff_code, post
from tests.conftest import WRONG_ANSWERS

pytestmark = pytest.mark.usefixtures("env")


@pytest.fixture
def service(env: None, db_path: Path, tiny_course: Course, clock: ManualClock) -> Attempts:
    return Attempts(Store(db_path), tiny_course, clock)


def start(at, button_key: str):
    """Click a start button, then follow to the quiz page as the browser does."""
    at.button(key=button_key).click().run()
    assert "attempt_id" in at.session_state, texts(at)
    return go(at, "views/quiz.py")


# -- accounts -------------------------------------------------------------------------------


def test_sign_up_signs_in_and_shows_start(env: None, db_path: Path) -> None:
    at = open_app()
    assert at.title[0].value == "Dry needling CE quizzes"
    at.text_input(key="signup-username").input("Ana")
    at.text_input(key="signup-name").input("Ana Lima")
    at.text_input(key="signup-password").input("password123")
    at.text_input(key="signup-repeat").input("password123")
    at.button(key="FormSubmitter:sign-up-Create account").click().run()
    assert "session" in at.session_state
    handoff_code(at)  # the browser is asked to claim its session cookie
    go(at, "views/home.py")
    assert at.title[0].value == "Welcome, Ana Lima"
    assert "Self-study" in texts(at)
    assert not at.sidebar.get("html")  # the claim script runs once


@pytest.mark.parametrize(
    ("password", "repeat", "message"),
    [
        ("password123", "password124", "The two passwords differ."),
        ("short", "short", "A password needs at least 8 characters."),
    ],
    ids=["mismatch", "too-short"],
)
def test_sign_up_refusals(env: None, password: str, repeat: str, message: str) -> None:
    at = open_app()
    at.text_input(key="signup-username").input("ana")
    at.text_input(key="signup-name").input("Ana")
    at.text_input(key="signup-password").input(password)
    at.text_input(key="signup-repeat").input(repeat)
    at.button(key="FormSubmitter:sign-up-Create account").click().run()
    assert [e.value for e in at.error] == [message]
    assert "user" not in at.session_state


def test_five_failed_sign_ins_lock_the_account(learner: User) -> None:
    at = open_app()
    for _ in range(5):
        at.text_input(key="signin-username").input("ana")
        at.text_input(key="signin-password").input("wrong-password")
        at.button(key="FormSubmitter:sign-in-Sign in").click().run()
    assert "locked for 15 minutes" in at.error[0].value
    at.text_input(key="signin-password").input("password123")
    at.button(key="FormSubmitter:sign-in-Sign in").click().run()
    assert "try again in 15 minutes" in at.error[0].value
    assert "user" not in at.session_state


def test_sign_in_then_sign_out(learner: User, accounts: Accounts) -> None:
    at = open_app()
    at.text_input(key="signin-username").input("ana")
    at.text_input(key="signin-password").input("password123")
    at.button(key="FormSubmitter:sign-in-Sign in").click().run()
    assert at.title[0].value == "Welcome, Ana Lima"
    claimed = post(session.accounts, CLAIM_PATH, handoff_code(at))
    token = claimed.cookie(SESSION_COOKIE)
    assert token and accounts.resume_session(token).user == learner  # what a refresh does
    go(at, "views/sign_out.py")
    assert "session" not in at.session_state
    assert at.title[0].value == "Signed out"
    assert [h.proto.body for h in at.sidebar.get("html")] == [
        '<script>fetch("/auth/sign-out", {method: "POST", credentials: "same-origin"});</script>'
    ]
    assert accounts.resume_session(token) is None  # the token no longer signs anyone in


def test_join_cohort_with_right_and_wrong_code(accounts: Accounts, learner: User) -> None:
    teacher = accounts.sign_up("teacher", "Teacher", "password123", INSTRUCTOR)
    cohort = accounts.create_cohort(teacher, "Autumn cohort")
    at = open_app(learner, "views/my_cohorts.py")
    at.button(key="FormSubmitter:join-Join cohort").click().run()
    assert at.error[0].value == "Enter the join code your instructor gave you."
    at.text_input(key="join-code").input("WRONG123")
    at.button(key="FormSubmitter:join-Join cohort").click().run()
    assert 'No cohort has the join code "WRONG123"' in at.error[0].value
    at.text_input(key="join-code").input(cohort["join_code"].lower())
    at.button(key="FormSubmitter:join-Join cohort").click().run()
    assert "You joined Autumn cohort." in texts(at)
    assert "Autumn cohort" in texts(go(at, "views/home.py"))


# -- practice ---------------------------------------------------------------------------------


@pytest.mark.parametrize("question_id", ["q-single", "q-multiple", "q-tf", "q-match", "q-order"])
@pytest.mark.parametrize("right", [True, False], ids=["right", "wrong"])
def test_practice_feedback_for_every_type(
    learner: User, service: Attempts, tiny_course: Course, question_id: str, right: bool
) -> None:
    quiz = tiny_course.practice_quiz(["demo"], 5)
    attempt = service.start(learner.id, quiz)
    position = [s.question_id for s in attempt.slots].index(question_id)
    service.move(attempt, position)
    at = open_app(learner, "views/quiz.py")
    question = tiny_course.question(question_id)
    key = f"a{attempt.id}-{question_id}"
    answer = correct_answer(question) if right else WRONG_ANSWERS[question.type]
    fill_answer(at, key, question, answer)
    submit_answer(at, key, post_test=False)
    assert not at.exception
    shown = texts(at)
    if right:
        assert [s.value for s in at.success] == ["Correct."]
    else:
        assert [e.value for e in at.error] == ["Not right."]
    assert "Because." in shown  # the explanation
    assert "A test document" in shown  # the cited source's title
    assert "brown fox" in shown or "jumps over" in shown or "lazy" in shown  # the passage
    keys = {b.key for b in at.button}
    assert f"next-{attempt.id}" in keys or f"finish-{attempt.id}" in keys


def test_practice_keeps_the_first_answer_and_walks_to_the_score(
    learner: User, service: Attempts, tiny_course: Course
) -> None:
    at = open_app(learner, "views/home.py")
    at.multiselect(key="practice-topics").set_value(["demo"])
    at.slider(key="practice-length").set_value(3)
    at.button(key="FormSubmitter:practice-Start practice").click().run()
    go(at, "views/quiz.py")
    attempt_id = at.session_state["attempt_id"]
    attempt = service.load(attempt_id)
    assert len(attempt.slots) == 3
    for number, slot in enumerate(attempt.slots):
        question = tiny_course.question(slot.question_id)
        key = f"a{attempt_id}-{slot.question_id}"
        fill_answer(at, key, question, correct_answer(question))
        submit_answer(at, key, post_test=False)
        assert [s.value for s in at.success] == ["Correct."]
        button = f"next-{attempt_id}" if number < 2 else f"finish-{attempt_id}"
        at.button(key=button).click().run()
    assert not service.load(attempt_id).is_open
    assert "Score" in [m.label for m in at.metric]
    assert at.metric[0].value == "100%"


# -- post-test --------------------------------------------------------------------------------


def answer_post_test(at, service: Attempts, course: Course, attempt_id: int, how_many: int):
    for _ in range(how_many):
        attempt = service.load(attempt_id)
        slot = attempt.slots[at.session_state[f"position-{attempt_id}"]]
        question = course.question(slot.question_id)
        key = f"a{attempt_id}-{slot.question_id}"
        fill_answer(at, key, question, correct_answer(question))
        submit_answer(at, key, post_test=True)
        if at.session_state[f"position-{attempt_id}"] < len(attempt.slots) - 1:
            at.button(key=f"next-{attempt_id}").click().run()
    return at


def countdown(at):
    """The post-test's countdown: the page's one HTML block that holds it."""
    (timer,) = [h for h in at.get("html") if 'id="countdown-' in h.proto.body]
    return timer


def test_post_test_pass_then_review(learner: User, service: Attempts, tiny_course: Course):
    at = open_app(learner, "views/home.py")
    at = begin_post_test(at)
    attempt_id = at.session_state["attempt_id"]
    timer = countdown(at)
    assert "Time left <b>30:00</b>" in timer.proto.body  # the countdown, drawn by the server
    assert not at.success and not at.error  # feedback is deferred
    answer_post_test(at, service, tiny_course, attempt_id, 5)
    at.button(key=f"submit-{attempt_id}").click().run()
    assert "Submit now? 5 of 5 answered." in at.warning[0].value
    at.button(key=f"yes-{attempt_id}").click().run()
    assert "Passed with 100%" in at.success[0].value
    assert len(at.expander) == 5  # a review of every question
    assert "Because." in texts(at)


def test_countdown_carries_the_servers_seconds_left(
    learner: User, service: Attempts, tiny_course: Course, clock: ManualClock
) -> None:
    """The page holds the seconds left by the server's clock, and the script that ticks
    them down never reads the browser's wall clock (scenario 11)."""
    at = begin_post_test(open_app(learner, "views/home.py"))
    clock.advance(seconds=100)
    at.run()
    body = countdown(at).proto.body
    assert 'data-left-ms="1700000"' in body  # 30 minutes less the 100 seconds gone
    assert "Time left <b>28:20</b>" in body
    assert "performance.now()" in body and "Date" not in body


def test_post_test_deadline_is_enforced(
    learner: User, service: Attempts, tiny_course: Course, clock: ManualClock
) -> None:
    at = begin_post_test(open_app(learner, "views/home.py"))
    attempt_id = at.session_state["attempt_id"]
    answer_post_test(at, service, tiny_course, attempt_id, 2)
    clock.advance(minutes=31)
    attempt = service.load(attempt_id)
    slot = attempt.slots[at.session_state[f"position-{attempt_id}"]]
    assert not attempt.is_open  # loading after the deadline submitted it
    at.run()
    assert "Not passed: 40%" in at.error[0].value
    assert service.load(attempt_id).score == 2.0
    assert slot.question_id not in service.load(attempt_id).responses


def test_late_answer_is_refused_with_a_message(
    learner: User, service: Attempts, tiny_course: Course, clock: ManualClock
) -> None:
    at = begin_post_test(open_app(learner, "views/home.py"))
    attempt_id = at.session_state["attempt_id"]
    attempt = service.load(attempt_id)
    slot = attempt.slots[0]
    question = tiny_course.question(slot.question_id)
    key = f"a{attempt_id}-{slot.question_id}"
    fill_answer(at, key, question, correct_answer(question))
    clock.advance(minutes=30, seconds=5)
    submit_answer(at, key, post_test=True)
    assert "Time ran out" in texts(at)
    assert service.load(attempt_id).responses == {}


def test_attempts_limit(learner: User, service: Attempts, tiny_course: Course) -> None:
    for _ in range(2):
        service.submit(service.start(learner.id, tiny_course.post_test))
    at = open_app(learner, "views/home.py")
    assert "Attempts used: 2 of 2." in texts(at)
    assert "You have used every attempt this post-test allows." in texts(at)
    assert not [b for b in at.button if b.key == "start-post-test"]


def test_resume_in_a_new_session_at_the_same_question(
    accounts: Accounts, learner: User, service: Attempts, tiny_course: Course
) -> None:
    at = begin_post_test(open_app(learner, "views/home.py"))
    attempt_id = at.session_state["attempt_id"]
    answer_post_test(at, service, tiny_course, attempt_id, 2)
    first = service.load(attempt_id).slots[0]
    fresh = open_app()  # another device: sign in again
    fresh.text_input(key="signin-username").input("ana")
    fresh.text_input(key="signin-password").input("password123")
    fresh.button(key="FormSubmitter:sign-in-Sign in").click().run()
    go(fresh, "views/quiz.py")
    assert fresh.session_state[f"position-{attempt_id}"] == 2
    assert "Question 3 of 5 · 2 answered" in fresh.get("progress")[0].proto.text
    fresh.button(key=f"prev-{attempt_id}").click().run()
    fresh.button(key=f"prev-{attempt_id}").click().run()
    question = tiny_course.question(first.question_id)
    key = f"a{attempt_id}-{first.question_id}"
    shown = {
        "single": lambda: fresh.radio(key=f"{key}-single").value,
        "true_false": lambda: fresh.radio(key=f"{key}-tf").value,
        "multiple": lambda: [i for i in range(3) if fresh.checkbox(key=f"{key}-multi-{i}").value],
        "matching": lambda: [fresh.selectbox(key=f"{key}-match-{i}").value for i in range(3)],
        "ordering": lambda: sorted(
            range(3), key=lambda i: fresh.selectbox(key=f"{key}-place-{i}").value
        ),
    }[question.type]()
    assert shown == correct_answer(question)


@pytest.mark.parametrize("post_test", [False, True], ids=["practice", "post-test"])
def test_double_submit_stores_one_answer(
    post_test: bool,
    learner: User,
    service: Attempts,
    tiny_course: Course,
    clock: ManualClock,
    db_path: Path,
) -> None:
    """Two tabs on the same question submit the same answer: both deliveries reach the
    store, which keeps the first and tells neither tab anything went wrong."""
    quiz = tiny_course.post_test if post_test else tiny_course.practice_quiz(["demo"], 3)
    attempt = service.start(learner.id, quiz)
    slot = attempt.slots[0]
    question = tiny_course.question(slot.question_id)
    key = f"a{attempt.id}-{slot.question_id}"
    tabs = [open_app(learner, "views/quiz.py") for _ in range(2)]
    for at in tabs:
        fill_answer(at, key, question, correct_answer(question))
    first_at = clock.now()
    for at in tabs:
        submit_answer(at, key, post_test=post_test)
        clock.advance(seconds=5)
    for at in tabs:
        assert not at.exception, at.exception[0].message
        assert not at.warning, at.warning[0].value
    (stored,) = Store(db_path).responses(attempt.id)
    assert stored["question_id"] == slot.question_id
    assert stored["answered_at"] == iso(first_at)  # the second delivery changed nothing
    assert service.load(attempt.id).responses[slot.question_id].mark == 1


def test_no_answer_carries_over_to_the_next_question(
    learner: User, service: Attempts, tiny_course: Course
) -> None:
    at = begin_post_test(open_app(learner, "views/home.py"))
    attempt_id = at.session_state["attempt_id"]
    answer_post_test(at, service, tiny_course, attempt_id, 1)
    attempt = service.load(attempt_id)
    slot = attempt.slots[1]
    key = f"a{attempt_id}-{slot.question_id}"
    widgets = [
        w
        for kind in ("radio", "checkbox", "selectbox", "multiselect")
        for w in getattr(at, kind)
        if (w.key or "").startswith(key)
    ]
    assert widgets, "the second question's widgets are shown"
    assert all(w.value in (None, False, []) for w in widgets)
    assert not [
        w
        for kind in ("radio", "checkbox", "selectbox", "multiselect")
        for w in getattr(at, kind)
        if (w.key or "").startswith(f"a{attempt_id}-") and not (w.key or "").startswith(key)
    ]


# -- progress, history, access ------------------------------------------------------------------


def test_progress_and_weak_spots(learner: User, service: Attempts, tiny_course: Course) -> None:
    attempt = service.start(learner.id, tiny_course.practice_quiz(["demo"], 5))
    for slot in attempt.slots:
        question = tiny_course.question(slot.question_id)
        answer = correct_answer(question) if slot.question_id != "q-tf" else True
        service.answer(attempt, slot.question_id, answer)
    service.submit(attempt)
    at = open_app(learner, "views/progress.py")
    assert not at.exception
    assert at.metric[0].value == "1"
    assert len(at.get("vega_lite_chart")) == 2  # scores over time, and the review forecast
    assert "Identify things." in texts(at) or any(
        "Identify things." in str(df.value) for df in at.dataframe
    )
    (missed,) = [df for df in at.dataframe if "Missed" in df.value.columns]
    assert missed.value.columns[0] == "Missed"  # first: a phone shows it (item 12)
    at.button(key="weak-spots").click().run()
    weak = service.load(at.session_state["attempt_id"])
    assert [s.question_id for s in weak.slots] == ["q-tf"]


def test_history_reviews_a_finished_attempt(learner, service, tiny_course) -> None:
    for _ in range(2):  # the last of two attempts: the review shows every question
        service.submit(service.start(learner.id, tiny_course.post_test))
    at = open_app(learner, "views/history.py")
    assert at.subheader[0].value.startswith("Demo post-test, started ")  # the newest
    assert len(at.expander) == 5
    assert "Not answered." in texts(at)


def test_a_learner_cannot_open_an_instructor_page(learner: User) -> None:
    at = open_app(learner, "views/bank_browser.py")
    assert at.title[0].value == "Welcome, Ana Lima"  # the router falls back to Start
    assert not at.expander and "Question banks" not in texts(at)


def test_instructor_views_check_the_role_themselves(learner: User) -> None:
    """Even called directly, past the router, an instructor view refuses a learner."""
    at = AppTest.from_string(
        "from quiz_app.views import bank_browser\nbank_browser.render()", default_timeout=30
    )
    sign_in_as(at, learner)
    at.run()
    assert "This page is for instructors" in at.error[0].value
    assert not at.expander


def test_signed_out_visitors_see_only_sign_in(env: None) -> None:
    at = open_app(page="views/home.py")
    assert "Please sign in" in texts(at) or at.title[0].value == "Dry needling CE quizzes"
    assert not [b for b in at.button if b.key == "start-post-test"]


def test_each_run_sets_the_page_config_once_naming_its_page(
    learner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One page config per run, with the page's own title: two (the app's title, then
    the page's) made the browser's tab title flip and the frontend handle the page's
    configuration twice on every rerun."""
    import streamlit as st

    calls: list[dict] = []
    real = st.set_page_config

    def counted(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    at = open_app(learner, "views/home.py")
    monkeypatch.setattr(st, "set_page_config", counted)
    at.run()
    assert not at.exception
    assert [c.get("page_title") for c in calls] == ["Start · Dry needling CE quizzes"], calls
    assert calls[0]["layout"] == "centered"
