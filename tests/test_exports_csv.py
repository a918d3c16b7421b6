"""CSV exports follow OWASP's CSV-injection guidance for every cell of every export: text
quoted, formula-like text (at the start, or after a separator inside) prefixed with an
apostrophe, numbers kept as numbers."""

from __future__ import annotations

import csv
import io
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from quiz_app.cli import cli
from quiz_app.course import BANKS_ENV
from quiz_app.exports import safe_cell, to_csv

TRIGGERS = "=+-@\t\r＝＋－＠"
DELIMITERS = [",", ";", "\t", "|"]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\t=x", "'\t'=x"),
        ("\r=x", "'\r'=x"),
        ("  =1+1", "'  =1+1"),
        ("＝1+1", "'＝1+1"),
        ("Ana;=1+2", "Ana;'=1+2"),
        ("Ana,=1+2", "Ana,'=1+2"),
        ("Ana\t=1+2", "Ana\t'=1+2"),
        ("Ana\n=1+2", "Ana\n'=1+2"),
        ("Ana\r\n@SUM(1)", "Ana\r\n'@SUM(1)"),
        ('Ana"=1+2', "Ana\"'=1+2"),
        ("Ana; -1+2", "Ana; '-1+2"),
        ("Ana|=cmd", "Ana|'=cmd"),
        ('Ana;"=1+2"', "Ana;\"'=1+2\""),
        ("plain", "plain"),
        ("a - b = c", "a - b = c"),
        (-35.2, -35.2),
        (-3, -3),
        (Fraction(1, 4), 0.25),
        (None, ""),
        (True, "yes"),
        (["=x"], "[''=x']"),
    ],
    ids=[
        "equals", "plus", "minus", "at", "tab", "cr", "spaces-then-equals", "full-width",
        "after-semicolon", "after-comma", "after-tab", "after-newline", "after-crlf",
        "after-quote", "after-semicolon-space", "after-pipe", "after-separator-and-quote",
        "plain", "inner-signs",
        "negative-float", "negative-int", "fraction", "none", "bool", "list",
    ],
)  # fmt: skip
def test_safe_cell(value, written) -> None:
    assert safe_cell(value) == written


@pytest.mark.parametrize(
    ("value", "line"),
    [
        ('=1+2";=1+2', '"\'=1+2"";\'=1+2"'),
        ("=1+2'\" ;,=1+2", '"\'=1+2\'"" ;,\'=1+2"'),
    ],
    ids=["owasp-example-1", "owasp-example-2"],
)
def test_the_owasp_examples_are_escaped(value: str, line: str) -> None:
    """As OWASP shows, plus an apostrophe after the separator inside: a spreadsheet that
    splits on ";" would otherwise start a cell with the second formula."""
    assert to_csv([{"name": value}], ["name"]) == f'"name"\n{line}\n'


def test_text_is_quoted_and_numbers_stay_numbers() -> None:
    rows = [{"name": "Ana", "n": 3, "pct": -12.5, "mark": Fraction(1, 3), "gone": None}]
    text = to_csv(rows, ["name", "n", "pct", "mark", "gone"])
    assert text.splitlines() == [
        '"name","n","pct","mark","gone"',
        f'"Ana",3,-12.5,{float(Fraction(1, 3))!r},""',
    ]


def _fields(text: str, delimiter: str) -> list[str]:
    return [f for row in csv.reader(io.StringIO(text), delimiter=delimiter) for f in row]


def _is_number(field: str) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True


def _no_formula_cell(text: str) -> None:
    """No cell but a number starts like a formula, whichever separator splits the text."""
    for delimiter in DELIMITERS:
        for field in _fields(text, delimiter):
            assert _is_number(field) or not field.lstrip(" ").startswith(tuple(TRIGGERS)), (
                delimiter,
                field,
            )


@given(st.text(alphabet=st.sampled_from(list(TRIGGERS + ",;|\"' \n\rab1")), max_size=12))
def test_no_text_opens_as_a_formula_whatever_the_separator(value: str) -> None:
    text = to_csv([{"name": value, "n": -1}], ["name", "n"])
    _no_formula_cell(text)
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["name"].replace("'", "") == value.replace("'", "")  # apostrophes added, only
    assert row["n"] == "-1"


HOSTILE_NAMES = {
    "Ana;=1+2": "Ana;'=1+2",
    "Bo,=cmd|' /C calc'!A0": "Bo,'=cmd|' /C calc'!A0",
    "+Cy": "'+Cy",
    "Di; @SUM(1)": "Di; '@SUM(1)",
    'Ed"=1': "Ed\"'=1",
    "-Fa": "'-Fa",
}


@pytest.fixture
def hostile_world(cohort_world, tiny_course, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(BANKS_ENV, str(tiny_course.folder))
    accounts, attempts = cohort_world["accounts"], cohort_world["attempts"]
    cohort = cohort_world["cohort"]
    for n, name in enumerate(HOSTILE_NAMES):
        user = accounts.sign_up(f"hostile{n}", name, "password123")
        accounts.join(user, cohort["join_code"])
        attempt = attempts.start(user.id, tiny_course.post_test, cohort_id=cohort["id"])
        attempts.answer(attempt, "q-order", [2, 1, 0])
        attempts.submit(attempt)
    return cohort_world


@pytest.mark.parametrize("kind", [[], ["--items"], ["--responses"]], ids=["gradebook", "items",
                                                                         "responses"])  # fmt: skip
def test_every_cell_of_every_export_is_safe(hostile_world, db_path: Path, kind) -> None:
    code = hostile_world["cohort"]["join_code"]
    result = CliRunner().invoke(cli, ["report", "--db", str(db_path), "--cohort", code, *kind])
    assert result.exit_code == 0, result.output
    _no_formula_cell(result.stdout)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows
    if not kind:
        names = {r["display_name"] for r in rows}
        assert set(HOSTILE_NAMES.values()) <= names
        assert all('"' + r["username"] + '"' in result.output for r in rows)
        assert ',"60.0",' not in result.output and ",60.0," in result.output
