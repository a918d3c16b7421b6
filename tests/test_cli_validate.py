"""`quiz-app validate`: exit codes, human and JSON output, the shipped banks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz_app.cli import cli
from quiz_app.course import SHIPPED_BANKS, Course
from tests.conftest import BANK, write


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_shipped_banks_are_valid() -> None:
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(": valid")
    assert "quotes checked against the sources" in result.output


def test_shipped_banks_json() -> None:
    result = run("validate", "--json")
    data = json.loads(result.output)
    assert result.exit_code == 0
    assert data["errors"] == []
    assert data["quotes_skipped"] is False
    assert data["quotes_checked"] >= data["questions"]
    assert sum(data["by_topic"].values()) == data["questions"] == sum(data["by_type"].values())
    assert set(data) >= {
        "questions",
        "banks",
        "by_topic",
        "by_type",
        "quotes_checked",
        "quotes_skipped",
        "errors",
    }


def test_three_broken_rules_give_three_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, course: Course
) -> None:
    """The issue's acceptance check: duplicate id, two correct choices, a made-up quote."""
    copy = tmp_path / "question_banks"
    shutil.copytree(SHIPPED_BANKS, copy)
    monkeypatch.chdir(tmp_path)
    bank = course.bank("mechanisms")
    first, second = bank.questions[0], bank.questions[1]
    single = next(q for q in bank.questions if q.type == "single")
    wrong = next(c for c in single.choices if not c.correct)
    path = copy / "mechanisms.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(f"- id: {second.id}\n", f"- id: {first.id}\n", 1)
    block = text[text.index(f"- id: {single.id}\n") :]
    edited = block.replace(
        f"- text: {wrong.text}\n", f"- text: {wrong.text}\n        correct: true\n", 1
    )
    assert edited != block
    text = text.replace(block, edited)
    quote = f"quote: {bank.questions[-1].sources[0].quote}"
    assert quote in text
    text = text.replace(quote, "quote: dry needling cures every muscle forever", 1)
    path.write_text(text, encoding="utf-8")

    result = run("validate", "question_banks")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("question_banks/")]
    assert len(lines) == 3, result.output
    assert any(f'id: "{first.id}" is already used' in line for line in lines)
    assert any("exactly one correct choice, found 2" in line for line in lines)
    assert any("not found in" in line and "cures every muscle" in line for line in lines)
    assert result.output.strip().splitlines()[-1].endswith(": 3 errors")


def test_validate_a_single_file(bank_dir: Path) -> None:
    write(bank_dir, "demo.yaml", BANK)
    result = run("validate", "demo.yaml")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1 questions in 1 banks")


def test_invalid_json_lists_errors(bank_dir: Path) -> None:
    write(bank_dir, "demo.yaml", BANK.replace("level: recall", "level: easy"))
    result = run("validate", "--json", str(bank_dir))
    assert result.exit_code == 1
    assert json.loads(result.output)["errors"][0].startswith("demo.yaml:9: question q-single")


def test_missing_path_is_a_usage_error() -> None:
    result = run("validate", "does/not/exist")
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_skipped_quote_check_is_reported(
    bank_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUIZ_SOURCES_DIR", str(tmp_path / "missing"))
    write(bank_dir, "demo.yaml", BANK)
    result = run("validate", str(bank_dir))
    assert result.exit_code == 0
    assert "quote check skipped (QUIZ_SOURCES_DIR=" in result.output
    assert json.loads(run("validate", "--json", str(bank_dir)).output)["quotes_skipped"] is True


def _commands(group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if hasattr(command, "commands"):
            yield from _commands(command, (*prefix, name))


@pytest.mark.parametrize("path", [p for p, _ in _commands(cli)], ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    command = dict(_commands(cli))[path]
    assert command.help and command.help.strip(), f"{' '.join(path)} has no help text"
    result = run(*path, "--help")
    assert result.exit_code == 0
