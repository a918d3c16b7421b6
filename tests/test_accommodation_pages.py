"""Accommodations on the pages (issue 15, item 4): the instructor grants on the Learners
and Cohorts pages; the learner's Start page, rules page and clock, and the dashboard,
show it."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from quiz_app.clock import parse
from quiz_app.testing import go, open_app, texts


@pytest.fixture
def world(cohort_world, env):
    """The cohort world (Cyd never started; the 30-minute post-test allows 2 attempts),
    served by the app on the test's clock."""
    return cohort_world


def learner_page(world, username: str) -> tuple[AppTest, str]:
    at = open_app(world["teacher"], "views/learners.py")
    user = world["people"][username]
    at.selectbox(key="learner-pick").set_value(user.id).run()
    return at, f"accommodation-{world['cohort']['id']}-{user.id}"


def grant(at: AppTest, key: str, time: str, **values) -> AppTest:
    at.radio(key=f"{key}-time").set_value(time)
    for name, value in values.items():
        widget = at.text_input if name == "reason" else at.number_input
        widget(key=f"{key}-{name}").set_value(value)
    label = "Grant" if at.button(key=f"FormSubmitter:{key}-form-Grant") else "Change"
    return at.button(key=f"FormSubmitter:{key}-form-{label}").click().run()


def test_an_instructor_grants_1_5x_and_the_rules_page_shows_45_minutes(world) -> None:
    at, key = learner_page(world, "cyd")
    assert "Accommodation: none" in texts(at)
    at = grant(at, key, "multiplier", multiplier=1.5, attempts=1, reason="Dyslexia *letter*")
    assert not at.exception
    shown = texts(at)
    assert "Granted Cyd (cyd): 1.5× time, 1 extra attempt." in shown
    assert "**In force for Cyd (cyd):** 1.5× time, 1 extra attempt, granted by teacher" in shown
    assert "Reason: Dyslexia \\*letter\\*" in shown  # typed text stays text
    assert "Accommodation: 1.5× time, 1 extra attempt" in shown
    history = at.dataframe[0].value
    assert list(history["What"]) == ["1.5× time, 1 extra attempt"]

    cyd = world["people"]["cyd"]
    home = open_app(cyd, "views/home.py")
    assert "5 questions from every topic · 45 minutes · pass mark 80%" in texts(home)
    assert "Attempts used: 0 of 3." in texts(home)
    rules = go(home, "views/before_post_test.py")
    shown = texts(rules)
    assert "**45 minutes**, with the extra time you were granted (the post-test's own " in shown
    assert "This is attempt 1 of 3; your best attempt counts." in shown
    rules.button(key="begin-post-test").click().run()
    attempt = world["attempts"].store.open_attempts(cyd.id)[0]
    assert (parse(attempt["deadline"]) - parse(attempt["started_at"])).total_seconds() == 2700
    quiz = go(rules, "views/quiz.py")
    assert any("Time left <b>45:00</b>" in h.proto.body for h in quiz.get("html"))


def test_without_a_grant_the_rules_page_says_30_minutes(world) -> None:
    rules = go(open_app(world["people"]["cyd"], "views/home.py"), "views/before_post_test.py")
    assert "**30 minutes.** The clock starts" in texts(rules)
    assert "granted" not in texts(rules)


def test_the_dashboard_marks_the_learners_with_an_accommodation(world) -> None:
    at, key = learner_page(world, "cyd")
    grant(at, key, "minutes", minutes=15)
    dashboard = open_app(world["teacher"], "views/dashboard.py")
    table = dashboard.dataframe[0].value
    marks = dict(zip(table["Username"], table["Accommodation"], strict=True))
    assert marks == {"ana": "", "bob": "", "cyd": "45 min", "dia": "", "eve": ""}


def test_a_cohort_grant_from_the_cohorts_page_and_its_revocation(world) -> None:
    at = open_app(world["teacher"], "views/cohorts.py")
    key = f"accommodation-{world['cohort']['id']}-cohort"
    assert "Accommodation for the whole cohort: none" in texts(at)
    at = grant(at, key, "none", attempts=2)
    assert "Granted everyone in Autumn: 2 extra attempts." in texts(at)
    rules = go(open_app(world["people"]["cyd"], "views/home.py"), "views/before_post_test.py")
    assert "This is attempt 1 of 4" in texts(rules)
    at.text_input(key=f"{key}-revoke-reason").set_value("Term over")
    at.button(key=f"FormSubmitter:{key}-revoke-form-Revoke").click().run()
    assert "Revoked the accommodation of everyone in Autumn" in texts(at)
    assert "Accommodation for the whole cohort: none" in texts(at)
    history = at.dataframe[-1].value
    assert list(history["What"]) == ["revoked", "2 extra attempts"]
    assert list(history["Reason"]) == ["Term over", ""]


def test_a_grant_of_nothing_is_refused_on_the_page(world) -> None:
    at, key = learner_page(world, "cyd")
    at = grant(at, key, "none")
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Nothing to grant: give extra time, extra attempts or both."
    ]
    assert world["attempts"].store.cohort_accommodations(world["cohort"]["id"]) == []
