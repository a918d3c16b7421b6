"""Each question type loads into typed, immutable objects."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from quiz_app.bank import QUESTION_TYPES
from quiz_app.course import Course, load_course
from quiz_app.errors import BankError
from tests.conftest import ALL_TYPES, BANK, write


def test_every_type_loads(bank_dir: Path) -> None:
    write(bank_dir, "demo.yaml", ALL_TYPES)
    course = load_course(bank_dir)
    by_id = {q.id: q for q in course.questions}
    assert [q.type for q in course.questions] == list(QUESTION_TYPES)
    assert by_id["q-single"].choices[0].correct is True
    assert by_id["q-multiple"].choices[0].feedback == "Yes."
    assert by_id["q-tf"].answer is False
    assert by_id["q-match"].pairs[1] == ("b", "2")
    assert by_id["q-order"].items == ("first", "second", "third")
    assert course.topic_of("q-order") == "demo"
    assert course.objective_text(by_id["q-tf"]) == "Identify things."


def test_loaded_objects_are_immutable(bank_dir: Path) -> None:
    write(bank_dir, "demo.yaml", ALL_TYPES)
    course = load_course(bank_dir)
    question = course.question("q-single")
    with pytest.raises(ValidationError):
        question.stem = "changed"
    with pytest.raises(TypeError):
        course.bank("demo").objectives["obj-b"] = "new"


# BANK with comments, flow style, quoting and a folded scalar: the same content, laid
# out differently and on other lines.
BANK_REFORMATTED = """\
# A comment before anything.
topic: demo
title: "Demo topic"
objectives: {obj-a: Identify things.}
questions:
  # The only question.
  - id: q-single
    type: single
    objective: obj-a
    level: recall
    stem: >-
      Which
      one?
    choices:
      - {text: Alpha, correct: true}  # the key
      - {text: 'Beta'}
      - text: Gamma
    explanation: Because.
    sources: [{doc: doc, quote: the quick brown fox}]
"""


def test_content_hash_changes_with_content_only(bank_dir: Path) -> None:
    write(bank_dir, "demo.yaml", BANK)
    first = load_course(bank_dir).question("q-single").content_hash
    assert BANK_REFORMATTED != BANK
    assert yaml.safe_load(BANK_REFORMATTED) == yaml.safe_load(BANK)
    write(bank_dir, "demo.yaml", BANK_REFORMATTED)
    assert load_course(bank_dir).question("q-single").content_hash == first
    for before, after in [
        ("Which one?", "Which one is it?"),
        ("text: Gamma", "text: Delta"),
        ("correct: true", "correct: true\n        feedback: This one."),
        ("Because.", "Because it is."),
    ]:
        assert before in BANK
        write(bank_dir, "demo.yaml", BANK.replace(before, after))
        assert load_course(bank_dir).question("q-single").content_hash != first, after


def test_invalid_banks_raise_with_every_problem(bank_dir: Path) -> None:
    write(bank_dir, "a.yaml", BANK.replace("level: recall", "level: easy"))
    write(bank_dir, "b.yaml", BANK.replace("topic: demo", "topic: other").replace("Beta", "Alpha"))
    with pytest.raises(BankError) as raised:
        load_course(bank_dir)
    assert [p.path for p in raised.value.problems] == ["a.yaml", "b.yaml", "b.yaml"]


def test_shipped_banks_cover_every_type(course: Course) -> None:
    types = [q.type for q in course.questions]
    for kind in QUESTION_TYPES:
        assert types.count(kind) >= 2, kind
