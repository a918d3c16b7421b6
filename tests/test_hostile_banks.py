"""Hostile bank files each give one clear `FILE:LINE` problem: no traceback, hang or blow-up."""

from __future__ import annotations

import os
import random
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz_app.cli import cli
from quiz_app.course import load_course
from quiz_app.sources import MAX_SOURCE_BYTES
from quiz_app.validate import validate_paths
from quiz_app.yamldoc import MAX_FILE_BYTES, MAX_NUMBER_CHARS, YamlDoc, YamlProblem, parse_yaml
from tests.conftest import BANK, SOURCES_YAML, write
from tests.test_validate_rules import QUIZZES_OK

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


# Issue 14, items 4-7: files that are not what they seem, escapes, quiz definitions.


class Hung(BaseException):
    """Not an OSError (as TimeoutError is), so no `except OSError` can swallow it."""


@pytest.fixture
def within_5_seconds() -> Iterator[None]:
    """Fails the test instead of hanging it (a FIFO blocks a plain read forever)."""

    def too_slow(*_: object) -> None:
        raise Hung("took more than 5 seconds")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(5)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_fifo_bank_is_refused_without_hanging(bank_dir: Path, within_5_seconds: None) -> None:
    os.mkfifo(bank_dir / "demo.yaml")
    assert only_problem(bank_dir) == (
        "demo.yaml:1: is not a regular file (a folder, FIFO or device); it is not read"
    )


def test_link_to_dev_zero_as_bank_is_refused(bank_dir: Path, within_5_seconds: None) -> None:
    (bank_dir / "demo.yaml").symlink_to("/dev/zero")
    assert only_problem(bank_dir).startswith("demo.yaml:1: is a link to a file outside its folder")


def test_link_to_a_bank_outside_the_folder_is_refused(bank_dir: Path, tmp_path: Path) -> None:
    write(tmp_path, "elsewhere.yaml", BANK)
    (bank_dir / "demo.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    assert only_problem(bank_dir) == (
        f"demo.yaml:1: is a link to a file outside its folder ({bank_dir}); links may not leave it"
    )


def test_link_inside_the_folder_is_read(bank_dir: Path) -> None:
    write(bank_dir, "demo.txt", BANK)
    (bank_dir / "demo.yaml").symlink_to("demo.txt")
    assert validate_paths([bank_dir]).ok


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda path: path.symlink_to("/dev/zero"), id="dev-zero"),
        pytest.param(lambda path: os.mkfifo(path), id="fifo"),
    ],
)
def test_source_text_that_is_no_regular_file_is_refused(
    bank_dir: Path, sources_dir: Path, within_5_seconds: None, make
) -> None:
    write(bank_dir, "demo.yaml", BANK)
    (sources_dir / "doc.txt").unlink()
    make(sources_dir / "doc.txt")
    problem = only_problem(bank_dir)
    assert problem.startswith('sources.yaml:5: source doc: file "doc.txt" is ')
    assert "outside its folder" in problem or "not a regular file" in problem


def test_oversized_source_text_is_refused(bank_dir: Path, sources_dir: Path) -> None:
    write(bank_dir, "demo.yaml", BANK)
    with (sources_dir / "doc.txt").open("ab") as handle:
        handle.truncate(MAX_SOURCE_BYTES + 1)
    assert only_problem(bank_dir).startswith(
        'sources.yaml:5: source doc: file "doc.txt" file is 10.0 MB; a source text may be at most'
    )


@pytest.mark.parametrize(
    "file",
    ["../../../../etc/passwd", "/etc/passwd", "sub/doc.txt", ".."],
    ids=["dot-dot", "absolute", "sub-folder", "parent"],
)
def test_source_file_may_not_leave_the_sources_folder(bank_dir: Path, file: str) -> None:
    write(bank_dir, "sources.yaml", SOURCES_YAML.replace("file: doc.txt", f'file: "{file}"'))
    write(bank_dir, "demo.yaml", BANK)
    report = validate_paths([bank_dir])
    assert [str(p) for p in report.problems] == [
        f'sources.yaml:5: source doc: file "{file}" must be a file name inside the sources '
        "folder (no folders, no ..)",
        'demo.yaml:18: question q-single: sources[0].doc: "doc" is not declared in sources.yaml',
    ][::-1]


@pytest.mark.parametrize(
    ("escape", "code"),
    [
        (r"\0", "0000"),
        (r"\u202E", "202E"),
        (r"\u2066isolated\u2069", "2066"),
        (r"\e[31m", "001B"),
        (r"\a", "0007"),
        (r"\x7f", "007F"),
    ],
    ids=["nul", "rlo", "isolate", "escape", "bell", "delete"],
)
def test_control_characters_written_as_escapes_are_refused(
    bank_dir: Path, escape: str, code: str
) -> None:
    write(bank_dir, "demo.yaml", BANK.replace("stem: Which one?", f'stem: "Which {escape}one?"'))
    assert only_problem(bank_dir) == (
        f"demo.yaml:10: contains the control character U+{code} (as an escape)"
    )


def test_control_character_escape_in_a_key_is_refused(bank_dir: Path) -> None:
    write(bank_dir, "demo.yaml", BANK.replace("  obj-a:", '  "obj-\\u202Ea":'))
    assert (
        only_problem(bank_dir)
        == "demo.yaml:4: contains the control character U+202E (as an escape)"
    )


def quiz_problems(bank_dir: Path, quizzes: str, bank: str = BANK) -> list[str]:
    write(bank_dir, "demo.yaml", bank)
    write(bank_dir, "quizzes.yaml", quizzes)
    return [str(p) for p in validate_paths([bank_dir]).problems]


@pytest.mark.parametrize(
    ("quizzes", "expected"),
    [
        pytest.param(
            QUIZZES_OK.replace("topics: [demo]", "topics: [demo, demo, demo]"),
            'quizzes.yaml:8: quiz practice-demo: topics: "demo" is listed more than once; '
            "list each topic once",
            id="repeated-topic",
        ),
        pytest.param(
            QUIZZES_OK.replace("{demo: 1}", "{}"),
            "quizzes.yaml:13: quiz post-test: blueprint: a blueprint needs at least one topic "
            "and how many questions to draw",
            id="empty-blueprint",
        ),
        pytest.param(
            QUIZZES_OK.replace("{demo: 1}", "{demo: 0}"),
            "quizzes.yaml:13: quiz post-test: blueprint.demo: Input should be greater than or "
            "equal to 1",
            id="blueprint-zero",
        ),
        pytest.param(
            QUIZZES_OK.replace("questions: 3", "questions: 0"),
            "quizzes.yaml:9: quiz practice-demo: questions: Input should be greater than or "
            "equal to 1",
            id="practice-zero-questions",
        ),
        pytest.param(
            QUIZZES_OK.replace("topics: [demo]", "topics: []"),
            "quizzes.yaml:5: quiz practice-demo: quiz: a practice quiz needs topics",
            id="practice-no-topics",
        ),
    ],
)
def test_unwinnable_or_empty_quizzes_are_refused(
    bank_dir: Path, quizzes: str, expected: str
) -> None:
    assert quiz_problems(bank_dir, quizzes) == [expected]


def test_practice_quiz_with_only_reserved_questions_is_refused(bank_dir: Path) -> None:
    bank = BANK.replace("    level: recall\n", "    level: recall\n    reserved: true\n")
    assert quiz_problems(bank_dir, QUIZZES_OK, bank) == [
        "quizzes.yaml:8: quiz practice-demo: topics: every question of its topics is reserved "
        "for the post-test, so the quiz would ask nothing"
    ]


@pytest.mark.parametrize(
    "number",
    ["0x" + "f" * 5000, ":".join(["1"] * 3000), ":".join(["59"] * 300_000), "1" * 5000],
    ids=["hex", "base-60", "base-60-huge", "decimal"],
)
def test_huge_numbers_are_refused_quickly(
    bank_dir: Path, number: str, within_5_seconds: None
) -> None:
    write(bank_dir, "demo.yaml", BANK.replace("stem: Which one?", f"stem: {number}"))
    assert only_problem(bank_dir) == (
        f"demo.yaml:10: a number of {len(number):,} characters; a number may have at most "
        f"{MAX_NUMBER_CHARS} (put text in quotes)"
    )


def test_symlink_loop_is_reported(bank_dir: Path) -> None:
    (bank_dir / "a.yaml").symlink_to(bank_dir / "b.yaml")
    (bank_dir / "b.yaml").symlink_to(bank_dir / "a.yaml")
    report = validate_paths([bank_dir])
    assert [str(p) for p in report.problems] == [
        f"{name}:1: is a symbolic link in a loop (it leads back to itself)"
        for name in ("a.yaml", "b.yaml")
    ]


@pytest.mark.parametrize(
    "quote",
    ["fox", "brown fox", '"—"', '"... — ..."', '"the 1 2"'],
    ids=["one-word", "two-words", "dash", "punctuation", "digits"],
)
def test_quote_too_short_to_support_a_claim(bank_dir: Path, quote: str) -> None:
    write(bank_dir, "demo.yaml", BANK.replace("quote: the quick brown fox", f"quote: {quote}"))
    problems = [str(p) for p in validate_paths([bank_dir]).problems]
    assert problems[0].startswith("demo.yaml:19: question q-single: sources[0].quote: ")
    assert problems[0].endswith(
        "is too short to support a claim; a quote needs at least 3 words with letters"
    )


def test_three_word_quote_is_enough(bank_dir: Path) -> None:
    write(
        bank_dir, "demo.yaml", BANK.replace("quote: the quick brown fox", "quote: quick brown fox")
    )
    assert validate_paths([bank_dir]).ok


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("objectives:\n", "objectives: !secret\n", 3),
        ("choices:\n", "choices: !!set\n", 11),
        ("stem: Which one?", "stem: &lone Which one?", 10),
        ("    choices:\n", "    choices: &list\n", 11),
    ],
    ids=["tag-on-mapping", "tag-on-sequence", "lone-anchor", "lone-anchor-on-list"],
)
def test_custom_tags_on_collections_and_lone_anchors_are_refused(
    bank_dir: Path, old: str, new: str, line: int
) -> None:
    write(bank_dir, "demo.yaml", BANK.replace(old, new))
    problem = only_problem(bank_dir)
    assert problem.startswith(f"demo.yaml:{line}: ")
    assert "not allowed" in problem


@pytest.mark.parametrize(
    "look_alike",
    ["ALPHA", "Alpha  ", "Al pha", "Al\u200bpha", "\uff21lpha", "A\u00adlpha"],
    ids=["case", "trailing-space", "inner-space", "zero-width", "full-width", "soft-hyphen"],
)
def test_look_alike_duplicate_choices_are_caught(bank_dir: Path, look_alike: str) -> None:
    write(bank_dir, "demo.yaml", BANK.replace("text: Beta", f'text: "{look_alike}"'))
    assert only_problem(bank_dir).startswith("demo.yaml:14: question q-single: choices[1].text: ")
    assert only_problem(bank_dir).endswith("appears twice")


def test_unicode_forms_of_one_choice_are_caught(bank_dir: Path) -> None:
    bank = BANK.replace("text: Alpha", "text: Caf\u00e9").replace("text: Beta", "text: Cafe\u0301")
    write(bank_dir, "demo.yaml", bank)
    assert only_problem(bank_dir).endswith("appears twice")


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"], ids=["ls", "ps", "nel"])
def test_line_numbers_stay_right_after_unicode_line_separators(
    bank_dir: Path, separator: str
) -> None:
    bank = BANK.replace("title: Demo topic", f'title: "Demo{separator}topic"')
    write(bank_dir, "demo.yaml", bank.replace("level: recall", "level: easy"))
    assert only_problem(bank_dir).startswith("demo.yaml:9: question q-single: level:")


def test_sources_yml_is_not_checked_as_a_bank(bank_dir: Path) -> None:
    write(bank_dir, "demo.yaml", BANK)
    write(bank_dir, "sources.yml", SOURCES_YAML)
    assert only_problem(bank_dir) == (
        "sources.yml:1: is not read: the course's file is named sources.yaml"
    )


def test_file_names_with_terminal_escapes_are_printed_safely(bank_dir: Path) -> None:
    write(bank_dir, "de\x1b[2J\x1b]0;pwned\x07mo.yaml", "x: [")
    result = CliRunner().invoke(cli, ["validate", str(bank_dir)])
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "de\\x1b[2J\\x1b]0;pwned\\x07mo.yaml:2: not valid YAML" in result.output
