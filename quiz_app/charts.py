"""Vega-Lite charts: specs as plain dicts, data as Arrow tables (instructor pages) or
frames (the learner's progress).

Streamlit converts a chart's data to Arrow on every run, so the views build these
tables once per report (see `Reports.memo`) and pass them as `data`; the specs
themselves hold no data and cost nothing to rebuild.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyarrow as pa

Spec = dict[str, Any]
BINS = 10
MAX_TIME_TICKS = 7
PASS_MARK_COLOR = "#b91c1c"


def histogram_table(scores: Sequence[float]) -> pa.Table:
    """Learners per 10-point band of score."""
    width = 100 / BINS
    counts = [0] * BINS
    for score in scores:
        counts[min(BINS - 1, int(score // width))] += 1
    return pa.table(
        {
            "from": [i * width for i in range(BINS)],
            "to": [(i + 1) * width for i in range(BINS)],
            "learners": counts,
            "band": [f"{i * width:.0f}–{(i + 1) * width:.0f}%" for i in range(BINS)],
        }
    )


def histogram_spec(pass_mark: float | None, tallest: int) -> Spec:
    """Bars of `histogram_table`, with the pass mark as a dashed, labelled line.

    The count axis reaches a fifth above the `tallest` bar, so no bar touches the top of
    the chart and the pass-mark label sits in that headroom, above the bars."""
    top = max(1, math.ceil(tallest * 1.2), tallest + 1)
    bars: Spec = {
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "from", "type": "quantitative", "bin": {"binned": True, "step": 10},
                  "title": "Best score (%)", "scale": {"domain": [0, 100]}},
            "x2": {"field": "to"},
            "y": {"field": "learners", "type": "quantitative", "title": "Learners",
                  "scale": {"domain": [0, top], "nice": False}, "axis": {"tickMinStep": 1}},
            "tooltip": [{"field": "band", "title": "Score"},
                        {"field": "learners", "title": "Learners"}],
        },
    }  # fmt: skip
    layers = [bars]
    if pass_mark is not None:
        line = {"x": {"datum": pass_mark, "type": "quantitative"}}
        layers += [
            {"mark": {"type": "rule", "strokeDash": [5, 4], "color": "#b91c1c", "size": 2,
                      "description": f"Pass mark {pass_mark:g}%"},  # its text for assistive tech
             "encoding": line},
            {"mark": {"type": "text", "align": "right", "dx": -4, "dy": 2, "baseline": "top",
                      "color": "#b91c1c", "fontWeight": "bold",
                      "text": f"pass mark {pass_mark:g}%"},
             "encoding": {**line, "y": {"value": 0}}},
        ]  # fmt: skip
    return {"layer": layers, "height": 220}


def topic_table(topics: Sequence[tuple[str, float]], weakest: str | None) -> pa.Table:
    return pa.table(
        {
            "topic": [t for t, _ in topics],
            "average": [round(100 * m, 1) for _, m in topics],
            "weakest": [t == weakest for t, _ in topics],
        }
    )


def topic_spec() -> Spec:
    """Average mark per topic (0-100), the weakest highlighted."""
    return {
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": "topic", "type": "nominal", "sort": None, "title": None,
                  "axis": {"labelLimit": 260}},
            "x": {"field": "average", "type": "quantitative", "title": "Average mark (%)",
                  "scale": {"domain": [0, 100]}},
            "color": {"field": "weakest", "type": "nominal", "legend": None,
                      "scale": {"domain": [False, True], "range": ["#4c78a8", "#e45756"]}},
        },
        "height": {"step": 28},
    }  # fmt: skip


def activity_table(days: Sequence[tuple[str, int]]) -> pa.Table:
    """Attempts per day; days are the course's local days, as `YYYY-MM-DD` text."""
    return pa.table({"day": [d for d, _ in days], "attempts": [n for _, n in days]})


def activity_spec() -> Spec:
    """Attempts started per day (`activity_table`)."""
    return _daily_bars("attempts", "Attempts started")


def forecast_table(days: Sequence[tuple[date, int]]) -> pa.Table:
    """Cards due per local day (quiz_app.reviews.forecast), days as `YYYY-MM-DD` text."""
    return pa.table({"day": [d.isoformat() for d, _ in days], "cards": [n for _, n in days]})


def forecast_spec() -> Spec:
    """Review cards due per day over the forecast (`forecast_table`)."""
    return _daily_bars("cards", "Questions due")


def _daily_bars(field: str, title: str) -> Spec:
    """Bars of `field` per day. The browser reads `YYYY-MM-DD` as UTC midnight, so the
    days are binned and labelled in UTC: each bar is the day given, whatever the zone of
    the browser."""
    return {
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {
                "field": "day",
                "type": "temporal",
                "title": None,
                "timeUnit": "utcyearmonthdate",
            },
            "y": {"field": field, "type": "quantitative", "title": title,
                  "axis": {"tickMinStep": 1}},
        },
        "height": 180,
    }  # fmt: skip


RIGHT_ANSWER = "Right answer"
OTHER_CHOICE = "Other choice"


def share_table(rows: Sequence[tuple[str, float, bool]]) -> pa.Table:
    """Share of attempts per option; `kind` names it a right answer or another choice, as
    the chart's legend shows it."""
    return pa.table(
        {
            "option": [o for o, _, _ in rows],
            "share": [round(100 * s, 1) for _, s, _ in rows],
            "kind": [RIGHT_ANSWER if r else OTHER_CHOICE for _, _, r in rows],
        }
    )


def share_spec() -> Spec:
    """Share of attempts picking each option, right options in green."""
    return {
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "y": {"field": "option", "type": "nominal", "sort": None, "title": None,
                  "axis": {"labelLimit": 380}},
            "x": {"field": "share", "type": "quantitative", "title": "Share of attempts (%)",
                  "scale": {"domain": [0, 100]}},
            "color": {"field": "kind", "type": "nominal", "title": None,
                      "scale": {"domain": [RIGHT_ANSWER, OTHER_CHOICE],
                                "range": ["#2e7d32", "#9e9e9e"]},
                      "legend": {"orient": "bottom"}},
        },
        "height": {"step": 26},
    }  # fmt: skip


def time_axis(first: datetime, last: datetime) -> Spec:
    """An x encoding's scale and axis for times from `first` to `last` (wall-clock times
    drawn on a UTC scale): whole days, padded so that no point sits on an edge (at least
    half a day, or a twentieth of the span, on each side); a tick at midnight every day,
    or every few days so that at most MAX_TIME_TICKS show."""
    pad = max((last - first) / 20, timedelta(hours=12))
    start = datetime.combine((first - pad).date(), datetime.min.time(), UTC)
    end = datetime.combine((last + pad).date() + timedelta(days=1), datetime.min.time(), UTC)
    days = (end - start).days
    step = max(1, math.ceil((days + 1) / MAX_TIME_TICKS))
    return {
        "scale": {"type": "utc", "domain": [_datetime(start), _datetime(end)]},
        "axis": {"format": "%-d %b", "tickCount": {"interval": "day", "step": step},
                 "labelOverlap": True, "grid": True},
    }  # fmt: skip


def _datetime(day: datetime) -> Spec:
    """A UTC midnight as Vega-Lite's DateTime (it takes no epoch number for a UTC scale's
    domain the way it reads the data)."""
    return {"year": day.year, "month": day.month, "date": day.day, "utc": True}


def scores_spec(first: datetime, last: datetime, pass_mark: float | None) -> Spec:
    """A learner's scores over time (fields When, Score %, Kind, Finished, Quiz), one line
    per kind of quiz, on `time_axis`; the pass mark as a dashed line labelled with it."""
    scores: Spec = {
        "mark": {"type": "line", "point": {"size": 70}},
        "encoding": {
            "x": {"field": "When", "type": "temporal", "title": None, **time_axis(first, last)},
            "y": {"field": "Score %", "type": "quantitative", "title": "Score (%)",
                  "scale": {"domain": [0, 100]}},
            "color": {"field": "Kind", "type": "nominal",
                      "scale": {"domain": ["Practice", "Post-test"]},  # same colours always
                      "legend": {"orient": "bottom", "title": None}},
            "tooltip": [{"field": "Finished"}, {"field": "Quiz"},
                        {"field": "Score %", "title": "Score (%)"}],
        },
    }  # fmt: skip
    layers = [scores]
    if pass_mark is not None:
        line = {"y": {"datum": pass_mark, "type": "quantitative"}}
        one = {"values": [{}]}  # drawn once, not once per attempt
        layers += [
            {"data": one, "encoding": line,
             "mark": {"type": "rule", "strokeDash": [4, 4], "color": PASS_MARK_COLOR,
                      "description": f"Pass mark {pass_mark:g}%"}},  # for assistive tech
            {"data": one, "encoding": {**line, "x": {"value": 4}},
             "mark": {"type": "text", "align": "left", "baseline": "bottom", "dy": -3,
                      "color": PASS_MARK_COLOR, "text": f"pass mark {pass_mark:g}%"}},
        ]  # fmt: skip
    return {"layer": layers, "height": 280}


def likert_table(counts: Sequence[int], labels: Sequence[str]) -> pa.Table:
    """Answers per point of a 5-point Likert item (`counts[0]` for the first label)."""
    return pa.table(
        {
            "point": list(range(1, len(labels) + 1)),
            "answer": list(labels),
            "answers": list(counts),
        }
    )


def likert_spec(tallest: int) -> Spec:
    """Bars of `likert_table`, Strongly disagree to Strongly agree from left to right, each
    label on two lines (so all five fit a phone), the count axis in whole answers."""
    return {
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "answer", "type": "ordinal", "sort": {"field": "point"}, "title": None,
                  "axis": {"labelAngle": 0, "labelOverlap": False,
                           "labelExpr": "split(datum.label, ' ')"}},
            "y": {"field": "answers", "type": "quantitative", "title": "Answers",
                  "scale": {"domain": [0, max(1, tallest)]}, "axis": {"tickMinStep": 1}},
            "color": {"value": "#4c78a8"},
            "tooltip": [{"field": "answer", "title": "Answer"},
                        {"field": "answers", "title": "Answers"}],
        },
        "height": 160,
    }  # fmt: skip
