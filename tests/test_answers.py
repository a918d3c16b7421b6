"""Answers are written once, idempotently; submit is atomic and final; deadlines hold."""

from __future__ import annotations

import pytest

from quiz_app.attempts import Attempts, NoAttemptsLeft
from quiz_app.clock import ManualClock
from quiz_app.course import Course
from quiz_app.scoring import correct_answer
from quiz_app.store import AttemptClosed, DeadlinePassed, Store


@pytest.fixture
def attempts(store: Store, tiny_course: Course, clock: ManualClock) -> Attempts:
    store.create_user("ana", "Ana", "learner", "x", "2026-01-01T00:00:00+00:00")
    return Attempts(store, tiny_course, clock)


def right(course: Course, question_id: str):
    return correct_answer(course.question(question_id))


@pytest.mark.both_backends
def test_same_answer_twice_is_one_row(attempts: Attempts, store: Store, tiny_course) -> None:
    attempt = attempts.start(1, tiny_course.post_test)
    qid = attempt.slots[0].question_id
    attempts.answer(attempt, qid, right(tiny_course, qid))
    attempts.answer(attempt, qid, right(tiny_course, qid))
    assert len(store.responses(attempt.id)) == 1


@pytest.mark.both_backends
def test_changed_answer_replaces_before_submit(attempts: Attempts, store: Store) -> None:
    attempt = attempts.start(1, attempts.course.post_test)
    slot = next(s for s in attempt.slots if s.question_id == "q-tf")
    attempts.answer(attempt, slot.question_id, True)
    stored = attempts.answer(attempt, slot.question_id, False)
    rows = store.responses(attempt.id)
    assert len(rows) == 1 and rows[0]["answer"] == "false" and stored.mark == 1.0


@pytest.mark.both_backends
def test_practice_keeps_the_first_answer(attempts: Attempts, store: Store, tiny_course) -> None:
    practice = tiny_course.quiz("practice-demo")
    attempt = attempts.start(1, practice, length=5)
    attempts.answer(attempt, "q-single", 0)
    stored = attempts.answer(attempt, "q-single", 1)  # changed after the feedback: ignored
    assert (stored.answer, stored.mark) == (0, 1.0)
    assert [(r["answer"], r["mark"]) for r in store.responses(attempt.id)] == [("0", 1.0)]


@pytest.mark.both_backends
def test_submit_is_final(attempts: Attempts, store: Store, tiny_course) -> None:
    attempt = attempts.start(1, tiny_course.post_test)
    for slot in attempt.slots[:4]:
        attempts.answer(attempt, slot.question_id, right(tiny_course, slot.question_id))
    done = attempts.submit(attempt)
    assert (done.score, done.max_score, done.percent, done.passed) == (4.0, 5.0, 80.0, True)
    before = store.table_rows("responses"), store.table_rows("attempts")
    with pytest.raises(AttemptClosed):
        attempts.submit(done)
    last = attempt.slots[4].question_id
    with pytest.raises(AttemptClosed):
        attempts.answer(done, last, right(tiny_course, last))
    assert (store.table_rows("responses"), store.table_rows("attempts")) == before


@pytest.mark.both_backends
def test_answer_after_deadline_is_refused_and_attempt_submitted(
    attempts: Attempts, store: Store, clock: ManualClock, tiny_course
) -> None:
    attempt = attempts.start(1, tiny_course.post_test)
    first, second = attempt.slots[0].question_id, attempt.slots[1].question_id
    attempts.answer(attempt, first, right(tiny_course, first))
    clock.advance(minutes=30, seconds=1)
    with pytest.raises(DeadlinePassed):
        attempts.answer(attempt, second, right(tiny_course, second))
    after = attempts.load(attempt.id)
    assert after.submitted_at == attempt.deadline
    assert (after.score, after.passed) == (1.0, False)
    assert [r["question_id"] for r in store.responses(attempt.id)] == [first]


@pytest.mark.both_backends
def test_open_attempt_past_deadline_is_submitted_on_load(
    attempts: Attempts, clock: ManualClock, tiny_course
) -> None:
    attempt = attempts.start(1, tiny_course.post_test)
    clock.advance(hours=2)
    loaded = attempts.load(attempt.id)
    assert loaded.submitted_at == attempt.deadline and loaded.score == 0.0


@pytest.mark.both_backends
def test_post_test_attempts_are_limited(attempts: Attempts, tiny_course) -> None:
    for _ in range(2):
        attempts.submit(attempts.start(1, tiny_course.post_test))
    with pytest.raises(NoAttemptsLeft, match="used all 2 attempts"):
        attempts.start(1, tiny_course.post_test)


@pytest.mark.both_backends
def test_starting_again_resumes_the_open_attempt(attempts: Attempts, tiny_course) -> None:
    first = attempts.start(1, tiny_course.post_test)
    again = attempts.start(1, tiny_course.post_test)
    assert again.id == first.id and again.slots == first.slots


@pytest.mark.both_backends
def test_another_learners_attempt_is_not_found(attempts: Attempts, store: Store, tiny_course):
    attempt = attempts.start(1, tiny_course.post_test)
    store.create_user("bo", "Bo", "learner", "x", "t")
    from quiz_app.store import NotFound

    with pytest.raises(NotFound):
        attempts.load(attempt.id, user_id=2)


@pytest.mark.both_backends
def test_review_shows_the_version_that_was_answered(
    attempts: Attempts, store: Store, tiny_course, tmp_path
) -> None:
    attempt = attempts.start(1, tiny_course.post_test)
    shown = attempts.question_as_shown(attempt, "q-single")
    edited_folder = tiny_course.folder
    bank = edited_folder / "demo.yaml"
    bank.write_text(bank.read_text().replace("Which one?", "Which one, now?"))
    from quiz_app.course import load_course

    edited = Attempts(store, load_course(edited_folder), attempts.clock)
    assert edited.course.question("q-single").stem == "Which one, now?"
    assert edited.question_as_shown(attempts.load(attempt.id), "q-single") == shown
