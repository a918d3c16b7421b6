"""The `quiz-app` command line: a thin layer over the same services the app uses."""

from __future__ import annotations

import functools
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from quiz_app.course import default_banks_dir, load_course
from quiz_app.errors import BankError, QuizError
from quiz_app.validate import validate_paths

APP_SCRIPT = Path(__file__).resolve().parent / "app.py"
DB_ENV = "QUIZ_DB"


def db_option(required: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The --db option every command that opens the database shares."""
    return click.option(
        "--db",
        "db_path",
        required=required,
        default=None if required else "quiz.db",
        show_default=not required,
        type=click.Path(dir_okay=False, path_type=Path),
        help="SQLite database file.",
    )


def domain_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the app's own errors into a one-line message and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except BankError as exc:
            raise click.ClickException("the question banks are invalid:\n" + str(exc)) from exc
        except QuizError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="quiz-app")
def cli() -> None:
    """Dry-needling continuing-education quizzes: serve the app, check banks, report."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with the counts.")
def validate(paths: tuple[Path, ...], as_json: bool) -> None:
    """Check question banks (files or folders; default: the shipped question_banks/).

    Exits 0 when every bank is valid, 1 when any is not. Each problem is printed as
    FILE:LINE: message.
    """
    report = validate_paths(list(paths) or [default_banks_dir()])
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    else:
        for problem in report.problems:
            click.echo(str(problem))
        click.echo(report.summary())
    sys.exit(0 if report.ok else 1)


@cli.command()
@db_option()
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535))
@click.option("--host", default="localhost", show_default=True, help="Address to listen on.")
def serve(db_path: Path, port: int, host: str) -> None:
    """Start the Streamlit app (the database is created on first start)."""
    env = dict(os.environ)
    env[DB_ENV] = str(db_path.resolve())
    args = [
        sys.executable, "-m", "streamlit", "run", str(APP_SCRIPT),
        "--server.port", str(port),
        "--server.address", host,
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--client.toolbarMode", "viewer",
        "--runner.magicEnabled", "false",
    ]  # fmt: skip
    click.echo(f"Serving on http://{host}:{port} with database {env[DB_ENV]}")
    os.execve(sys.executable, args, env)


@cli.command("add-instructor")
@click.argument("username")
@db_option()
@click.option("--name", "display_name", help="Name shown in the app (default: the username).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@domain_errors
def add_instructor(
    username: str, db_path: Path, display_name: str | None, password_stdin: bool
) -> None:
    """Create an instructor account (asks for the password unless --password-stdin)."""
    from quiz_app.accounts import INSTRUCTOR, Accounts
    from quiz_app.store import Store

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = Accounts(Store(db_path)).sign_up(
        username, display_name or username, password, INSTRUCTOR
    )
    click.echo(f"Instructor {user.username} created in {db_path}.")


@cli.command("demo-data")
@db_option(required=True)
@click.option("--learners", default=200, show_default=True, type=click.IntRange(1, 100_000))
@click.option(
    "--attempts",
    default=12,
    show_default=True,
    type=click.IntRange(1, 200),
    help="Attempts per active learner.",
)
@click.option("--seed", default=1, show_default=True, type=int, help="Same seed, same data.")
@domain_errors
def demo_data(db_path: Path, learners: int, attempts: int, seed: int) -> None:
    """Fill a database with a realistic synthetic cohort and its instructor."""
    from quiz_app.demo import generate, summary_lines
    from quiz_app.store import Store

    started = time.perf_counter()
    summary = generate(Store(db_path), load_course(), learners, attempts, seed)
    for line in summary_lines(summary):
        click.echo(line)
    click.echo(f"Written to {db_path} in {time.perf_counter() - started:.1f} s.")


@cli.command()
@db_option(required=True)
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@domain_errors
def backup(db_path: Path, dest: Path) -> None:
    """Copy the database to DEST consistently, even while the app is writing."""
    from quiz_app.store import Store

    if not db_path.exists():
        raise click.ClickException(f"{db_path} does not exist")
    if dest.exists():
        raise click.ClickException(f"{dest} exists; choose a new file name")
    started = time.perf_counter()
    Store(db_path, migrate=False).backup(dest)
    size = dest.stat().st_size
    click.echo(
        f"Backed up {db_path} to {dest} ({size:,} bytes, {time.perf_counter() - started:.1f} s)."
    )


def main() -> None:
    cli()
