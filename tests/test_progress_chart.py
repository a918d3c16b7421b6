"""The learner's scores-over-time chart (issue 13, small things): dated ticks however
many days it spans, no point on an edge, and a labelled pass-mark line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from quiz_app import charts
from quiz_app.accounts import User
from quiz_app.attempts import Attempts
from quiz_app.clock import ManualClock
from quiz_app.course import Course
from quiz_app.store import Store
from quiz_app.testing import open_app

AT = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


def day(d: datetime) -> dict[str, object]:
    return {"year": d.year, "month": d.month, "date": d.day, "utc": True}


def test_one_attempt_sits_inside_whole_days() -> None:
    axis = charts.time_axis(AT, AT)  # 21 Nov, 09:30: from 20 Nov to 22 Nov, three ticks
    assert axis["scale"]["domain"] == [day(AT - timedelta(days=1)), day(AT + timedelta(days=1))]
    assert axis["axis"]["tickCount"] == {"interval": "day", "step": 1}


@pytest.mark.parametrize("days", [1, 6, 20, 90, 400], ids=str)
def test_ticks_stay_few_and_points_off_the_edges(days: int) -> None:
    last = AT + timedelta(days=days)
    axis = charts.time_axis(AT, last)
    start, end = (datetime(d["year"], d["month"], d["date"], tzinfo=UTC)
                  for d in axis["scale"]["domain"])  # fmt: skip
    assert start <= AT - timedelta(hours=9) and end >= last + timedelta(hours=12)
    ticks = (end - start).days // axis["axis"]["tickCount"]["step"] + 1
    assert 2 <= ticks <= charts.MAX_TIME_TICKS


def test_the_pass_mark_line_is_labelled() -> None:
    spec = charts.scores_spec(AT, AT, 80)
    marks = [layer["mark"] for layer in spec["layer"]]
    (rule,) = [m for m in marks if m["type"] == "rule"]
    assert rule["strokeDash"] == [4, 4] and rule["color"] == charts.PASS_MARK_COLOR
    assert rule["description"] == "Pass mark 80%"  # for assistive technology (axe)
    assert [m["text"] for m in marks if m["type"] == "text"] == ["pass mark 80%"]
    assert len(charts.scores_spec(AT, AT, None)["layer"]) == 1


@pytest.fixture
def service(env: None, db_path: Path, tiny_course: Course, clock: ManualClock) -> Attempts:
    return Attempts(Store(db_path), tiny_course, clock)


@pytest.mark.usefixtures("env")
def test_the_progress_page_draws_it(
    learner: User, service: Attempts, tiny_course: Course, clock: ManualClock
) -> None:
    first = service.start(learner.id, tiny_course.practice_quiz(["demo"], 5))
    service.submit(first)
    clock.advance(days=9)
    service.submit(service.start(learner.id, tiny_course.post_test))
    at = open_app(learner, "views/progress.py")
    assert not at.exception
    (chart,) = at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    x = spec["layer"][0]["encoding"]["x"]
    assert x["scale"]["domain"][0] == day(clock.now() - timedelta(days=10))
    texts = [layer["mark"].get("text") for layer in spec["layer"]]
    assert f"pass mark {tiny_course.post_test.pass_mark:g}%" in texts
