"""Cohort reports: the dashboard's numbers, item analysis, exports and who may see what."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from quiz_app.attempts import Attempts
from quiz_app.course import Course, load_course
from quiz_app.exports import safe_cell, to_csv
from quiz_app.progress import topic_breakdown
from quiz_app.records import Attempt
from quiz_app.reports import (
    GRADEBOOK_COLUMNS,
    IN_PROGRESS,
    NOT_PASSED,
    NOT_STARTED,
    PASSED,
    Filters,
    NotAllowed,
    Reports,
)
from quiz_app.scoring import correct_answer

pytestmark = pytest.mark.both_backends  # the store-level tests run on SQLite and PostgreSQL


@pytest.fixture
def reports(store, tiny_course, clock) -> Reports:
    return Reports(store, tiny_course, clock)


def edit_bank(course: Course, old: str, new: str) -> Course:
    """The course after replacing `old` by `new` in its bank file, loaded afresh."""
    bank = course.folder / "demo.yaml"
    text = bank.read_text(encoding="utf-8")
    assert old in text
    bank.write_text(text.replace(old, new), encoding="utf-8")
    return load_course(course.folder)


def sit(world, course: Course, cohort, username: str, answers: dict[str, object]) -> Attempt:
    """A new learner of `cohort` sits the post-test of `course` and submits it, answering
    by question id and leaving every other question blank."""
    learner = world["accounts"].sign_up(username, username.title(), "password123")
    world["accounts"].join(learner, cohort["join_code"])
    service = Attempts(world["attempts"].store, course, world["attempts"].clock)
    attempt = service.start(learner.id, course.post_test, cohort_id=cohort["id"])
    for question_id, answer in answers.items():
        service.answer(attempt, question_id, answer)
    return service.submit(attempt)


SINGLE_CHOICES = """\
      - text: Alpha
        correct: true
      - text: Beta
      - text: Gamma
"""


def test_dashboard_numbers(reports, cohort_world) -> None:
    board = reports.dashboard(cohort_world["cohort"], Filters("post-test"))
    assert (board.enrolled, board.started, board.passed, board.not_started) == (5, 4, 2, 1)
    assert board.pass_rate == pytest.approx(0.4)
    assert sorted(board.best_scores) == [60.0, 80.0, 100.0]
    assert board.pass_mark == 80
    by_user = {row.username: row for row in board.learners}
    assert (by_user["ana"].status, by_user["ana"].best_pct) == (PASSED, 100.0)
    assert (by_user["bob"].status, by_user["bob"].attempts, by_user["bob"].best_pct,
            by_user["bob"].last_pct) == (PASSED, 2, 80.0, 80.0)  # fmt: skip
    assert by_user["cyd"].status == NOT_STARTED
    assert by_user["dia"].status == IN_PROGRESS
    assert by_user["eve"].status == NOT_PASSED
    assert sum(n for _, n in board.activity) == 5  # post-test attempts started
    assert board.weakest is not None and board.topics[0].title == "Demo topic"


def test_dashboard_date_and_quiz_filters(reports, cohort_world, clock) -> None:
    today = clock.now().date()
    later = reports.dashboard(cohort_world["cohort"], Filters("post-test", since=today))
    assert later.started == 3  # bob's second post-test, dia's open one, eve's: all today
    practice = reports.dashboard(cohort_world["cohort"], Filters("practice-demo"))
    assert {r.username for r in practice.learners if r.attempts} == {"dia"}
    everything = reports.dashboard(cohort_world["cohort"], Filters(None))
    assert sum(r.attempts for r in everything.learners) == 6


def test_new_answers_refresh_cached_reports(reports, cohort_world, tiny_course) -> None:
    first = reports.dashboard(cohort_world["cohort"], Filters("post-test"))
    assert reports.dashboard(cohort_world["cohort"], Filters("post-test")) is first
    cy = cohort_world["people"]["cyd"]
    service = cohort_world["attempts"]
    attempt = service.start(cy.id, tiny_course.post_test, cohort_id=cohort_world["cohort"]["id"])
    service.answer(
        attempt,
        attempt.slots[0].question_id,
        correct_answer(tiny_course.question(attempt.slots[0].question_id)),
    )
    fresh = reports.dashboard(cohort_world["cohort"], Filters("post-test"))
    assert fresh is not first and fresh.not_started == 0


def test_average_by_topic_counts_a_blank_as_zero(store, tiny_course, cohort_world, clock):
    cohort = cohort_world["elsewhere"]
    right = {"q-single": correct_answer(tiny_course.question("q-single"))}
    attempt = sit(cohort_world, tiny_course, cohort, "fay", right)  # four questions left blank
    (results,) = topic_breakdown(attempt, tiny_course)  # what the learner sees
    (average,) = Reports(store, tiny_course, clock).dashboard(cohort, Filters("post-test")).topics
    assert 100 * average.mean == results.percent == 20.0


def test_editing_a_bank_refreshes_cached_reports(store, tiny_course, cohort_world, clock):
    cohort, post_test = cohort_world["cohort"], Filters("post-test")
    before = Reports(store, tiny_course, clock)
    assert before.dashboard(cohort, post_test).topics[0].title == "Demo topic"
    items = before.item_analysis(cohort, "post-test", "all")
    assert "q-single" in {row.stats.question_id for row in items.items}
    retitled = edit_bank(tiny_course, "title: Demo topic", "title: Needling basics")
    edited = Reports(store, edit_bank(retitled, "stem: Which one?", "stem: Which one, now?"), clock)
    assert edited.dashboard(cohort, post_test).topics[0].title == "Needling basics"
    items = edited.item_analysis(cohort, "post-test", "all")
    assert "q-single" not in {row.stats.question_id for row in items.items}
    assert items.earlier_versions == 4  # every submitted post-test showed the old version


def test_item_analysis_counts_each_question_over_attempts_shown_it(reports, cohort_world):
    report = reports.item_analysis(cohort_world["cohort"], "post-test", "all")
    assert report.test.attempts == 4  # submitted only: dia's open post-test is left out
    assert {row.stats.question_id for row in report.items} == {
        "q-single", "q-multiple", "q-tf", "q-match", "q-order"}  # fmt: skip
    assert all(row.stats.n == 4 for row in report.items)
    first = reports.item_analysis(cohort_world["cohort"], "post-test", "first")
    assert first.test.attempts == 3  # ana, bob's first, eve


def test_gradebook_csv_is_safe_and_parses_back(reports, cohort_world) -> None:
    text = to_csv(
        reports.gradebook(cohort_world["cohort"], Filters("post-test")), GRADEBOOK_COLUMNS
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 5
    evil = next(r for r in rows if r["username"] == "eve")
    assert evil["display_name"] == '\'=HYPERLINK("http://evil")'
    assert evil["best_score_pct"] == "60.0" and evil["passed"] == "no"
    assert next(r for r in rows if r["username"] == "cyd")["best_score_pct"] == ""


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\t=x", "'\t'=x"),  # a tab-separated reading splits at the tab
        ("plain", "plain"),
        (-35.2, -35.2),
        (None, ""),
        (True, "yes"),
    ],
    ids=["equals", "plus", "minus", "at", "tab", "plain", "negative-number", "none", "bool"],
)
def test_safe_cell(value, written) -> None:
    assert safe_cell(value) == written


def test_responses_export(reports, cohort_world) -> None:
    rows = list(reports.responses(cohort_world["cohort"], Filters("post-test")))
    assert len(rows) == 4 * 5  # four submitted post-tests of five questions
    assert {r["username"] for r in rows} == {"ana", "bob", "eve"}
    single = next(r for r in rows if r["question_id"] == "q-single" and r["username"] == "ana")
    assert single["answer"] == "Alpha" and single["mark"] == 1.0


def test_an_instructor_sees_only_their_own_cohorts(reports, cohort_world) -> None:
    assert reports.authorize(cohort_world["teacher"], cohort_world["cohort"]["id"])
    with pytest.raises(NotAllowed):
        reports.authorize(cohort_world["other"], cohort_world["cohort"]["id"])
    with pytest.raises(NotAllowed):
        reports.authorize(cohort_world["people"]["ana"], cohort_world["cohort"]["id"])
    with pytest.raises(NotAllowed):
        reports.authorize(cohort_world["teacher"], 999)


def test_drill_down_keeps_other_cohorts_private(reports, cohort_world, tiny_course) -> None:
    ana = cohort_world["people"]["ana"]
    service = cohort_world["attempts"]
    service.start(ana.id, tiny_course.quiz("practice-demo"))  # self-study: no cohort
    mine = reports.learner_attempts(cohort_world["cohort"], ana.id)
    assert [a.cohort_id for a in mine] == [cohort_world["cohort"]["id"]]
    with pytest.raises(NotAllowed):
        reports.learner_attempts(cohort_world["elsewhere"], ana.id)


def test_item_analysis_after_an_edit_matches_answers_to_the_version_shown(
    store, tiny_course, cohort_world, clock
) -> None:
    cohort = cohort_world["elsewhere"]
    four = SINGLE_CHOICES + "      - text: Delta\n"
    before = edit_bank(tiny_course, SINGLE_CHOICES, four)
    for username, picked in [("delta", 3), ("gamma", 2), ("alpha", 0)]:
        sit(cohort_world, before, cohort, username, {"q-single": picked})
    reordered = "      - text: Gamma\n" + SINGLE_CHOICES.replace("      - text: Gamma\n", "")
    after = edit_bank(before, four, reordered)  # Delta removed, Gamma moved first
    for username, picked in [("alpha-now", 1), ("beta-now", 2)]:
        sit(cohort_world, after, cohort, username, {"q-single": picked})
    report = Reports(store, after, clock).item_analysis(cohort, "post-test", "all")
    (single,) = [row for row in report.items if row.stats.question_id == "q-single"]
    assert single.stats.n == 2
    assert [(s.label, s.correct, s.share) for s in single.shares] == [
        ("Gamma", False, 0.0), ("Alpha", True, 0.5), ("Beta", False, 0.5)]  # fmt: skip


def test_alpha_after_an_edit_totals_each_attempt_over_the_items_kept(
    store, tiny_course, cohort_world, clock
) -> None:
    cohort = cohort_world["elsewhere"]
    order = ["q-single", "q-multiple", "q-tf", "q-match", "q-order"]
    rights = np.array([[1, 1, 1, 1, 1], [0, 1, 1, 1, 0], [1, 1, 0, 0, 0],
                       [0, 0, 1, 0, 0], [1, 0, 0, 1, 1], [1, 1, 1, 0, 1]], dtype=float)  # fmt: skip
    for n, row in enumerate(rights):
        right = [q for q, r in zip(order, row, strict=True) if r]  # the rest left blank
        answers = {q: correct_answer(tiny_course.question(q)) for q in right}
        sit(cohort_world, tiny_course, cohort, f"learner{n}", answers)
    edited = edit_bank(tiny_course, "stem: Which one?", "stem: Which one, now?")
    report = Reports(store, edited, clock).item_analysis(cohort, "post-test", "all")
    assert report.test.items_per_attempt == 4
    kept = rights[:, 1:]  # q-single was edited since: out of the items and of the totals
    totals = kept.sum(axis=1)
    kr20 = 4 / 3 * (1 - kept.var(axis=0, ddof=1).sum() / totals.var(ddof=1))
    assert report.test.alpha == pytest.approx(kr20)
    assert report.test.mean == pytest.approx((100 * totals / 4).mean())
    (tf,) = [row for row in report.items if row.stats.question_id == "q-tf"]
    x = kept[:, 1]
    assert tf.stats.discrimination == pytest.approx(100 * np.corrcoef(x, totals - x)[0, 1])
