"""Scoring: what an answer looks like for each question type, and the mark it earns.

Answers refer to a question's parts by their index in the bank (never by where they
were shown), so an answer means the same thing however the choices were shuffled:

| type       | answer                                   | mark (0 to 1)                         |
|------------|------------------------------------------|---------------------------------------|
| single     | index of the chosen choice               | 1 if right, else 0                    |
| true_false | true or false                            | 1 if right, else 0                    |
| multiple   | indexes of the ticked choices            | +1/k per right tick (k right choices),|
|            |                                          | -1/w per wrong tick (w wrong ones),   |
|            |                                          | floored at 0                          |
| matching   | for each left item, index of the right   | +1/p per right pair (p pairs),        |
|            | item chosen for it, or None if left blank| -1/(p(p-1)) per wrong pair, floor 0   |
| ordering   | item indexes in the order the learner    | share of items in their right place   |
|            | put them                                 |                                       |

The penalties are the ones that make blind guessing earn 0 on average: ticking every
choice of a multiple question scores 0, and a random matching scores 0 in expectation.
"""

from __future__ import annotations

from typing import Any

from quiz_app.bank import Question
from quiz_app.errors import QuizError

Answer = int | bool | list[int] | list[int | None]


class InvalidAnswer(QuizError):
    """An answer that does not fit its question (wrong shape or out-of-range index)."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_answer(question: Question, answer: Any) -> Answer:
    """Return `answer` in canonical form for `question`, or raise InvalidAnswer.

    Canonical: multiple answers sorted and without repeats; other types unchanged.
    """
    where = f"answer to {question.id}"
    if question.type == "true_false":
        if not isinstance(answer, bool):
            raise InvalidAnswer(f"{where} must be true or false")
        return answer
    if question.type == "single":
        if not _is_int(answer) or not 0 <= answer < len(question.choices):
            raise InvalidAnswer(f"{where} must be one choice")
        return answer
    if question.type == "multiple":
        n = len(question.choices)
        if not isinstance(answer, list | tuple) or not all(
            _is_int(i) and 0 <= i < n for i in answer
        ):
            raise InvalidAnswer(f"{where} must be a list of choices")
        return sorted(set(answer))
    if question.type == "matching":
        p = len(question.pairs)
        if (
            not isinstance(answer, list | tuple)
            or len(answer) != p
            or not all(i is None or (_is_int(i) and 0 <= i < p) for i in answer)
        ):
            raise InvalidAnswer(f"{where} must give one match (or none) for each of {p} items")
        return list(answer)
    n = len(question.items)
    if not isinstance(answer, list | tuple) or sorted(answer) != list(range(n)):
        raise InvalidAnswer(f"{where} must put all {n} items in an order")
    return list(answer)


def mark(question: Question, answer: Answer) -> float:
    """The mark, from 0 to 1, that a (checked) answer earns; rounded to 4 places."""
    if question.type == "true_false":
        value = float(answer == question.answer)
    elif question.type == "single":
        value = float(question.choices[answer].correct)  # type: ignore[index]
    elif question.type == "multiple":
        right = [c.correct for c in question.choices]
        k = sum(right)
        w = len(right) - k
        ticked = set(answer)  # type: ignore[arg-type]
        gained = sum(1 for i in ticked if right[i]) / k
        lost = sum(1 for i in ticked if not right[i]) / w
        value = max(0.0, gained - lost)
    elif question.type == "matching":
        p = len(question.pairs)
        hits = sum(1 for left, chosen in enumerate(answer) if chosen == left)  # type: ignore[arg-type]
        misses = sum(
            1
            for left, chosen in enumerate(answer)  # type: ignore[arg-type]
            if chosen is not None and chosen != left
        )
        value = max(0.0, hits / p - misses / (p * (p - 1)))
    else:
        placed = sum(1 for position, item in enumerate(answer) if position == item)  # type: ignore[arg-type]
        value = placed / len(question.items)
    return round(value, 4)


def correct_answer(question: Question) -> Answer:
    """The answer that earns full marks."""
    if question.type == "true_false":
        return question.answer
    if question.type == "single":
        return next(i for i, c in enumerate(question.choices) if c.correct)
    if question.type == "multiple":
        return [i for i, c in enumerate(question.choices) if c.correct]
    if question.type == "matching":
        return list(range(len(question.pairs)))
    return list(range(len(question.items)))


def describe(question: Question, answer: Answer | None) -> str:
    """An answer in words, for review pages and exports (`(no answer)` when blank)."""
    if answer is None:
        return "(no answer)"
    if question.type == "true_false":
        return "True" if answer else "False"
    if question.type == "single":
        return question.choices[answer].text  # type: ignore[index]
    if question.type == "multiple":
        return "; ".join(question.choices[i].text for i in answer) or "(none ticked)"  # type: ignore[union-attr]
    if question.type == "matching":
        return "; ".join(
            f"{left} → {question.pairs[chosen][1] if chosen is not None else '(blank)'}"
            for (left, _), chosen in zip(question.pairs, answer, strict=True)  # type: ignore[arg-type]
        )
    return " → ".join(question.items[i] for i in answer)  # type: ignore[union-attr]
