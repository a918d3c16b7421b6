"""Scoring: what an answer looks like for each question type, and the mark it earns.

Answers refer to a question's parts by their index in the bank (never by where they
were shown), so an answer means the same thing however the choices were shuffled.
Marks are exact fractions from 0 to 1:

| type       | answer                                   | mark                                  |
|------------|------------------------------------------|---------------------------------------|
| single     | index of the chosen choice               | 1 if right, else 0                    |
| true_false | true or false                            | 1 if right, else 0                    |
| multiple   | indexes of the ticked choices            | +1/k per right tick (k right choices),|
|            |                                          | -1/w per wrong tick (w wrong ones),   |
|            |                                          | floored at 0                          |
| matching   | for each left item, index of the right   | +1/p per right pair (p pairs),        |
|            | option chosen for it (0 .. p+s-1: the    | -1/(p(p+s-1)) per wrong pair (s       |
|            | pairs' right sides, then the s spares),  | spares; a spare chosen is a wrong     |
|            | or None if left blank                    | pair), blanks 0, floored at 0         |
| ordering   | item indexes in the order the learner    | (L - 1)/(n - 1), L the longest run of |
|            | put them                                 | items in the right relative order     |

Ticking every choice of a multiple question scores 0, and so does a fully reversed
order. The matching penalty is what makes a random pick worth nothing before the floor:
each left item has one right option and p+s-1 wrong ones, so a pick at random gains
1/p with chance 1/(p+s) and loses 1/(p(p+s-1)) with chance (p+s-1)/(p+s), 0 in all
(without spares, s = 0, this is the -1/(p(p-1)) of a plain matching). Because marks
are floored at 0, a blind guess earns a little on average: see `expected_guess` and the
README's scoring section.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_left
from fractions import Fraction
from typing import Any

from quiz_app.bank import Question
from quiz_app.errors import QuizError
from quiz_app.grading import total

Answer = int | bool | list[int] | list[int | None]


class InvalidAnswer(QuizError):
    """An answer that does not fit its question (wrong shape or out-of-range index)."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_answer(question: Question, answer: Any) -> Answer:
    """Return `answer` in canonical form for `question`, or raise InvalidAnswer.

    Canonical: multiple answers sorted and without repeats; other types unchanged.
    Indexes must be ints (never floats or bools, which compare equal to ints).
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
        n = len(question.rights)
        if (
            not isinstance(answer, list | tuple)
            or len(answer) != p
            or not all(i is None or (_is_int(i) and 0 <= i < n) for i in answer)
        ):
            raise InvalidAnswer(f"{where} must give one match (or none) for each of {p} items")
        return list(answer)
    n = len(question.items)
    # Every element an int first: floats and bools compare equal to ints, so `sorted`
    # alone would let [0.0, 1.0, 2.0] or [False, True, 2] through.
    if (
        not isinstance(answer, list | tuple)
        or not all(_is_int(i) for i in answer)
        or sorted(answer) != list(range(n))
    ):
        raise InvalidAnswer(f"{where} must put all {n} items in an order")
    return list(answer)


def mark(question: Question, answer: Answer) -> Fraction:
    """The exact mark, from 0 to 1, that a (checked) answer earns."""
    if question.type == "true_false":
        return Fraction(int(answer == question.answer))
    if question.type == "single":
        return Fraction(int(question.choices[answer].correct))  # type: ignore[index]
    if question.type == "multiple":
        right = [c.correct for c in question.choices]
        k = sum(right)
        w = len(right) - k
        ticked = set(answer)  # type: ignore[arg-type]
        gained = Fraction(sum(1 for i in ticked if right[i]), k)
        lost = Fraction(sum(1 for i in ticked if not right[i]), w)
        return max(Fraction(0), gained - lost)
    if question.type == "matching":
        chosen = list(answer)  # type: ignore[arg-type]
        hits = sum(1 for left, right in enumerate(chosen) if right == left)
        misses = sum(1 for left, right in enumerate(chosen) if right is not None and right != left)
        return _matching_mark(len(question.pairs), len(question.spares), hits, misses)
    n = len(question.items)
    return Fraction(kept_in_order(answer) - 1, n - 1)  # type: ignore[arg-type]


def _matching_mark(pairs: int, spares: int, hits: int, misses: int) -> Fraction:
    penalty = Fraction(1, pairs * (pairs + spares - 1))
    return max(Fraction(0), Fraction(hits, pairs) - misses * penalty)


def kept_in_order(order: list[int]) -> int:
    """How many items the longest run in the right relative order holds (they need not
    be next to each other): the longest increasing subsequence of `order`."""
    tails: list[int] = []
    for item in order:
        at = bisect_left(tails, item)
        tails[at : at + 1] = [item]
    return len(tails)


def expected_guess(question: Question) -> Fraction:
    """The mean mark of a blind guess: every answer the page accepts equally likely (one
    choice or side; any set of at least one tick; any complete matching, each left item
    given a different right option, spares included; any order)."""
    if question.type == "matching":
        return _matching_guess(len(question.pairs), len(question.spares))
    if question.type == "true_false":
        answers: list[Any] = [True, False]
    elif question.type == "single":
        answers = list(range(len(question.choices)))
    elif question.type == "multiple":
        n = len(question.choices)
        answers = [[i for i in range(n) if bits >> i & 1] for bits in range(1, 2**n)]
    else:
        answers = [list(p) for p in itertools.permutations(range(len(question.items)))]
    return total(mark(question, a) for a in answers) / len(answers)


def _matching_guess(pairs: int, spares: int) -> Fraction:
    """The mean mark over every complete matching of `pairs` left items to `pairs +
    spares` options, one option each, counted by how many are right rather than listed
    (6 pairs and 3 spares make 60,480 matchings)."""
    options = pairs + spares
    earned = Fraction(0)
    for hits in range(pairs + 1):
        # The rest, pairs - hits items, all wrong: inclusion-exclusion over those right.
        rest = pairs - hits
        all_wrong = sum(
            (-1) ** j * math.comb(rest, j) * math.perm(options - hits - j, rest - j)
            for j in range(rest + 1)
        )
        ways = math.comb(pairs, hits) * all_wrong
        earned += ways * _matching_mark(pairs, spares, hits, rest)
    return earned / math.perm(options, pairs)


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
            f"{left} → {question.rights[chosen] if chosen is not None else '(blank)'}"
            for (left, _), chosen in zip(question.pairs, answer, strict=True)  # type: ignore[arg-type]
        )
    return " → ".join(question.items[i] for i in answer)  # type: ignore[union-attr]
