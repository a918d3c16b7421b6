"""The course evaluation in the app: the learner's Start page points to it and holds the
certificate back, the evaluation page keeps a draft and submits once, and the
instructor's page and CSV summarise the cohort's answers."""

from __future__ import annotations

import csv
import io

import pytest

from quiz_app.downloads import Download
from quiz_app.evaluations import Evaluations
from quiz_app.testing import open_app, texts
from tests.conftest import with_evaluation
from tests.test_downloads import get, token_of

HOSTILE = '=HYPERLINK("http://evil") **bold** <b>tag</b>'


@pytest.fixture
def world(cohort_world, env, tiny_course, store, clock):
    course = with_evaluation(tiny_course)
    people = cohort_world["people"]
    ana_attempt = next(a["id"] for a in store.attempts_of(people["ana"].id) if a["passed"])
    return {**cohort_world, "course": course, "ana_attempt": ana_attempt,
            "service": Evaluations(store, course, clock)}  # fmt: skip


def certificate_buttons(at) -> list:
    return [b for b in at.get("download_button") if "certificate" in b.proto.label]


def keys(attempt_id: int) -> dict[str, str]:
    return {item: f"eval-{attempt_id}-{item}" for item in ("objectives-met", "free-of-bias",
                                                           "improve")}  # fmt: skip


def test_the_start_page_points_to_the_evaluation_and_holds_the_certificate(world, store) -> None:
    home = open_app(world["people"]["ana"], "views/home.py")
    assert not certificate_buttons(home)
    code = store.certificate_for_attempt(world["ana_attempt"])[
        "code"
    ]  # issued before the evaluation was added
    assert code not in texts(home)
    assert any("fill in the course evaluation" in i.value for i in home.info)
    assert home.button(key=f"evaluate-{world['ana_attempt']}").label == (
        "Fill in the course evaluation"
    )
    history = open_app(world["people"]["ana"], "views/history.py")
    assert not certificate_buttons(history) and code not in texts(history)


def test_a_learner_fills_it_in_over_two_visits_and_then_gets_the_certificate(world, store) -> None:
    ana, attempt = world["people"]["ana"], world["ana_attempt"]
    key = keys(attempt)
    at = open_app(ana, "views/evaluation.py")
    assert at.title[0].value == "Course evaluation"
    assert at.radio(key=key["objectives-met"]).options == [
        "Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]  # fmt: skip
    at.radio(key=key["objectives-met"]).set_value(4).run()
    at.text_area(key=key["improve"]).input("  More vignettes, please.  ").run()
    assert world["service"].draft(attempt) == {
        "objectives-met": 4, "improve": "More vignettes, please."}  # fmt: skip

    later = open_app(ana, "views/evaluation.py")  # another visit: the draft is back
    assert later.radio(key=key["objectives-met"]).value == 4
    assert later.radio(key=key["free-of-bias"]).value is None
    assert later.text_area(key=key["improve"]).value == "More vignettes, please."
    later.button(key="submit-evaluation").click().run()
    (warning,) = later.warning
    assert "Rate every statement" in warning.value and "commercial bias" in warning.value
    assert store.evaluation(attempt) is None and not certificate_buttons(later)

    later.radio(key=key["free-of-bias"]).set_value(5).run()
    later.button(key="submit-evaluation").click().run()
    assert later.success[0].value.startswith("Thank you: you submitted the course evaluation")
    assert not later.radio and not later.text_area  # shown as done, never editable
    assert certificate_buttons(later)
    done = world["service"].submitted(attempt)
    assert dict(done.answers) == {
        "objectives-met": 4, "free-of-bias": 5, "improve": "More vignettes, please."}  # fmt: skip
    home = open_app(ana, "views/home.py")
    assert certificate_buttons(home)
    assert store.certificate_for_attempt(attempt)["code"] in texts(home)
    assert not [b for b in home.button if b.key == f"evaluate-{attempt}"]


def test_an_optional_evaluation_is_offered_beside_the_certificate(world, tiny_course) -> None:
    path = tiny_course.folder / "quizzes.yaml"
    path.write_text(path.read_text().replace("required: true", "required: false"))
    home = open_app(world["people"]["ana"], "views/home.py")
    assert certificate_buttons(home)
    assert home.button(key=f"evaluate-{world['ana_attempt']}").label == (
        "Fill in the course evaluation"
    )


def test_a_learner_who_has_not_passed_has_no_evaluation(world) -> None:
    at = open_app(world["people"]["eve"], "views/evaluation.py")
    assert at.info[0].value == "The course evaluation opens once you have passed the post-test."
    assert not at.radio


def submit_two(world) -> None:
    people, service, store = world["people"], world["service"], world["accounts"].store
    service.submit(world["ana_attempt"], people["ana"].id,
                   {"objectives-met": 5, "free-of-bias": 4, "improve": HOSTILE})  # fmt: skip
    bob = next(a["id"] for a in store.attempts_of(people["bob"].id) if a["passed"])
    service.submit(bob, people["bob"].id, {"objectives-met": 4, "free-of-bias": 4})


def test_instructors_see_the_cohort_summary_with_text_shown_literally(world) -> None:
    submit_two(world)
    at = open_app(world["teacher"], "views/evaluations.py")
    assert at.title[0].value == "Course evaluations"
    assert at.metric[0].value == "2"
    shown = texts(at)
    assert "**The objectives were met.**" in shown
    assert "2 answers · mean 4.5 (1 = strongly disagree, 5 = strongly agree)" in shown
    assert "2 answers · mean 4.0 (1 = strongly disagree, 5 = strongly agree)" in shown
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2
    (answer,) = [m.value for m in at.markdown if "HYPERLINK" in m.value]
    assert "\\*\\*bold\\*\\*" in answer and "\\<b\\>" in answer  # escaped, never rendered
    (link,) = [b for b in at.get("link_button") if b.proto.label.endswith("(CSV)")]
    assert link.proto.url == Download("evaluations", world["cohort"]["id"]).url


def test_the_dashboard_links_to_the_evaluations(world, tiny_course) -> None:
    at = open_app(world["teacher"], "views/dashboard.py")
    assert [p.proto.page for p in at.get("page_link")] == ["evaluations"]


def test_an_other_instructors_cohort_shows_nothing_of_these(world) -> None:
    submit_two(world)
    at = open_app(world["other"], "views/evaluations.py")
    assert at.metric[0].value == "0"
    assert "HYPERLINK" not in texts(at)


def test_the_csv_holds_every_answer_formula_safe(world) -> None:
    submit_two(world)
    owner = token_of(world["accounts"], world["teacher"])
    answer = get(Download("evaluations", world["cohort"]["id"]).url, owner)
    assert (answer.status, answer.complete) == (200, True), answer.body
    assert "evaluations-" in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.body.decode())))
    assert [(r["username"], r["item_id"], r["rating"], r["rating_label"]) for r in rows] == [
        ("ana", "objectives-met", "5", "Strongly agree"),
        ("ana", "free-of-bias", "4", "Agree"),
        ("ana", "improve", "", ""),
        ("bob", "objectives-met", "4", "Agree"),
        ("bob", "free-of-bias", "4", "Agree"),
        ("bob", "improve", "", ""),
    ]
    assert rows[2]["answer"] == "'" + HOSTILE  # never read as a formula
    other = token_of(world["accounts"], world["other"])
    assert get(Download("evaluations", world["cohort"]["id"]).url, other).status == 403
