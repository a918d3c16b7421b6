"""Problem reports (quiz_app.problem_reports): stored with the version seen, one open per
learner, version and reason, never from an open post-test, resolved with a note, and
seen only by the instructor of the attempt's cohort."""

from __future__ import annotations

import pytest

from quiz_app.clock import ManualClock, iso
from quiz_app.course import Course, load_course
from quiz_app.errors import QuizError
from quiz_app.problem_reports import (
    COMMENT_MAX,
    OPEN,
    REASONS,
    REPORT_COLUMNS,
    RESOLVED,
    CannotReport,
    ProblemReports,
)
from quiz_app.reports import NotAllowed
from quiz_app.scoring import correct_answer
from quiz_app.store import Store


@pytest.fixture
def world(cohort_world, store: Store, tiny_course: Course, clock: ManualClock):
    """The cohort world, with Dia's finished practice attempt (in Autumn) to report from."""
    service = ProblemReports(store, tiny_course, clock)
    dia = cohort_world["people"]["dia"]
    practice = next(
        a for a in cohort_world["attempts"].of_learner(dia.id) if a.quiz_id == "practice-demo"
    )
    return {**cohort_world, "service": service, "dia": dia, "practice": practice}


def test_a_report_keeps_learner_question_version_attempt_and_time(world, store, clock) -> None:
    service, dia, attempt = world["service"], world["dia"], world["practice"]
    question_id = attempt.slots[0].question_id
    assert service.report(dia, attempt, question_id, "unclear", "  Which fox?  ")
    (row,) = store.table_rows("question_reports")
    assert row["user_id"] == dia.id and row["attempt_id"] == attempt.id
    assert row["cohort_id"] == world["cohort"]["id"]  # the attempt's cohort
    assert row["question_id"] == question_id
    assert row["content_hash"] == attempt.slots[0].content_hash  # the version shown
    assert row["comment"] == "Which fox?" and row["reason"] == "unclear"
    assert row["reported_at"] == iso(clock.now())
    assert row["resolved_at"] is None
    assert service.open_reasons(dia, attempt, question_id) == ["unclear"]


def test_one_open_report_per_learner_version_and_reason(world, store) -> None:
    service, dia, attempt = world["service"], world["dia"], world["practice"]
    question_id = attempt.slots[0].question_id
    assert service.report(dia, attempt, question_id, "typo", "")
    assert not service.report(dia, attempt, question_id, "typo", "again")  # a double click
    assert service.report(dia, attempt, question_id, "wrong_key", "")  # another reason
    assert [r["reason"] for r in store.table_rows("question_reports")] == ["typo", "wrong_key"]
    (typo,) = [r for r in store.table_rows("question_reports") if r["reason"] == "typo"]
    assert service.resolve(world["teacher"], typo["id"], "Fixed the typo.")
    assert service.report(dia, attempt, question_id, "typo", "still there")  # open again


def test_another_version_of_the_question_is_another_report(world, store, tmp_path, clock) -> None:
    """After the bank is edited, the same learner may report the new version too."""
    service, dia, attempt = world["service"], world["dia"], world["practice"]
    question_id = attempt.slots[0].question_id
    assert service.report(dia, attempt, question_id, "unclear", "")
    folder = world["attempts"].course.folder
    bank = folder / "demo.yaml"
    bank.write_text(bank.read_text().replace("Because.", "Because, edited."), encoding="utf-8")
    edited = load_course(folder)
    attempts = ProblemReports(store, edited, clock)
    fresh = attempts.attempts.start(dia.id, edited.quiz("practice-demo"),
                                    cohort_id=world["cohort"]["id"])  # fmt: skip
    slot = fresh.slots[0]
    attempts.attempts.answer(
        fresh, slot.question_id, correct_answer(edited.question(slot.question_id))
    )
    fresh = attempts.attempts.submit(attempts.attempts.load(fresh.id))
    assert attempts.report(dia, fresh, slot.question_id, "unclear", "")
    hashes = {r["content_hash"] for r in store.table_rows("question_reports")}
    assert len(hashes) == 2


@pytest.mark.parametrize(
    ("reason", "comment", "message"),
    [
        ("nonsense", "", "Choose what is wrong"),
        ("other", "   ", "Say in the comment"),
        ("typo", "x" * (COMMENT_MAX + 1), "at most 1,000 fit"),
        ("typo", 5, "must be text"),
    ],
    ids=["unknown-reason", "other-needs-a-comment", "comment-too-long", "comment-not-text"],
)
def test_bad_reports_are_refused_with_a_message(world, store, reason, comment, message) -> None:
    service, dia, attempt = world["service"], world["dia"], world["practice"]
    with pytest.raises(QuizError, match=message):
        service.report(dia, attempt, attempt.slots[0].question_id, reason, comment)
    assert store.table_rows("question_reports") == []


def test_never_from_an_open_post_test(world, store) -> None:
    dia = world["dia"]
    (open_test,) = [a for a in world["attempts"].of_learner(dia.id) if a.is_open]
    with pytest.raises(CannotReport, match="once its review shows"):
        world["service"].report(dia, open_test, open_test.slots[0].question_id, "typo", "")
    assert store.table_rows("question_reports") == []


def test_never_from_a_post_test_whose_review_hides_the_questions(world, store) -> None:
    eve = world["people"]["eve"]  # failed with an attempt left: her review shows marks only
    (attempt,) = world["attempts"].of_learner(eve.id)
    assert not world["service"].may_report(attempt)
    with pytest.raises(CannotReport):
        world["service"].report(eve, attempt, attempt.slots[0].question_id, "typo", "")


def test_from_a_post_test_whose_review_shows_them(world, store) -> None:
    ana = world["people"]["ana"]  # passed: her review shows everything
    (attempt,) = world["attempts"].of_learner(ana.id)
    assert world["service"].report(ana, attempt, attempt.slots[0].question_id, "outdated", "")


def test_not_from_someone_elses_attempt_nor_a_question_not_in_it(world, store) -> None:
    service, attempt = world["service"], world["practice"]
    with pytest.raises(CannotReport, match="does not exist"):
        service.report(world["people"]["ana"], attempt, attempt.slots[0].question_id, "typo", "")
    with pytest.raises(QuizError, match="not part of attempt"):
        service.report(world["dia"], attempt, "no-such-question", "typo", "")
    assert store.table_rows("question_reports") == []


def test_queue_groups_by_question_with_version_stats_and_reports(world) -> None:
    service, teacher = world["service"], world["teacher"]
    ana = world["people"]["ana"]
    (passed,) = world["attempts"].of_learner(ana.id)
    question_id = passed.slots[0].question_id
    service.report(ana, passed, question_id, "wrong_key", "B is right, surely.")
    service.report(ana, passed, question_id, "typo", "")
    practice = world["practice"]
    if question_id in {s.question_id for s in practice.slots}:
        service.report(world["dia"], practice, question_id, "unclear", "")
    (first, *_) = service.queue(teacher, world["cohort"]["id"])
    assert first.question_id == question_id and first.topic_title == "Demo topic"
    (version,) = first.versions
    assert version.current and version.question.id == question_id
    assert [r.reason for r in version.reports][:2] == ["wrong_key", "typo"]
    assert version.reports[0].comment == "B is right, surely."
    assert version.reports[0].display_name == "Ana"
    assert version.reports[0].reason_text == REASONS["wrong_key"]
    # Its item statistics in the post-test, over the cohort's first attempts.
    (post_test,) = [s for s in first.stats if s.quiz_title == "Demo post-test"]
    assert post_test.item.stats.question_id == question_id and post_test.item.stats.n == 3
    assert service.open_counts(teacher, world["cohort"]["id"])[question_id] == first.reports


def test_resolve_records_who_when_and_note_and_filters(world, clock) -> None:
    service, teacher, cohort_id = world["service"], world["teacher"], world["cohort"]["id"]
    dia, attempt = world["dia"], world["practice"]
    service.report(dia, attempt, attempt.slots[0].question_id, "unclear", "")
    ((question,),) = [[q for q in service.queue(teacher, cohort_id)]]
    report = question.versions[0].reports[0]
    with pytest.raises(QuizError, match="Write a note"):
        service.resolve(teacher, report.id, "  ")
    clock.advance(hours=2)
    assert service.resolve(teacher, report.id, "Reworded the stem.")
    assert not service.resolve(teacher, report.id, "Twice.")  # already resolved
    assert service.queue(teacher, cohort_id, OPEN) == []
    (resolved,) = service.queue(teacher, cohort_id, RESOLVED)
    done = resolved.versions[0].reports[0]
    assert (done.resolved_by, done.resolution) == ("Teacher", "Reworded the stem.")
    assert done.resolved_at is not None and not done.is_open
    assert service.open_counts(teacher, cohort_id) == {}


def test_an_instructor_sees_and_resolves_only_their_cohorts_reports(world) -> None:
    service, other = world["service"], world["other"]
    dia, attempt = world["dia"], world["practice"]
    service.report(dia, attempt, attempt.slots[0].question_id, "unclear", "")
    (report,) = world["service"].store.table_rows("question_reports")
    with pytest.raises(NotAllowed):
        service.queue(other, world["cohort"]["id"])
    with pytest.raises(NotAllowed):
        service.open_counts(other, world["cohort"]["id"])
    assert service.queue(other, world["elsewhere"]["id"]) == []
    with pytest.raises(NotAllowed):
        service.resolve(other, report["id"], "Not mine to resolve.")
    with pytest.raises(NotAllowed):
        service.resolve(other, 999, "No such report.")
    assert world["service"].store.question_report(report["id"])["resolved_at"] is None


def test_cohort_rows_for_the_audit_pack(world, clock) -> None:
    service, teacher = world["service"], world["teacher"]
    dia, attempt = world["dia"], world["practice"]
    question_id = attempt.slots[0].question_id
    service.report(dia, attempt, question_id, "typo", "=1+1")
    service.report(dia, attempt, question_id, "unclear", "")
    first = service.store.table_rows("question_reports")[0]
    service.resolve(teacher, first["id"], "Fixed.")
    rows = service.cohort_rows(world["cohort"])
    assert [tuple(row) for row in rows] == [REPORT_COLUMNS, REPORT_COLUMNS]
    assert [(r["reason"], r["status"], r["resolved_by"]) for r in rows] == [
        ("typo", "resolved", "Teacher"), ("unclear", "open", "")]  # fmt: skip
    assert rows[0]["comment"] == "=1+1"  # as typed: the CSV writer neutralises it
    assert rows[0]["reported_at"].endswith("+00:00") and rows[0]["quiz_id"] == "practice-demo"
    assert service.cohort_rows(world["elsewhere"]) == []
