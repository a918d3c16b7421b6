"""The certificate's layout holds whatever its name (issue 13, small things): a name on two
or three lines never pushes the objectives into the scope or the foot; and the foot
prints the address that verifies the certificate."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from click.testing import CliRunner

from quiz_app.addresses import LOCAL_URL, PUBLIC_URL_ENV, app_address
from quiz_app.certificate_pdf import FOOT_RULE, render, verify_address
from quiz_app.certificates import Certificates, course_objectives
from quiz_app.cli import cli
from quiz_app.course import Course
from tests.test_certificates import certificate, pass_post_test, pdf_lines, pdf_text

TWO_LINES = "Maria de los Ángeles Fernández-Rodríguez y Castellanos Łukasz Søren Ó Súilleabhá"
THREE_LINES = " ".join(["WWWWWWWWWW", "MMMMMMMMMM"] * 4)[:80]


@pytest.mark.parametrize("extra", [0, 10], ids=["shipped-objectives", "ten-more"])
@pytest.mark.parametrize("name", [TWO_LINES, THREE_LINES], ids=["two-lines", "three-lines"])
def test_a_long_name_never_pushes_the_objectives_into_the_foot(
    course: Course, name: str, extra: int
) -> None:
    objectives = tuple(course_objectives(course, course.post_test))
    objectives += objectives[:extra]
    assert course.info.scope is not None
    shown = replace(certificate(name, course.info.scope), objectives=objectives,
                    course_title=course.info.title)  # fmt: skip
    data = render(shown)
    assert pdf_text(data)[0] == 1
    lines = pdf_lines(data)
    flat_objectives = " ".join(" ".join(f"• {text}" for text in objectives).split())
    scope = " ".join(course.info.scope.split())
    in_objectives = [y for y, text in lines if text in flat_objectives and text not in scope]
    in_scope = [y for y, text in lines if text in scope and text not in flat_objectives]
    in_name = [y for y, text in lines if text in name]
    # Three lines of name, unless the page had to be laid out tighter (smaller type).
    assert len(in_name) == (3 if name == THREE_LINES and not extra else 2)
    assert max(in_objectives) < min(in_scope) and max(in_scope) < FOOT_RULE


def test_the_foot_prints_where_to_verify(monkeypatch: pytest.MonkeyPatch) -> None:
    shown = certificate("Ana Lima")
    address = verify_address("https://ce.example.edu/quiz", shown.code)
    assert address == f"https://ce.example.edu/quiz/verify?code={shown.code}"
    _, text = pdf_text(render(shown, "https://ce.example.edu/quiz"))
    assert address in re.sub(r"\s+", "", text)


def test_the_app_address_is_the_setting_else_the_page_else_local(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(PUBLIC_URL_ENV, raising=False)
    assert app_address("https://school.example:8443/verify?code=X") == "https://school.example:8443"
    assert app_address() == LOCAL_URL
    monkeypatch.setenv(PUBLIC_URL_ENV, "https://ce.example.edu/quiz/")
    assert app_address("http://127.0.0.1:8501/") == "https://ce.example.edu/quiz"


def test_the_certificate_command_prints_the_public_address(
    cli_world, store, tiny_course, db_path, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    passed = pass_post_test(cli_world, tiny_course)
    code = Certificates(store, tiny_course).issue(passed.id).code
    for base, name in (("https://ce.example.edu/quiz", "public.pdf"), (None, "local.pdf")):
        if base:
            monkeypatch.setenv(PUBLIC_URL_ENV, base)
        else:
            monkeypatch.delenv(PUBLIC_URL_ENV, raising=False)
        out = tmp_path / name
        result = CliRunner().invoke(cli, ["certificate", "--db", str(db_path), "--attempt",
                                          str(passed.id), "--out", str(out)])  # fmt: skip
        assert result.exit_code == 0, result.output
        printed = re.sub(r"\s+", "", pdf_text(out.read_bytes())[1])
        assert f"{base or LOCAL_URL}/verify?code={code}" in printed
