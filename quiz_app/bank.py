"""The question-bank model: typed, immutable objects for DESIGN.md section 3.

These models check the shape of each file (field names, types, lengths, known values).
The rules that span fields or files (one correct choice, declared objectives, unique
ids, quotes found in their documents) live in `quiz_app.validate`, which knows lines.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from functools import cached_property
from types import MappingProxyType
from typing import Annotated, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StrictStr,
    StringConstraints,
)

QUESTION_TYPES = ("single", "multiple", "true_false", "matching", "ordering")
LEVELS = ("recall", "understanding", "application")

MAX_STEM = 4_000
MAX_CHOICE = 500
MAX_PROSE = 4_000
MAX_QUOTE_WORDS = 30
# Fewer words than this (counting only words with letters) support no claim.
MIN_QUOTE_WORDS = 3
MAX_SPARES = 3


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _freeze(mapping: dict[str, str]) -> MappingProxyType[str, str]:
    return MappingProxyType(dict(mapping))


Slug = Annotated[
    StrictStr, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", min_length=1, max_length=80)
]
Stem = Annotated[StrictStr, StringConstraints(max_length=MAX_STEM), AfterValidator(_not_blank)]
ShortText = Annotated[
    StrictStr, StringConstraints(max_length=MAX_CHOICE), AfterValidator(_not_blank)
]
Prose = Annotated[StrictStr, StringConstraints(max_length=MAX_PROSE), AfterValidator(_not_blank)]
Level = Literal["recall", "understanding", "application"]
# The item-writing lint's rules (`quiz-app validate --lint`), by the name a question
# uses to silence one of them with a reason (`lint: {rule: reason}`).
LintRule = Literal[
    "absolutes",
    "hedges",
    "longest-key",
    "stem-cue",
    "pair-cue",
    "giveaway",
    "overcited",
    "no-spare",
    "order-unstated",
]
LINT_RULES: tuple[str, ...] = get_args(LintRule)


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Choice(Model):
    text: ShortText
    correct: StrictBool = False
    feedback: Prose | None = None


class SourceRef(Model):
    doc: Slug
    quote: ShortText


class QuestionBase(Model):
    id: Slug
    objective: Slug
    level: Level
    stem: Stem
    explanation: Prose
    sources: tuple[SourceRef, ...] = Field(min_length=1, max_length=5)
    # Kept for the post-test: never drawn for practice, weak spots or review.
    reserved: StrictBool = False
    # Enemy items: never on one form with this question (symmetric; one side suffices).
    excludes: tuple[Slug, ...] = ()
    # Lint warnings silenced, each with the reason a reviewer can read.
    lint: Annotated[
        dict[LintRule, ShortText], AfterValidator(_freeze), PlainSerializer(dict, return_type=dict)
    ] = Field(default_factory=dict)

    @cached_property
    def content_hash(self) -> str:
        """A short hash of everything a learner sees, so edits never mix statistics.

        How the course uses a question (reserved, its enemies, silenced lint) is not
        seen, so changing it keeps the question's statistics."""
        seen = self.model_dump(mode="json", exclude=set(_UNSEEN))
        if not seen.get("spares", True):
            del seen["spares"]  # a matching question without spares hashes as before
        payload = json.dumps(seen, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


_UNSEEN = ("reserved", "excludes", "lint")


class SingleQuestion(QuestionBase):
    type: Literal["single"]
    choices: tuple[Choice, ...] = Field(min_length=3, max_length=5)


class MultipleQuestion(QuestionBase):
    type: Literal["multiple"]
    choices: tuple[Choice, ...] = Field(min_length=3, max_length=5)


class TrueFalseQuestion(QuestionBase):
    type: Literal["true_false"]
    answer: StrictBool


class MatchingQuestion(QuestionBase):
    type: Literal["matching"]
    pairs: tuple[tuple[ShortText, ShortText], ...] = Field(min_length=3, max_length=6)
    # Right-hand options that match no left item, so the last pair is not free.
    spares: tuple[ShortText, ...] = Field(default=(), max_length=MAX_SPARES)

    @property
    def rights(self) -> tuple[str, ...]:
        """Every right-hand option: the pairs' right sides in order, then the spares."""
        return tuple(right for _, right in self.pairs) + self.spares


class OrderingQuestion(QuestionBase):
    type: Literal["ordering"]
    items: tuple[ShortText, ...] = Field(min_length=3, max_length=8)


Question = Annotated[
    SingleQuestion | MultipleQuestion | TrueFalseQuestion | MatchingQuestion | OrderingQuestion,
    Field(discriminator="type"),
]
ChoiceQuestion = SingleQuestion | MultipleQuestion


Objectives = Annotated[dict[Slug, ShortText], Field(min_length=1), AfterValidator(_freeze)]


class BankHeader(Model):
    """A bank file without its questions: the topic and its learning objectives."""

    topic: Slug
    title: ShortText
    objectives: Objectives


class Bank(BankHeader):
    """One topic's file: its objectives and questions."""

    questions: tuple[Question, ...] = Field(min_length=1)


class SourceDoc(Model):
    """One source document as `sources.yaml` declares it. Stems name a document by its
    `label` (one per document), and the app shows the label with the title."""

    id: Slug
    label: ShortText
    title: ShortText
    file: ShortText
    author: ShortText | None = None


def enemy_map(questions: Iterable[QuestionBase]) -> dict[str, frozenset[str]]:
    """Each question's enemies, both ways: `a` excluding `b` keeps `b` from `a` too."""
    found: dict[str, set[str]] = {}
    for question in questions:
        for other in question.excludes:
            found.setdefault(question.id, set()).add(other)
            found.setdefault(other, set()).add(question.id)
    return {qid: frozenset(others) for qid, others in found.items()}
