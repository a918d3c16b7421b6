"""Attempts hold their rules under races, time-outs and exact marks (issue 10, scenarios
5 to 10)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from quiz_app.accounts import INSTRUCTOR, Accounts
from quiz_app.attempts import Attempts, OtherAttemptOpen
from quiz_app.clock import ManualClock
from quiz_app.course import Course
from quiz_app.reports import IN_PROGRESS, NOT_PASSED, PASSED, Filters, Reports
from quiz_app.scoring import correct_answer
from quiz_app.store import Store
from quiz_app.testing import go, open_app, texts
from tests.conftest import WRONG_ANSWERS, together


@pytest.fixture
def people(store: Store, tiny_course: Course, clock: ManualClock):
    accounts = Accounts(store, clock)
    teacher = accounts.sign_up("teacher", "Teacher", "teacher-pass", INSTRUCTOR)
    cohort = accounts.create_cohort(teacher, "Autumn")
    ana = accounts.sign_up("ana", "Ana", "password123")
    accounts.join(ana, cohort["join_code"])
    return {"teacher": teacher, "cohort": cohort, "ana": ana}


@pytest.fixture
def attempts(store: Store, tiny_course: Course, clock: ManualClock) -> Attempts:
    return Attempts(store, tiny_course, clock)


def race(count: int, action) -> list[object]:
    """Run `action()` on `count` threads released at the same instant; their outcomes."""
    return together(count, lambda _: action())


def answer_all(attempts: Attempts, attempt, course: Course, right: int) -> None:
    for n, slot in enumerate(attempt.slots):
        question = course.question(slot.question_id)
        answer = correct_answer(question) if n < right else WRONG_ANSWERS[question.type]
        attempts.answer(attempt, slot.question_id, answer)


@pytest.mark.both_backends
def test_two_tabs_one_post_test(attempts: Attempts, store: Store, people, tiny_course) -> None:
    """Scenario 5: twelve starts at once open one post-test and spend one attempt."""
    ana = people["ana"]
    outcomes = race(12, lambda: attempts.start(ana.id, tiny_course.post_test))
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert len({o.id for o in outcomes}) == 1  # type: ignore[union-attr]
    assert store.count_attempts(ana.id, "post-test") == 1


@pytest.mark.both_backends
def test_one_open_post_test_is_a_constraint_of_the_database(store: Store, people) -> None:
    """Whatever the code in front of it does, the table holds one open attempt per quiz."""
    fields = {"user_id": people["ana"].id, "quiz_id": "post-test", "quiz_title": "PT",
              "mode": "post_test", "seed": 1, "slots": "[]", "position": 0,
              "started_at": "2026-11-21T09:00:00+00:00"}  # fmt: skip
    store.execute(
        f"INSERT INTO attempts ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})",
        list(fields.values()),
    )
    with pytest.raises(Exception, match="UNIQUE"):
        store.execute(
            f"INSERT INTO attempts ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})",
            list(fields.values()),
        )


@pytest.mark.both_backends
def test_two_loads_of_an_expired_attempt_both_succeed(
    attempts: Attempts, clock: ManualClock, people, tiny_course
) -> None:
    """Scenario 6: finalising an expired attempt is idempotent."""
    attempt = attempts.start(people["ana"].id, tiny_course.post_test)
    answer_all(attempts, attempt, tiny_course, right=5)
    for _ in range(5):
        clock.advance(hours=1)
        fresh = attempts.start(people["ana"].id, tiny_course.quiz("practice-demo"))
        outcomes = race(12, lambda a=fresh: attempts.load(attempt.id))
        assert [o for o in outcomes if isinstance(o, Exception)] == []
        assert {o.submitted_at for o in outcomes} == {attempt.deadline}  # type: ignore[union-attr]
        attempts.submit(fresh)


def test_time_outs_count_without_anyone_opening_them(
    attempts: Attempts, store: Store, clock: ManualClock, people, tiny_course
) -> None:
    """Scenario 7: a learner answers everything and closes the tab. Past the deadline,
    every report counts the attempt as submitted with its answers, and it earns its
    certificate; a practice quiz left open (no deadline) is not touched by any report."""
    ana, cohort = people["ana"], people["cohort"]
    attempt = attempts.start(ana.id, tiny_course.post_test, cohort_id=cohort["id"])
    answer_all(attempts, attempt, tiny_course, right=5)
    practice = attempts.start(ana.id, tiny_course.quiz("practice-demo"), cohort_id=cohort["id"])
    reports = Reports(store, tiny_course, clock)
    before = reports.dashboard(cohort, Filters("post-test"))
    assert [r.status for r in before.learners] == [IN_PROGRESS]

    clock.advance(minutes=31)
    board = reports.dashboard(cohort, Filters("post-test"))
    (row,) = board.learners
    assert (row.status, row.best_pct, board.passed) == (PASSED, 100.0, 1)
    assert row.certificate_code  # issued by the time-out, with nobody looking
    assert reports.item_analysis(cohort, "post-test", "all").test.attempts == 1
    assert {r["attempt_id"] for r in reports.responses(cohort, Filters("post-test"))} == {
        attempt.id
    }
    stored = store.attempt(attempt.id)
    assert stored is not None and stored["submitted_at"] == attempt.deadline
    assert store.attempt(practice.id)["submitted_at"] is None  # type: ignore[index]


def test_a_timed_out_attempt_shows_on_the_learners_own_pages(
    env, attempts: Attempts, clock: ManualClock, people, tiny_course
) -> None:
    ana = people["ana"]
    attempt = attempts.start(ana.id, tiny_course.post_test)
    answer_all(attempts, attempt, tiny_course, right=2)
    clock.advance(hours=2)
    home = open_app(ana, "views/home.py")
    assert "In progress" not in texts(home)
    history = go(home, "views/history.py")
    shown = texts(history)
    assert "40%" in shown and "not passed" in shown and "in progress" not in shown


@pytest.mark.both_backends
def test_exact_pass_mark(store: Store, people) -> None:
    """Scenario 8: three marks of 1/3 and two of 1 are exactly 60%, which passes 60%."""
    attempt_id, _ = store.create_attempt(
        {"user_id": people["ana"].id, "quiz_id": "exam", "quiz_title": "Exam",
         "mode": "post_test", "seed": 1, "slots": '[{"id":"a"},{"id":"b"},{"id":"c"},'
         '{"id":"d"},{"id":"e"}]', "position": 0, "started_at": "2026-11-21T09:00:00+00:00",
         "pass_mark": 60.0}
    )  # fmt: skip
    for question, earned in zip("abcde", [Fraction(1, 3)] * 3 + [Fraction(1)] * 2, strict=True):
        store.record_answer(attempt_id, question, 1, earned, "h", "2026-11-21T09:01:00+00:00")
    store.submit_attempt(attempt_id, "2026-11-21T09:02:00+00:00")
    row = store.attempt(attempt_id)
    assert row is not None
    assert (row["score_exact"], row["passed"]) == ("3", 1)


def test_deferred_feedback_stays_deferred(env, attempts: Attempts, people, tiny_course) -> None:
    """Scenario 9: wrong answers in an open post-test reach no weak spots, no progress."""
    ana = people["ana"]
    attempt = attempts.start(ana.id, tiny_course.post_test)
    answer_all(attempts, attempt, tiny_course, right=0)
    assert attempts.released_answers(ana.id) == []
    home = open_app(ana, "views/home.py")
    assert "Weak spots" not in texts(home) and not [b for b in home.button if b.key == "weak-spots"]
    progress = go(home, "views/progress.py")
    assert "Nothing here yet" in texts(progress)
    attempts.submit(attempts.load(attempt.id))
    assert len(attempts.released_answers(ana.id)) == 5
    assert "Weak spots" in texts(go(progress, "views/home.py"))


@pytest.mark.both_backends
def test_a_new_practice_choice_starts_what_was_chosen(
    attempts: Attempts, people, tiny_course, course: Course
) -> None:
    """Scenario 10: another length is offered to resume or replace; other topics are
    another quiz."""
    ana = people["ana"]
    three = attempts.start(ana.id, tiny_course.practice_quiz(["demo"], 3))
    assert attempts.start(ana.id, tiny_course.practice_quiz(["demo"], 3)).id == three.id
    with pytest.raises(OtherAttemptOpen) as offered:
        attempts.start(ana.id, tiny_course.practice_quiz(["demo"], 5))
    assert offered.value.attempt.id == three.id
    five = attempts.start(ana.id, tiny_course.practice_quiz(["demo"], 5), replace=True)
    assert len(five.slots) == 5 and five.id != three.id
    assert not attempts.load(three.id).is_open
    mixes = {course.practice_quiz(t, 10).id for t in (course.topics[:2], course.topics[1:3])}
    assert len(mixes) == 2


def test_the_start_page_offers_to_resume_or_replace(
    env, attempts: Attempts, people, tiny_course
) -> None:
    ana = people["ana"]
    at = open_app(ana, "views/home.py")
    at.slider(key="practice-length").set_value(3)
    at.button(key="FormSubmitter:practice-Start practice").click().run()
    first = at.session_state["attempt_id"]
    at = go(at, "views/home.py")
    at.slider(key="practice-length").set_value(5)
    at.button(key="FormSubmitter:practice-Start practice").click().run()
    assert "in progress" in texts(at) and "Resume it" in [b.label for b in at.button]
    at.button(key="offer-replace").click().run()
    second = at.session_state["attempt_id"]
    assert second != first and len(attempts.load(second).slots) == 5


def test_not_passed_at_a_timeout_is_reported_as_such(
    attempts: Attempts, store: Store, clock: ManualClock, people, tiny_course
) -> None:
    attempt = attempts.start(people["ana"].id, tiny_course.post_test, people["cohort"]["id"])
    answer_all(attempts, attempt, tiny_course, right=1)
    clock.advance(days=1)
    (row,) = Reports(store, tiny_course, clock).dashboard(people["cohort"], Filters()).learners
    assert (row.status, row.best_pct) == (NOT_PASSED, 20.0)
