"""Every validator rule, broken once, gives exactly one `FILE:LINE: message`."""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz_app.validate import validate_paths
from tests.conftest import BANK, write

TOO_LONG_QUOTE = (
    "A long passage follows here with exactly thirty one words in it so that a quote of "
    "all of them is one word over the limit that the validator allows today."
)

SECOND_QUESTION = """\
  - id: q-two
    type: true_false
    objective: obj-a
    level: recall
    stem: Is it?
    answer: true
    explanation: Because.
    sources: [{doc: doc, quote: quick brown fox}]
"""

CASES = [
    pytest.param(
        BANK + SECOND_QUESTION.replace("q-two", "q-single"),
        'demo.yaml:20: question q-single: id: "q-single" is already used at demo.yaml:6',
        id="duplicate-id",
    ),
    pytest.param(
        BANK.replace("type: single", "type: essay"),
        'demo.yaml:7: question q-single: type: "essay" is not a question type; use single, '
        "multiple, true_false, matching, ordering",
        id="unknown-type",
    ),
    pytest.param(
        BANK.replace("      - text: Beta\n", "      - text: Beta\n        correct: true\n"),
        "demo.yaml:11: question q-single: choices: a single question needs exactly one "
        "correct choice, found 2",
        id="single-two-correct",
    ),
    pytest.param(
        BANK.replace("type: single", "type: multiple"),
        "demo.yaml:11: question q-single: choices: a multiple question needs at least two "
        "correct choices, found 1",
        id="multiple-one-correct",
    ),
    pytest.param(
        BANK.replace("text: Gamma", "text: alpha"),
        'demo.yaml:15: question q-single: choices[2].text: "alpha" appears twice',
        id="duplicate-choice",
    ),
    pytest.param(
        BANK.replace("objective: obj-a", "objective: obj-b"),
        'demo.yaml:8: question q-single: objective: "obj-b" is not declared in this bank\'s '
        "objectives",
        id="undeclared-objective",
    ),
    pytest.param(
        BANK.replace("- doc: doc", "- doc: other"),
        'demo.yaml:18: question q-single: sources[0].doc: "other" is not declared in sources.yaml',
        id="undeclared-doc",
    ),
    pytest.param(
        BANK.replace("quote: the quick brown fox", "quote: the quick red fox"),
        'demo.yaml:19: question q-single: sources[0].quote: not found in "doc" (doc.txt): '
        '"the quick red fox"',
        id="quote-not-in-document",
    ),
    pytest.param(
        BANK.replace("quote: the quick brown fox", f"quote: {TOO_LONG_QUOTE}"),
        "demo.yaml:19: question q-single: sources[0].quote: 31 words; a quote may have at most 30",
        id="quote-too-long",
    ),
    pytest.param(
        BANK.replace("    explanation: Because.\n", ""),
        "demo.yaml:6: question q-single: explanation: is required",
        id="missing-field",
    ),
    pytest.param(
        BANK.replace("level: recall", "level: easy"),
        "demo.yaml:9: question q-single: level: \"easy\" is not one of 'recall', "
        "'understanding' or 'application'",
        id="unknown-level",
    ),
    pytest.param(
        BANK.replace("stem: Which one?", "stem: 42"),
        "demo.yaml:10: question q-single: stem: must be text, not the number 42",
        id="number-for-text",
    ),
    pytest.param(
        BANK.replace("    stem: Which one?\n", "    stem: Which one?\n    colour: red\n"),
        "demo.yaml:11: question q-single: colour: is not a field of the bank format",
        id="unknown-field",
    ),
    pytest.param(
        BANK + SECOND_QUESTION.replace("answer: true", "answer: 'yes'"),
        'demo.yaml:25: question q-two: answer: must be true or false, not the text "yes"',
        id="answer-not-boolean",
    ),
    pytest.param(
        BANK.replace("      - text: Gamma\n", ""),
        "demo.yaml:11: question q-single: choices: needs at least 3 items, found 2",
        id="too-few-choices",
    ),
    pytest.param(
        BANK.replace("- id: q-single", "- id: Q Single"),
        'demo.yaml:6: question Q Single: id: "Q Single" must be lowercase letters, digits, '
        '"-" or "_"',
        id="bad-id",
    ),
    pytest.param(
        BANK.replace(
            "    sources:\n      - doc: doc\n        quote: the quick brown fox\n",
            "    sources: []\n",
        ),
        "demo.yaml:17: question q-single: sources: needs at least 1 items, found 0",
        id="no-sources",
    ),
    pytest.param(
        BANK
        + """\
  - id: q-match
    type: matching
    objective: obj-a
    level: recall
    stem: Match.
    pairs: [[a, "1"], [b, "2"], [A, "3"]]
    explanation: Because.
    sources: [{doc: doc, quote: quick brown fox}]
""",
        'demo.yaml:25: question q-match: pairs[2][0]: "A" appears twice',
        id="duplicate-matching-left",
    ),
    pytest.param(
        BANK
        + """\
  - id: q-order
    type: ordering
    objective: obj-a
    level: recall
    stem: Order.
    items:
      - one
      - two
      - One
    explanation: Because.
    sources: [{doc: doc, quote: quick brown fox}]
""",
        'demo.yaml:28: question q-order: items[2]: "One" appears twice',
        id="duplicate-ordering-item",
    ),
]


@pytest.mark.parametrize(("bank", "expected"), CASES)
def test_rule_broken_once(bank_dir: Path, bank: str, expected: str) -> None:
    write(bank_dir, "demo.yaml", bank)
    report = validate_paths([bank_dir])
    assert [str(p) for p in report.problems] == [expected]


def test_valid_bank_has_no_problems(bank_dir: Path) -> None:
    write(bank_dir, "demo.yaml", BANK)
    report = validate_paths([bank_dir])
    assert report.problems == []
    assert report.quotes_checked == 1


def test_duplicate_id_across_files(bank_dir: Path) -> None:
    write(bank_dir, "a.yaml", BANK)
    write(bank_dir, "b.yaml", BANK.replace("topic: demo", "topic: other"))
    report = validate_paths([bank_dir])
    assert [str(p) for p in report.problems] == [
        'b.yaml:6: question q-single: id: "q-single" is already used at a.yaml:6'
    ]


def test_duplicate_topic_across_files(bank_dir: Path) -> None:
    write(bank_dir, "a.yaml", BANK)
    write(bank_dir, "b.yaml", BANK.replace("q-single", "q-other"))
    report = validate_paths([bank_dir])
    assert [str(p) for p in report.problems] == [
        'b.yaml:1: topic: "demo" is already the topic of a.yaml'
    ]


def test_quote_matching_folds_case_space_quotes_and_dashes(bank_dir: Path) -> None:
    folded = 'THE  "lazy"\n        dog - TWICE'
    write(bank_dir, "demo.yaml", BANK.replace("quote: the quick brown fox", f"quote: '{folded}'"))
    report = validate_paths([bank_dir])
    assert report.problems == []


def test_all_errors_of_all_files_in_one_run(bank_dir: Path) -> None:
    write(bank_dir, "a.yaml", BANK.replace("level: recall", "level: easy").replace("Beta", "Alpha"))
    write(
        bank_dir,
        "b.yaml",
        BANK.replace("topic: demo", "topic: b")
        .replace("q-single", "q-b")
        .replace("type: single", "type: multiple"),
    )
    write(bank_dir, "c.yaml", "topic: [unclosed")
    report = validate_paths([bank_dir])
    lines = [f"{p.path}:{p.line}" for p in report.problems]
    assert lines == ["a.yaml:9", "b.yaml:11", "c.yaml:2"]


def test_missing_sources_file(bank_dir: Path) -> None:
    (bank_dir / "sources.yaml").unlink()
    write(bank_dir, "demo.yaml", BANK)
    report = validate_paths([bank_dir])
    assert [str(p) for p in report.problems] == [
        'demo.yaml:18: question q-single: sources[0].doc: "doc" is not declared in sources.yaml',
        "sources.yaml:1: sources.yaml is missing from this folder",
    ]


def test_source_file_missing_from_sources_dir(bank_dir: Path, sources_dir: Path) -> None:
    (sources_dir / "doc.txt").unlink()
    write(bank_dir, "demo.yaml", BANK)
    report = validate_paths([bank_dir])
    assert [str(p) for p in report.problems] == [
        f'sources.yaml:5: source doc: file "doc.txt" is not in {sources_dir}'
    ]


def test_quote_check_skipped_with_reason(
    bank_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUIZ_SOURCES_DIR", str(tmp_path / "nowhere"))
    write(bank_dir, "demo.yaml", BANK.replace("the quick brown fox", "not in the text"))
    report = validate_paths([bank_dir])
    assert report.problems == []
    assert report.quotes_checked == 0
    assert report.quotes_skipped_reason == f"QUIZ_SOURCES_DIR={tmp_path / 'nowhere'} does not exist"
    assert "quote check skipped" in report.summary()
    assert report.as_json()["quotes_skipped"] is True


QUIZZES_OK = """\
course:
  title: Demo course
  provider: Demo provider
quizzes:
  - id: practice-demo
    title: Practice
    mode: practice
    topics: [demo]
    questions: 3
  - id: post-test
    title: Post-test
    mode: post_test
    blueprint: {demo: 1}
    pass_mark: 80
    time_limit_minutes: 30
    attempts_allowed: 3
    ce_hours: 1.0
    reserved_only: false
"""


@pytest.mark.parametrize(
    ("quizzes", "expected"),
    [
        (
            QUIZZES_OK.replace("topics: [demo]", "topics: [other]"),
            'quizzes.yaml:8: quiz practice-demo: topics[0]: "other" is not the topic of any bank',
        ),
        (
            QUIZZES_OK.replace("{demo: 1}", "{demo: 2}"),
            "quizzes.yaml:13: quiz post-test: blueprint.demo: asks for 2 questions but the bank "
            "has 1",
        ),
        (
            QUIZZES_OK.replace("    pass_mark: 80\n", ""),
            "quizzes.yaml:10: quiz post-test: quiz: a post-test needs pass_mark",
        ),
        (
            QUIZZES_OK.replace("pass_mark: 80", "pass_mark: 180"),
            "quizzes.yaml:14: quiz post-test: pass_mark: Input should be less than or equal to 100",
        ),
        (
            QUIZZES_OK.replace("mode: practice", "mode: exam"),
            "quizzes.yaml:7: quiz practice-demo: mode: \"exam\" is not one of 'practice' or "
            "'post_test'",
        ),
        (
            QUIZZES_OK.replace("id: post-test", "id: practice-demo"),
            'quizzes.yaml:10: quiz practice-demo: id: "practice-demo" is used twice',
        ),
    ],
    ids=[
        "unknown-topic",
        "blueprint-too-big",
        "post-test-missing-field",
        "pass-mark-range",
        "unknown-mode",
        "duplicate-quiz-id",
    ],
)
def test_quiz_definitions_are_checked(bank_dir: Path, quizzes: str, expected: str) -> None:
    write(bank_dir, "demo.yaml", BANK)
    write(bank_dir, "quizzes.yaml", quizzes)
    report = validate_paths([bank_dir])
    assert [str(p) for p in report.problems] == [expected]


def test_valid_quizzes_are_loaded(bank_dir: Path) -> None:
    write(bank_dir, "demo.yaml", BANK)
    write(bank_dir, "quizzes.yaml", QUIZZES_OK)
    report = validate_paths([bank_dir])
    assert report.problems == [] and [q.id for q in report.quizzes] == [
        "practice-demo",
        "post-test",
    ]


def test_an_invalid_bank_does_not_make_quizzes_lose_its_topic(bank_dir: Path) -> None:
    write(bank_dir, "demo.yaml", BANK.replace("level: recall", "level: easy"))
    write(bank_dir, "quizzes.yaml", QUIZZES_OK)
    report = validate_paths([bank_dir])
    assert [p.path for p in report.problems] == ["demo.yaml"]


def test_single_file_ignores_the_folders_quizzes(bank_dir: Path) -> None:
    write(bank_dir, "demo.yaml", BANK)
    write(bank_dir, "quizzes.yaml", QUIZZES_OK.replace("[demo]", "[other]"))
    assert validate_paths([bank_dir / "demo.yaml"]).problems == []
