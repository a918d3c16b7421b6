"""Problem reports in the app, under AppTest: a learner reports from practice feedback
and from a review, never from an open post-test; the instructor's queue shows the
question as seen, its passage, its statistics and the reports, and resolves them."""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz_app.course import Course
from quiz_app.problem_reports import ProblemReports
from quiz_app.scoring import correct_answer
from quiz_app.store import Store
from quiz_app.testing import begin_post_test, fill_answer, open_app, submit_answer, texts


@pytest.fixture
def world(cohort_world, env):
    return cohort_world


def send_report(at, key: str, reason: str, comment: str):
    at.radio(key=f"{key}-reason").set_value(reason)
    at.text_area(key=f"{key}-comment").input(comment)
    return at.button(key=f"FormSubmitter:{key}-form-Send report").click().run()


def test_learner_reports_from_practice_feedback(world, tiny_course: Course, db_path: Path):
    cyd = world["people"]["cyd"]
    attempt = world["attempts"].start(
        cyd.id, tiny_course.quiz("practice-demo"), cohort_id=world["cohort"]["id"]
    )
    slot = attempt.slots[0]
    at = open_app(cyd, "views/quiz.py")
    key = f"a{attempt.id}-{slot.question_id}"
    assert not [
        b for b in at.button if b.key.startswith("FormSubmitter:problem-")
    ]  # no feedback yet
    fill_answer(at, key, tiny_course.question(slot.question_id), correct_answer(
        tiny_course.question(slot.question_id)))  # fmt: skip
    submit_answer(at, key, post_test=False)
    report = f"problem-{attempt.id}-{slot.question_id}"
    send_report(at, report, "unclear", "*Which* fox? <b>bold</b>")
    assert not at.exception
    assert "your report is with your instructor" in at.success[-1].value
    assert "You reported: The question is unclear (open)." in texts(at)
    (row,) = Store(db_path).table_rows("question_reports")
    assert (row["user_id"], row["attempt_id"], row["question_id"], row["reason"]) == (
        cyd.id, attempt.id, slot.question_id, "unclear")  # fmt: skip
    assert row["comment"] == "*Which* fox? <b>bold</b>" and row["content_hash"] == slot.content_hash
    send_report(at, report, "unclear", "again")  # the same reason again: not a second report
    assert "reported this problem already" in at.info[-1].value
    assert len(Store(db_path).table_rows("question_reports")) == 1
    send_report(at, report, "other", "")
    assert "Say in the comment" in at.warning[-1].value


def test_learner_reports_from_a_practice_review(world, db_path: Path) -> None:
    dia = world["people"]["dia"]
    practice = next(a for a in world["attempts"].of_learner(dia.id) if not a.is_post_test)
    at = open_app(dia, "views/history.py", attempt=str(practice.id))
    assert not at.exception
    slot = practice.slots[1]
    send_report(at, f"problem-{practice.id}-{slot.question_id}", "typo", "")
    assert any("your report is with your instructor" in s.value for s in at.success)
    (row,) = Store(db_path).table_rows("question_reports")
    assert (row["attempt_id"], row["question_id"]) == (practice.id, slot.question_id)


def test_no_report_from_an_open_post_test(world, tiny_course: Course) -> None:
    cyd = world["people"]["cyd"]
    at = open_app(cyd, "views/home.py")
    at = begin_post_test(at)
    assert not at.exception
    assert "Report a problem" not in str(at.main)  # no popover, no form
    assert not [b for b in at.button if b.key and b.key.startswith("FormSubmitter:problem-")]


def test_no_report_from_a_review_that_hides_the_questions(world) -> None:
    eve = world["people"]["eve"]  # failed, attempts left: her review shows marks only
    (attempt,) = world["attempts"].of_learner(eve.id)
    at = open_app(eve, "views/history.py", attempt=str(attempt.id))
    assert not at.exception
    assert not [b for b in at.button if b.key and b.key.startswith("FormSubmitter:problem-")]


def reported(world, store: Store, tiny_course: Course, clock):
    """Ana (passed; her review shows everything) reports her post-test's first question."""
    service = ProblemReports(store, tiny_course, clock)
    ana = world["people"]["ana"]
    (attempt,) = world["attempts"].of_learner(ana.id)
    question_id = attempt.slots[0].question_id
    service.report(ana, attempt, question_id, "wrong_key", "=HYPERLINK(x) *not bold*")
    return question_id


def test_instructor_queue_shows_question_passage_stats_and_resolves(
    world, store: Store, tiny_course: Course, clock
) -> None:
    question_id = reported(world, store, tiny_course, clock)
    question = tiny_course.question(question_id)
    at = open_app(world["teacher"], "views/problem_reports.py")
    assert not at.exception
    shown = texts(at)
    assert f"{question_id} · Demo topic · 1 report" in [s.value for s in at.subheader]
    assert question.stem in shown  # the version seen
    assert "A test document" in shown  # its cited passage's document
    assert any(question.sources[0].quote in m.value for m in at.markdown)
    (stats,) = at.dataframe
    # Its statistics in each quiz that counted it: the post-test (3 learners' first
    # attempts) and, when Dia's practice drew it, the practice quiz.
    assert stats.value["Quiz"].iloc[0] == "Demo post-test" and stats.value["n"].iloc[0] == 3
    assert "The marked answer is wrong" in shown and "Ana (ana)" in shown
    # The comment as typed: its Markdown is escaped, never obeyed.
    assert r"=HYPERLINK(x) \*not bold\*" in shown
    (report,) = store.table_rows("question_reports")
    at.button(key=f"FormSubmitter:resolve-{report['id']}-Mark resolved").click().run()
    assert "Write a note" in at.warning[0].value
    assert store.question_report(report["id"])["resolved_at"] is None
    at.text_input(key=f"resolve-{report['id']}-note").input("Key checked: it is right.")
    at.button(key=f"FormSubmitter:resolve-{report['id']}-Mark resolved").click().run()
    assert at.success[0].value == "Report resolved."
    stored = store.question_report(report["id"])
    assert stored["resolved_by"] == world["teacher"].id
    assert stored["resolution"] == "Key checked: it is right."
    assert "No open problem reports" in at.info[0].value
    at.segmented_control(key="problem-reports-status").set_value("resolved").run()
    assert "Resolved by Teacher on" in at.success[0].value
    assert "Key checked: it is right." in at.success[0].value


def test_another_instructor_never_sees_the_cohorts_reports(
    world, store: Store, tiny_course: Course, clock
) -> None:
    reported(world, store, tiny_course, clock)
    at = open_app(world["other"], "views/problem_reports.py")
    assert not at.exception
    assert at.selectbox(key="cohort-problem-reports").options == ["Elsewhere"]
    assert "No open problem reports" in at.info[0].value


def test_item_analysis_counts_open_reports(world, store: Store, tiny_course: Course, clock):
    question_id = reported(world, store, tiny_course, clock)
    at = open_app(world["teacher"], "views/items.py")
    assert not at.exception
    table = at.dataframe[0].value
    counts = dict(zip(table["Question"], table["Problem reports"], strict=True))
    assert counts[question_id] == 1
    assert sum(counts.values()) == 1
