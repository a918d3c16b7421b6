"""Certificates: who gets one, that its code verifies, and what the PDF says."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from sqlite_utils import Database

from quiz_app.attempts import Attempts
from quiz_app.certificate_pdf import PAGE_H, render
from quiz_app.certificates import (
    CODE_ALPHABET,
    Certificate,
    Certificates,
    NotEligible,
    course_objectives,
    new_code,
    normalise_code,
)
from quiz_app.cli import cli
from quiz_app.course import Course
from quiz_app.migrations import migrations
from quiz_app.scoring import correct_answer
from quiz_app.store import Store
from tests.conftest import WRONG_ANSWERS, with_scope

SCOPE = (
    "This course covers what dry needling is and how it is thought to work. It does not "
    "cover needling technique or safety. Passing it is not a qualification to practise."
)


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), " ".join(page.extract_text() for page in reader.pages)


def pdf_lines(data: bytes) -> list[tuple[float, str]]:
    """Each line of text on the PDF's first page, with how far down the page it sits (mm)."""
    found: list[tuple[float, str]] = []

    def line(text, cm, tm, font, size) -> None:
        if text.strip():
            found.append((PAGE_H - (tm[5] * cm[3] + cm[5]) * 25.4 / 72, text.strip()))

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=line)
    return found


def pass_post_test(world, tiny_course, username: str = "cyd", right: int = 5):
    """Sit the post-test as `username`, getting the first `right` questions right."""
    service = world["attempts"]
    user = world["people"][username]
    attempt = service.start(user.id, tiny_course.post_test, cohort_id=world["cohort"]["id"])
    for n, slot in enumerate(attempt.slots):
        question = tiny_course.question(slot.question_id)
        answer = correct_answer(question) if n < right else WRONG_ANSWERS[question.type]
        service.answer(attempt, slot.question_id, answer)
    return service.submit(attempt)


def test_codes_are_80_random_bits_and_forgive_typing() -> None:
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    code = next(iter(codes))
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code)
    assert set(code.replace("-", "")) <= set(CODE_ALPHABET)
    assert len(CODE_ALPHABET) ** 16 >= 2**80
    typed = code.replace("-", " ").lower().replace("0", "o").replace("1", "l")
    assert normalise_code(typed) == code
    assert normalise_code("too short") is None and normalise_code("U" * 16) is None


def test_passing_issues_a_certificate_once(cohort_world, store, tiny_course) -> None:
    passed = pass_post_test(cohort_world, tiny_course)
    assert passed.passed
    certificates = Certificates(store, tiny_course)
    first = certificates.for_attempt(passed.id)
    assert first is not None  # issued when the attempt passed
    assert certificates.issue(passed.id) == first
    assert certificates.issue(passed.id).code == first.code
    assert (first.learner_name, first.score_pct, first.pass_mark, first.ce_hours) == (
        "Cyd", 100.0, 80.0, 1.5)  # fmt: skip
    assert first.course_title == "Demo course" and first.provider == "Demo provider"
    assert first.objectives == ("Identify things.",)


def test_a_deadline_submission_that_passed_gets_its_certificate(
    cohort_world, store, tiny_course, clock
) -> None:
    service = cohort_world["attempts"]
    user = cohort_world["people"]["cyd"]
    attempt = service.start(user.id, tiny_course.post_test, cohort_id=cohort_world["cohort"]["id"])
    for slot in attempt.slots:
        service.answer(attempt, slot.question_id,
                       correct_answer(tiny_course.question(slot.question_id)))  # fmt: skip
    clock.advance(minutes=31)
    assert service.load(attempt.id).passed
    assert Certificates(store, tiny_course).for_attempt(attempt.id) is not None


@pytest.mark.parametrize(
    ("which", "message"),
    [
        ("failed", r"did not pass \(\d+% against a pass mark of 80%\)"),
        ("practice", "is a practice quiz"),
        ("open", "has not been submitted yet"),
        ("missing", "There is no attempt 9999"),
    ],
    ids=["failed", "practice", "open", "missing"],
)
def test_no_certificate_without_a_pass(cohort_world, store, tiny_course, which, message):
    rows = {a["quiz_id"] + ("" if a["submitted_at"] else "-open") + f"-{a['passed']}": a["id"]
            for a in store.query("SELECT * FROM attempts ORDER BY id")}  # fmt: skip
    attempt_id = {
        "failed": rows["post-test-0"],
        "practice": rows["practice-demo-None"],
        "open": rows["post-test-open-None"],
        "missing": 9999,
    }[which]
    with pytest.raises(NotEligible, match=message):
        Certificates(store, tiny_course).issue(attempt_id)
    if which != "missing":
        assert Certificates(store, tiny_course).for_attempt(attempt_id) is None


def test_verification_finds_real_codes_and_rejects_made_up_ones(
    cohort_world, store, tiny_course
) -> None:
    certificates = Certificates(store, tiny_course)
    real = certificates.for_attempt(pass_post_test(cohort_world, tiny_course).id)
    assert certificates.verify(real.code) == real
    assert certificates.verify(real.code.lower().replace("-", "")) == real
    assert certificates.verify(new_code()) is None
    assert certificates.verify("'; DROP TABLE certificates; --") is None


def test_what_a_certificate_says_is_fixed_when_issued(
    cohort_world, store, tiny_course, monkeypatch
) -> None:
    monkeypatch.setenv("QUIZ_PROVIDER", "Physio Board of Learning")
    passed = pass_post_test(cohort_world, tiny_course)
    issued = Certificates(store, tiny_course).for_attempt(passed.id)
    assert issued.provider == "Physio Board of Learning"
    monkeypatch.setenv("QUIZ_PROVIDER", "Someone Else")
    assert Certificates(store, tiny_course).issue(passed.id).provider == "Physio Board of Learning"


def certificate(name: str, scope: str | None = None) -> Certificate:
    return Certificate(
        code="7KQ2-M9XD-3FTB-Z8WC", attempt_id=1, user_id=1, learner_name=name,
        course_title="Dry needling for physiotherapists", objectives=tuple(
            f"Explain objective number {n} of the course in measurable terms." for n in range(22)),
        ce_hours=1.0, provider="Physiotherapy Continuing Education", score_pct=92.0,
        pass_mark=80.0, completed_at="2026-11-21T10:30:00+00:00",
        issued_at="2026-11-21T10:30:05+00:00", scope=scope,
    )  # fmt: skip


@pytest.mark.parametrize(
    "name",
    [
        "Ana Lima",
        "Zoë Ó Súilleabháin-Wójcik",
        "Łukasz Søren Ngozi Müller-García",
        "Maria de los Ángeles Fernández-Rodríguez y Castellanos Łukasz Søren Ó Súilleabhá",
    ],
    ids=["plain", "accents", "more-accents", "80-characters"],
)
def test_pdf_says_who_what_when_and_how_well_on_one_page(name: str) -> None:
    assert len(name) <= 80
    pages, text = pdf_text(render(certificate(name)))
    flat = re.sub(r"\s+", " ", text)
    assert pages == 1
    for expected in (name, "Dry needling for physiotherapists", "Contact hours", "1.0",
                     "21 November 2026", "92%", "80%", "7KQ2-M9XD-3FTB-Z8WC",
                     "Physiotherapy Continuing Education", "objective number 21"):  # fmt: skip
        assert expected in flat, expected


def test_80_character_name(tmp_path: Path) -> None:
    name = "A" * 40 + " " + "Ó" * 39
    assert len(name) == 80
    pages, text = pdf_text(render(certificate(name)))
    assert pages == 1 and "Ó" * 39 in text.replace("\n", "")


def test_a_certificate_keeps_the_scope_statement_it_was_issued_with(
    cohort_world, store, tiny_course, clock
) -> None:
    course = with_scope(tiny_course, SCOPE)
    world = {**cohort_world, "attempts": Attempts(store, course, clock)}
    passed = pass_post_test(world, course)
    issued = Certificates(store, course).issue(passed.id)
    assert issued.scope == SCOPE
    assert store.certificate(issued.code)["scope"] == SCOPE
    edited = with_scope(tiny_course, "This course now covers needling technique as well.")
    assert edited.info.scope != SCOPE
    assert Certificates(store, edited).verify(issued.code) == issued
    again = Certificates(store, edited).issue(passed.id)
    assert again.scope == SCOPE
    assert SCOPE in " ".join(pdf_text(render(again))[1].split())


def test_a_course_without_a_scope_issues_certificates_without_one(
    cohort_world, store, tiny_course
) -> None:
    assert tiny_course.info.scope is None
    issued = Certificates(store, tiny_course).issue(pass_post_test(cohort_world, tiny_course).id)
    assert issued.scope is None and store.certificate(issued.code)["scope"] is None


def test_pdf_prints_the_scope_statement_and_none_without_one() -> None:
    pages, text = pdf_text(render(certificate("Ana Lima", SCOPE)))
    assert pages == 1 and SCOPE in " ".join(text.split())
    _, without = pdf_text(render(certificate("Ana Lima")))
    assert "qualification to practise" not in without and "needling technique" not in without


def test_certificates_issued_before_the_scope_existed_print_none(db_path: Path) -> None:
    old = Database(db_path)
    old.enable_wal()
    migrations.apply(old, stop_before="m009_certificate_scope")
    old["users"].insert({"id": 1, "username": "sam", "display_name": "Sam", "role": "learner",
                         "password_hash": "x", "created_at": "t"})  # fmt: skip
    old["attempts"].insert({"id": 1, "user_id": 1, "quiz_id": "post-test", "quiz_title": "PT",
                            "mode": "post_test", "seed": 1, "slots": "[]", "position": 0,
                            "started_at": "t"})  # fmt: skip
    old["certificates"].insert({
        "code": "7KQ2-M9XD-3FTB-Z8WC", "attempt_id": 1, "user_id": 1, "learner_name": "Sam",
        "course_title": "C", "objectives": "[]", "ce_hours": 1.0, "provider": "P",
        "score_pct": 100.0, "pass_mark": 80.0, "completed_at": "2026-11-21T10:30:00+00:00",
        "issued_at": "2026-11-21T10:30:00+00:00", "time_zone": "UTC",
    })  # fmt: skip
    old.close()
    row = Store(db_path).certificate("7KQ2-M9XD-3FTB-Z8WC")
    assert row is not None and row["scope"] is None
    old_certificate = Certificate.from_row(row)
    assert old_certificate.scope is None
    pages, text = pdf_text(render(old_certificate))
    assert pages == 1 and "Sam" in text


def test_the_shipped_course_certificate_holds_its_objectives_above_its_scope(
    course: Course,
) -> None:
    """The shipped course's 22 long objectives, its scope statement and an 80-character
    name that wraps: every objective ends above the scope, which ends above the code."""
    name = "Maria de los Ángeles Fernández-Rodríguez y Castellanos Łukasz Søren Ó Súilleabhá"
    objectives = tuple(course_objectives(course, course.post_test))
    assert course.info.scope is not None and len(objectives) >= 20
    shown = replace(certificate(name, course.info.scope), objectives=objectives,
                    course_title=course.info.title)  # fmt: skip
    data = render(shown)
    assert pdf_text(data)[0] == 1
    lines = pdf_lines(data)
    flat_objectives = " ".join(" ".join(f"• {text}" for text in objectives).split())
    scope = " ".join(course.info.scope.split())
    in_objectives = [y for y, text in lines if text in flat_objectives and text not in scope]
    in_scope = [y for y, text in lines if text in scope and text not in flat_objectives]
    (code,) = [y for y, text in lines if text == shown.code]
    assert len(in_objectives) > 40 and len(in_scope) >= 2
    assert max(in_objectives) < min(in_scope) and max(in_scope) < code


def test_verify_certificate_command(cli_world, store, tiny_course, db_path: Path) -> None:
    passed = pass_post_test(cli_world, tiny_course)
    code = Certificates(store, tiny_course).for_attempt(passed.id).code
    found = CliRunner().invoke(cli, ["verify-certificate", code, "--db", str(db_path)])
    assert found.exit_code == 0
    assert f"{code}: valid" in found.output and "Name:      Cyd" in found.output
    assert "Course:    Demo course" in found.output and "Score:     100%" in found.output
    missing = CliRunner().invoke(cli, ["verify-certificate", new_code(), "--db", str(db_path)])
    assert missing.exit_code == 1 and "not found" in missing.output


def test_certificate_command(cli_world, store, tiny_course, db_path: Path, tmp_path) -> None:
    passed = pass_post_test(cli_world, tiny_course)
    out = tmp_path / "cert.pdf"
    result = CliRunner().invoke(cli, ["certificate", "--db", str(db_path), "--attempt",
                                      str(passed.id), "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    code = Certificates(store, tiny_course).for_attempt(passed.id).code
    pages, text = pdf_text(out.read_bytes())
    assert pages == 1 and code in text and "Cyd" in text
    failed = store.first("SELECT id FROM attempts WHERE mode = 'post_test' AND passed = 0")["id"]
    refused = CliRunner().invoke(cli, ["certificate", "--db", str(db_path), "--attempt",
                                       str(failed), "--out", str(tmp_path / "no.pdf")])  # fmt: skip
    assert refused.exit_code == 1 and "did not pass" in refused.output
    assert not (tmp_path / "no.pdf").exists()
    nowhere = CliRunner().invoke(cli, ["certificate", "--db", str(db_path), "--attempt", "9999",
                                       "--out", str(tmp_path / "no.pdf")])  # fmt: skip
    assert nowhere.exit_code == 1 and "There is no attempt 9999" in nowhere.output
