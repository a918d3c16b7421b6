"""The quiz engine: draw an attempt's questions and shuffle them, reproducibly from a seed.

An attempt is a list of slots. Each slot names a question and the order its parts are
shown in: choices for single and multiple, the right-hand options for matching (the
pairs' right sides and the spares, indexed as `MatchingQuestion.rights`), the starting
order for ordering (never already correct), nothing for true/false. Given the same
seed, quiz and banks, `draw` returns the same slots.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from quiz_app.bank import Question
from quiz_app.course import Course
from quiz_app.errors import QuizError
from quiz_app.forms import fill_blueprint
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
        return len(question.rights)
    if question.type == "ordering":
        return len(question.items)
    return 0


def shown_order(question: Question, slot: Slot) -> tuple[int, ...]:
    """The order a slot shows the question's parts in: the slot's own order, with any part
    it does not name (a slot recorded before the question had it) after, and any it names
    that the question no longer has left out."""
    n = part_count(question)
    kept = [i for i in slot.order if i < n]
    return tuple(kept + [i for i in range(n) if i not in kept])


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

    A post-test takes its blueprint's count from each topic, from the questions reserved
    for it (unless the post-test sets `reserved_only: false`), and never puts two enemy
    questions (`excludes`) on one form. A practice quiz takes `length` (default: the
    quiz's own) questions from its topics, never a reserved one, keeping enemies apart
    while the pool allows. `pool`, when given, limits the draw to those question ids
    (the "weak spots" quiz). Raises NotEnoughQuestions when nothing can be drawn.
    """
    rng = random.Random(seed)
    allowed = set(pool) if pool is not None else None

    def candidates(topics: Sequence[str]) -> list[Question]:
        return [
            q
            for topic in topics
            for q in course.bank(topic).questions
            if (allowed is None or q.id in allowed) and quiz.may_draw(q)
        ]

    if quiz.blueprint is not None:
        pools = {topic: candidates([topic]) for topic in quiz.blueprint}
        chosen = fill_blueprint(quiz.blueprint, pools, course.enemies, rng)
        if chosen is None:
            raise NotEnoughQuestions(
                f'the questions of "{quiz.title}" cannot fill its blueprint without putting '
                "two questions that exclude each other on one form"
            )
    else:
        chosen = _practice_sample(candidates(quiz.topics), length or quiz.length, course, rng)
    if not chosen:
        raise NotEnoughQuestions(f'no questions are available for "{quiz.title}"')
    rng.shuffle(chosen)
    return tuple(Slot(q.id, shuffle_parts(q, rng), q.content_hash) for q in chosen)


def _practice_sample(
    available: list[Question], wanted: int, course: Course, rng: random.Random
) -> list[Question]:
    """`wanted` questions at random, enemies apart while the pool allows, then topped up."""
    order = rng.sample(available, len(available))
    chosen: list[Question] = []
    banned: set[str] = set()
    skipped: list[Question] = []
    for question in order:
        if len(chosen) == wanted:
            break
        if question.id in banned:
            skipped.append(question)
            continue
        chosen.append(question)
        banned |= course.enemies.get(question.id, frozenset())
    chosen.extend(skipped[: max(0, wanted - len(chosen))])
    return chosen
