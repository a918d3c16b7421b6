"""The instructor pages read as finished: labels that say what they count, no grey
"None", charts whose labels do not cover their bars (issue 13)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from quiz_app import charts
from quiz_app.testing import APP, open_app, sign_in_as


@pytest.fixture
def world(cohort_world, env):
    return cohort_world


def test_dashboard_says_not_yet_for_a_missing_certificate(world) -> None:
    table = open_app(world["teacher"], "views/dashboard.py").dataframe[0].value
    certificates = dict(zip(table["Username"], table["Certificate"], strict=True))
    assert certificates["cyd"] == "not yet" and certificates["eve"] == "not yet"
    assert certificates["ana"] not in (None, "not yet")


def test_attempt_counts_are_named_for_what_they_count(world) -> None:
    at = open_app(world["teacher"], "views/dashboard.py")
    assert "Post-test attempts" in at.dataframe[0].value.columns
    assert "Attempts" not in at.dataframe[0].value.columns
    at.selectbox(key="dashboard-quiz").set_value("practice-demo").run()
    assert "Attempts at this quiz" in at.dataframe[0].value.columns

    at = AppTest.from_file(APP, default_timeout=30)
    sign_in_as(at, world["teacher"])
    at.session_state["learner_choice"] = world["people"]["dia"].id
    at.switch_page("views/learners.py")
    at.run()
    assert at.metric[0].label == "Quizzes taken"
    assert at.metric[0].value == "2"  # a practice quiz and an open post-test


def test_histogram_leaves_room_above_the_tallest_bar_for_the_pass_mark() -> None:
    spec = charts.histogram_spec(80.0, tallest=11)
    bars, _, label = spec["layer"]
    top = bars["encoding"]["y"]["scale"]["domain"][1]
    assert top >= 13  # a fifth above 11: the tallest bar does not reach the top
    assert label["encoding"]["y"] == {"value": 0}  # the label is drawn in that headroom
    assert charts.histogram_spec(None, tallest=0)["layer"][0]["encoding"]["y"]["scale"][
        "domain"
    ] == [0, 1]


def test_answer_chart_legend_names_right_answers() -> None:
    table = charts.share_table([("Dry needling", 0.6, True), ("Acupuncture", 0.4, False)])
    assert table["kind"].to_pylist() == ["Right answer", "Other choice"]
    color = charts.share_spec()["encoding"]["color"]
    assert color["field"] == "kind" and color["scale"]["domain"] == [
        "Right answer", "Other choice"]  # fmt: skip


def test_item_table_shows_short_flags_up_front(world) -> None:
    at = open_app(world["teacher"], "views/items.py")
    table = at.dataframe[0].value
    assert list(table.columns[:2]) == ["Question", "Flags"]
    flags = [f for f in table["Flags"] if f]
    assert flags and all(":" not in f and "(" not in f for f in flags)
    assert any("few attempts" in f for f in flags)
