"""Spaced review with FSRS (issue 16): cards, ratings, the due queue and the forecast,
with an injected clock."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

import pytest

from quiz_app import reviews
from quiz_app.accounts import Accounts
from quiz_app.attempts import Attempts
from quiz_app.clock import LocalTime, ManualClock, iso, parse
from quiz_app.course import Course, load_course
from quiz_app.reviews import (
    GUESSED,
    KNEW_IT,
    DueCard,
    Scheduling,
    forecast,
    key_hash,
    queue,
    rating,
)
from quiz_app.scoring import correct_answer
from quiz_app.spaced import SpacedReview
from quiz_app.store import Store
from tests.conftest import ALL_TYPES, WRONG_ANSWERS, demo_course

pytestmark = pytest.mark.both_backends  # the store-level tests run on SQLite and PostgreSQL


@pytest.fixture
def attempts(store: Store, tiny_course: Course, clock: ManualClock) -> Attempts:
    return Attempts(store, tiny_course, clock)


@pytest.fixture
def spaced(store: Store, tiny_course: Course, clock: ManualClock) -> SpacedReview:
    return SpacedReview(store, tiny_course, clock)


def practise(attempts: Attempts, user_id: int, right: set[str], length: int = 5):
    """A practice attempt of every question of the tiny course, right on `right` only,
    finished."""
    attempt = attempts.start(user_id, attempts.course.practice_quiz(["demo"], length))
    for slot in attempt.slots:
        question = attempts.course.question(slot.question_id)
        wanted = slot.question_id in right
        attempts.answer(
            attempt,
            slot.question_id,
            correct_answer(question) if wanted else WRONG_ANSWERS[question.type],
        )
    return attempts.submit(attempts.load(attempt.id))


def right(course: Course, question_id: str):
    return correct_answer(course.question(question_id))


def cards(store: Store, user_id: int) -> dict[str, dict]:
    return {row["question_id"]: row for row in store.cards_of(user_id)}


def test_a_right_answer_comes_back_later_than_a_wrong_one(attempts, spaced, store, learner, clock):
    start = clock.now()
    practise(attempts, learner.id, right={"q-single", "q-tf"})
    found = cards(store, learner.id)
    assert set(found) == {"q-single", "q-multiple", "q-tf", "q-match", "q-order"}
    assert parse(found["q-single"]["due"]) == start + timedelta(days=2)  # Good
    assert parse(found["q-order"]["due"]) == start + timedelta(days=1)  # Again
    assert min(parse(found[q]["due"]) for q in ("q-single", "q-tf")) > max(
        parse(found[q]["due"]) for q in ("q-multiple", "q-match", "q-order")
    )
    ratings = {r["question_id"]: r["rating"] for r in store.query("SELECT * FROM review_logs")}
    assert ratings["q-single"] == 3 and ratings["q-order"] == 1
    assert ratings["q-multiple"] == 1  # the wrong pick only: mark 0

    assert spaced.due(learner.id) == []  # nothing due the day it was learned
    clock.advance(days=1)
    assert {c.question_id for c in spaced.due(learner.id)} == {"q-multiple", "q-match", "q-order"}
    clock.advance(days=1)
    assert len(spaced.due(learner.id)) == 5


def test_a_partly_right_answer_is_hard() -> None:
    assert rating(Fraction(0)) == rating(Fraction(0), KNEW_IT) == 1  # Again: wrong is wrong
    assert rating(Fraction(1, 2)) == rating(Fraction(1, 2), KNEW_IT) == 2  # Hard
    assert rating(Fraction(1)) == 3
    assert rating(Fraction(1), KNEW_IT) == 4 and rating(Fraction(1), GUESSED) == 2


def test_nothing_from_an_open_post_test_is_a_review(attempts, spaced, store, learner, clock):
    post_test = attempts.course.post_test
    attempt = attempts.start(learner.id, post_test)
    for slot in attempt.slots:
        question = attempts.course.question(slot.question_id)
        attempts.answer(attempt, slot.question_id, correct_answer(question))
        attempts.answer(attempt, slot.question_id, WRONG_ANSWERS[question.type])  # changed
    assert store.cards_of(learner.id) == []
    assert store.query("SELECT * FROM review_logs") == []
    clock.advance(minutes=20)  # within its time limit
    assert spaced.due(learner.id) == [] and sum(n for _, n in spaced.forecast(learner.id)) == 0
    assert spaced.review_quiz(learner.id) is None

    attempts.submit(attempts.load(attempt.id))  # released now: each answer is one review
    logs = store.query("SELECT * FROM review_logs")
    assert {r["question_id"] for r in logs} == {s.question_id for s in attempt.slots}
    assert {r["rating"] for r in logs} == {1}  # the answers as submitted: all wrong
    assert {r["attempt_id"] for r in logs} == {attempt.id}


def test_a_timed_out_post_test_counts_its_answers_when_it_is_submitted(
    attempts, store, learner, clock
):
    attempt = attempts.start(learner.id, attempts.course.post_test)
    first = attempt.slots[0].question_id
    attempts.answer(attempt, first, correct_answer(attempts.course.question(first)))
    clock.advance(hours=2)  # past the 30-minute limit; nobody opens it
    assert store.cards_of(learner.id) == []
    attempts.finalize_expired()
    assert list(cards(store, learner.id)) == [first]


def test_a_reserved_question_never_becomes_a_card(store: Store, clock: ManualClock, course) -> None:
    learner = Accounts(store, clock).sign_up("bea", "Bea", "password123")
    attempts = Attempts(store, course, clock)
    attempt = attempts.start(learner.id, course.post_test)
    for slot in attempt.slots:
        attempts.answer(attempt, slot.question_id, right(course, slot.question_id))
    attempts.submit(attempts.load(attempt.id), attested=True)  # the shipped course asks it
    assert all(course.question(s.question_id).reserved for s in attempt.slots)
    assert store.cards_of(learner.id) == []  # the shipped post-test asks reserved ones only
    practice = attempts.start(learner.id, course.practice_quiz(course.topics, 25))
    for slot in practice.slots:
        attempts.answer(practice, slot.question_id, right(course, slot.question_id))
    made = cards(store, learner.id)
    assert len(made) == 25 and not any(course.question(q).reserved for q in made)


def test_the_same_answer_twice_at_once_is_one_review(attempts, store, learner) -> None:
    attempt = attempts.start(learner.id, attempts.course.practice_quiz(["demo"], 5))
    question_id = attempt.slots[0].question_id
    answer = correct_answer(attempts.course.question(question_id))
    gate = threading.Barrier(8)

    def send() -> None:
        gate.wait()
        attempts.answer(attempt, question_id, answer)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.query("SELECT * FROM review_logs")) == 1
    assert cards(store, learner.id)[question_id]["reviews"] == 1


def test_confidence_moves_the_next_review(attempts, store, learner, clock) -> None:
    start = clock.now()
    attempt = practise(attempts, learner.id, right={"q-single", "q-tf", "q-match"})
    assert attempts.confidence(attempt, "q-single") == (True, None)
    assert attempts.confidence(attempt, "q-order") == (False, None)  # wrong: nothing to say
    assert attempts.set_confidence(attempt, "q-single", KNEW_IT)
    assert attempts.set_confidence(attempt, "q-tf", GUESSED)
    assert not attempts.set_confidence(attempt, "q-order", KNEW_IT)
    found = cards(store, learner.id)
    knew, guessed, good = (parse(found[q]["due"]) for q in ("q-single", "q-tf", "q-match"))
    assert guessed - start == timedelta(days=1) and good - start == timedelta(days=2)
    assert knew - start > timedelta(days=4)  # Easy: about 8 days, fuzzed
    assert attempts.confidence(attempt, "q-single") == (True, KNEW_IT)
    assert attempts.set_confidence(attempt, "q-single", None)  # taken back: Good again
    assert parse(cards(store, learner.id)["q-single"]["due"]) == good
    assert cards(store, learner.id)["q-single"]["reviews"] == 1  # re-rated, not reviewed twice

    clock.advance(days=3)
    practise(attempts, learner.id, right={"q-single"})  # a later review of q-single
    assert attempts.confidence(attempt, "q-single") == (False, None)
    assert not attempts.set_confidence(attempts.load(attempt.id), "q-single", GUESSED)
    assert cards(store, learner.id)["q-single"]["reviews"] == 2


def test_the_due_queue_respects_the_cap_most_overdue_first() -> None:
    due = [DueCard(f"q{n:02}", "demo", iso(parse("2026-11-01T00:00:00+00:00") + timedelta(n)))
           for n in range(30)]  # fmt: skip
    assert queue(due, 20) == [f"q{n:02}" for n in range(20)]
    assert queue(due, 50) == [c.question_id for c in due]


def test_the_review_quiz_asks_the_learners_cap(store, clock, course) -> None:
    learner = Accounts(store, clock).sign_up("bea", "Bea", "password123")
    attempts = Attempts(store, course, clock)
    practice = attempts.start(learner.id, course.practice_quiz(course.topics, 25))
    for slot in practice.slots:
        attempts.answer(practice, slot.question_id, right(course, slot.question_id))
        clock.advance(minutes=1)  # due one minute apart: the queue's order is known
    attempts.submit(attempts.load(practice.id))
    spaced = SpacedReview(store, course, clock)
    clock.advance(days=60)
    assert len(spaced.due(learner.id)) == 25
    spaced.set_cap(learner.id, 10)
    quiz, pool = spaced.review_quiz(learner.id)
    due_order = [c.question_id for c in spaced.due(learner.id)]
    assert pool == due_order[:10] and quiz.length == 10 and quiz.mode == "practice"
    review = attempts.start(learner.id, quiz, pool=pool)
    assert {s.question_id for s in review.slots} == set(pool)
    with pytest.raises(Exception, match="between 5 and 100"):
        spaced.set_cap(learner.id, 1000)

    spaced.pause(learner.id, True)
    assert spaced.review_quiz(learner.id) is None and spaced.settings(learner.id).cap == 10
    spaced.pause(learner.id, False)
    assert spaced.review_quiz(learner.id) is not None


def test_the_forecast_matches_the_cards_due_dates(tiny_course: Course) -> None:
    local = LocalTime("Australia/Sydney")
    now = parse("2026-11-21T09:00:00+00:00")  # 20:00 on 21 November in Sydney
    keys = {q.id: key_hash(q) for q in tiny_course.questions}
    dues = {
        "q-single": "2026-11-10T00:00:00+00:00",  # overdue: counts today
        "q-multiple": "2026-11-21T12:59:00+00:00",  # 23:59 in Sydney: today
        "q-tf": "2026-11-21T13:00:00+00:00",  # midnight in Sydney: tomorrow
        "q-match": "2026-12-20T12:00:00+00:00",  # 20 Dec in Sydney: the 30th day
        "q-order": "2026-12-21T12:00:00+00:00",  # past the 30 days
    }
    rows = [{"question_id": q, "key_hash": keys[q], "due": d, "card": ""} for q, d in dues.items()]
    days = forecast(rows, tiny_course, local, now)
    assert len(days) == 30 and days[0][0] == date(2026, 11, 21)
    counts = dict(days)
    assert counts[date(2026, 11, 21)] == 2
    assert counts[date(2026, 11, 22)] == 1
    assert counts[date(2026, 12, 20)] == 1
    assert sum(counts.values()) == 4


def test_the_forecast_of_a_learner_is_their_cards(attempts, spaced, store, learner, clock):
    practise(attempts, learner.id, right={"q-single", "q-tf"})
    days = dict(spaced.forecast(learner.id))
    today = clock.now().date()
    assert days[today + timedelta(1)] == 3 and days[today + timedelta(2)] == 2


def test_a_card_survives_an_edit_that_keeps_the_key(store, clock, learner, tmp_path, sources_dir):
    first = demo_course(tmp_path / "v1", ALL_TYPES)
    practise(Attempts(store, first, clock), learner.id, right={"q-single"})
    assert cards(store, learner.id)["q-single"]["reviews"] == 1
    reworded = ALL_TYPES.replace("explanation: Because.", "explanation: Because, reworded.", 1)
    rekeyed = ALL_TYPES.replace("answer: false", "answer: true")
    assert reworded != ALL_TYPES != rekeyed
    clock.advance(days=3)
    second = demo_course(tmp_path / "v2", reworded)
    practise(Attempts(store, second, clock), learner.id, right={"q-single", "q-tf"})
    found = cards(store, learner.id)
    assert found["q-single"]["reviews"] == 2  # the same key: the schedule goes on
    clock.advance(days=3)
    third = demo_course(tmp_path / "v3", rekeyed)
    assert key_hash(third.question("q-tf")) != key_hash(second.question("q-tf"))
    assert SpacedReview(store, third, clock).due(learner.id)  # the others are due
    assert "q-tf" not in {c.question_id for c in SpacedReview(store, third, clock).due(learner.id)}
    practise(Attempts(store, third, clock), learner.id, right={"q-tf"})
    found = cards(store, learner.id)
    assert found["q-tf"]["reviews"] == 1  # a new key: a new card
    before = store.first("SELECT card_before FROM cards WHERE question_id = 'q-tf'")
    assert before == {"card_before": None}  # a confidence click re-rates from a new card


def test_the_course_sets_the_desired_retention(tmp_path: Path, sources_dir: Path) -> None:
    course = demo_course(tmp_path / "banks", ALL_TYPES)
    path = course.folder / "quizzes.yaml"
    text = path.read_text().replace(
        "  provider: Demo provider\n", "  provider: Demo provider\n  desired_retention: 0.8\n"
    )
    path.write_text(text)
    assert load_course(course.folder).info.desired_retention == 0.8
    at = parse("2026-11-21T09:00:00+00:00")
    easy = {r: Scheduling(r, fuzz=False).review(None, rating(Fraction(1), KNEW_IT), at)["due"]
            for r in (0.8, 0.9, 0.95)}  # fmt: skip
    assert easy[0.8] > easy[0.9] > easy[0.95]  # asking for more recall brings it back sooner
    path.write_text(text.replace("0.8", "0.5"))
    with pytest.raises(Exception, match="desired_retention"):
        load_course(course.folder)


def test_estimated_retention_is_fsrs_of_each_card(attempts, spaced, store, learner, clock):
    from fsrs import Card

    practise(attempts, learner.id, right={"q-single", "q-tf"})
    clock.advance(days=5)
    rows = store.cards_of(learner.id)
    scheduler = spaced.scheduling.scheduler
    expected = [
        scheduler.get_card_retrievability(Card.from_json(r["card"]), clock.now()) for r in rows
    ]
    (demo,) = spaced.retention(learner.id)
    assert demo.cards == 5
    assert demo.retention == pytest.approx(sum(expected) / 5, abs=1e-12)
    assert 0 < min(expected) < max(expected) < 1  # right answers are remembered better


def test_a_review_bumps_the_review_version_of_the_learners_cohorts_only(
    attempts, store, clock, accounts
):
    from quiz_app.accounts import INSTRUCTOR

    teacher = accounts.sign_up("teacher", "Teacher", "teacher-pass", INSTRUCTOR)
    mine, other = (accounts.create_cohort(teacher, name) for name in ("Mine", "Other"))
    ana, bob = (accounts.sign_up(n, n.title(), "password123") for n in ("ana", "bob"))
    accounts.join(ana, mine["join_code"])
    accounts.join(bob, other["join_code"])
    before = store.review_version(mine["id"]), store.review_version(other["id"])
    practise(attempts, ana.id, right={"q-single"})
    after = store.review_version(mine["id"]), store.review_version(other["id"])
    assert after[0] > before[0] and after[1] == before[1]


def test_key_hashes_are_remembered_per_version(course) -> None:
    """Pages ask the key hash of every card: it is worked out once per version of a
    question, and is what working it out gives."""
    reviews._KEYS.clear()
    for question in course.questions:
        assert key_hash(question) == reviews._key_hash(question)
        assert reviews._KEYS[question.content_hash] == reviews._key_hash(question)
    assert len(reviews._KEYS) == len({q.content_hash for q in course.questions})


def test_the_forgetting_curve_is_fsrs_own(store: Store, learner) -> None:
    """Store.card_recall's sum in SQL is fsrs's own retrievability of each card, whole
    days counted as fsrs counts them; a card without a stability counts 0."""
    from fsrs import Card

    scheduling = Scheduling()
    start = parse("2026-11-21T09:00:00.250000+00:00")
    stabilities = (0.212, 1.2931, 2.3065, 8.2956, 57.0, 400.0, None)
    store.bulk_insert({"cards": [
        {"user_id": learner.id, "question_id": f"q{i}", "key_hash": "k", "card": "{}",
         "due": iso(start), "stability": stability, "last_review": iso(start)}
        for i, stability in enumerate(stabilities)
    ]})  # fmt: skip
    for days in (0, 0.4, 1, 1.99, 2, 10.5, 100, 3650, -1.5):
        now = start + timedelta(days=days)
        rows = {r["question_id"]: r for r in store.card_recall(iso(now), scheduling.curve,
                                                               user_id=learner.id)}  # fmt: skip
        for i, stability in enumerate(stabilities):
            card = Card(card_id=1, stability=stability, last_review=start)
            expected = scheduling.scheduler.get_card_retrievability(card, now)
            assert rows[f"q{i}"]["cards"] == 1
            assert rows[f"q{i}"]["recall"] == pytest.approx(expected, rel=1e-12), (days, i)


def test_retention_over_time_is_fsrs_of_each_card(attempts, spaced, store, learner, clock):
    from fsrs import Card

    practise(attempts, learner.id, right={"q-single", "q-tf", "q-match"})
    rows = store.cards_of(learner.id)
    scheduler = spaced.scheduling.scheduler
    for hours in (0, 7, 30, 24 * 9 + 5, 24 * 400):
        clock.set(parse(rows[0]["last_review"]) + timedelta(hours=hours, seconds=0.5))
        expected = [
            scheduler.get_card_retrievability(Card.from_json(r["card"]), clock.now()) for r in rows
        ]
        (demo,) = spaced.retention(learner.id)
        assert demo.retention == pytest.approx(sum(expected) / len(rows), rel=1e-12)


def test_a_question_reserved_in_a_reloaded_course_leaves_its_queue(
    store, clock, learner, tmp_path, sources_dir
):
    """Which questions are reserved is not in the course's content fingerprint: a course
    reloaded with one reserved (in the same process, both alive) must not be served the
    other's lookup of reviewable questions."""
    first = demo_course(tmp_path / "v1", ALL_TYPES)
    practise(Attempts(store, first, clock), learner.id, right=set())
    clock.advance(days=3)  # every card (all answered wrong) is due
    assert "q-tf" in {c.question_id for c in SpacedReview(store, first, clock).due(learner.id)}
    marked = ALL_TYPES.replace("  - id: q-tf\n", "  - id: q-tf\n    reserved: true\n", 1)
    second = demo_course(tmp_path / "v2", marked)
    assert second.question("q-tf").reserved and first.fingerprint == second.fingerprint
    due = {c.question_id for c in SpacedReview(store, second, clock).due(learner.id)}
    assert due == {"q-single", "q-multiple", "q-match", "q-order"}
    again = {c.question_id for c in SpacedReview(store, first, clock).due(learner.id)}
    assert "q-tf" in again  # the first course still asks it outside the post-test
