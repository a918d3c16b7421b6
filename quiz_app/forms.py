"""Forms: which questions can stand together on one attempt (pure; no I/O).

Enemy items (a question's `excludes`) never share a form. `fill_blueprint` draws a
post-test form that respects them, and the validator uses the same search to prove
that a blueprint can be filled at all.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence

from quiz_app.bank import Question


class _OverBudget(Exception):
    pass


def fill_blueprint(
    blueprint: Mapping[str, int],
    pools: Mapping[str, Sequence[Question]],
    enemies: Mapping[str, frozenset[str]],
    rng: random.Random,
    budget: int = 200_000,
) -> list[Question] | None:
    """A form: `blueprint[topic]` questions from each topic's pool (all of it when the
    pool is smaller), no two of them enemies; None when no such form exists.

    Searches with backtracking over each pool in an order `rng` shuffles, so a sparse
    set of exclusions costs what a plain random sample does, and the answer is exact:
    None means impossible. (A search past `budget` steps also returns None.)
    """
    topics = [(topic, min(count, len(pools.get(topic, ())))) for topic, count in blueprint.items()]
    orders = {
        topic: rng.sample(list(pools.get(topic, ())), len(pools.get(topic, ())))
        for topic, _ in topics
    }
    chosen: list[Question] = []
    banned: Counter[str] = Counter()
    steps = 0

    def place(index: int, start: int, need: int) -> bool:
        nonlocal steps
        while need == 0:
            index += 1
            if index == len(topics):
                return True
            start, need = 0, topics[index][1]
        order = orders[topics[index][0]]
        for i in range(start, len(order)):
            if len(order) - i < need:
                return False
            question = order[i]
            if banned[question.id]:
                continue
            steps += 1
            if steps > budget:
                raise _OverBudget
            chosen.append(question)
            banned.update(enemies.get(question.id, frozenset()))
            if place(index, i + 1, need - 1):
                return True
            chosen.pop()
            banned.subtract(enemies.get(question.id, frozenset()))
        return False

    try:
        found = place(-1, 0, 0) if topics else True
    except _OverBudget:
        return None
    return chosen if found else None
