"""The quiz engine: draw an attempt's questions and shuffle them, reproducibly from a seed.

An attempt is a list of slots. Each slot names a question and the order its parts are
shown in: choices for single and multiple, the right-hand options for matching, the
starting order for ordering (never already correct), nothing for true/false. Given
the same seed, quiz and banks, `draw` returns the same slots.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from quiz_app.bank import Question
from quiz_app.course import Course
from quiz_app.errors import QuizError
from quiz_app.quizdef import QuizDef


class NotEnoughQuestions(QuizError):
    """The banks hold no questions for what a quiz asks."""


@dataclass(frozen=True)
class Slot:
    """One question of an attempt and the order its parts are shown in."""

    question_id: str
    order: tuple[int, ...] = ()
    content_hash: str = ""

    def as_json(self) -> dict[str, object]:
        return {"id": self.question_id, "order": list(self.order), "hash": self.content_hash}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Slot:
        return cls(
            str(data["id"]), tuple(int(i) for i in data.get("order", ())), data.get("hash", "")
        )


def part_count(question: Question) -> int:
    """How many parts of a question are shuffled."""
    if question.type in ("single", "multiple"):
        return len(question.choices)
    if question.type == "matching":
        return len(question.pairs)
    if question.type == "ordering":
        return len(question.items)
    return 0


def shuffle_parts(question: Question, rng: random.Random) -> tuple[int, ...]:
    """A presentation order for the question's parts; ordering items never start solved."""
    n = part_count(question)
    order = list(range(n))
    rng.shuffle(order)
    if question.type == "ordering" and order == sorted(order):
        order = order[1:] + order[:1]
    return tuple(order)


def draw(
    quiz: QuizDef,
    course: Course,
    seed: int,
    pool: Iterable[str] | None = None,
    length: int | None = None,
) -> tuple[Slot, ...]:
    """The slots of a new attempt of `quiz`, determined by `seed`.

    A post-test takes its blueprint's count from each topic. A practice quiz takes
    `length` (default: the quiz's own) questions from its topics. `pool`, when given,
    limits the draw to those question ids (the "weak spots" quiz). Raises
    NotEnoughQuestions when nothing can be drawn.
    """
    rng = random.Random(seed)
    allowed = set(pool) if pool is not None else None

    def candidates(topics: Sequence[str]) -> list[Question]:
        found = [
            q
            for topic in topics
            for q in course.bank(topic).questions
            if allowed is None or q.id in allowed
        ]
        return found

    chosen: list[Question] = []
    if quiz.blueprint is not None:
        for topic, count in quiz.blueprint.items():
            available = candidates([topic])
            chosen.extend(rng.sample(available, min(count, len(available))))
    else:
        available = candidates(quiz.topics)
        wanted = length or quiz.length
        chosen = rng.sample(available, min(wanted, len(available)))
    if not chosen:
        raise NotEnoughQuestions(f'no questions are available for "{quiz.title}"')
    rng.shuffle(chosen)
    return tuple(Slot(q.id, shuffle_parts(q, rng), q.content_hash) for q in chosen)
