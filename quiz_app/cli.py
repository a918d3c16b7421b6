"""The `quiz-app` command line: a thin layer over the same services the app uses."""

from __future__ import annotations

import functools
import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from quiz_app import formatting
from quiz_app.analytics import ATTEMPT_CHOICES
from quiz_app.course import default_banks_dir, load_course
from quiz_app.databases import Database, is_url
from quiz_app.errors import BankError, QuizError
from quiz_app.lint import lint
from quiz_app.validate import printable, validate_paths
from quiz_app.writer import StoreError

if TYPE_CHECKING:
    from quiz_app.store import PostgresStore, Store

SERVER_SCRIPT = Path(__file__).resolve().parent / "server.py"
DB_ENV = "QUIZ_DB"
DEBUG_ENV = "QUIZ_DEBUG"
EX_SOFTWARE = 70  # sysexits.h: an internal error (a bug), as opposed to a usage or data error
ROW_ID = click.IntRange(1, 2**63 - 1)  # what SQLite's INTEGER holds


class DatabaseType(click.ParamType):
    """--db: an SQLite file (not a folder), or a postgresql:// URL."""

    name = "FILE|URL"

    def convert(self, value: Any, param: Any, ctx: Any) -> Database:
        if isinstance(value, Database) or is_url(value):
            return value if isinstance(value, Database) else Database(value)
        return Database(click.Path(dir_okay=False, path_type=Path).convert(value, param, ctx))


def db_option(required: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The --db option every command that opens the database shares."""
    return click.option(
        "--db",
        "db_path",
        required=required,
        default=None if required else "quiz.db",
        show_default=not required,
        type=DatabaseType(),
        help="SQLite database file, or a PostgreSQL database's postgresql:// URL.",
    )


def domain_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the app's own errors into a message and exit status 1: a database that cannot
    be used in one line naming the file (`store_problem`), invalid banks one per line."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except BankError as exc:
            raise click.ClickException("the question banks are invalid:\n" + str(exc)) from exc
        except StoreError as exc:
            db_path = click.get_current_context().params.get("db_path")
            raise click.ClickException(store_problem(db_path, exc)) from exc
        except QuizError as exc:
            raise click.ClickException(str(exc)) from exc
        except OSError as exc:  # a file the command reads or writes (--out, DEST)
            where = printable(str(exc.filename)) if exc.filename else "a file"
            raise click.ClickException(f"{where}: {exc.strerror or exc}") from exc

    return wrapper


def store_problem(db_path: Database | None, exc: StoreError) -> str:
    """One line: the database file, what is wrong in plain words, and SQLite's detail."""
    line = f"{printable(str(db_path))}: {exc}" if db_path is not None else str(exc)
    if exc.detail:
        line += f" ({exc.detail})"
    return " ".join(line.split())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="quiz-app")
def cli() -> None:
    """Dry-needling continuing-education quizzes: serve the app, check banks, report."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with the counts.")
@click.option(
    "--lint",
    "with_lint",
    is_flag=True,
    help="Also warn about item-writing flaws (cues, giveaways, over-cited sentences).",
)
def validate(paths: tuple[Path, ...], as_json: bool, with_lint: bool) -> None:
    """Check question banks (files or folders; default: the shipped question_banks/).

    Exits 0 when every bank is valid, 1 when any is not. Each problem is printed as
    FILE:LINE: message; with --lint, each warning as FILE:LINE: warning: message
    (warnings never fail validation).
    """
    report = validate_paths(list(paths) or [default_banks_dir()])
    warnings = lint(report) if with_lint and report.ok else []
    if as_json:
        data = report.as_json()
        if with_lint:
            data["warnings"] = [str(w) for w in warnings]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        for problem in report.problems:
            click.echo(str(problem))
        for warning in warnings:
            click.echo(str(warning))
        summary = report.summary()
        if with_lint and report.ok:
            summary += f"; {len(warnings)} lint warning{'' if len(warnings) == 1 else 's'}"
        elif with_lint:
            summary += "; lint skipped until the banks are valid"
        click.echo(summary)
    sys.exit(0 if report.ok else 1)


@cli.command()
@db_option()
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535))
@click.option("--host", default="localhost", show_default=True, help="Address to listen on.")
def serve(db_path: Database, port: int, host: str) -> None:
    """Start the app (the database is created on first start).

    A $QUIZ_FRAME_ANCESTORS that is not a list of frame sources, a $QUIZ_PUBLIC_URL that
    is not an http(s) address, or a database that is damaged, not a quiz database,
    read-only or in a folder that cannot be written, is refused, with the reason, before
    anything starts.
    """
    from quiz_app.addresses import PublicUrlError, public_url
    from quiz_app.framing import FrameAncestorsError, frame_ancestors
    from quiz_app.store import open_store

    try:
        frame_ancestors()
        public_url()
    except (FrameAncestorsError, PublicUrlError) as exc:
        raise click.ClickException(f"not started: {exc}") from exc
    try:
        store = open_store(db_path.target)
        try:
            store.check()
        finally:
            store.close(wait=True)  # Streamlit opens its own connections
    except StoreError as exc:
        raise click.ClickException("not started: " + store_problem(db_path, exc)) from exc
    env = server_environment(db_path)
    click.echo(f"Serving on http://{host}:{port} with database {db_path.shown_resolved()}")
    os.execve(sys.executable, streamlit_command(SERVER_SCRIPT, port, host), env)


# glibc's malloc, told to hand every block of 1 MiB or more straight back to the system
# when it is freed. Each sign-in's scrypt (quiz_app/auth.py) takes 16 MiB for a moment;
# by default glibc raises its threshold for that after the first one, and from then on
# keeps those 16 MiB in the arena of each thread that signed someone in: 5 learners
# signing in at once left a served process 85 MB larger for good (17 MB per session,
# against 0.6 MB with this; tests/test_server_memory.py shows it with four sign-ins).
# Set in the environment, the value is the administrator's to change; other C libraries
# ignore it.
MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": str(1024 * 1024)}


def server_environment(db_path: Database) -> dict[str, str]:
    """The environment `serve` starts Streamlit in: this one, with the database's path
    and the MALLOC_ENV settings it does not already have."""
    return {**MALLOC_ENV, **os.environ, DB_ENV: str(db_path.resolved())}


def streamlit_command(script: Path, port: int, host: str) -> list[str]:
    """The `streamlit run` command line `serve` executes for `script` (benchmarks serve
    their baseline app with it too, so both run with the same options)."""
    return [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.port", str(port),
        "--server.address", host,
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--client.toolbarMode", "viewer",
        "--runner.magicEnabled", "false",
    ]  # fmt: skip


@cli.command("add-instructor")
@click.argument("username")
@db_option()
@click.option("--name", "display_name", help="Name shown in the app (default: the username).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--yes", is_flag=True, help="Create the database if it does not exist, unasked.")
@domain_errors
def add_instructor(
    username: str, db_path: Database, display_name: str | None, password_stdin: bool, yes: bool
) -> None:
    """Create an instructor account (asks for the password unless --password-stdin).

    When the database does not exist, asks before creating it (--yes creates it unasked).
    """
    from quiz_app.accounts import INSTRUCTOR, Accounts
    from quiz_app.store import check_database_file

    where = printable(db_path.shown_resolved())
    if db_path.path is not None:
        check_database_file(db_path.path)
    if not db_path.exists() and not yes:
        if password_stdin or not _interactive():
            raise click.ClickException(
                f"{where} does not exist; give the --db of the app's database, or add --yes"
                " to create a new one there"
            )
        click.confirm(f"{where} does not exist. Create a new database there?", abort=True)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = Accounts(opened(db_path)).sign_up(
        username, display_name or username, password, INSTRUCTOR
    )
    click.echo(f"Instructor {user.username} created in {where}.")


def _base_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--base-url checked as $QUIZ_PUBLIC_URL is (an http or https address)."""
    from quiz_app.addresses import PUBLIC_URL_ENV, PublicUrlError, public_url

    if value is None:
        return None
    try:
        return public_url({PUBLIC_URL_ENV: value})
    except PublicUrlError:
        raise click.BadParameter(
            f"{value!r} is not an http(s) address such as https://ce.example.edu/quiz"
        ) from None


@cli.command("reset-password")
@click.argument("username")
@db_option()
@click.option(
    "--base-url",
    callback=_base_url,
    help="The app's address the link starts with (default: $QUIZ_PUBLIC_URL, else "
    "http://localhost:8501).",
)
@domain_errors
def reset_password(username: str, db_path: Database, base_url: str | None) -> None:
    """Print a one-time password-reset link for USERNAME, valid for one hour.

    Pass the link on to its owner: opened in any browser, it sets a new password, signs
    the account out everywhere and lifts a sign-in lock. A newer link replaces it.
    """
    from quiz_app.addresses import app_address
    from quiz_app.resets import PasswordResets

    if not db_path.exists():
        raise click.ClickException(f"{printable(str(db_path))} does not exist")
    base = base_url or app_address()
    link = PasswordResets(opened(db_path)).issue_for_username(username)
    expires = load_course().local_time.moment_text(link.expires_at)
    click.echo(link.address(base))
    click.echo(f"For {link.user.username}; it works once, until {expires}.")


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
@click.option(
    "--cohorts",
    default=1,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Cohorts to spread the learners over, each with its own instructor.",
)
@domain_errors
def demo_data(db_path: Database, learners: int, attempts: int, seed: int, cohorts: int) -> None:
    """Fill a database with realistic synthetic cohorts and their instructors.

    Rows are stored as they are made, in one transaction: an interrupted run stores
    nothing, and the command can simply be run again.
    """
    from quiz_app.demo import generate, summary_lines
    from quiz_app.store import open_store

    started = time.perf_counter()
    store = open_store(db_path.target)
    summary = generate(store, load_course(), learners, attempts, seed, cohorts=cohorts)
    store.close(wait=True)  # the last connection to close folds the write-ahead log in
    for line in summary_lines(summary):
        click.echo(line)
    click.echo(f"Written to {db_path} in {time.perf_counter() - started:.1f} s.")


@cli.command()
@db_option(required=True)
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@domain_errors
def backup(db_path: Database, dest: Path) -> None:
    """Copy the database to DEST consistently, even while the app is writing.

    The database is checked first (a damaged one is refused); the copy is written under a
    temporary name, checked, and named DEST only when complete.
    """

    if db_path.url is not None:
        raise click.ClickException(
            "backup copies an SQLite file; back a PostgreSQL database up with its own tools"
            " (pg_dump, or the server's continuous archiving)"
        )
    if not db_path.exists():
        raise click.ClickException(f"{printable(str(db_path))} does not exist")
    if dest.exists():
        raise click.ClickException(f"{printable(str(dest))} exists; choose a new file name")
    started = time.perf_counter()
    dest.parent.mkdir(parents=True, exist_ok=True)
    opened(db_path, read_only=True).backup(dest)
    size = dest.stat().st_size
    click.echo(
        f"Backed up {db_path} to {dest} ({size:,} bytes, {time.perf_counter() - started:.1f} s)."
    )


@cli.command()
@db_option(required=True)
@click.option("--cohort", "code", required=True, help="The cohort's (current) join code.")
@click.option("--items", "kind", flag_value="items", help="Item analysis instead of the gradebook.")
@click.option(
    "--responses", "kind", flag_value="responses", help="One row per attempt and question."
)
@click.option(
    "--quiz",
    "quiz_id",
    help="Quiz id (default: the post-test; for --responses, every quiz).",
)
@click.option(
    "--attempts",
    "which",
    type=click.Choice(ATTEMPT_CHOICES),
    default="first",
    show_default=True,
    help="Which attempts per learner the item analysis counts.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option(
    "--excel",
    is_flag=True,
    help="Start the CSV with a UTF-8 byte-order mark, so Excel shows accented names right.",
)
@domain_errors
def report(
    db_path: Database,
    code: str,
    kind: str | None,
    quiz_id: str | None,
    which: str,
    fmt: str,
    excel: bool,
) -> None:
    """Print a cohort's gradebook, item analysis (--items) or responses (--responses).

    Rows are printed as they are read, so a report of any size takes the same memory.
    CSV cells that a spreadsheet would read as a formula are neutralised. The database is
    only read (never upgraded, locked or changed): attempts whose time ran out and that the
    app has not yet submitted count as in progress, and a note on stderr says how many.
    """
    from quiz_app.exports import csv_chunks, json_chunks, to_json

    if excel and fmt != "csv":
        raise click.UsageError("--excel is for CSV; JSON has no byte-order mark.")
    from quiz_app.reports import (
        GRADEBOOK_COLUMNS,
        ITEM_COLUMNS,
        Filters,
        Reports,
    )

    course = load_course()
    reports = Reports(open_read_only(db_path), course)
    cohort = reports.cohort_by_code(code)
    post_test = course.post_test.id if course.post_test else None
    if quiz_id is not None:
        try:
            course.quiz(quiz_id)
        except KeyError:
            known = ", ".join(q.id for q in course.quizzes)
            raise click.ClickException(f'no quiz "{quiz_id}"; the quizzes are {known}') from None
    _note_timed_out(reports)
    chunks: Iterable[str]
    if kind == "items":
        result = reports.item_analysis(cohort, quiz_id or post_test, which)
        rows = [r.as_export() for r in result.items]
        if fmt == "json":
            click.echo(to_json({"items": rows, "test": result.test_export()}))
            return
        chunks = csv_chunks(rows, ITEM_COLUMNS, bom=excel)
    elif kind == "responses":
        if fmt == "json":
            chunks = json_chunks(reports.responses(cohort, Filters(quiz_id)))
        else:
            chunks = reports.response_csv(cohort, Filters(quiz_id), bom=excel)
    else:
        gradebook = reports.gradebook(cohort, Filters(quiz_id or post_test))
        if fmt == "json":
            chunks = json_chunks(gradebook)
        else:
            chunks = csv_chunks(gradebook, GRADEBOOK_COLUMNS, bom=excel)
    for chunk in chunks:
        click.echo(chunk, nl=False)


@cli.command("audit-export")
@db_option(required=True)
@click.option("--cohort", "code", required=True, help="The cohort's (current) join code.")
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="ZIP to write."
)
@domain_errors
def audit_export(db_path: Database, code: str, out: Path) -> None:
    """Write a cohort's audit pack: a ZIP of its gradebook, every attempt with its answers
    as the learner saw the questions, the certificates issued, the item analysis, the
    course definition and the question versions shown, and a manifest with each file's
    SHA-256, size and row count.

    The pack is written under a temporary name, checked against its manifest, and only
    then named --out (an existing --out is refused). The database is only read.
    """
    from quiz_app.audit import Scope, pack_chunks, write_pack
    from quiz_app.reports import Reports

    _check_new_file(out)
    reports = Reports(open_read_only(db_path), load_course())
    cohort = reports.cohort_by_code(code)
    _note_timed_out(reports)
    manifest = write_pack(out, pack_chunks(reports, [Scope(cohort)]))
    click.echo(
        f"Wrote {printable(str(out))}: {formatting.plural(len(manifest['files']), 'file')}"
        f" and a manifest for cohort {cohort['join_code']}."
    )


@cli.command()
@db_option(required=True)
@click.option(
    "--before",
    "day",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Delete the records older than this day (YYYY-MM-DD, the course's time zone).",
)
@click.option(
    "--pack",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The audit pack of what is deleted (default: audit-pack-before-DAY.zip here).",
)
@click.option("--yes", is_flag=True, help="Delete without asking.")
@domain_errors
def prune(db_path: Database, day: Any, pack: Path | None, yes: bool) -> None:
    """Delete attempts older than --before with their records (answers, flags,
    certificates and their reissues, review logs, course evaluations, problem reports),
    after writing and checking their audit pack.

    Refuses a day younger than the course's retention period allows
    (course.records_retention_years in quizzes.yaml, 7 years unless set). Learner
    accounts, cohorts and memberships stay, and so do spaced-review cards. Asks for a
    typed "yes" first, unless --yes. All of it is deleted in one transaction, or none.
    """
    from quiz_app.audit import plan_prune
    from quiz_app.audit import prune as prune_records
    from quiz_app.reports import Reports

    before = day.date()
    if not db_path.exists():
        raise click.ClickException(f"{printable(str(db_path))} does not exist")
    reports = Reports(opened(db_path), load_course())
    plan = plan_prune(reports, before)
    if plan.empty:
        click.echo(f"Nothing is older than {before.isoformat()}; nothing deleted.")
        return
    pack = pack or Path(f"audit-pack-before-{before.isoformat()}.zip")
    _check_new_file(pack)
    counts = plan.counts
    click.echo(
        f"Older than {before.isoformat()}: {formatting.plural(counts['attempts'], 'attempt')}"
        f" with {_record_counts(counts)}, in {formatting.plural(len(plan.scopes), 'cohort')}."
    )
    if not yes:
        if not _interactive():
            raise click.ClickException("nothing deleted: add --yes to delete without asking")
        answer = click.prompt('Type "yes" to write the pack and delete them', default="")
        if answer.strip() != "yes":
            click.echo("Nothing deleted.")
            sys.exit(1)
    manifest, deleted = prune_records(reports, plan, pack)
    files = formatting.plural(len(manifest["files"]), "file")
    click.echo(f"Wrote {printable(str(pack))} ({files} and a manifest, checked).")
    click.echo(
        f"Deleted {formatting.plural(deleted['attempts'], 'attempt')} with"
        f" {_record_counts(deleted)}. Spaced-review cards stay"
        f" ({deleted['cards']} no longer name their last attempt)."
    )


def _record_counts(counts: dict[str, int] | Any) -> str:
    """The records of the attempts, in words: answers, certificates, flags and review
    logs always; the compliance records (evaluations and drafts, problem reports,
    reissues) when there are any."""
    always = (("responses", "answer"), ("certificates", "certificate"), ("flags", "flag"),
              ("review_logs", "review log"))  # fmt: skip
    when_any = (("evaluations", "course evaluation"), ("evaluation_drafts", "evaluation draft"),
                ("question_reports", "problem report"),
                ("certificate_reissues", "certificate reissue"))  # fmt: skip
    return ", ".join(
        [formatting.plural(counts[table], noun) for table, noun in always]
        + [formatting.plural(counts[t], noun) for t, noun in when_any if counts.get(t)]
    )


def _check_new_file(path: Path) -> None:
    """Refuse an output file that exists or whose folder does not."""
    if path.exists():
        raise click.ClickException(f"{printable(str(path))} exists; choose a new file name")
    if not path.parent.is_dir():
        raise click.ClickException(f"{printable(str(path.parent))}: no such folder")


def _note_timed_out(reports: Any) -> None:
    """Say on stderr how many attempts a read-only command counts as still in progress."""
    waiting = reports.attempts.timed_out()
    if waiting:
        click.echo(
            f"Note: out of time but not yet submitted: {formatting.plural(waiting, 'attempt')};"
            " this report counts such attempts as in progress until the app next runs on this"
            " database.",
            err=True,
        )


@cli.command("verify-certificate")
@click.argument("code")
@db_option()
@domain_errors
def verify_certificate(code: str, db_path: Database) -> None:
    """Check a certificate code: exit 0 and its details when found, 1 when not.

    Reads the database only; needs no question banks (a certificate keeps what it says)."""
    from quiz_app.certificates import verify

    found = verify(open_read_only(db_path), code)
    if found is None:
        click.echo(f"{printable(code)}: not found")
        sys.exit(1)
    click.echo(f"{found.code}: {'valid' if found.is_current else 'superseded'}")
    click.echo(f"Name:      {found.learner_name}")
    click.echo(f"Course:    {found.course_title}")
    click.echo(f"Completed: {found.completed_on}")
    click.echo(f"Score:     {formatting.percent(found.score_pct)} (pass mark {found.pass_mark:g}%)")
    click.echo(f"CE hours:  {found.hours_text}, {found.ceus:.2f} CEUs")
    click.echo(f"Provider:  {found.provider}")
    for label, value in [("Licence", found.licence_text), *found.course_numbers,
                         ("Delivery", found.delivery_text)]:  # fmt: skip
        if value:
            click.echo(f"{label + ':':<10} {value}")
    if found.attestation is not None:
        click.echo(f"Attested:  {found.attested_on() or 'no (submitted by its deadline)'}")
    if not found.is_current:
        click.echo(f"Superseded by {found.superseded_by} on {found.superseded_on()}")


@cli.command()
@db_option(required=True)
@click.option("--attempt", "attempt_id", required=True, type=ROW_ID, help="The attempt's id.")
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="PDF to write."
)
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
@domain_errors
def certificate(db_path: Database, attempt_id: int, out: Path, force: bool) -> None:
    """Write the certificate of a passed post-test attempt as PDF (issuing it if need be).

    An existing --out is refused unless --force; the PDF is written whole or not at all.
    """
    from quiz_app.addresses import app_address
    from quiz_app.certificate_pdf import render
    from quiz_app.certificates import Certificates
    from quiz_app.files import write_new

    if not db_path.exists():
        raise click.ClickException(f"{printable(str(db_path))} does not exist")
    if out.exists() and not out.is_file():
        raise click.ClickException(f"{printable(str(out))} is not a regular file")
    if out.exists() and not force:
        raise click.ClickException(
            f"{printable(str(out))} exists; choose a new file name, or add --force to replace it"
        )
    if not out.parent.is_dir():
        raise click.ClickException(f"{printable(str(out.parent))}: no such folder")
    found = Certificates(opened(db_path), load_course()).issue(attempt_id)
    write_new(out, render(found, app_address()), replace=force)
    click.echo(f"Wrote {printable(str(out))}: certificate {found.code} for {found.learner_name}.")


def _interactive() -> bool:
    """Whether a person at a terminal can answer a question on standard input."""
    return sys.stdin.isatty()


def opened(db_path: Database, read_only: bool = False) -> Store | PostgresStore:
    """The Store of `db_path` for this command, closed when the command ends (a
    PostgreSQL store holds a pool of connections to the server)."""
    from quiz_app.store import open_store

    store = open_store(db_path.target, read_only=read_only)
    click.get_current_context().call_on_close(store.close)
    return store


def open_read_only(db_path: Database) -> Store | PostgresStore:
    """The database at `db_path` for a command that only reads it: never created, upgraded
    or written (raises StoreError, which names the reason)."""

    if not db_path.exists():
        raise click.ClickException(f"{printable(str(db_path))} does not exist")
    store = opened(db_path, read_only=True)
    store.check_current()
    return store


def main() -> None:
    """The `quiz-app` command. An error nobody expected prints one line and exits with
    EX_SOFTWARE; with QUIZ_DEBUG=1 it shows its traceback instead."""
    try:
        cli()
    except Exception as exc:
        if os.environ.get(DEBUG_ENV) == "1":
            raise
        command = next((arg for arg in sys.argv[1:] if arg in cli.commands), None)
        failed = " ".join(["quiz-app", command] if command else ["quiz-app"])
        reason = " ".join(f"{type(exc).__name__}: {exc}".split())
        click.echo(
            f"Error: {failed} failed unexpectedly ({reason}). Set {DEBUG_ENV}=1 to see the "
            "traceback.",
            err=True,
        )
        sys.exit(EX_SOFTWARE)
