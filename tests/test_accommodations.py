"""Accommodations (issue 15, item 4): extra time and extra attempts, per learner and per
cohort, the most lenient applying, on the server's clock."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import pytest

from quiz_app.accommodations import ACCOMMODATION_COLUMNS, Accommodations, parse_multiplier
from quiz_app.accounts import INSTRUCTOR, Accounts
from quiz_app.attempts import Attempts, NoAttemptsLeft
from quiz_app.clock import ManualClock, parse
from quiz_app.course import Course
from quiz_app.errors import QuizError
from quiz_app.limits import Grant, effective_limits
from quiz_app.scoring import correct_answer
from quiz_app.store import DeadlinePassed, Store


@pytest.fixture
def world(store: Store, tiny_course: Course, clock: ManualClock):
    """A 30-minute post-test with 2 attempts (tiny_course), an instructor's cohort with
    Ana and Bob, and another instructor."""
    accounts = Accounts(store, clock)
    teacher = accounts.sign_up("teacher", "Teacher", "teacher-pass", INSTRUCTOR)
    other = accounts.sign_up("other", "Other", "other-pass", INSTRUCTOR)
    cohort = accounts.create_cohort(teacher, "Autumn")
    ana = accounts.sign_up("ana", "Ana Lima", "password123")
    bob = accounts.sign_up("bob", "Bob Reis", "password123")
    for who in (ana, bob):
        accounts.join(who, cohort["join_code"])
    return {
        "teacher": teacher, "other": other, "cohort": cohort["id"], "ana": ana, "bob": bob,
        "accounts": accounts, "grants": Accommodations(store, tiny_course, clock),
        "attempts": Attempts(store, tiny_course, clock),
    }  # fmt: skip


def minutes_left(attempt, clock: ManualClock) -> float:
    return (parse(attempt.deadline) - clock.now()).total_seconds() / 60


def test_one_and_a_half_times_thirty_minutes_is_a_45_minute_deadline(
    world, tiny_course, clock
) -> None:
    world["grants"].grant(world["teacher"], world["cohort"], world["ana"].id, multiplier="1.5")
    attempt = world["attempts"].start(world["ana"].id, tiny_course.post_test)
    assert minutes_left(attempt, clock) == 45
    bob = world["attempts"].start(world["bob"].id, tiny_course.post_test)
    assert minutes_left(bob, clock) == 30  # a learner's grant is theirs alone


def test_an_answer_at_40_minutes_is_accepted_with_1_5x(world, tiny_course, clock) -> None:
    world["grants"].grant(world["teacher"], world["cohort"], world["ana"].id, multiplier=1.5)
    service = world["attempts"]
    attempt = service.start(world["ana"].id, tiny_course.post_test)
    first = attempt.slots[0].question_id
    clock.advance(minutes=40)
    service.answer(attempt, first, correct_answer(tiny_course.question(first)))
    assert service.load(attempt.id).is_open
    clock.advance(minutes=5, seconds=1)  # 45:01
    with pytest.raises(DeadlinePassed):
        service.answer(attempt, first, correct_answer(tiny_course.question(first)))
    assert service.load(attempt.id).submitted_at == attempt.deadline


def test_without_an_accommodation_40_minutes_is_too_late(world, tiny_course, clock) -> None:
    """The test above bites: the same answer without the grant is refused."""
    service = world["attempts"]
    attempt = service.start(world["ana"].id, tiny_course.post_test)
    first = attempt.slots[0].question_id
    clock.advance(minutes=40)
    with pytest.raises(DeadlinePassed):
        service.answer(attempt, first, correct_answer(tiny_course.question(first)))


def use_attempts(service: Attempts, user_id: int, quiz, count: int) -> None:
    for _ in range(count):
        service.submit(service.start(user_id, quiz))


def test_extra_attempts_allow_one_more(world, tiny_course) -> None:
    service, quiz, ana = world["attempts"], tiny_course.post_test, world["ana"].id
    use_attempts(service, ana, quiz, quiz.attempts_allowed)
    with pytest.raises(NoAttemptsLeft):
        service.start(ana, quiz)
    world["grants"].grant(world["teacher"], world["cohort"], ana, extra_attempts=2)
    use_attempts(service, ana, quiz, 2)  # the 3rd and the 4th
    with pytest.raises(NoAttemptsLeft, match="all 4 attempts"):
        service.start(ana, quiz)
    assert service.limits(ana, quiz).attempts == 4


def test_a_learners_grant_beats_the_cohorts_and_outlives_its_revocation(
    world, tiny_course, clock
) -> None:
    grants, teacher, cohort, ana = world["grants"], world["teacher"], world["cohort"], world["ana"]
    grants.grant(teacher, cohort, None, multiplier="1.25")
    grants.grant(teacher, cohort, ana.id, multiplier="1.5")
    quiz = tiny_course.post_test
    assert world["attempts"].limits(ana.id, quiz).seconds == 45 * 60
    assert world["attempts"].limits(world["bob"].id, quiz).seconds == 37 * 60 + 30
    grants.revoke(teacher, cohort, None)
    assert world["attempts"].limits(ana.id, quiz).seconds == 45 * 60
    assert not world["attempts"].limits(world["bob"].id, quiz).accommodated


def test_the_most_lenient_applies_each_limit_on_its_own(world, tiny_course) -> None:
    grants, teacher, cohort, ana = world["grants"], world["teacher"], world["cohort"], world["ana"]
    grants.grant(teacher, cohort, ana.id, extra_minutes=10, extra_attempts=1)
    grants.grant(teacher, cohort, None, multiplier=2, extra_attempts=0)
    limits = world["attempts"].limits(ana.id, tiny_course.post_test)
    assert (limits.seconds, limits.attempts) == (60 * 60, 3)  # the cohort's time, her attempt
    assert limits.summary() == "60 min, 3 attempts"


@pytest.mark.parametrize(
    ("grants", "seconds", "attempts"),
    [
        ((), 1800, 2),
        ((Grant(Fraction(3, 2)),), 2700, 2),
        ((Grant(extra_minutes=20), Grant(Fraction(3, 2))), 3000, 2),
        ((Grant(Fraction(101, 100)),), 1818, 2),
        ((Grant(extra_attempts=3), Grant(extra_attempts=1)), 1800, 5),
    ],
    ids=["none", "1.5x", "minutes-beat-multiplier", "rounds-to-the-second", "most-attempts"],
)
def test_effective_limits(grants, seconds, attempts) -> None:
    limits = effective_limits(30, 2, grants)
    assert (limits.seconds, limits.attempts) == (seconds, attempts)


def test_an_untimed_unlimited_quiz_stays_so() -> None:
    limits = effective_limits(None, None, [Grant(Fraction(2), extra_attempts=2)])
    assert (limits.seconds, limits.attempts, limits.accommodated) == (None, None, False)


def test_a_grant_while_the_post_test_is_open_extends_it(world, tiny_course, clock) -> None:
    service, ana = world["attempts"], world["ana"]
    attempt = service.start(ana.id, tiny_course.post_test)
    clock.advance(minutes=20)
    world["grants"].grant(world["teacher"], world["cohort"], None, multiplier="1.5")
    extended = service.load(attempt.id)
    assert parse(extended.deadline) - parse(extended.started_at) == timedelta(minutes=45)
    world["grants"].revoke(world["teacher"], world["cohort"], None)
    assert service.load(attempt.id).deadline == extended.deadline  # never shortened


def test_a_grant_after_the_deadline_reopens_nothing(world, tiny_course, clock) -> None:
    service, ana = world["attempts"], world["ana"]
    attempt = service.start(ana.id, tiny_course.post_test)
    clock.advance(minutes=31)
    world["grants"].grant(world["teacher"], world["cohort"], ana.id, multiplier="2")
    assert service.load(attempt.id).submitted_at == attempt.deadline


def test_a_grant_in_another_cohort_of_the_learner_counts(world, tiny_course, store) -> None:
    """Accommodations follow the learner into every cohort they are in."""
    second = world["accounts"].create_cohort(world["other"], "Winter")
    world["accounts"].join(world["ana"], second["join_code"])
    world["grants"].grant(world["other"], second["id"], world["ana"].id, extra_minutes=15)
    attempt = world["attempts"].start(world["ana"].id, tiny_course.post_test, world["cohort"])
    assert parse(attempt.deadline) - parse(attempt.started_at) == timedelta(minutes=45)


def test_only_the_cohorts_instructor_grants_to_its_members(world) -> None:
    grants = world["grants"]
    with pytest.raises(QuizError, match="not yours"):
        grants.grant(world["other"], world["cohort"], world["ana"].id, multiplier="1.5")
    with pytest.raises(QuizError, match="not yours"):
        grants.grant(world["ana"], world["cohort"], world["ana"].id, multiplier="1.5")
    stranger = world["accounts"].sign_up("cyd", "Cyd", "password123")
    with pytest.raises(QuizError, match="not in this cohort"):
        grants.grant(world["teacher"], world["cohort"], stranger.id, multiplier="1.5")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "Nothing to grant"),
        ({"multiplier": "1"}, "more than 1"),
        ({"multiplier": "9"}, "at most 4"),
        ({"multiplier": "1.333"}, "two decimals"),
        ({"multiplier": "fast"}, "not a number"),
        ({"multiplier": "1.5", "extra_minutes": 5}, "not both"),
        ({"extra_minutes": 0}, "Extra minutes"),
        ({"extra_attempts": -1}, "Extra attempts"),
        ({"extra_attempts": 1, "reason": "x" * 301}, "at most 300"),
    ],
    ids=["nothing", "one", "too-big", "decimals", "words", "both", "zero-min", "negative", "long"],
)
def test_bad_grants_are_refused_plainly(world, options, message) -> None:
    with pytest.raises(QuizError, match=message):
        world["grants"].grant(world["teacher"], world["cohort"], world["ana"].id, **options)
    assert world["grants"].history(world["teacher"], world["cohort"]) == []


def test_parse_multiplier() -> None:
    assert str(parse_multiplier(" 1.50 ")) == "1.5"
    assert str(parse_multiplier(2)) == "2"


def test_revoking_nothing_is_refused(world) -> None:
    with pytest.raises(QuizError, match="no accommodation to revoke"):
        world["grants"].revoke(world["teacher"], world["cohort"], world["ana"].id)


def test_every_change_is_a_new_row_and_the_records_keep_them_all(world, clock) -> None:
    grants, teacher, cohort, ana = world["grants"], world["teacher"], world["cohort"], world["ana"]
    grants.grant(teacher, cohort, ana.id, multiplier="1.5", reason="Dyslexia  (letter on file)")
    clock.advance(days=1)
    grants.grant(teacher, cohort, ana.id, multiplier="2", extra_attempts=1)
    grants.grant(teacher, cohort, None, extra_minutes=10, reason="=cmd|' /C calc'!A0")
    clock.advance(days=1)
    grants.revoke(teacher, cohort, ana.id, reason="Moved away")
    rows = grants.records(cohort)
    assert all(tuple(row) == ACCOMMODATION_COLUMNS for row in rows)
    assert [(r["applies_to"], r["username"], r["action"], r["in_force"]) for r in rows] == [
        ("learner", "ana", "grant", False),
        ("learner", "ana", "grant", False),
        ("cohort", "", "grant", True),
        ("learner", "ana", "revoke", False),
    ]
    assert rows[0]["time_multiplier"] == 1.5 and rows[0]["reason"] == "Dyslexia (letter on file)"
    assert (rows[1]["time_multiplier"], rows[1]["extra_attempts"]) == (2.0, 1)
    assert rows[2]["extra_minutes"] == 10 and rows[2]["recorded_by"] == "teacher"
    assert rows[3]["recorded_at"] > rows[0]["recorded_at"]
    assert grants.in_force(teacher, cohort, ana.id) is None
    assert grants.in_force(teacher, cohort, None).grant == Grant(extra_minutes=10)
    assert grants.member_limits(cohort) == {
        ana.id: world["attempts"].limits(ana.id, grants.course.post_test),
        world["bob"].id: world["attempts"].limits(world["bob"].id, grants.course.post_test),
    }


def test_a_grant_refreshes_the_dashboard_of_each_cohort_of_its_learners(world, store) -> None:
    second = world["accounts"].create_cohort(world["other"], "Winter")
    world["accounts"].join(world["ana"], second["join_code"])
    before = store.report_version(second["id"]), store.report_version(world["cohort"])
    world["grants"].grant(world["teacher"], world["cohort"], world["ana"].id, extra_attempts=1)
    after = store.report_version(second["id"]), store.report_version(world["cohort"])
    assert after[0] > before[0] and after[1] > before[1]
