"""Spaced review in the app (issue 16), driven with AppTest: the Start page's due count
and "Review now" quiz, the confidence after a right answer, the forecast on My progress,
the learner's settings and the cohort's figures on the dashboard."""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz_app.accounts import INSTRUCTOR, Accounts, User
from quiz_app.attempts import Attempts
from quiz_app.clock import ManualClock, parse
from quiz_app.course import Course
from quiz_app.scoring import correct_answer
from quiz_app.store import Store
from quiz_app.testing import fill_answer, go, open_app, submit_answer, texts
from tests.conftest import WRONG_ANSWERS

pytestmark = pytest.mark.usefixtures("env")


@pytest.fixture
def service(env: None, db_path: Path, tiny_course: Course, clock: ManualClock) -> Attempts:
    return Attempts(Store(db_path), tiny_course, clock)


def practise(service: Attempts, user: User, right: set[str]) -> None:
    attempt = service.start(user.id, service.course.practice_quiz(["demo"], 5))
    for slot in attempt.slots:
        question = service.course.question(slot.question_id)
        answer = (
            correct_answer(question) if slot.question_id in right else WRONG_ANSWERS[question.type]
        )
        service.answer(attempt, slot.question_id, answer)
    service.submit(service.load(attempt.id))


def test_review_now_asks_the_due_questions_and_each_answer_reviews(
    learner: User, service: Attempts, clock: ManualClock
) -> None:
    practise(service, learner, right={"q-single", "q-tf"})
    at = open_app(learner)
    assert "Spaced review" in [s.value for s in at.subheader]
    assert "Nothing due today" in texts(at)  # learned today: back tomorrow at the soonest
    assert not [b for b in at.button if b.key == "review-now"]

    clock.advance(days=1)
    at = open_app(learner)
    assert "**3 questions due today**" in texts(at)
    at.button(key="review-now").click().run()
    attempt = service.load(at.session_state["attempt_id"])
    assert attempt.quiz_id == "review" and attempt.mode == "practice"
    assert {s.question_id for s in attempt.slots} == {"q-multiple", "q-match", "q-order"}
    at = go(at, "views/quiz.py")
    slot = attempt.slots[0]
    key = f"a{attempt.id}-{slot.question_id}"
    fill_answer(at, key, service.course.question(slot.question_id), correct_answer(
        service.course.question(slot.question_id)))  # fmt: skip
    at = submit_answer(at, key, post_test=False)
    assert not at.exception
    assert "Correct." in texts(at)
    card = next(
        c for c in service.store.cards_of(learner.id) if c["question_id"] == slot.question_id
    )
    assert card["reviews"] == 2 and card["last_attempt_id"] == attempt.id
    assert parse(card["due"]) > clock.now()  # not due today any more

    confidence = at.segmented_control(key=f"sure-{attempt.id}-{slot.question_id}")
    assert confidence.value is None
    confidence.set_value("knew").run()
    assert not at.exception
    log = service.store.review_log(attempt.id, slot.question_id)
    assert log["rating"] == 4  # Easy
    assert at.segmented_control(key=f"sure-{attempt.id}-{slot.question_id}").value == "knew"


def test_no_confidence_is_asked_after_a_wrong_answer(learner, service, tiny_course) -> None:
    at = open_app(learner)
    at.button(key="FormSubmitter:practice-Start practice").click().run()
    attempt = service.load(at.session_state["attempt_id"])
    at = go(at, "views/quiz.py")
    slot = attempt.slots[0]
    question = tiny_course.question(slot.question_id)
    key = f"a{attempt.id}-{slot.question_id}"
    fill_answer(at, key, question, WRONG_ANSWERS[question.type])
    at = submit_answer(at, key, post_test=False)
    assert not at.exception and not at.segmented_control


def test_progress_shows_the_forecast_and_retention(learner, service, clock) -> None:
    practise(service, learner, right={"q-single", "q-tf"})
    at = open_app(learner, "views/progress.py")
    assert not at.exception
    assert "Spaced review" in [s.value for s in at.subheader]
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2  # scores over time, and the forecast
    (retention,) = [df for df in at.dataframe if "Estimated retention" in df.value.columns]
    row = retention.value.iloc[0]
    assert row["Topic"] == "Demo topic" and row["Questions"] == 5
    assert 0 < row["Estimated retention"] <= 100


def test_pausing_reviews_hides_the_due_quiz_until_resumed(learner, service, clock) -> None:
    practise(service, learner, right=set())
    clock.advance(days=2)
    at = open_app(learner)
    at.number_input(key="review-cap").set_value(5).run()
    assert service.store.user(learner.id)["review_cap"] == 5
    at.toggle(key="review-paused").set_value(True).run()
    assert not at.exception
    assert "Reviews are paused" in texts(at)
    assert not [b for b in at.button if b.key == "review-now"]
    at.toggle(key="review-paused").set_value(False).run()
    assert "**5 questions due today**" in texts(at)
    assert at.button(key="review-now").label == "Review now (5 questions)"


def test_the_dashboard_shows_the_cohorts_review(store, service, clock, db_path) -> None:
    accounts = Accounts(store, clock)
    teacher = accounts.sign_up("teacher", "Teacher", "teacher-pass", INSTRUCTOR)
    cohort = accounts.create_cohort(teacher, "Autumn")
    ana = accounts.sign_up("ana", "Ana", "password123")
    bob = accounts.sign_up("bob", "Bob", "password123")
    for person in (ana, bob):
        accounts.join(person, cohort["join_code"])
    at = open_app(teacher, "views/dashboard.py")
    assert "No learner of this cohort has answered a question for review yet." in texts(at)
    practise(service, ana, right={"q-single"})
    at = open_app(teacher, "views/dashboard.py")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Learners with reviews"] == "1 of 2"
    assert metrics["Reviewed in the last 7 days"] == "1"
    (retention,) = [df for df in at.dataframe if "Estimated retention" in df.value.columns]
    assert retention.value.iloc[0]["Cards"] == 5
