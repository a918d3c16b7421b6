"""Certificate fields (issue 15, item 3): the learner's licence from their profile, the
course's provider and approval numbers, delivery format, contact hours and their length,
CEUs, all fixed at issue; the licence a course requires gates the certificate; the name
is the learner's to correct until issue, then an instructor's reissue (logged, the old
code verifying as superseded)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from quiz_app.accounts import NameFixed
from quiz_app.attempts import Attempts
from quiz_app.certificate_pdf import render
from quiz_app.certificates import CannotReissue, Certificates, LicenceMissing
from quiz_app.cli import cli
from quiz_app.course import Course
from quiz_app.errors import QuizError
from quiz_app.scoring import correct_answer
from quiz_app.store import Store
from quiz_app.testing import open_app, texts
from tests.test_attestation import with_course_lines

SETTINGS = """\
  certificate:
    provider_number: "PT-CE-1234"
    approval_number: "2026-0042"
    delivery_format: live_virtual
    minutes_per_contact_hour: 50
"""
REQUIRED = SETTINGS + "    require_licence: true\n"


@pytest.fixture
def certified(tiny_course: Course) -> Course:
    return with_course_lines(tiny_course, SETTINGS)


def pass_post_test(service: Attempts, user_id: int, cohort_id: int | None = None) -> int:
    attempt = service.start(user_id, service.course.post_test, cohort_id=cohort_id)
    for slot in attempt.slots:
        service.answer(attempt, slot.question_id,
                       correct_answer(service.course.question(slot.question_id)))  # fmt: skip
    return service.submit(attempt).id


def pdf_text(data: bytes) -> str:
    """The PDF's text as pypdf reads it, whitespace folded."""
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split()
    )


def test_the_certificate_keeps_the_licence_and_course_fields_as_at_issue(
    store: Store, certified: Course, accounts, learner, clock, tiny_course
) -> None:
    accounts.change_licence(learner, " PT 12345 ", "Texas")
    service = Attempts(store, certified, clock)
    certificate = service.certificates.for_attempt(pass_post_test(service, learner.id))
    assert certificate is not None
    assert (certificate.licence_number, certificate.licence_jurisdiction) == ("PT 12345", "Texas")
    assert (certificate.provider_number, certificate.approval_number) == ("PT-CE-1234", "2026-0042")
    assert (certificate.delivery_format, certificate.delivery_text) == (
        "live_virtual",
        "Live virtual",
    )
    assert (certificate.ce_hours, certificate.minutes_per_hour, certificate.ceus) == (1.5, 50, 0.15)
    # Later edits to the profile and the course change nothing on it.
    accounts.change_licence(learner, "TX-999", "Oklahoma")
    with_course_lines(tiny_course, "  attestation: Something new.\n")
    path = tiny_course.folder / "quizzes.yaml"
    path.write_text(path.read_text().replace("PT-CE-1234", "PT-CE-9999"), encoding="utf-8")
    again = Certificates(store, Course.build(certified.folder, [], {}), clock).verify(
        certificate.code
    )
    assert again == certificate


def test_a_course_requiring_a_licence_issues_no_certificate_without_one(
    store: Store, tiny_course: Course, accounts, learner, clock
) -> None:
    course = with_course_lines(tiny_course, REQUIRED)
    service = Attempts(store, course, clock)
    attempt_id = pass_post_test(service, learner.id)  # passed: the submit itself goes through
    assert service.certificates.for_attempt(attempt_id) is None
    with pytest.raises(LicenceMissing, match="licence number and licence jurisdiction") as caught:
        service.certificates.issue(attempt_id)
    assert caught.value.missing == ["licence number", "licence jurisdiction"]
    accounts.change_licence(learner, "PT12345", "")
    with pytest.raises(LicenceMissing, match="your licence jurisdiction: this course"):
        service.certificates.issue(attempt_id)
    accounts.change_licence(learner, "PT12345", "Florida")
    issued = service.certificates.issue(attempt_id)
    assert issued.licence_text == "PT12345 (Florida)"


def test_licence_text_is_checked_as_names_are(accounts, learner) -> None:
    with pytest.raises(QuizError, match="cannot be shown"):
        accounts.change_licence(learner, "PT\u202e123", "Texas")
    with pytest.raises(QuizError, match="1 to 100 characters"):
        accounts.change_licence(learner, "9" * 101, "Texas")
    assert accounts.change_licence(learner, "", "  ").number is None
    assert accounts.licence(learner).jurisdiction is None


@pytest.fixture
def issued(cohort_world, store: Store, certified: Course, clock):
    """Cyd's certificate, earned in the world's cohort on the certified course."""
    service = Attempts(store, certified, clock)
    cyd = cohort_world["people"]["cyd"]
    attempt_id = pass_post_test(service, cyd.id, cohort_world["cohort"]["id"])
    certificate = service.certificates.for_attempt(attempt_id)
    assert certificate is not None
    return service.certificates, certificate


def test_the_name_is_the_learners_until_issue_then_a_logged_reissue(
    issued, cohort_world, accounts, store: Store, clock
) -> None:
    certificates, old = issued
    cyd, teacher = cohort_world["people"]["cyd"], cohort_world["teacher"]
    with pytest.raises(NameFixed):
        accounts.change_display_name(cyd, "Cydney Smith")
    clock.advance(days=3)
    new = certificates.reissue(teacher, old.code, "Cydney Smith", "  legal name   misspelt ")
    assert new.code != old.code and new.learner_name == "Cydney Smith" and new.is_current
    assert (new.licence_text, new.provider_number, new.score_pct, new.completed_at) == (
        old.licence_text, old.provider_number, old.score_pct, old.completed_at)  # fmt: skip
    before = certificates.verify(old.code)
    assert before is not None and not before.is_current
    assert (before.superseded_by, before.learner_name) == (new.code, "Cyd")
    assert before.superseded_at == new.issued_at
    assert certificates.for_attempt(old.attempt_id) == new
    assert accounts.user(cyd.id).display_name == "Cydney Smith"
    (log,) = certificates.reissues_of_cohort(cohort_world["cohort"]["id"])
    assert (log.old_code, log.new_code, log.reissued_by, log.reissued_by_name) == (
        old.code, new.code, teacher.id, teacher.display_name)  # fmt: skip
    assert (log.reason, log.old_name, log.new_name) == (
        "legal name misspelt",
        "Cyd",
        "Cydney Smith",
    )
    everything = certificates.of_cohort(cohort_world["cohort"]["id"])
    assert [c.code for c in everything if c.user_id == cyd.id] == [old.code, new.code]
    # The gradebook names the current certificate.
    assert store.cohort_certificates(cohort_world["cohort"]["id"])[cyd.id]["code"] == new.code


@pytest.mark.parametrize(
    ("who", "code", "name", "reason", "message"),
    [
        ("other", None, "Cydney", "typo", "Only an instructor of the cohort"),
        ("teacher", None, "Cydney", "   ", "Say why"),
        ("teacher", None, "Cyd", "typo", "the name on the certificate already"),
        ("teacher", None, "", "typo", "Enter your name"),
        ("teacher", "0000-0000-0000-0000", "Cydney", "typo", "There is no certificate"),
    ],
    ids=["not-their-cohort", "no-reason", "same-name", "blank-name", "unknown-code"],
)
def test_a_reissue_is_refused_saying_why(issued, cohort_world, who, code, name, reason, message):
    certificates, old = issued
    with pytest.raises(QuizError, match=message):
        certificates.reissue(cohort_world[who], code or old.code, name, reason)
    assert certificates.verify(old.code).is_current


def test_a_superseded_certificate_cannot_be_reissued_again(issued, cohort_world) -> None:
    certificates, old = issued
    new = certificates.reissue(cohort_world["teacher"], old.code, "Cydney", "typo")
    with pytest.raises(CannotReissue, match=f"already superseded by {new.code}"):
        certificates.reissue(cohort_world["teacher"], old.code, "Cydney S", "typo")


def test_the_pdf_prints_the_licence_as_at_issue(issued, store: Store) -> None:
    certificates, old = issued
    store.set_licence(old.user_id, "PT-77881", "Texas")  # given after issue
    text = pdf_text(render(certificates.verify(old.code)))
    assert "PT-77881" not in text and "Licence" not in text


def test_the_pdf_prints_the_licence_number(
    store: Store, certified: Course, accounts, learner, clock
) -> None:
    accounts.change_licence(learner, "PT-77881", "Texas")
    service = Attempts(store, certified, clock)
    certificate = service.certificates.for_attempt(pass_post_test(service, learner.id))
    text = pdf_text(render(certificate))
    for expected in ("Licence PT-77881 (Texas)", "Contact hours", "1.5", "CEUs", "0.15",
                     "Contact hours of 50 minutes", "Live virtual", "Provider number PT-CE-1234",
                     "Approval number 2026-0042"):  # fmt: skip
        assert expected in text, expected


def test_verify_shows_the_fields_and_a_superseded_code(
    env, issued, cohort_world, db_path: Path
) -> None:
    certificates, old = issued
    new = certificates.reissue(cohort_world["teacher"], old.code, "Cydney Smith", "typo")
    at = open_app(page="views/verify.py", code=old.code)
    assert not at.success
    (warning,) = at.warning
    assert warning.value.startswith(f"Superseded: this certificate was replaced by {new.code} on ")
    shown = texts(at)
    assert "### Cyd" in shown and "Live virtual" in shown and "PT-CE-1234" in shown
    assert "| 1.5 (50-minute hours) | 0.15 |" in shown
    at = open_app(page="views/verify.py", code=new.code)
    assert at.success[0].value == "Valid certificate."
    assert "### Cydney Smith" in texts(at)
    result = CliRunner().invoke(cli, ["verify-certificate", old.code, "--db", str(db_path)])
    assert result.exit_code == 0 and f"Superseded by {new.code}" in result.output


def test_profile_holds_the_licence(env, learner, accounts) -> None:
    at = open_app(learner, "views/profile.py")
    assert "Optional" in texts(at)
    at.text_input(key="profile-licence-number").input("PT 4455")
    at.text_input(key="profile-licence-jurisdiction").input("Florida")
    (button,) = [b for b in at.button if b.label == "Save licence"]
    button.click().run()
    assert accounts.licence(learner).number == "PT 4455"
    assert accounts.licence(learner).jurisdiction == "Florida"
    assert at.text_input(key="profile-licence-number").value == "PT 4455"


def test_the_results_say_what_is_missing_before_the_certificate(
    env, learner, tiny_course, db_path: Path, clock
) -> None:
    course = with_course_lines(tiny_course, REQUIRED)
    service = Attempts(Store(db_path), course, clock)
    attempt_id = pass_post_test(service, learner.id)
    at = open_app(learner, "views/quiz.py", attempt=str(attempt_id))
    assert any("waiting for your licence number and licence jurisdiction" in w.value
               for w in at.warning)  # fmt: skip
    assert not at.get("download_button")
    Store(db_path).set_licence(learner.id, "PT1", "Texas")
    at = open_app(learner, "views/quiz.py", attempt=str(attempt_id))
    assert at.get("download_button")
