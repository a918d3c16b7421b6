"""Dates in the course's time zone (issue 10, scenario 25).

Times are stored in UTC; every date the app shows, filters or groups by is a day of the
course's zone (`course.time_zone` in quizzes.yaml), and a certificate keeps the zone it
was issued in. The learner here is in Sydney (UTC+11 in November): finishing at 08:00
on 22 November is 21:00 UTC on the 21st.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from sqlite_utils import Database

from quiz_app.accounts import INSTRUCTOR, Accounts
from quiz_app.attempts import Attempts
from quiz_app.certificate_pdf import render
from quiz_app.certificates import Certificates
from quiz_app.cli import cli
from quiz_app.clock import LocalTime, ManualClock
from quiz_app.course import BANKS_ENV, Course, load_course
from quiz_app.migrations import migrations
from quiz_app.records import Attempt
from quiz_app.reports import Filters, Reports
from quiz_app.scoring import correct_answer
from quiz_app.store import Store
from quiz_app.testing import open_app, texts

SYDNEY = "Australia/Sydney"
STARTED = datetime(2026, 11, 21, 20, 50, tzinfo=UTC)  # 07:50 on 22 November in Sydney
FINISHED = datetime(2026, 11, 21, 21, 0, tzinfo=UTC)  # 08:00 on 22 November in Sydney
LATE = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # 10:30 on 23 November in Sydney


def set_time_zone(course: Course, name: str) -> Course:
    """The course after setting `course.time_zone` in its quizzes.yaml, loaded afresh."""
    path = course.folder / "quizzes.yaml"
    text = re.sub(r"(?m)^  time_zone: .*\n", "", path.read_text(encoding="utf-8"))
    provider = "  provider: Demo provider\n"
    assert provider in text
    path.write_text(text.replace(provider, f"{provider}  time_zone: {name}\n"), encoding="utf-8")
    return load_course(course.folder)


def sit_post_test(store: Store, course: Course, clock: ManualClock, user_id: int, cohort_id: int,
                  start: datetime, finish: datetime) -> Attempt:  # fmt: skip
    """Start the post-test at `start`, answer every question right, submit at `finish`."""
    service = Attempts(store, course, clock)
    clock.set(start)
    attempt = service.start(user_id, course.post_test, cohort_id=cohort_id)
    for slot in attempt.slots:
        service.answer(attempt, slot.question_id,
                       correct_answer(course.question(slot.question_id)))  # fmt: skip
    clock.set(finish)
    return service.submit(attempt)


@pytest.fixture
def sydney(tiny_course: Course) -> Course:
    """The tiny course, in Sydney (the app under `env` serves this same folder)."""
    return set_time_zone(tiny_course, SYDNEY)


@pytest.fixture
def world(store: Store, clock: ManualClock):
    """An instructor's cohort; Sam joined at 07:00 on 22 November, Sydney time."""
    accounts = Accounts(store, clock)
    clock.set(datetime(2026, 11, 21, 20, 0, tzinfo=UTC))
    teacher = accounts.sign_up("teacher", "Teacher", "teacher-pass", INSTRUCTOR)
    cohort = accounts.create_cohort(teacher, "Sydney cohort")
    sam = accounts.sign_up("sam", "Sam", "password123")
    accounts.join(sam, cohort["join_code"])
    return {"teacher": teacher, "cohort": cohort, "sam": sam, "accounts": accounts}


def sam_passes(store, course, clock, world) -> Attempt:
    """Sam passes the post-test, finishing at 08:00 on 22 November in Sydney."""
    attempt = sit_post_test(store, course, clock, world["sam"].id, world["cohort"]["id"],
                            STARTED, FINISHED)  # fmt: skip
    assert attempt.passed and attempt.submitted_at == "2026-11-21T21:00:00+00:00"
    return attempt


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_sydney_learner_finishing_at_8am_on_22_november_gets_a_certificate_dated_22_november(
    store, sydney, clock, world, db_path, monkeypatch
) -> None:
    attempt = sam_passes(store, sydney, clock, world)
    certificate = Certificates(store, sydney, clock).issue(attempt.id)
    assert (certificate.completed_on, certificate.time_zone) == ("22 November 2026", SYDNEY)
    text = pdf_text(render(certificate))
    assert "22 November 2026" in text and "21 November 2026" not in text
    monkeypatch.setenv(BANKS_ENV, str(sydney.folder))
    shown = CliRunner().invoke(cli, ["verify-certificate", certificate.code, "--db", str(db_path)])
    assert shown.exit_code == 0, shown.output
    assert "Completed: 22 November 2026" in shown.output


def test_verify_page_dates_the_sydney_certificate_22_november(
    store, sydney, clock, world, env
) -> None:
    attempt = sam_passes(store, sydney, clock, world)
    code = Certificates(store, sydney, clock).issue(attempt.id).code
    at = open_app(page="views/verify.py", code=code)
    assert at.success[0].value == "Valid certificate."
    assert "| 22 November 2026 | 100% | 80% | 1.5 (60-minute hours) | 0.15 |" in texts(at)


@pytest.mark.parametrize(
    ("issued_in", "then", "dated"),
    [("UTC", SYDNEY, "21 November 2026"), (SYDNEY, "UTC", "22 November 2026")],
    ids=["utc-then-sydney", "sydney-then-utc"],
)
def test_a_certificate_keeps_its_date_when_the_course_time_zone_changes(
    store, tiny_course, clock, world, db_path, monkeypatch, issued_in, then, dated
) -> None:
    attempt = sam_passes(store, set_time_zone(tiny_course, issued_in), clock, world)
    before = Certificates(store, load_course(tiny_course.folder), clock).issue(attempt.id)
    assert before.completed_on == dated
    moved = set_time_zone(tiny_course, then)
    after = Certificates(store, moved, clock).verify(before.code)
    assert after == before and after.completed_on == dated
    assert dated in pdf_text(render(Certificates(store, moved, clock).issue(attempt.id)))
    monkeypatch.setenv(BANKS_ENV, str(tiny_course.folder))
    shown = CliRunner().invoke(cli, ["verify-certificate", before.code, "--db", str(db_path)])
    assert f"Completed: {dated}" in shown.output


def test_certificates_issued_before_time_zones_are_dated_by_the_utc_day(db_path: Path) -> None:
    old = Database(db_path)
    old.enable_wal()
    migrations.apply(old, stop_before="m008_certificate_time_zone")
    old["users"].insert({"id": 1, "username": "sam", "display_name": "Sam", "role": "learner",
                         "password_hash": "x", "created_at": "t"})  # fmt: skip
    old["attempts"].insert({"id": 1, "user_id": 1, "quiz_id": "post-test", "quiz_title": "PT",
                            "mode": "post_test", "seed": 1, "slots": "[]", "position": 0,
                            "started_at": "t"})  # fmt: skip
    old["certificates"].insert({
        "code": "7KQ2-M9XD-3FTB-Z8WC", "attempt_id": 1, "user_id": 1, "learner_name": "Sam",
        "course_title": "C", "objectives": "[]", "ce_hours": 1.0, "provider": "P",
        "score_pct": 100.0, "pass_mark": 80.0, "completed_at": FINISHED.isoformat(),
        "issued_at": FINISHED.isoformat(),
    })  # fmt: skip
    old.close()
    row = Store(db_path).certificate("7KQ2-M9XD-3FTB-Z8WC")
    assert row is not None and row["time_zone"] == "UTC"


def test_dashboard_filter_for_22_november_counts_the_sydney_day(
    store, sydney, clock, world
) -> None:
    sam_passes(store, sydney, clock, world)  # started 07:50 on the 22nd in Sydney
    ana = world["accounts"].sign_up("ana", "Ana", "password123")
    world["accounts"].join(ana, world["cohort"]["join_code"])
    sit_post_test(store, sydney, clock, ana.id, world["cohort"]["id"], LATE,
                  LATE.replace(minute=45))  # fmt: skip
    reports = Reports(store, sydney, clock)
    day = date(2026, 11, 22)
    board = reports.dashboard(world["cohort"], Filters(None, since=day, until=day))
    assert {r.username: r.attempts for r in board.learners} == {"sam": 1, "ana": 0}
    assert board.activity == (("2026-11-22", 1),)
    (response, *_) = reports.responses(world["cohort"], Filters(None, since=day, until=day))
    assert response["username"] == "sam"


def test_activity_chart_counts_attempts_by_the_course_day(store, sydney, clock, world) -> None:
    sam_passes(store, sydney, clock, world)
    ana = world["accounts"].sign_up("ana", "Ana", "password123")
    world["accounts"].join(ana, world["cohort"]["join_code"])
    sit_post_test(store, sydney, clock, ana.id, world["cohort"]["id"], LATE,
                  LATE.replace(minute=45))  # fmt: skip
    board = Reports(store, sydney, clock).dashboard(world["cohort"], Filters(None))
    assert board.activity == (("2026-11-22", 1), ("2026-11-23", 1))


def test_gradebook_and_responses_give_sydney_times(store, sydney, clock, world) -> None:
    sam_passes(store, sydney, clock, world)
    reports = Reports(store, sydney, clock)
    (row,) = reports.gradebook(world["cohort"], Filters("post-test"))
    assert (row["joined_at"], row["last_activity"]) == ("2026-11-22", "2026-11-22T08:00:00+11:00")
    submitted = {r["submitted_at"] for r in reports.responses(world["cohort"], Filters(None))}
    assert submitted == {"2026-11-22T08:00:00+11:00"}


def test_dashboard_and_history_show_sydney_times(store, sydney, clock, world, env) -> None:
    sam_passes(store, sydney, clock, world)
    board = open_app(world["teacher"], "views/dashboard.py")
    (last,) = board.dataframe[0].value["Last activity"]
    assert last.isoformat() == "2026-11-22T08:00:00+11:00"
    assert "Last activity (Australia/Sydney)" in str(board.dataframe[0].proto)  # labelled
    history = open_app(world["sam"], "views/history.py")
    assert "22 Nov 2026, 07:50 AEDT" in texts(history)
    learners = open_app(world["teacher"], "views/learners.py")
    (label,) = learners.selectbox(key=f"learner-attempt-{world['sam'].id}").options
    assert label.startswith("22 Nov 2026, 07:50 AEDT · ")


def test_a_local_day_is_23_or_25_hours_when_daylight_saving_changes() -> None:
    sydney = LocalTime(SYDNEY)
    assert sydney.day_bounds(date(2026, 11, 22)) == (
        "2026-11-21T13:00:00+00:00", "2026-11-22T13:00:00+00:00")  # fmt: skip
    assert sydney.day_bounds(date(2026, 4, 5)) == (  # clocks go back: 25 hours
        "2026-04-04T13:00:00+00:00", "2026-04-05T14:00:00+00:00")  # fmt: skip
    assert sydney.day_bounds(date(2026, 10, 4)) == (  # clocks go forward: 23 hours
        "2026-10-03T14:00:00+00:00", "2026-10-04T13:00:00+00:00")  # fmt: skip
    assert sydney.moment_text("2026-11-21T21:00:00.25+00:00") == "22 Nov 2026, 08:00 AEDT"


@pytest.mark.parametrize("name", ["Mars/Olympus", "Sydney", "UTC+11"])
def test_an_unknown_time_zone_is_a_file_line_error(tiny_course: Course, name: str) -> None:
    set_time_zone(tiny_course, SYDNEY)
    path = tiny_course.folder / "quizzes.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(SYDNEY, name), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(tiny_course.folder)])
    assert result.exit_code == 1
    (line,) = [line for line in result.output.splitlines() if "time_zone" in line]
    assert line == (
        f'{path}:4: course.time_zone: "{name}" is not a time zone; use an IANA name such as '
        "Australia/Sydney, Europe/London or UTC"
    )
