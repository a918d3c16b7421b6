"""The synthetic cohort: reproducible, realistic, and useful for item statistics."""

from __future__ import annotations

import json
import signal
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz_app import demo as demo_module
from quiz_app import grading
from quiz_app.accounts import User
from quiz_app.auth import verify_password
from quiz_app.cli import cli
from quiz_app.clock import ManualClock, parse
from quiz_app.course import Course
from quiz_app.demo import DEMO_PASSWORD, fingerprint, generate
from quiz_app.errors import QuizError
from quiz_app.reports import Filters, NotAllowed, Reports
from quiz_app.reviews import Reviewer, Scheduling
from quiz_app.spaced import SpacedReview
from quiz_app.store import Row, Store


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


def test_demo_data_leaves_no_write_ahead_log_behind(tmp_path: Path) -> None:
    """Its one big transaction goes through the write-ahead log, which, left behind, stays
    as big as everything written (741 MB beside a 737 MB database at 10,000 learners).
    The command closes the store, so the log is folded in and removed before it exits."""
    db = tmp_path / "demo.db"
    done = subprocess.run(
        [sys.executable, "-m", "quiz_app", "demo-data", "--db", str(db), "--learners", "20",
         "--attempts", "3"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.db"]


def test_refuses_a_course_without_post_test(tmp_path: Path, course: Course) -> None:
    bare = Course.build(course.folder, list(course.banks), dict(course.sources))
    with pytest.raises(QuizError, match="needs a post-test"):
        generate(Store(tmp_path / "bare.db"), bare)


def test_batch_size_changes_nothing(
    tmp_path: Path, course: Course, demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows stored a few learners at a time make the same database as one batch would."""
    monkeypatch.setattr(demo_module, "BATCH_LEARNERS", 7)
    small = Store(tmp_path / "small-batches.db")
    summary = generate(small, course, learners=200, attempts=8, seed=5)
    assert fingerprint(small) == fingerprint(demo[0])
    assert summary == demo[1]


def test_a_failed_load_stores_nothing(
    tmp_path: Path, course: Course, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load that fails after some batches went in leaves no row behind, so the
    database cannot pass for a complete demo and the command can run again."""
    store = Store(tmp_path / "interrupted.db")
    monkeypatch.setattr(demo_module, "BATCH_LEARNERS", 5)
    made = demo_module._Demo._learner
    calls = []

    def fail_on_the_twelfth(self, *args) -> None:
        calls.append(1)
        if len(calls) == 12:  # in the third batch: two batches of learners are in already
            raise RuntimeError("the generator broke")
        made(self, *args)

    monkeypatch.setattr(demo_module._Demo, "_learner", fail_on_the_twelfth)
    with pytest.raises(RuntimeError, match="the generator broke"):
        generate(store, course, learners=20, attempts=3, seed=4)
    for table in (
        "users",
        "cohorts",
        "memberships",
        "attempts",
        "responses",
        "certificates",
        "cards",
        "review_logs",
    ):
        assert store.table_rows(table) == [], table
    monkeypatch.setattr(demo_module._Demo, "_learner", made)
    generate(store, course, learners=20, attempts=3, seed=4)
    fresh = Store(tmp_path / "fresh.db")
    generate(fresh, course, learners=20, attempts=3, seed=4)
    assert fingerprint(store) == fingerprint(fresh)


def test_a_killed_load_stores_nothing(tmp_path: Path) -> None:
    """`quiz-app demo-data` killed while it writes (batches already in the file, not yet
    committed) leaves a database with no demo rows, and can simply run again."""
    db = tmp_path / "killed.db"
    wal = tmp_path / "killed.db-wal"
    command = [sys.executable, "-m", "quiz_app", "demo-data", "--db", str(db)]
    process = subprocess.Popen([*command, "--learners", "3000", "--attempts", "20"])
    try:
        deadline = time.monotonic() + 120
        while not (wal.exists() and wal.stat().st_size > 8_000_000):  # batches are in
            assert process.poll() is None, "finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    store = Store(db)
    for table in ("users", "cohorts", "memberships", "attempts", "responses"):
        assert store.table_rows(table) == [], table
    store.close(wait=True)
    again = subprocess.run(
        [*command, "--learners", "5", "--attempts", "2"], capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    assert "5 learners" in again.stdout


@pytest.fixture(scope="module")
def cohorts(tmp_path_factory: pytest.TempPathFactory, course: Course):
    store = Store(tmp_path_factory.mktemp("cohorts") / "cohorts.db")
    summary = generate(store, course, learners=50, attempts=4, seed=7, cohorts=4)
    return store, summary


def test_learners_are_spread_over_cohorts(cohorts) -> None:
    store, summary = cohorts
    rows = store.query(
        "SELECT c.id, c.join_code, u.username, count(m.user_id) AS size FROM cohorts c"
        " JOIN users u ON u.id = c.instructor_id JOIN memberships m ON m.cohort_id = c.id"
        " GROUP BY c.id ORDER BY c.id"
    )
    assert [r["username"] for r in rows] == [
        "instructor",
        "instructor2",
        "instructor3",
        "instructor4",
    ]
    assert sorted(r["size"] for r in rows) == [12, 12, 13, 13]
    assert len({r["join_code"] for r in rows}) == 4
    assert [(c.join_code, c.instructor, c.learners) for c in summary.cohorts] == [
        (r["join_code"], r["username"], r["size"]) for r in rows
    ]
    learners = store.query("SELECT username FROM users WHERE role = 'learner' ORDER BY id")
    assert [r["username"] for r in learners] == [f"learner{n:04d}" for n in range(1, 51)]
    assert store.query("SELECT count(DISTINCT user_id) AS n FROM memberships")[0]["n"] == 50
    strays = store.query(
        "SELECT count(*) AS n FROM attempts a LEFT JOIN memberships m"
        " ON m.user_id = a.user_id AND m.cohort_id = a.cohort_id WHERE m.user_id IS NULL"
    )
    assert strays[0]["n"] == 0  # every attempt is in its learner's own cohort


def test_each_cohort_has_its_own_instructor(cohorts, course: Course) -> None:
    store, _ = cohorts
    reports = Reports(store, course)
    cohort_ids = [r["id"] for r in store.query("SELECT id FROM cohorts ORDER BY id")]
    for k, cohort_id in enumerate(cohort_ids):
        row = store.user_by_username("instructor" if k == 0 else f"instructor{k + 1}")
        instructor = User.from_row(row)
        assert [c["id"] for c in store.cohorts_of(instructor.id)] == [cohort_id]
        assert verify_password(DEMO_PASSWORD, row["password_hash"])
        for other in cohort_ids:
            if other != cohort_id:
                with pytest.raises(NotAllowed):
                    reports.authorize(instructor, other)


def test_reports_of_one_cohort_count_only_its_learners(cohorts, course: Course) -> None:
    store, summary = cohorts
    reports = Reports(store, course)
    post_test = course.post_test.id
    for demo_cohort in summary.cohorts:
        cohort = reports.cohort_by_code(demo_cohort.join_code)
        members = {
            r["username"]
            for r in store.query(
                "SELECT u.username FROM memberships m JOIN users u ON u.id = m.user_id"
                " WHERE m.cohort_id = ?",
                (cohort["id"],),
            )
        }
        board = reports.dashboard(cohort, Filters(post_test))
        assert board.enrolled == demo_cohort.learners == len(members)
        assert {r["username"] for r in reports.gradebook(cohort, Filters(post_test))} == members
        sat = store.query(
            "SELECT count(DISTINCT user_id) AS n FROM attempts WHERE cohort_id = ? AND quiz_id = ?",
            (cohort["id"], post_test),
        )[0]["n"]
        assert board.started == sat


def test_one_cohort_is_the_default_and_changes_nothing(tmp_path: Path, course: Course) -> None:
    """--cohorts 1 is the database the generator made before cohorts existed."""
    one = Store(tmp_path / "one.db")
    generate(one, course, learners=40, attempts=4, seed=9, cohorts=1)
    default = Store(tmp_path / "default.db")
    generate(default, course, learners=40, attempts=4, seed=9)
    assert fingerprint(one) == fingerprint(default)
    assert [
        r["username"] for r in one.query("SELECT username FROM users WHERE role != 'learner'")
    ] == ["instructor"]


def test_cohorts_only_group_the_same_learners(tmp_path: Path, course: Course, cohorts) -> None:
    """However many cohorts they are spread over, the learners and what they did are the
    same (only ids and cohorts differ), so cohort sizes can be compared fairly."""
    one = Store(tmp_path / "one-cohort.db")
    generate(one, course, learners=50, attempts=4, seed=7)
    activity = (
        "SELECT u.username, u.display_name, a.quiz_id, a.started_at, a.score_exact,"
        " r.question_id, r.answer FROM users u JOIN attempts a ON a.user_id = u.id"
        " JOIN responses r ON r.attempt_id = a.id ORDER BY a.started_at, u.username, r.question_id"
    )
    assert one.query(activity) == cohorts[0].query(activity)


def test_cohorts_must_fit_the_learners(tmp_path: Path, course: Course) -> None:
    with pytest.raises(QuizError, match="3 learners cannot be spread over 4 cohorts"):
        generate(Store(tmp_path / "few.db"), course, learners=3, attempts=2, cohorts=4)


@pytest.mark.parametrize("taken", ["instructor3", "1earner0002"], ids=["same", "look-alike"])
def test_refuses_a_database_with_a_demo_account(tmp_path: Path, course: Course, taken) -> None:
    store = Store(tmp_path / "taken.db")
    store.create_user(taken, "Someone", "instructor", "x", "2026-01-01T00:00:00+00:00")
    with pytest.raises(QuizError, match=f'already has a "{taken}" account'):
        generate(store, course, learners=10, attempts=2, cohorts=3)
    assert store.table_rows("cohorts") == []


def test_demo_data_command_with_cohorts(tmp_path: Path) -> None:
    db = tmp_path / "many.db"
    result = CliRunner().invoke(
        cli,
        ["demo-data", "--db", str(db), "--learners", "24", "--attempts", "2", "--cohorts", "6"],
    )
    assert result.exit_code == 0, result.output
    store = Store(db)
    codes = [r["join_code"] for r in store.query("SELECT join_code FROM cohorts ORDER BY id")]
    assert "6 cohorts of 4 learners, each with its own instructor" in result.output
    for shown, username in (
        (0, "instructor"),
        (1, "instructor2"),
        (2, "instructor3"),
        (5, "instructor6"),
    ):
        assert f"join code {codes[shown]}, {username}" in result.output
    assert codes[3] not in result.output and codes[4] not in result.output
    assert "... 2 more ..." in result.output
    assert "instructor / demo-password" in result.output


def _replayed(tmp_path: Path, demo_store: Store, course: Course, user_id: int) -> Store:
    """A fresh database where one demo learner's attempts are opened, answered and
    submitted through the app's own writes (Store.record_answer and submit_attempt, with
    the Reviewer that Attempts passes them), at the demo's times, answer by answer."""
    replay = Store(tmp_path / f"replay-{user_id}.db")
    (member,) = demo_store.query("SELECT * FROM memberships WHERE user_id = ?", (user_id,))
    (cohort,) = demo_store.query("SELECT * FROM cohorts WHERE id = ?", (member["cohort_id"],))
    people = demo_store.query(
        "SELECT * FROM users WHERE id IN (?, ?) ORDER BY id", (cohort["instructor_id"], user_id)
    )
    attempts = demo_store.query(
        "SELECT * FROM attempts WHERE user_id = ? ORDER BY started_at", (user_id,)
    )
    replay.bulk_insert(
        {
            "users": people,
            "cohorts": [cohort],
            "memberships": [member],
            "question_versions": demo_store.table_rows("question_versions"),
        }
    )
    reviewer = Reviewer(course, Scheduling(course.info.desired_retention, fuzz=False))
    for attempt in attempts:
        # Opened as it was started (one open attempt of a quiz at a time), and without a
        # deadline: a timed post-test's last answers may come after it in the demo, and
        # what matters here is its submit at the demo's submit time.
        opened = {"submitted_at": None, "deadline": None, "score": None, "score_exact": None,
                  "max_score": None, "passed": None}  # fmt: skip
        replay.bulk_insert({"attempts": [attempt | opened]})
        answers = demo_store.query(
            "SELECT * FROM responses WHERE attempt_id = ? ORDER BY answered_at, question_id",
            (attempt["id"],),
        )
        for answer in answers:
            replay.record_answer(
                attempt["id"],
                answer["question_id"],
                json.loads(answer["answer"]),
                grading.exact(answer["mark_exact"]),
                answer["content_hash"],
                answer["answered_at"],
                reviewer=reviewer,
            )
        if attempt["submitted_at"] is not None:
            replay.submit_attempt(attempt["id"], attempt["submitted_at"], reviewer)
    return replay


def _reviews_of(store: Store, user_id: int) -> tuple[list[Row], list[Row]]:
    cards = store.query("SELECT * FROM cards WHERE user_id = ? ORDER BY question_id", (user_id,))
    logs = store.query(
        "SELECT user_id, question_id, attempt_id, rating, reviewed_at"
        " FROM review_logs WHERE user_id = ? ORDER BY reviewed_at, question_id",
        (user_id,),
    )
    return cards, logs


def _busiest_learner(store: Store) -> int:
    return store.query(
        "SELECT user_id FROM review_logs GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT 1"
    )[0]["user_id"]


def test_demo_cards_are_what_the_app_would_have_made(tmp_path: Path, course: Course, demo) -> None:
    """A learner's cards and review logs are those the app's own writes make when the
    same answers are given and submitted at the same times."""
    store, _ = demo
    open_practice = store.query(
        "SELECT user_id FROM attempts WHERE submitted_at IS NULL AND mode = 'practice'"
        " ORDER BY id LIMIT 1"
    )[0]["user_id"]
    for user_id in (_busiest_learner(store), open_practice):
        made = _reviews_of(store, user_id)
        assert made[0] and made[1]
        assert made == _reviews_of(_replayed(tmp_path, store, course, user_id), user_id)


def test_demo_post_test_answers_review_at_submit(tmp_path: Path, tiny_course: Course) -> None:
    """In a course whose post-test asks questions the practice asks too, a submitted
    post-test's answers review their cards at its submit, as the app's submit does."""
    store = Store(tmp_path / "tiny-demo.db")
    generate(store, tiny_course, learners=6, attempts=5, seed=3)
    at_submit = store.query(
        "SELECT l.user_id FROM review_logs l JOIN attempts a ON a.id = l.attempt_id"
        " WHERE a.mode = 'post_test' AND l.reviewed_at = a.submitted_at ORDER BY l.id LIMIT 1"
    )
    assert at_submit
    user_id = at_submit[0]["user_id"]
    made = _reviews_of(store, user_id)
    assert made == _reviews_of(_replayed(tmp_path, store, tiny_course, user_id), user_id)


def test_no_demo_card_of_a_reserved_question(demo, course: Course) -> None:
    store, _ = demo
    reserved = {q.id for q in course.questions if q.reserved}
    carded = {r["question_id"] for r in store.query("SELECT DISTINCT question_id FROM cards")}
    logged = {r["question_id"] for r in store.query("SELECT DISTINCT question_id FROM review_logs")}
    assert carded and not carded & reserved and logged == carded
    # and each card counts its reviews, the last one naming its attempt
    mismatched = store.query(
        "SELECT count(*) AS n FROM cards c WHERE c.reviews != (SELECT count(*) FROM review_logs"
        " l WHERE l.user_id = c.user_id AND l.question_id = c.question_id)"
        " OR c.last_review != (SELECT max(reviewed_at) FROM review_logs l"
        " WHERE l.user_id = c.user_id AND l.question_id = c.question_id)"
    )[0]["n"]
    assert mismatched == 0


def test_demo_learners_have_reviews_due(demo, course: Course) -> None:
    """Once the demo's activity is over (on its last day, and weeks later, as when someone
    tries it), the Start page of nearly every learner who practised shows cards due."""
    store, _ = demo
    last = store.query("SELECT max(submitted_at) AS at FROM attempts")[0]["at"]
    with_cards = [r["user_id"] for r in store.query("SELECT DISTINCT user_id FROM cards")]
    assert len(with_cards) > 150
    for days in (0, 45):
        clock = ManualClock(parse(last) + timedelta(days=days))
        service = SpacedReview(store, course, clock)
        due = [user_id for user_id in with_cards if service.due(user_id)]
        assert len(due) > 0.9 * len(with_cards), days
