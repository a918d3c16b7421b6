"""`quiz-app validate --lint`: each rule fires on the flaw it names, stays quiet on a
clean item, and is silenced by `lint: {rule: reason}` (issue 11, item 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz_app.cli import cli
from quiz_app.lint import lint
from quiz_app.validate import validate_paths
from tests.conftest import SOURCES_YAML, write

HEAD = """\
topic: demo
title: Demo topic
objectives:
  obj-a: Identify things.
questions:
"""


def single(qid: str, stem: str, key: str, wrong: list[str], extra: str = "") -> str:
    choices = f"      - text: {key}\n        correct: true\n" + "".join(
        f"      - text: {w}\n" for w in wrong
    )
    return f"""\
  - id: {qid}
    type: single
    objective: obj-a
    level: recall
    stem: {stem}
    choices:
{choices}    explanation: Because.
    sources: [{{doc: doc, quote: fox jumps over}}]
{extra}"""


CLEAN = single(
    "clean", "Which animal is in the sentence?", "A brown fox", ["A grey cat", "A white owl"]
)

FLAWED = {
    "absolutes": single(
        "flaw",
        "Which animal jumps?",
        "A fox may jump",
        ["Every dog always jumps", "Only cats never jump"],
    ),
    "hedges": single(
        "flaw", "Which animal jumps?", "A fox can jump", ["A dog jumps", "A cat jumps"]
    ),
    "longest-key": single(
        "flaw",
        "Which animal jumps?",
        "The quick brown fox, which jumps over lazy dogs twice a day",
        ["A cat", "A dog"],
    ),
    "stem-cue": single(
        "flaw",
        "Which animal jumps over fences?",
        "One that clears fences",
        ["One that sleeps", "One that runs"],
    ),
    "no-spare": """\
  - id: flaw
    type: matching
    objective: obj-a
    level: recall
    stem: Match the animals to their habits.
    pairs: [[Fox, Hunts at dusk], [Cat, Sleeps by day], [Owl, Calls at night]]
    explanation: Because.
    sources: [{doc: doc, quote: fox jumps over}]
""",
    "pair-cue": """\
  - id: flaw
    type: matching
    objective: obj-a
    level: recall
    stem: Match the animals to their habits.
    pairs: [[Hunting fox, Hunting at dusk], [Cat, Sleeps by day], [Owl, Calls at night]]
    spares: [Swims in rivers]
    explanation: Because.
    sources: [{doc: doc, quote: fox jumps over}]
""",
    "order-unstated": """\
  - id: flaw
    type: ordering
    objective: obj-a
    level: recall
    stem: Put the sentence's parts in order.
    items: [the lazy dog, jumps over, the quick brown fox]
    explanation: Because.
    sources: [{doc: doc, quote: 'The quick brown fox jumps over the "lazy" dog'}]
""",
}


@pytest.fixture
def lint_dir(tmp_path: Path, sources_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "lint"
    folder.mkdir()
    write(folder, "sources.yaml", SOURCES_YAML)
    monkeypatch.chdir(folder)
    return folder


def warnings_for(folder: Path, questions: str) -> list[str]:
    write(folder, "demo.yaml", HEAD + questions)
    report = validate_paths([folder])
    assert report.ok, report.problems
    return [str(w) for w in lint(report)]


def test_a_clean_question_has_no_warning(lint_dir: Path) -> None:
    assert warnings_for(lint_dir, CLEAN) == []


def test_a_stated_order_and_a_spare_are_clean(lint_dir: Path) -> None:
    ordered = FLAWED["order-unstated"].replace(
        "[the lazy dog, jumps over, the quick brown fox]",
        "[the quick brown fox, jumps over, the lazy dog]",
    )
    spared = FLAWED["no-spare"].replace(
        "    explanation", "    spares: [Swims in rivers]\n    explanation"
    )
    assert warnings_for(lint_dir, ordered + spared.replace("id: flaw", "id: flaw2")) == []


@pytest.mark.parametrize("rule", list(FLAWED))
def test_each_rule_fires_and_is_silenced_with_a_reason(lint_dir: Path, rule: str) -> None:
    found = warnings_for(lint_dir, FLAWED[rule])
    assert any(f": warning: question flaw: {rule}: " in w for w in found), found
    assert all(w.startswith("demo.yaml:6: warning: ") for w in found), found
    silenced = FLAWED[rule] + f'    lint: {{{rule}: "a reviewer accepted it"}}\n'
    assert not [w for w in warnings_for(lint_dir, silenced) if f": {rule}: " in w]


def test_giveaway_until_the_pair_are_enemies(lint_dir: Path) -> None:
    answered = single(
        "answered",
        "What does the sympathetic system do when a needle goes in?",
        "Sympathetic activation alters cortical interpretation",
        ["Fibroblast remodelling spreads tissue", "Cortisol rises sharply"],
    )
    leaking = single(
        "leaking",
        "Given that sympathetic activation alters cortical interpretation, which is right?",
        "Something else entirely different",
        ["Another wrong answer", "Yet another wrong answer"],
    )
    found = warnings_for(lint_dir, answered + leaking)
    assert any("question leaking: giveaway: " in w and "answered" in w for w in found), found
    enemies = leaking + "    excludes: [answered]\n"
    assert not [w for w in warnings_for(lint_dir, answered + enemies) if "giveaway" in w]


def test_a_sentence_cited_by_five_questions_is_overcited(lint_dir: Path) -> None:
    five = "".join(
        single(f"c{i}", f"Question {i} about foxes?", f"Fox {i} jumps", ["Cat sleeps", "Dog runs"])
        for i in range(5)
    )
    found = [w for w in warnings_for(lint_dir, five) if "overcited" in w]
    assert len(found) == 1 and "question c4: overcited: 5 questions cite the sentence" in found[0]
    assert not [w for w in warnings_for(lint_dir, five.split("  - id: c4")[0]) if "overcited" in w]


def test_cli_prints_warnings_and_exits_0(lint_dir: Path) -> None:
    write(lint_dir, "demo.yaml", HEAD + FLAWED["no-spare"])
    result = CliRunner().invoke(cli, ["validate", "--lint", str(lint_dir)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(
        line.endswith("no-spare: no right-hand option is spare, so the last pair is free")
        for line in lines
    ), lines
    assert lines[-1].endswith("valid; 1 lint warning")
    result = CliRunner().invoke(cli, ["validate", "--lint", "--json", str(lint_dir)])
    data = json.loads(result.output)
    assert len(data["warnings"]) == 1 and "no-spare" in data["warnings"][0]
    # Without --lint, no warnings are printed.
    plain = CliRunner().invoke(cli, ["validate", str(lint_dir)])
    assert "warning" not in plain.output and plain.exit_code == 0


def test_lint_waits_for_valid_banks(lint_dir: Path) -> None:
    write(lint_dir, "demo.yaml", HEAD + FLAWED["no-spare"].replace("level: recall", "level: x"))
    result = CliRunner().invoke(cli, ["validate", "--lint", str(lint_dir)])
    assert result.exit_code == 1
    assert "lint skipped until the banks are valid" in result.output


def test_unknown_rule_names_are_refused(lint_dir: Path) -> None:
    write(lint_dir, "demo.yaml", HEAD + CLEAN + '    lint: {shouting: "no"}\n')
    report = validate_paths([lint_dir])
    assert [p.line for p in report.problems] == [18]
    assert "lint.shouting" in report.problems[0].message
