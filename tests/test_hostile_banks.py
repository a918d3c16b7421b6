"""Hostile bank files each give one clear `FILE:LINE` problem: no traceback, hang or blow-up."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz_app.course import load_course
from quiz_app.validate import validate_paths
from quiz_app.yamldoc import MAX_FILE_BYTES, YamlDoc, YamlProblem, parse_yaml
from tests.conftest import BANK, write

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def only_problem(folder: Path) -> str:
    report = validate_paths([folder])
    assert len(report.problems) == 1, report.problems
    return str(report.problems[0])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param("{{{{ ::: ]]] [", "demo.yaml:1: not valid YAML", id="not-yaml"),
        pytest.param("just a sentence\n", "demo.yaml:1: a bank must be a mapping", id="scalar"),
        pytest.param("", "demo.yaml:1: file is empty", id="empty"),
        pytest.param(
            BILLION_LAUGHS,
            "demo.yaml:2: anchors and aliases (&name, *name) are not allowed in banks",
            id="billion-laughs",
        ),
        pytest.param(
            BANK.replace("    stem: Which one?\n", "    stem: Which one?\n    stem: Again?\n"),
            'demo.yaml:11: key "stem" appears twice (first at line 10)',
            id="duplicate-keys",
        ),
        pytest.param(
            BANK.replace("    level: recall\n", "\tlevel: recall\n"),
            "demo.yaml:9: tab character in indentation; YAML indents with spaces",
            id="tabs",
        ),
        pytest.param(
            BANK.replace("Which one?", "Which \u202eone?"),
            "demo.yaml:10: contains the control character U+202E",
            id="bidi-override",
        ),
        pytest.param(
            BANK.replace("explanation: Because.", "explanation: !!python/object:os.system x"),
            "demo.yaml:16: YAML tag tag:yaml.org,2002:python/object:os.system is not allowed",
            id="python-tag",
        ),
        pytest.param(
            "a: " + "[" * 500 + "]" * 500,
            "demo.yaml:1: nesting is deeper than 40",
            id="deep-nesting",
        ),
        pytest.param(
            BANK.replace("stem: Which one?", "stem: " + "x" * 100_000),
            "demo.yaml:10: question q-single: stem: is 100,000 characters; the limit is 4,000",
            id="huge-stem",
        ),
        pytest.param(
            BANK.replace("stem: Which one?", "stem: [a, list]"),
            "demo.yaml:10: question q-single: stem: must be text, not a list",
            id="list-for-text",
        ),
        pytest.param(
            BANK.replace("topic: demo", "topic: 2026-01-20"),
            "demo.yaml:1: topic: must be text, not a date",
            id="date-for-text",
        ),
    ],
)
def test_hostile_text(bank_dir: Path, content: str, expected: str) -> None:
    write(bank_dir, "demo.yaml", content)
    assert only_problem(bank_dir).startswith(expected)


def test_binary_bytes(bank_dir: Path) -> None:
    (bank_dir / "demo.yaml").write_bytes(
        bytes(random.Random(7).randrange(256) for _ in range(4096))
    )
    assert only_problem(bank_dir).startswith("demo.yaml:1: file is not UTF-8 text (byte 0x")


def test_nul_byte_after_some_lines(bank_dir: Path) -> None:
    (bank_dir / "demo.yaml").write_bytes(BANK.encode().replace(b"Beta", b"Be\x00ta"))
    assert only_problem(bank_dir) == "demo.yaml:14: contains the control character U+0000"


def test_fifty_megabyte_file_is_refused_before_reading(bank_dir: Path) -> None:
    path = bank_dir / "demo.yaml"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    assert only_problem(bank_dir) == (
        f"demo.yaml:1: file is 50.0 MB; a bank file may be at most {MAX_FILE_BYTES // 1_048_576} MB"
    )


def test_script_stem_is_stored_as_text(bank_dir: Path) -> None:
    stem = "<script>alert('x')</script> Which <b>one</b>?"
    write(bank_dir, "demo.yaml", BANK.replace("stem: Which one?", f'stem: "{stem}"'))
    assert load_course(bank_dir).question("q-single").stem == stem


def test_odd_unicode_round_trips(bank_dir: Path) -> None:
    stem = "Ça va? 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 e\u0301 — 日本語 🩺 \u200b zero-width"
    write(bank_dir, "demo.yaml", BANK.replace("stem: Which one?", f'stem: "{stem}"'))
    assert load_course(bank_dir).question("q-single").stem == stem


def test_one_hostile_file_does_not_hide_others(bank_dir: Path) -> None:
    write(bank_dir, "a.yaml", BILLION_LAUGHS)
    write(bank_dir, "b.yaml", BANK.replace("level: recall", "level: easy"))
    write(bank_dir, "c.yaml", BANK.replace("topic: demo", "topic: c").replace("q-single", "q-c"))
    report = validate_paths([bank_dir])
    assert [p.path for p in report.problems] == ["a.yaml", "b.yaml"]
    assert [b.topic for b in report.banks] == ["c"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_parser_never_raises_on_any_text(text: str) -> None:
    try:
        result = parse_yaml(text, "fuzz.yaml")
    except YamlProblem as problem:
        assert problem.problem_line >= 1
        assert problem.message
    else:
        assert isinstance(result, YamlDoc)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.sampled_from(["topic", "title", "objectives", "questions", "x"]), yaml_values, max_size=5
    )
)
def test_validator_reports_problems_for_any_structure(bank_dir: Path, data: dict) -> None:
    import yaml

    (bank_dir / "fuzz.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    report = validate_paths([bank_dir])
    assert all(p.path == "fuzz.yaml" and p.line >= 1 for p in report.problems)
    assert report.problems or report.banks
