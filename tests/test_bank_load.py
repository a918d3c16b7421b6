"""Each question type loads into typed, immutable objects."""

from __future__ import annotations

from pathlib import Path

import pytest
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


def test_content_hash_changes_with_content_only(bank_dir: Path) -> None:
    write(bank_dir, "demo.yaml", BANK)
    first = load_course(bank_dir).question("q-single").content_hash
    write(bank_dir, "demo.yaml", BANK.replace("# nothing", ""))
    assert load_course(bank_dir).question("q-single").content_hash == first
    write(bank_dir, "demo.yaml", BANK.replace("Which one?", "Which one is it?"))
    assert load_course(bank_dir).question("q-single").content_hash != first


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
