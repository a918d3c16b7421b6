"""The `quiz-app` command line: a thin layer over the same services the app uses."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from quiz_app.course import default_banks_dir
from quiz_app.validate import validate_paths

APP_SCRIPT = Path(__file__).resolve().parent / "app.py"
DB_ENV = "QUIZ_DB"


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
@click.option(
    "--db",
    "db_path",
    default="quiz.db",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite database file; created on first start.",
)
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535))
@click.option("--host", default="localhost", show_default=True, help="Address to listen on.")
def serve(db_path: Path, port: int, host: str) -> None:
    """Start the Streamlit app."""
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
    ]  # fmt: skip
    click.echo(f"Serving on http://{host}:{port} with database {env[DB_ENV]}")
    os.execve(sys.executable, args, env)


def main() -> None:
    cli()
