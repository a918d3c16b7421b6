"""Cached reports are refreshed by what they read, and only by that (m010): activity in
another cohort, or in another quiz of the same cohort for an item analysis, or answers to
an open attempt, leave a report's cache warm; a change in what it shows rebuilds it.
Real writes through the services, in the order the app makes them."""

from __future__ import annotations

import pytest

from quiz_app import reports as reports_module
from quiz_app.attempts import Attempts
from quiz_app.clock import ManualClock
from quiz_app.course import Course
from quiz_app.reports import Filters, Reports
from quiz_app.scoring import correct_answer
from quiz_app.store import Store

pytestmark = pytest.mark.both_backends  # the store-level tests run on SQLite and PostgreSQL


@pytest.fixture
def reports(cohort_world, store: Store, tiny_course: Course, clock: ManualClock) -> Reports:
    reports_module._cache.clear()
    return Reports(store, tiny_course, clock)


def sit(world, attempts: Attempts, course: Course, user, cohort, quiz, submit: bool = True):
    attempt = attempts.start(user.id, quiz, cohort_id=cohort["id"])
    for slot in attempt.slots:
        attempts.answer(
            attempt, slot.question_id, correct_answer(course.question(slot.question_id))
        )
    return attempts.submit(attempt) if submit else attempt


def newcomer(world, name: str, cohort):
    user = world["accounts"].sign_up(name, name.title(), "password123")
    world["accounts"].join(user, cohort["join_code"])
    return user


def test_activity_in_another_cohort_leaves_the_dashboard_warm(
    cohort_world, reports: Reports, tiny_course: Course
) -> None:

    mine, theirs = cohort_world["cohort"], cohort_world["elsewhere"]
    attempts: Attempts = cohort_world["attempts"]
    first = reports.dashboard(mine, Filters("post-test"))
    assert reports.dashboard(mine, Filters("post-test")) is first

    stranger = newcomer(cohort_world, "zed", theirs)  # a sign-up and a join elsewhere
    sit(cohort_world, attempts, tiny_course, stranger, theirs, tiny_course.post_test)
    assert reports.dashboard(mine, Filters("post-test")) is first

    newcomer(cohort_world, "yan", mine)  # a join here
    again = reports.dashboard(mine, Filters("post-test"))
    assert again is not first and again.enrolled == first.enrolled + 1


def test_answers_to_an_open_attempt_change_no_report(
    cohort_world, reports: Reports, tiny_course: Course
) -> None:
    mine = cohort_world["cohort"]
    attempts: Attempts = cohort_world["attempts"]
    learner = newcomer(cohort_world, "xia", mine)
    attempt = sit(cohort_world, attempts, tiny_course, learner, mine, tiny_course.post_test,
                  submit=False)  # fmt: skip
    board = reports.dashboard(mine, Filters("post-test"))
    items = reports.item_analysis(mine, "post-test", "all")
    slot = attempt.slots[0]
    attempts.answer(
        attempt, slot.question_id, correct_answer(tiny_course.question(slot.question_id))
    )
    assert reports.dashboard(mine, Filters("post-test")) is board
    assert reports.item_analysis(mine, "post-test", "all") is items

    attempts.submit(attempt)  # now the answers count
    assert reports.dashboard(mine, Filters("post-test")) is not board
    refreshed = reports.item_analysis(mine, "post-test", "all")
    assert refreshed is not items and refreshed.test.attempts == items.test.attempts + 1


def test_an_item_analysis_is_refreshed_by_its_quiz_only(
    cohort_world, reports: Reports, tiny_course: Course
) -> None:
    mine = cohort_world["cohort"]
    attempts: Attempts = cohort_world["attempts"]
    learner = cohort_world["people"]["cyd"]  # never started
    post_test = reports.item_analysis(mine, "post-test", "all")
    practice_quiz = tiny_course.quiz("practice-demo")
    board = reports.dashboard(mine, Filters())

    sit(cohort_world, attempts, tiny_course, learner, mine, practice_quiz)
    assert reports.item_analysis(mine, "post-test", "all") is post_test
    assert reports.dashboard(mine, Filters()) is not board  # every quiz's attempts show there

    sit(cohort_world, attempts, tiny_course, learner, mine, tiny_course.post_test)
    assert reports.item_analysis(mine, "post-test", "all") is not post_test


def test_a_renamed_learner_refreshes_every_cohort_they_are_in(
    cohort_world, reports: Reports, store: Store
) -> None:
    mine, theirs = cohort_world["cohort"], cohort_world["elsewhere"]
    ana = cohort_world["people"]["ana"]
    cohort_world["accounts"].join(ana, theirs["join_code"])
    here, there = reports.dashboard(mine, Filters()), reports.dashboard(theirs, Filters())
    bob = cohort_world["people"]["bob"]  # in my cohort only
    store.execute("UPDATE users SET display_name = 'Robert' WHERE id = ?", [bob.id])
    assert reports.dashboard(theirs, Filters()) is there
    here = reports.dashboard(mine, Filters())
    store.execute("UPDATE users SET display_name = 'Ana Maria' WHERE id = ?", [ana.id])
    assert reports.dashboard(mine, Filters()) is not here
    assert reports.dashboard(theirs, Filters()) is not there


def test_a_write_by_another_server_process_refreshes_the_cached_report(
    cohort_world, reports: Reports, store: Store
) -> None:
    """Several servers share one database (PostgreSQL behind a load balancer): a report
    cached in this process is built again once another process's write changes what it
    reads, since the versions it is cached at live in the database, read on each run."""
    import subprocess
    import sys

    mine = cohort_world["cohort"]
    first = reports.dashboard(mine, Filters("post-test"))
    target = getattr(store, "url", store.path)
    other_server = (
        "from quiz_app.accounts import Accounts\n"
        "from quiz_app.store import open_store\n"
        f"store = open_store({target!r})\n"
        "accounts = Accounts(store)\n"
        "user = accounts.sign_up('yan', 'Yan', 'password123')\n"
        f"accounts.join(user, {mine['join_code']!r})\n"
        "store.close(wait=True)\n"
    )
    subprocess.run([sys.executable, "-c", other_server], check=True, timeout=60)
    again = reports.dashboard(mine, Filters("post-test"))
    assert again is not first and again.enrolled == first.enrolled + 1
