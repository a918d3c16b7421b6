"""Every instructor page under AppTest, and who may open them."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from quiz_app import charts
from quiz_app.accounts import INSTRUCTOR
from quiz_app.store import Store
from quiz_app.testing import APP, open_app, sign_in_as, texts


@pytest.fixture
def world(cohort_world, env, monkeypatch: pytest.MonkeyPatch):
    """The cohort world, served by the app on the test's clock."""
    return cohort_world


def questions(at: AppTest) -> list:
    """The expanders of a learner's reviewed questions (not the accommodation's)."""
    return [e for e in at.expander if not e.label.startswith("Accommodation")]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_dashboard(world) -> None:
    cohort_id = world["cohort"]["id"]
    at = open_app(world["teacher"], "views/dashboard.py")
    assert not at.exception
    assert at.selectbox(key="cohort-dashboard").value == world["cohort"]["id"]
    assert [metric(at, k) for k in ("Enrolled", "Started", "Passed", "Not started")] == [
        "5", "4", "2", "1"]  # fmt: skip
    assert metric(at, "Pass rate") == "40%"
    assert "Weakest topic: **Demo topic**" in texts(at)
    assert len(at.get("vega_lite_chart")) == 3
    table, review = at.dataframe  # the learners, then the cohort's spaced review
    assert len(table.value) == 5
    # Submitted post-tests (ana, bob twice, eve: 5 questions each) and dia's practice (3);
    # dia's open post-test counts for nothing.
    assert list(review.value["Cards"]) == [5 + 5 + 5 + 3]
    assert [(b.proto.label, b.proto.url) for b in at.link_button] == [
        (
            "Download the gradebook (CSV)",
            f"/exports/gradebook.csv?cohort={cohort_id}&quiz=post-test",
        ),
        ("For Excel", f"/exports/gradebook.csv?cohort={cohort_id}&quiz=post-test&excel=1"),
    ]
    assert not at.get("download_button")  # nothing of the file is built in the page


def test_dashboard_filters_the_learner_table(world) -> None:
    at = open_app(world["teacher"], "views/dashboard.py")
    at.multiselect(key="dashboard-status").set_value(["passed"]).run()
    assert sorted(at.dataframe[0].value["Username"]) == ["ana", "bob"]
    at.multiselect(key="dashboard-status").set_value([]).run()
    at.text_input(key="dashboard-search").input("HYPER").run()
    assert list(at.dataframe[0].value["Username"]) == ["eve"]
    at.text_input(key="dashboard-search").input("").run()
    at.selectbox(key="dashboard-quiz").set_value("practice-demo").run()
    assert at.link_button[0].proto.url.endswith("gradebook.csv?cohort=1&quiz=practice-demo")
    assert "Pass rate" in [m.label for m in at.metric]
    assert sorted(at.dataframe[0].value.query("`Attempts at this quiz` > 0")["Username"]) == ["dia"]


def test_a_learner_table_is_never_older_than_its_dashboard(
    world, tiny_course, monkeypatch: pytest.MonkeyPatch
) -> None:
    cyd, service = world["people"]["cyd"], world["attempts"]
    histogram_table = charts.histogram_table

    def cyd_starts_meanwhile(scores):  # while the page draws, between the board and its table
        if not service.store.open_attempts(cyd.id):
            service.start(cyd.id, tiny_course.post_test, cohort_id=world["cohort"]["id"])
        return histogram_table(scores)

    monkeypatch.setattr(charts, "histogram_table", cyd_starts_meanwhile)
    at = open_app(world["teacher"], "views/dashboard.py")
    at.run()  # the next run shows the data as it is now, in the metrics and the table alike
    assert metric(at, "Not started") == "0"
    table = at.dataframe[0].value
    assert table.loc[table["Username"] == "cyd", "Status"].tolist() == ["In progress"]


def test_learner_drill_down_shows_attempts_as_seen(world) -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    sign_in_as(at, world["teacher"])
    at.session_state["learner_choice"] = world["people"]["bob"].id
    at.switch_page("views/learners.py")
    at.run()
    assert not at.exception
    assert metric(at, "Quizzes taken") == "2" and metric(at, "Passed") == "yes"
    assert len(questions(at)) == 5
    assert "Passed with 80%" in texts(at)  # his newest attempt comes first


def test_item_analysis(world) -> None:
    at = open_app(world["teacher"], "views/items.py")
    assert not at.exception
    assert metric(at, "Attempts") == "3"
    assert len(at.dataframe[0].value) == 5
    at.segmented_control(key="items-which").set_value("all").run()
    assert metric(at, "Attempts") == "4"
    assert set(at.dataframe[0].value["n"]) == {4}
    cohort_id = world["cohort"]["id"]
    assert [(b.proto.label, b.proto.url) for b in at.link_button] == [
        ("Download item analysis (CSV)",
         f"/exports/items.csv?cohort={cohort_id}&quiz=post-test&attempts=all"),
        ("For Excel",
         f"/exports/items.csv?cohort={cohort_id}&quiz=post-test&attempts=all&excel=1"),
        ("Download responses (CSV)", f"/exports/responses.csv?cohort={cohort_id}&quiz=post-test"),
        ("For Excel", f"/exports/responses.csv?cohort={cohort_id}&quiz=post-test&excel=1"),
    ]  # fmt: skip


def test_cohorts_create_rotate_and_members(world, db_path: Path) -> None:
    at = open_app(world["teacher"], "views/cohorts.py")
    assert "Autumn" in texts(at)
    at.text_input(key="cohort-name").input("Spring 2027")
    at.button(key="FormSubmitter:new-cohort-Create cohort").click().run()
    assert "Spring 2027 is ready. Its join code is" in at.success[0].value
    store = Store(db_path)
    old = store.cohort(world["cohort"]["id"])["join_code"]
    at.button(key=f"rotate-{world['cohort']['id']}").click().run()
    at.button(key=f"rotate-yes-{world['cohort']['id']}").click().run()
    new = store.cohort(world["cohort"]["id"])["join_code"]
    assert new != old and f"new join code, {new}" in at.success[0].value
    assert [c.value for c in at.code].count(new) == 1
    members = [e for e in at.expander if e.label.startswith("Who joined (5)")]
    assert len(members) == 1


def test_cohort_form_refuses_a_bad_range(world) -> None:
    import datetime as dt

    at = open_app(world["teacher"], "views/cohorts.py")
    at.text_input(key="cohort-name").input("Backwards")
    at.date_input(key="cohort-starts").set_value(dt.date(2027, 5, 1))
    at.date_input(key="cohort-ends").set_value(dt.date(2027, 1, 1))
    at.button(key="FormSubmitter:new-cohort-Create cohort").click().run()
    assert at.error[0].value == "A cohort cannot end before it starts."


INSTRUCTOR_SCREENS = ["dashboard", "learners", "items", "problem_reports", "cohorts",
                      "bank_browser"]  # fmt: skip


@pytest.mark.parametrize("screen", INSTRUCTOR_SCREENS)
def test_a_learner_never_gets_an_instructor_page(world, screen: str) -> None:
    at = open_app(world["people"]["ana"], f"views/{screen}.py")
    assert at.title[0].value == "Welcome, Ana"  # the router sends them to Start
    direct = AppTest.from_string(
        f"from quiz_app.views import {screen}\n{screen}.render()", default_timeout=30
    )
    sign_in_as(direct, world["people"]["ana"])
    direct.run()
    assert "This page is for instructors" in direct.error[0].value
    assert not direct.dataframe and not direct.metric


def test_another_instructor_sees_only_their_cohorts(world) -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    sign_in_as(at, world["other"])
    at.session_state["cohort_choice"] = world["cohort"]["id"]  # someone else's cohort
    at.switch_page("views/dashboard.py")
    at.run()
    box = at.selectbox(key="cohort-dashboard")
    assert box.options == ["Elsewhere"] and box.value == world["elsewhere"]["id"]
    assert metric(at, "Enrolled") == "0"
    shown = [texts(at)] + [frame.value.to_csv() for frame in at.dataframe]
    assert at.dataframe and not any("eve" in part or "HYPERLINK" in part for part in shown)


def test_an_instructor_without_cohorts_is_told_where_to_start(world, db_path: Path) -> None:
    from quiz_app.accounts import Accounts

    newcomer = Accounts(Store(db_path)).sign_up("newbie", "New", "password123", INSTRUCTOR)
    at = open_app(newcomer, "views/dashboard.py")
    assert "create one on the Cohorts page" in at.info[0].value


def test_instructor_reviews_every_question_the_learner_may_not_see_yet(world) -> None:
    """Eve failed with an attempt left: her own review hides the questions (the course's
    review options); her instructor's review of the same attempt shows every one."""
    eve = world["people"]["eve"]
    (attempt,) = world["attempts"].of_learner(eve.id)
    assert world["attempts"].review_parts(attempt) == frozenset()
    at = AppTest.from_file(APP, default_timeout=30)
    sign_in_as(at, world["teacher"])
    at.session_state["learner_choice"] = eve.id
    at.switch_page("views/learners.py")
    at.run()
    assert not at.exception
    assert len(questions(at)) == 5
    assert "Because." in texts(at)
