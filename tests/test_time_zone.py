"""Dates in the course's time zone (issue 10, scenario 25).

Times are stored in UTC; every date the app shows, filters or groups by is a day of the
course's zone (`course.time_zone` in quizzes.yaml), and a certificate keeps the zone it
was issued in. The learner here is in Sydney (UTC+11 in November): finishing at 08:00
on 22 November is 21:00 UTC on the 21st.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from click.testing import CliRunner

from quiz_app.cli import cli
from quiz_app.clock import LocalTime
from quiz_app.course import Course, load_course

SYDNEY = "Australia/Sydney"


def set_time_zone(course: Course, name: str) -> Course:
    """The course after setting `course.time_zone` in its quizzes.yaml, loaded afresh."""
    path = course.folder / "quizzes.yaml"
    text = re.sub(r"(?m)^  time_zone: .*\n", "", path.read_text(encoding="utf-8"))
    provider = "  provider: Demo provider\n"
    assert provider in text
    path.write_text(text.replace(provider, f"{provider}  time_zone: {name}\n"), encoding="utf-8")
    return load_course(course.folder)


def test_a_local_day_is_23_or_25_hours_when_daylight_saving_changes() -> None:
    sydney = LocalTime(SYDNEY)
    assert sydney.day_bounds(date(2026, 11, 22)) == (
        "2026-11-21T13:00:00+00:00", "2026-11-22T13:00:00+00:00")  # fmt: skip
    assert sydney.day_bounds(date(2026, 4, 5)) == (  # clocks go back: 25 hours
        "2026-04-04T13:00:00+00:00", "2026-04-05T14:00:00+00:00")  # fmt: skip
    assert sydney.day_bounds(date(2026, 10, 4)) == (  # clocks go forward: 23 hours
        "2026-10-03T14:00:00+00:00", "2026-10-04T13:00:00+00:00")  # fmt: skip
    assert sydney.moment_text("2026-11-21T21:00:00.25+00:00") == "22 Nov 2026, 08:00"


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
