"""`quiz-app report` and `quiz-app add-instructor` on a real database file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz_app.accounts import Accounts
from quiz_app.attempts import Attempts
from quiz_app.cli import cli
from quiz_app.course import BANKS_ENV
from quiz_app.store import Store


@pytest.fixture
def world(cohort_world, tiny_course, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(BANKS_ENV, str(tiny_course.folder))
    return cohort_world


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin)


def app_runs(world) -> None:
    """What the app does on its next run: submit the attempts whose time is up (now)."""
    Attempts(world["attempts"].store, world["attempts"].course).finalize_expired()


def test_gradebook_csv(world, db_path: Path) -> None:
    result = run("report", "--db", str(db_path), "--cohort", world["cohort"]["join_code"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {"username", "display_name", "attempts", "best_score_pct", "last_score_pct",
            "passed"} <= set(rows[0])  # fmt: skip
    by_user = {r["username"]: r for r in rows}
    assert by_user["ana"]["passed"] == "yes" and by_user["ana"]["best_score_pct"] == "100.0"
    assert by_user["eve"]["display_name"] == '\'=HYPERLINK("http://evil")'


def test_gradebook_json(world, db_path: Path) -> None:
    result = run("report", "--db", str(db_path), "--cohort", world["cohort"]["join_code"],
                 "--format", "json")  # fmt: skip
    rows = json.loads(result.stdout)
    assert isinstance(rows, list) and len(rows) == 5
    assert next(r for r in rows if r["username"] == "bob")["attempts"] == 2


def test_items_csv_and_json(world, db_path: Path) -> None:
    code = world["cohort"]["join_code"]
    result = run("report", "--db", str(db_path), "--cohort", code, "--items", "--attempts",
                 "all")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [set(rows[0])] == [
        {
            "question_id",
            "topic",
            "type",
            "n",
            "facility_pct",
            "sd_pct",
            "discrimination_index",
            "discriminative_efficiency",
            "flags",
        }
    ]
    # Four submitted post-tests. Dia's, left open and now long past its deadline, is not
    # submitted by a report (it only reads the database), and the report says so.
    assert {r["n"] for r in rows} == {"4"}
    assert "Note: out of time but not yet submitted: 1 attempt;" in result.stderr
    app_runs(world)  # the app submits it with the answer it had, and the report counts it
    again = run("report", "--db", str(db_path), "--cohort", code, "--items", "--attempts", "all")
    assert {r["n"] for r in csv.DictReader(io.StringIO(again.stdout))} == {"5"}
    assert again.stderr == ""
    payload = json.loads(run("report", "--db", str(db_path), "--cohort", code, "--items",
                             "--format", "json").stdout)  # fmt: skip
    assert {"alpha", "error_ratio", "standard_error"} <= set(payload["test"])
    assert len(payload["items"]) == 5


def test_responses(world, db_path: Path) -> None:
    result = run("report", "--db", str(db_path), "--cohort", world["cohort"]["join_code"],
                 "--responses", "--quiz", "post-test")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["attempt_id", "username", "quiz_id", "question_id", "answer",
                             "mark", "max_mark", "submitted_at"]  # fmt: skip
    assert len(rows) == 20  # four submitted post-tests; Dia's is open, timed out since
    app_runs(world)
    result = run("report", "--db", str(db_path), "--cohort", world["cohort"]["join_code"],
                 "--responses", "--quiz", "post-test")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 25  # and Dia's, submitted by the app at its deadline
    dia = [r for r in rows if r["username"] == "dia"]
    deadline = world["attempts"].store.attempts_of(world["people"]["dia"].id, "post-test")[0]
    assert len(dia) == 5 and {r["submitted_at"] for r in dia} == {deadline["deadline"]}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cohort", "NOPE1234"], 'No cohort has the join code "NOPE1234"'),
        (["--cohort", "{code}", "--quiz", "nope"], 'no quiz "nope"'),
    ],
    ids=["unknown-cohort", "unknown-quiz"],
)
def test_report_errors(world, db_path: Path, args: list[str], message: str) -> None:
    args = [a.format(code=world["cohort"]["join_code"]) for a in args]
    result = run("report", "--db", str(db_path), *args)
    assert result.exit_code == 1 and message in result.output


def test_report_on_a_missing_database(tmp_path: Path) -> None:
    result = run("report", "--db", str(tmp_path / "none.db"), "--cohort", "X")
    assert result.exit_code == 1 and "does not exist" in result.output
    assert not (tmp_path / "none.db").exists()


def test_add_instructor_from_stdin(db_path: Path) -> None:
    result = run("add-instructor", "lead", "--db", str(db_path), "--name", "Course Lead",
                 "--password-stdin", "--yes", stdin="a-long-password\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    user = Accounts(Store(db_path)).sign_in("lead", "a-long-password")
    assert (user.display_name, user.is_instructor) == ("Course Lead", True)
    again = run("add-instructor", "lead", "--db", str(db_path), "--password-stdin",
                stdin="a-long-password\n")  # fmt: skip
    assert again.exit_code == 1 and "taken" in again.output
    short = run("add-instructor", "lead2", "--db", str(db_path), "--password-stdin",
                stdin="short\n")  # fmt: skip
    assert short.exit_code == 1 and "at least 8" in short.output


def test_add_instructor_prompts_twice(db_path: Path) -> None:
    result = run("add-instructor", "lead", "--db", str(db_path), "--yes",
                 stdin="a-long-password\na-long-password\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "a-long-password" not in result.output
