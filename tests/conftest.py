"""Tiny fixtures shared by the tests: a sources folder, bank folders, the shipped course."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from quiz_app.course import SHIPPED_BANKS, Course, load_course

SOURCE_TEXT = (
    "The quick brown fox jumps over the “lazy” dog — twice.\n"
    "A long passage follows here with exactly thirty one words in it so that a quote of "
    "all of them is one word over the limit that the validator allows today.\n"
)

SOURCES_YAML = """\
doc:
  title: A test document
  file: doc.txt
"""

# A minimal valid bank; the line numbers matter to test_validate_rules.py.
BANK = """\
topic: demo
title: Demo topic
objectives:
  obj-a: Identify things.
questions:
  - id: q-single
    type: single
    objective: obj-a
    level: recall
    stem: Which one?
    choices:
      - text: Alpha
        correct: true
      - text: Beta
      - text: Gamma
    explanation: Because.
    sources:
      - doc: doc
        quote: the quick brown fox
"""


@pytest.fixture
def sources_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "doc.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    monkeypatch.setenv("QUIZ_SOURCES_DIR", str(folder))
    return folder


@pytest.fixture
def bank_dir(tmp_path: Path, sources_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty banks folder with a sources.yaml, as the current directory."""
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "sources.yaml").write_text(SOURCES_YAML, encoding="utf-8")
    monkeypatch.chdir(folder)
    return folder


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def course() -> Course:
    return load_course(SHIPPED_BANKS)
