"""The commands on a PostgreSQL database (--db postgresql://...): the same demo data in
SQLite and in PostgreSQL gives the same reports, byte for byte, and what only suits a
file is refused in words. Skipped where PostgreSQL is missing, except in CI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from quiz_app.cli import cli
from quiz_app.store import PostgresStore, Store


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin)


@pytest.fixture
def twins(postgres_url: str, tmp_path: Path) -> tuple[str, str]:
    """One seeded demo twice: in an SQLite file and in a PostgreSQL database."""
    file = str(tmp_path / "demo.db")
    for db in (file, postgres_url):
        made = run("demo-data", "--db", db, "--learners", "24", "--attempts", "4",
                   "--cohorts", "2", "--seed", "3")  # fmt: skip
        assert made.exit_code == 0, made.output
    return file, postgres_url


def _join_code(db: str) -> str:
    store = PostgresStore(db) if db.startswith("postgresql") else Store(db)
    try:
        return store.query("SELECT join_code FROM cohorts ORDER BY id")[0]["join_code"]
    finally:
        store.close(wait=True)


@pytest.mark.parametrize("kind", [[], ["--items"], ["--responses"], ["--format", "json"]])
def test_reports_are_the_same_on_both(twins: tuple[str, str], kind: list[str]) -> None:
    outputs = []
    for db in twins:
        done = run("report", "--db", db, "--cohort", _join_code(db), *kind)
        assert done.exit_code == 0, done.output
        outputs.append(done.output)
    assert outputs[0] == outputs[1]
    assert outputs[0].count("\n") > 10


def test_a_certificate_is_verified_on_postgres(twins: tuple[str, str]) -> None:
    store = PostgresStore(twins[1])
    (row,) = store.query("SELECT code FROM certificates ORDER BY code LIMIT 1")
    store.close()
    done = run("verify-certificate", row["code"], "--db", twins[1])
    assert done.exit_code == 0 and "valid" in done.output


def test_an_instructor_is_added_without_asking(postgres_url: str) -> None:
    done = run("add-instructor", "boss", "--db", postgres_url, "--password-stdin",
               stdin="a long password\n")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "Instructor boss created in postgresql://" in done.output


def test_backup_is_refused_for_postgres_in_words(postgres_url: str, tmp_path: Path) -> None:
    done = run("backup", "--db", postgres_url, str(tmp_path / "copy.db"))
    assert done.exit_code == 1
    assert "pg_dump" in done.output and not (tmp_path / "copy.db").exists()


def test_a_server_out_of_reach_is_one_line_without_the_password() -> None:
    done = run("report", "--db", "postgresql://quiz:hunter2@127.0.0.1:1/quiz", "--cohort", "X")
    assert done.exit_code == 1
    assert "cannot be reached" in done.output
    assert "hunter2" not in done.output and "Traceback" not in done.output
    assert done.output.count("\n") == 1


def test_a_url_is_shown_without_its_password() -> None:
    from quiz_app.databases import Database

    given = Database("postgresql://quiz:hunter2@db.example:5432/quiz")
    assert given.resolved() == "postgresql://quiz:hunter2@db.example:5432/quiz"  # for $QUIZ_DB
    for shown in (str(given), given.shown_resolved()):
        assert shown == "postgresql://quiz:***@db.example:5432/quiz"
    assert Database("quiz.db").shown_resolved().endswith("/quiz.db")


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("postgres://%zz@127.0.0.1/quiz", "is not a valid PostgreSQL address"),
        ("postgresql://postgres@127.0.0.1:notaport/quiz", "is not a valid PostgreSQL address"),
    ],
)
def test_a_malformed_url_is_one_line_saying_so(url: str, said: str) -> None:
    done = run("report", "--db", url, "--cohort", "X")
    assert done.exit_code == 1, done.output
    assert said in done.output and done.output.count("\n") == 1


def test_a_database_the_server_does_not_have_is_said_so(postgres_server: str) -> None:
    missing = postgres_server.rsplit("/", 1)[0] + "/no_such_quiz_database"
    done = run("report", "--db", missing, "--cohort", "X")
    assert done.exit_code == 1, done.output
    assert "cannot be opened" in done.output and "no_such_quiz_database" in done.output
    assert "try again in a moment" not in done.output
