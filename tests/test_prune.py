"""Retention (`course.records_retention_years`) and `quiz-app prune`: too-recent days are
refused, the pack of what goes is written and checked first, only older records go, and
the database stays consistent."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz_app import audit, cli
from quiz_app.audit import PackInvalid, plan_prune, prune
from quiz_app.clock import ManualClock
from quiz_app.course import load_course
from quiz_app.reports import Reports
from quiz_app.retention import TooRecent, check_prune_day, latest_prune_day
from quiz_app.store import Store
from tests.conftest import add_compliance_records

OLD = datetime(2018, 11, 21, 9, 0, tzinfo=UTC)  # the cohort world's first day
NEW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # a day before the tests' "now", 2026-11-21
BEFORE = date(2019, 1, 1)
RECORD_TABLES = ("attempts", "responses", "certificates", "flags", "review_logs", "cards",
                 "evaluations", "question_reports", "certificate_reissues")  # fmt: skip


@pytest.fixture
def clock() -> ManualClock:
    """The cohort world made in 2018, old enough to prune on the command line."""
    return ManualClock(OLD)


@pytest.fixture
def world(cohort_world, store: Store, tiny_course, clock: ManualClock):
    """The cohort world of 2018 (Dia's post-test left open with a question flagged, and
    timed out), then in 2026 Cyd's passed post-test and Ana's practice: records to keep."""
    attempts = cohort_world["attempts"]
    people = cohort_world["people"]
    (open_row,) = store.open_attempts(people["dia"].id)
    dia = attempts.load(open_row["id"])
    attempts.flag(dia, dia.slots[0].question_id, True)
    add_compliance_records(cohort_world, store, tiny_course, clock)  # all of 2018
    clock.set(NEW)
    from quiz_app.scoring import correct_answer

    for user, quiz in ((people["cyd"], tiny_course.post_test),
                       (people["ana"], tiny_course.quiz("practice-demo"))):  # fmt: skip
        attempt = attempts.start(user.id, quiz, cohort_id=cohort_world["cohort"]["id"])
        for slot in attempt.slots:
            attempts.answer(
                attempt, slot.question_id, correct_answer(tiny_course.question(slot.question_id))
            )
        attempts.submit(attempt)
    clock.set(datetime(2026, 11, 21, 9, 0, tzinfo=UTC))
    attempts.finalize_expired()  # Dia's, as any reader would (so counts hold still)
    return cohort_world


def counts(store: Store) -> dict[str, int]:
    return {t: store.first(f"SELECT count(*) AS n FROM {t}")["n"] for t in RECORD_TABLES}


@pytest.mark.parametrize(
    ("today", "years", "latest"),
    [
        (date(2026, 11, 21), 7, date(2019, 11, 21)),
        (date(2028, 2, 29), 4, date(2024, 2, 29)),
        (date(2028, 2, 29), 7, date(2021, 2, 28)),
    ],
    ids=["plain", "leap-to-leap", "leap-day-to-common-year"],
)
@pytest.mark.both_backends
def test_the_latest_day_a_prune_may_name(today: date, years: int, latest: date) -> None:
    assert latest_prune_day(today, years) == latest
    check_prune_day(latest, today, years)
    with pytest.raises(TooRecent, match=f"the latest day allowed is {latest.isoformat()}"):
        check_prune_day(date.fromordinal(latest.toordinal() + 1), today, years)


@pytest.mark.both_backends
def test_the_course_sets_the_retention_years(tiny_course) -> None:
    path = tiny_course.folder / "quizzes.yaml"
    text = path.read_text()
    provider = "  provider: Demo provider\n"
    assert tiny_course.info.records_retention_years == 7
    path.write_text(text.replace(provider, provider + "  records_retention_years: 4\n"))
    assert load_course(tiny_course.folder).info.records_retention_years == 4
    path.write_text(text.replace(provider, provider + "  records_retention_years: 0\n"))
    result = CliRunner().invoke(cli.cli, ["validate", str(tiny_course.folder)])
    assert result.exit_code == 1
    (line,) = [line for line in result.output.splitlines() if "records_retention_years" in line]
    assert line.startswith(f"{path}:4: course.records_retention_years:")


@pytest.mark.both_backends
def test_a_day_within_the_retention_period_is_refused(world, store, tiny_course, clock) -> None:
    before = counts(store)
    with pytest.raises(TooRecent, match=r"keeps records for 7 years.*2019-11-21"):
        plan_prune(Reports(store, tiny_course, clock), date(2019, 11, 22))
    assert counts(store) == before


@pytest.mark.both_backends
def test_prune_packs_then_deletes_only_the_older_records(
    world, store: Store, tiny_course, clock, tmp_path: Path
) -> None:
    reports = Reports(store, tiny_course, clock)
    old_ids = {r["id"] for r in store.query("SELECT id FROM attempts WHERE started_at < '2019'")}
    new_ids = {r["id"] for r in store.query("SELECT id FROM attempts WHERE started_at > '2019'")}
    kept_answers = store.query(
        "SELECT r.* FROM responses r JOIN attempts a ON a.id = r.attempt_id"
        " WHERE a.started_at > '2019' ORDER BY 1, 2"
    )
    plan = plan_prune(reports, BEFORE)
    before = counts(store)
    assert plan.counts["attempts"] == len(old_ids) == 6 and plan.counts["flags"] == 1
    manifest, deleted = prune(reports, plan, tmp_path / "pruned.zip")

    assert {k: deleted[k] for k in plan.counts} == dict(plan.counts)
    assert {r["id"] for r in store.query("SELECT id FROM attempts")} == new_ids
    slots = store.query("SELECT DISTINCT attempt_id FROM attempt_slots")
    assert {r["attempt_id"] for r in slots} == new_ids  # m020: their slots went with them
    assert store.query("SELECT * FROM responses ORDER BY 1, 2") == kept_answers
    after = counts(store)
    assert after["certificates"] == 1  # Cyd's, of 2026
    assert (after["flags"], after["review_logs"]) == (
        0,
        before["review_logs"] - deleted["review_logs"],
    )
    assert after["cards"] == before["cards"]  # a learner's cards stay, and forget the attempt
    assert not store.query(
        "SELECT * FROM cards WHERE last_attempt_id IS NOT NULL"
        " AND last_attempt_id NOT IN (SELECT id FROM attempts)"
    )
    assert store.consistency_problems() == []
    assert (after["evaluations"], after["question_reports"], after["certificate_reissues"]) == (
        0, 0, 0,
    )  # fmt: skip
    assert (deleted["evaluations"], deleted["question_reports"]) == (1, 1)
    assert deleted["certificate_reissues"] == 1

    packed = zipfile.ZipFile(tmp_path / "pruned.zip")
    folder_files = {n.removeprefix(world["cohort"]["join_code"] + "/") for n in packed.namelist()}
    assert {"evaluations.csv", "problem_reports.csv", "certificate_reissues.csv",
            "attestations.csv"} <= folder_files  # fmt: skip
    assert "accommodations.csv" not in folder_files  # not an attempt's record: kept
    folder = world["cohort"]["join_code"] + "/"
    assert manifest["records_before"] == "2019-01-01"
    assert [c["folder"] for c in manifest["cohorts"]] == [folder]
    rows = list(csv.DictReader(io.StringIO(packed.read(folder + "attempts.csv").decode())))
    assert {int(r["attempt_id"]) for r in rows} == old_ids
    certificates = packed.read(folder + "certificates.csv").decode()
    assert certificates.count("\n") == 1 + before["certificates"] - after["certificates"]


@pytest.mark.both_backends
def test_nothing_is_deleted_when_the_pack_cannot_be_written_or_checked(
    world, store: Store, tiny_course, clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = Reports(store, tiny_course, clock)
    plan = plan_prune(reports, BEFORE)
    before = counts(store)
    taken = tmp_path / "taken.zip"
    taken.write_bytes(b"someone else's")
    with pytest.raises(FileExistsError):
        prune(reports, plan, taken)

    def bad(path: Path) -> None:
        raise PackInvalid(f"{path}: attempts.csv does not match its manifest")

    monkeypatch.setattr(audit, "verify_pack", bad)
    with pytest.raises(PackInvalid):
        prune(reports, plan, tmp_path / "new.zip")
    assert counts(store) == before
    assert taken.read_bytes() == b"someone else's" and not (tmp_path / "new.zip").exists()


def run(db_path: Path, *args: str, stdin: str | None = None):
    return CliRunner().invoke(cli.cli, ["prune", "--db", str(db_path), *args], input=stdin)


@pytest.fixture
def on_disk(world, tiny_course, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """The world, for the command line (real time: December 2026 or later)."""
    from quiz_app.course import BANKS_ENV

    monkeypatch.setenv(BANKS_ENV, str(tiny_course.folder))
    monkeypatch.chdir(tmp_path)
    return world


def test_the_command_refuses_a_recent_day(on_disk, db_path: Path, store: Store) -> None:
    before = counts(store)
    result = run(db_path, "--before", "2026-01-01", "--yes")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "is too recent: the course keeps records for 7 years" in result.output
    assert counts(store) == before


def test_the_command_asks_for_a_typed_yes(
    on_disk, db_path: Path, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = counts(store)
    result = run(db_path, "--before", "2019-01-01")
    assert result.exit_code == 1 and "add --yes" in result.output  # no terminal to ask
    monkeypatch.setattr(cli, "_interactive", lambda: True)
    result = run(db_path, "--before", "2019-01-01", stdin="y\n")
    assert result.exit_code == 1 and "Nothing deleted." in result.output
    assert counts(store) == before and not list(tmp_path.glob("*.zip"))
    result = run(db_path, "--before", "2019-01-01", stdin="yes\n")
    assert result.exit_code == 0, result.output
    assert "Older than 2019-01-01: 6 attempts with" in result.output
    assert "1 course evaluation, 1 problem report, 1 certificate reissue, in 1 cohort" in (
        result.output
    )
    written = audit.verify_pack(tmp_path / "audit-pack-before-2019-01-01.zip")["files"]
    files = f"{len(written)} files and a manifest, checked"  # no accommodations: not pruned
    assert len(written) == len(audit.PARTS) - 1
    assert f"Wrote audit-pack-before-2019-01-01.zip ({files})." in result.output
    assert "Deleted 6 attempts with" in result.output
    assert counts(store)["attempts"] == 2
    again = run(db_path, "--before", "2019-01-01", "--yes")
    assert again.exit_code == 0 and "nothing deleted" in again.output


def test_the_command_refuses_a_pack_that_exists(on_disk, db_path: Path, store, tmp_path) -> None:
    (tmp_path / "mine.zip").write_bytes(b"keep")
    before = counts(store)
    result = run(db_path, "--before", "2019-01-01", "--pack", "mine.zip", "--yes")
    assert result.exit_code == 1 and "mine.zip exists; choose a new file name" in result.output
    assert counts(store) == before
