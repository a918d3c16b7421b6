"""Certificates in the app: the learner's download, the public verify page, instructors."""

from __future__ import annotations

import pytest

from quiz_app.certificates import Certificates, new_code
from quiz_app.reports import Filters, Reports
from quiz_app.testing import open_app, texts


@pytest.fixture
def world(cohort_world, env, monkeypatch: pytest.MonkeyPatch):
    """The cohort world, served by the app on the test's clock."""
    return cohort_world


def ana_certificate(world, store, tiny_course):
    ana = world["people"]["ana"]
    (passed,) = [a for a in store.attempts_of(ana.id) if a["passed"]]
    return Certificates(store, tiny_course).for_attempt(passed["id"])


def test_a_passed_learner_gets_the_download_on_start_and_on_the_result(
    world, store, tiny_course
) -> None:
    certificate = ana_certificate(world, store, tiny_course)
    home = open_app(world["people"]["ana"], "views/home.py")
    (button,) = [b for b in home.get("download_button") if "certificate" in b.proto.label]
    assert button.proto.label == "Download your certificate (PDF)"
    assert certificate.code in texts(home)
    history = open_app(world["people"]["ana"], "views/history.py")
    assert any("certificate" in b.proto.label for b in history.get("download_button"))


def test_a_learner_who_has_not_passed_gets_no_certificate(world) -> None:
    home = open_app(world["people"]["eve"], "views/home.py")
    assert not [b for b in home.get("download_button") if "certificate" in b.proto.label]


def test_verify_page_is_open_to_anyone(world, store, tiny_course) -> None:
    certificate = ana_certificate(world, store, tiny_course)
    at = open_app(page="views/verify.py")
    assert at.title[0].value == "Verify a certificate"
    at.text_input(key="verify-code").input(certificate.code.lower())
    at.button(key="FormSubmitter:verify-Verify").click().run()
    assert at.success[0].value == "Valid certificate."
    shown = texts(at)
    assert "### Ana" in shown and "Demo course" in shown
    assert f"| {certificate.completed_on} | 100% | 80% | 1.5 (60-minute hours) | 0.15 |" in shown
    at.text_input(key="verify-code").input(new_code())
    at.button(key="FormSubmitter:verify-Verify").click().run()
    assert at.error[0].value.startswith("Not found")


def test_verify_link_with_the_code(world, store, tiny_course) -> None:
    certificate = ana_certificate(world, store, tiny_course)
    at = open_app(page="views/verify.py", code=certificate.code)
    assert at.success[0].value == "Valid certificate."


def test_instructors_see_who_holds_a_certificate(world, store, tiny_course, clock) -> None:
    certificate = ana_certificate(world, store, tiny_course)
    at = open_app(world["teacher"], "views/dashboard.py")
    table = at.dataframe[0].value
    holders = table[table["Certificate"] != "not yet"]
    assert list(holders["Username"]) == ["ana", "bob"]
    assert certificate.code in list(holders["Certificate"])
    rows = Reports(store, tiny_course, clock).gradebook(world["cohort"], Filters("post-test"))
    codes = {r["username"]: r["certificate_code"] for r in rows}
    assert codes["ana"] == certificate.code and codes["eve"] == ""


def test_a_name_the_server_cannot_print_is_said_not_drawn(world, store, no_fonts) -> None:
    """No blank or partial name: the page names the character instead of a download."""
    ana = world["people"]["ana"]
    store.execute("UPDATE certificates SET learner_name = ? WHERE user_id = ?", ["Ana 王", ana.id])
    home = open_app(ana, "views/home.py")
    assert not [b for b in home.get("download_button") if "certificate" in b.proto.label]
    (error,) = [e.value for e in home.error if "cannot print" in e.value]
    assert "王 (U+738B CJK UNIFIED IDEOGRAPH-738B)" in error and "code verifies" in error
