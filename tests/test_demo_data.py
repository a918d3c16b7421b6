"""The synthetic cohort: reproducible, realistic, and useful for item statistics."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz_app.cli import cli
from quiz_app.course import Course
from quiz_app.demo import fingerprint, generate
from quiz_app.errors import QuizError
from quiz_app.store import Store


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, course: Course):
    store = Store(tmp_path_factory.mktemp("demo") / "demo.db")
    summary = generate(store, course, learners=200, attempts=8, seed=5)
    return store, summary


def test_same_seed_same_database(tmp_path: Path, course: Course, demo) -> None:
    again = Store(tmp_path / "again.db")
    generate(again, course, learners=200, attempts=8, seed=5)
    assert fingerprint(again) == fingerprint(demo[0])
    other = Store(tmp_path / "other.db")
    generate(other, course, learners=200, attempts=8, seed=6)
    assert fingerprint(other) != fingerprint(demo[0])


def test_cohort_shape(demo) -> None:
    store, summary = demo
    assert summary.learners == 200
    assert 0 < summary.never_started < 30
    assert 0 < summary.unfinished < summary.attempts
    members = store.query("SELECT count(*) AS n FROM memberships")[0]["n"]
    assert members == 200
    starters = store.query("SELECT count(DISTINCT user_id) AS n FROM attempts")[0]["n"]
    assert starters == 200 - summary.never_started
    modes = {r["mode"] for r in store.query("SELECT DISTINCT mode FROM attempts")}
    assert modes == {"practice", "post_test"}
    days = store.query(
        "SELECT julianday(max(started_at)) - julianday(min(started_at)) AS span FROM attempts"
    )[0]["span"]
    assert days > 14  # activity spread over weeks


def test_post_test_attempts_respect_the_allowance(demo, course: Course) -> None:
    store, _ = demo
    allowed = course.post_test.attempts_allowed
    most = store.query(
        "SELECT max(n) AS most FROM (SELECT count(*) AS n FROM attempts"
        " WHERE mode = 'post_test' GROUP BY user_id)"
    )[0]["most"]
    assert most <= allowed
    after_pass = store.query(
        "SELECT count(*) AS n FROM attempts a WHERE mode = 'post_test' AND EXISTS ("
        " SELECT 1 FROM attempts b WHERE b.user_id = a.user_id AND b.mode = 'post_test'"
        " AND b.passed = 1 AND b.started_at < a.started_at)"
    )[0]["n"]
    assert after_pass == 0


def _discrimination(store: Store, question_id: str) -> float:
    """Correlation between a question's mark and the rest of the attempt's score."""
    rows = store.query(
        "SELECT r.mark AS x, (a.score - r.mark) / (a.max_score - 1) AS rest FROM responses r"
        " JOIN attempts a ON a.id = r.attempt_id"
        " WHERE r.question_id = ? AND a.submitted_at IS NOT NULL",
        (question_id,),
    )
    xs, rests = [r["x"] for r in rows], [r["rest"] for r in rows]
    return statistics.correlation(xs, rests)


def test_bad_questions_discriminate_negatively(demo, course: Course) -> None:
    store, summary = demo
    assert len(summary.bad_questions) == 2
    bad = [_discrimination(store, q) for q in summary.bad_questions]
    good = [
        _discrimination(store, q.id) for q in course.questions if q.id not in summary.bad_questions
    ]
    assert max(bad) < 0 < statistics.median(good)


def test_demo_data_command(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    result = CliRunner().invoke(
        cli, ["demo-data", "--db", str(db), "--learners", "15", "--attempts", "4", "--seed", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "15 learners" in result.output and "instructor / demo-password" in result.output
    again = CliRunner().invoke(cli, ["demo-data", "--db", str(db), "--learners", "15"])
    assert again.exit_code == 1
    assert 'already has a "instructor" account' in again.output


def test_refuses_a_course_without_post_test(tmp_path: Path, course: Course) -> None:
    bare = Course.build(course.folder, list(course.banks), dict(course.sources))
    with pytest.raises(QuizError, match="needs a post-test"):
        generate(Store(tmp_path / "bare.db"), bare)
