"""Course evaluations at the service and store level: who may fill one in, the gate on
the certificate, one per attempt, never edited, and the cohort's summary and rows."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from click.testing import CliRunner

from quiz_app.cli import cli
from quiz_app.evaluations import (
    EVALUATION_COLUMNS,
    Evaluations,
    EvaluationSubmitted,
    IncompleteEvaluation,
    NotEvaluable,
)
from quiz_app.quizdef import ANSWER_MAX
from tests.conftest import with_evaluation

FULL = {"objectives-met": 5, "free-of-bias": 4, "improve": "  More vignettes.  "}


@pytest.fixture
def world(cohort_world, tiny_course, store, clock):
    course = with_evaluation(tiny_course)
    people = cohort_world["people"]
    passed = {
        name: next(a["id"] for a in store.attempts_of(people[name].id) if a["passed"])
        for name in ("ana", "bob")
    }
    failed = next(a["id"] for a in store.attempts_of(people["eve"].id))
    return {**cohort_world, "course": course, "passed": passed, "failed": failed,
            "service": Evaluations(store, course, clock)}  # fmt: skip


def test_a_required_evaluation_withholds_the_certificate_until_submitted(world) -> None:
    service, ana, attempt = world["service"], world["people"]["ana"], world["passed"]["ana"]
    assert service.is_due(attempt) and service.withholds_certificate(attempt)
    service.submit(attempt, ana.id, FULL)
    assert not service.is_due(attempt) and not service.withholds_certificate(attempt)


def test_the_certificate_is_issued_only_once_a_required_evaluation_is_in(
    store, tiny_course, clock, tmp_path
) -> None:
    from quiz_app.accounts import Accounts
    from quiz_app.attempts import Attempts
    from quiz_app.certificates import EvaluationDue, verify
    from quiz_app.scoring import correct_answer

    course = with_evaluation(tiny_course)
    attempts = Attempts(store, course, clock)
    ana = Accounts(store, clock).sign_up("ana", "Ana", "password123")
    attempt = attempts.start(ana.id, course.post_test)
    for slot in attempt.slots:
        attempts.answer(
            attempt, slot.question_id, correct_answer(course.question(slot.question_id))
        )
    assert attempts.submit(attempt).passed
    assert store.certificate_for_attempt(attempt.id) is None  # not at the pass
    with pytest.raises(EvaluationDue, match=f"attempt {attempt.id} waits for its course eval"):
        attempts.certificates.issue(attempt.id)
    out = tmp_path / "certificate.pdf"
    refused = CliRunner().invoke(cli, ["certificate", "--db", str(store.path),
                                       "--attempt", str(attempt.id), "--out", str(out)],
                                 env={"QUIZ_BANKS_DIR": str(course.folder)})  # fmt: skip
    assert refused.exit_code == 1 and "waits for its course evaluation" in refused.output
    assert "Traceback" not in refused.output and not out.exists()
    clock.advance(minutes=5)
    evaluated = attempts.evaluations.submit(attempt.id, ana.id, FULL)
    issued = attempts.certificates.issue(attempt.id)
    assert issued.issued_at >= evaluated.submitted_at
    assert verify(store, issued.code) == issued


def test_an_optional_evaluation_is_offered_but_withholds_nothing(
    world, tiny_course, store, clock
) -> None:
    path = tiny_course.folder / "quizzes.yaml"
    path.write_text(path.read_text().replace("required: true", "required: false"))
    from quiz_app.course import load_course

    service = Evaluations(store, load_course(tiny_course.folder), clock)
    attempt = world["passed"]["ana"]
    assert service.is_due(attempt) and not service.withholds_certificate(attempt)


def test_a_course_without_an_evaluation_withholds_nothing(world, tiny_course, store) -> None:
    # tiny_course was loaded before the evaluation was added
    service = Evaluations(store, tiny_course)
    assert service.definition is None
    assert not service.withholds_certificate(world["passed"]["ana"])
    with pytest.raises(NotEvaluable):
        service.submit(world["passed"]["ana"], world["people"]["ana"].id, FULL)


def test_only_the_learner_of_a_passed_post_test_may_evaluate(world) -> None:
    service, people = world["service"], world["people"]
    with pytest.raises(NotEvaluable):
        service.submit(world["passed"]["ana"], people["bob"].id, FULL)  # not bob's attempt
    with pytest.raises(NotEvaluable):
        service.submit(world["failed"], people["eve"].id, FULL)  # not passed
    with pytest.raises(NotEvaluable):
        service.save_draft(world["failed"], people["eve"].id, FULL)


def test_every_statement_must_be_rated_and_text_is_optional_and_capped(world) -> None:
    service, ana, attempt = world["service"], world["people"]["ana"], world["passed"]["ana"]
    with pytest.raises(IncompleteEvaluation, match="The content was free of commercial bias"):
        service.submit(attempt, ana.id, {"objectives-met": 5})
    with pytest.raises(IncompleteEvaluation, match="Rate every statement"):
        service.submit(attempt, ana.id, {"objectives-met": 6, "free-of-bias": 1})
    with pytest.raises(IncompleteEvaluation, match="the limit is 2,000"):
        service.submit(attempt, ana.id, {**FULL, "improve": "x" * (ANSWER_MAX + 1)})
    assert service.submitted(attempt) is None
    done = service.submit(attempt, ana.id, {"objectives-met": 1, "free-of-bias": 2, "x": 3})
    assert dict(done.answers) == {"objectives-met": 1, "free-of-bias": 2}


def test_a_draft_is_kept_until_submission_and_then_gone(world, store) -> None:
    service, ana, attempt = world["service"], world["people"]["ana"], world["passed"]["ana"]
    assert service.draft(attempt) == {}
    service.save_draft(attempt, ana.id, {"objectives-met": 4, "improve": "half a thought"})
    service.save_draft(attempt, ana.id, {"objectives-met": 3, "improve": "a whole thought"})
    assert service.draft(attempt) == {"objectives-met": 3, "improve": "a whole thought"}
    service.submit(attempt, ana.id, FULL)
    assert store.evaluation_draft(attempt) is None
    with pytest.raises(EvaluationSubmitted):
        service.save_draft(attempt, ana.id, {"objectives-met": 1})
    assert store.evaluation_draft(attempt) is None


def test_a_second_submission_is_refused_and_changes_nothing(world, clock) -> None:
    service, ana, attempt = world["service"], world["people"]["ana"], world["passed"]["ana"]
    first = service.submit(attempt, ana.id, FULL)
    clock.advance(minutes=5)
    with pytest.raises(EvaluationSubmitted, match="submitted already"):
        service.submit(attempt, ana.id, {"objectives-met": 1, "free-of-bias": 1})
    assert service.submitted(attempt) == first
    assert first.answers["improve"] == "More vignettes."


def test_racing_submissions_store_one(world, store) -> None:
    service, ana, attempt = world["service"], world["people"]["ana"], world["passed"]["ana"]
    outcomes: list[str] = []

    def submit(rating: int) -> None:
        try:
            service.submit(attempt, ana.id, {"objectives-met": rating, "free-of-bias": rating})
            outcomes.append("stored")
        except EvaluationSubmitted:
            outcomes.append("refused")

    threads = [threading.Thread(target=submit, args=(n,)) for n in (1, 2, 3, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 3 + ["stored"]
    assert store.first("SELECT count(*) AS n FROM evaluations")["n"] == 1


def test_the_store_refuses_to_edit_a_submitted_evaluation(world, store, db_path) -> None:
    world["service"].submit(world["passed"]["ana"], world["people"]["ana"].id, FULL)
    with pytest.raises(sqlite3.IntegrityError, match="cannot be changed"):
        store.execute("UPDATE evaluations SET answers = '{}'")
    with pytest.raises(EvaluationSubmitted):  # the store itself, below the service
        store.submit_evaluation(world["passed"]["ana"], world["people"]["ana"].id, "t", "[]", "{}")


def test_the_cohort_summary_counts_each_point_and_lists_the_texts(world) -> None:
    service, people, passed = world["service"], world["people"], world["passed"]
    service.submit(passed["ana"], people["ana"].id, FULL)
    service.submit(passed["bob"], people["bob"].id, {"objectives-met": 4, "free-of-bias": 4})
    summary = service.cohort_summary(world["cohort"]["id"])
    assert summary.submitted == 2
    objectives, bias = summary.likert
    assert (objectives.text, objectives.counts, objectives.n) == (
        "The objectives were met.", (0, 0, 0, 1, 1), 2)  # fmt: skip
    assert objectives.mean == 4.5 and bias.counts == (0, 0, 0, 2, 0) and bias.mean == 4
    (improve,) = summary.texts
    assert improve.answers == ("More vignettes.",)
    assert service.cohort_summary(world["elsewhere"]["id"]).submitted == 0


def test_cohort_rows_hold_one_row_per_item_asked(world) -> None:
    service, people, passed = world["service"], world["people"], world["passed"]
    service.submit(passed["ana"], people["ana"].id, FULL)
    rows = service.cohort_rows(world["cohort"]["id"])
    assert [tuple(r) for r in rows] == [EVALUATION_COLUMNS] * 3
    assert [(r["item_id"], r["rating"], r["rating_label"], r["answer"]) for r in rows] == [
        ("objectives-met", 5, "Strongly agree", ""),
        ("free-of-bias", 4, "Agree", ""),
        ("improve", None, "", "More vignettes."),
    ]
    assert {r["username"] for r in rows} == {"ana"}
    assert rows[0]["submitted_at"].endswith("+00:00")


def test_duplicate_item_ids_are_a_file_line_error(tiny_course) -> None:
    course = with_evaluation(tiny_course)
    path = course.folder / "quizzes.yaml"
    path.write_text(path.read_text().replace("id: free-of-bias", "id: objectives-met"))
    result = CliRunner().invoke(cli, ["validate", str(course.folder)])
    assert result.exit_code == 1
    (line,) = [line for line in result.output.splitlines() if "evaluation" in line]
    assert line == (
        f'{path}:10: course.evaluation.items[1].id: "objectives-met" is used twice; '
        "give each item its own id"
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("kind: text", "kind: essay",
         "quizzes.yaml:15: course.evaluation.items[2].kind: \"essay\" is not one of"),
        ("required: true", 'required: "yes"',
         "quizzes.yaml:5: course.evaluation.required: must be true or false"),
        ("text: What would you improve?", "text: ''",
         "quizzes.yaml:14: course.evaluation.items[2].text: must not be blank"),
    ],
    ids=["unknown-kind", "required-not-boolean", "blank-text"],
)  # fmt: skip
def test_a_malformed_evaluation_names_file_and_line(tiny_course, old, new, expected) -> None:
    course = with_evaluation(tiny_course)
    path = course.folder / "quizzes.yaml"
    path.write_text(path.read_text().replace(old, new))
    result = CliRunner().invoke(cli, ["validate", str(course.folder)])
    assert result.exit_code == 1
    assert any(line.endswith(expected) or expected in line for line in result.output.splitlines())
