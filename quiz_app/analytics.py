"""Item analysis and cohort summaries (pure: numbers in, numbers out).

Item statistics follow Moodle's quiz-statistics definitions (DESIGN.md section 7).
Over the s attempts that were shown item i, with mark x_k, the item's maximum m_i
(always 1 here), the attempt's total T_k and the rest of the test X_k = T_k - x_k,
using sample variance V and covariance C (dividing by s - 1):

- facility F = mean(x) / m_i
- standard deviation SD = sqrt(V(x)), relative to m_i
- discrimination index D = 100 C(x, X) / sqrt(V(x) V(X))
- discriminative efficiency DE = 100 C(x, X) / C_max, C_max = C(x, X) after sorting
  x and X each ascending (the largest covariance those marks could have)

For the test: Cronbach's alpha (KR-20 when items score 0 or 1)
alpha = p / (p - 1) (1 - sum V_i / V(T)), the error ratio ER = 100 sqrt(1 - alpha)
and the standard error SE = ER SD_T / 100. When attempts draw their questions at
random, each attempt has p items but not the same ones; sum V_i is then estimated as
p times the mean item variance, weighted by how many attempts saw each item (which
is the usual formula when every attempt sees the same items).

Questions edited since an attempt was taken are left out of its marks; that attempt's
total T_k and maximum are then over the questions kept, so every figure, alpha's p and
V(T) included, describes the same items.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

FACILITY_LOW = 0.2
FACILITY_HIGH = 0.95
DISCRIMINATION_LOW = 20.0
EFFICIENCY_LOW = 15.0
FEW_ATTEMPTS = 10

ATTEMPT_CHOICES = ("first", "best", "last", "all")


@dataclass(frozen=True)
class ScoredAttempt:
    """A submitted attempt: who, when, its score out of max_score, and the mark of each
    question counted; `left_out` questions it showed are not counted (edited since)."""

    id: int
    user_id: int
    started_at: str
    score: float
    max_score: float
    marks: dict[str, float] = field(default_factory=dict)
    left_out: int = 0

    @property
    def total(self) -> float:
        """T_k: the attempt's total over the questions counted (its score when none is left out)."""
        return sum(self.marks.values()) if self.left_out else self.score

    @property
    def maximum(self) -> float:
        """The most `total` could be: max_score, or the number of questions counted."""
        return float(len(self.marks)) if self.left_out else self.max_score


@dataclass(frozen=True)
class ItemStats:
    question_id: str
    n: int
    facility: float | None  # 0..1
    sd: float | None  # relative to the item's maximum, 0..1
    discrimination: float | None  # -100..100
    efficiency: float | None  # -100..100
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuizStats:
    attempts: int
    items_per_attempt: float
    mean: float | None  # percent
    sd: float | None  # percent
    alpha: float | None
    error_ratio: float | None  # percent
    standard_error: float | None  # percent


def choose_attempts(attempts: Iterable[ScoredAttempt], which: str) -> list[ScoredAttempt]:
    """Per learner, their first, best (by score out of max_score) or last attempt (by
    start; ties by id), or all."""
    if which not in ATTEMPT_CHOICES:
        raise ValueError(f"attempts must be one of {', '.join(ATTEMPT_CHOICES)}")
    ordered = sorted(attempts, key=lambda a: (a.started_at, a.id))
    if which == "all":
        return ordered
    chosen: dict[int, ScoredAttempt] = {}
    for attempt in ordered:
        current = chosen.get(attempt.user_id)
        replaces = which == "last" or (
            which == "best" and current is not None and _fraction(attempt) > _fraction(current)
        )
        if current is None or replaces:
            chosen[attempt.user_id] = attempt
    return sorted(chosen.values(), key=lambda a: (a.started_at, a.id))


def _fraction(attempt: ScoredAttempt) -> float:
    return attempt.score / attempt.max_score if attempt.max_score else 0.0


def _sample_var(values: np.ndarray) -> float:
    return float(np.var(values, ddof=1)) if len(values) > 1 else 0.0


def _sample_cov(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 2:
        return 0.0
    return float(np.sum((a - a.mean()) * (b - b.mean())) / (len(a) - 1))


def item_stats(attempts: Sequence[ScoredAttempt]) -> list[ItemStats]:
    """Statistics of every question, each over the attempts that were shown it."""
    marks: dict[str, list[float]] = defaultdict(list)
    rests: dict[str, list[float]] = defaultdict(list)
    for attempt in attempts:
        for question_id, mark in attempt.marks.items():
            marks[question_id].append(mark)
            rests[question_id].append(attempt.total - mark)
    return [_one_item(q, np.array(marks[q]), np.array(rests[q])) for q in sorted(marks)]


def _one_item(question_id: str, x: np.ndarray, rest: np.ndarray) -> ItemStats:
    n = len(x)
    facility = float(x.mean()) if n else None
    var_x, var_rest = _sample_var(x), _sample_var(rest)
    sd = math.sqrt(var_x) if n > 1 else None
    cov = _sample_cov(x, rest)
    discrimination = (
        100 * cov / math.sqrt(var_x * var_rest) if n > 1 and var_x > 0 and var_rest > 0 else None
    )
    cov_max = _sample_cov(np.sort(x), np.sort(rest))
    efficiency = 100 * cov / cov_max if n > 1 and cov_max > 0 else None
    stats = ItemStats(question_id, n, facility, sd, discrimination, efficiency)
    return ItemStats(**{**stats.__dict__, "flags": flags(stats)})


def flags(item: ItemStats) -> tuple[str, ...]:
    """Reasons, in plain words, why an item is worth reviewing."""
    found = []
    if item.n < FEW_ATTEMPTS:
        found.append(f"few attempts: only {item.n}, so these figures are unreliable")
    if item.facility is not None:
        if item.facility > FACILITY_HIGH:
            found.append(f"too easy: {100 * item.facility:.0f}% right")
        elif item.facility < FACILITY_LOW:
            found.append(f"too hard: only {100 * item.facility:.0f}% right")
    if item.discrimination is not None:
        if item.discrimination < 0:
            found.append("negative discrimination: stronger learners miss it more")
        elif item.discrimination < DISCRIMINATION_LOW:
            found.append(
                f"weak discrimination ({item.discrimination:.0f}): it barely separates "
                "stronger from weaker learners"
            )
    if item.efficiency is not None and 0 <= item.efficiency < EFFICIENCY_LOW:
        found.append(f"low discriminative efficiency ({item.efficiency:.0f})")
    return tuple(found)


def quiz_stats(attempts: Sequence[ScoredAttempt], items: Sequence[ItemStats]) -> QuizStats:
    """Whole-test figures over the `attempts` that count a question, with alpha estimated
    as the module explains."""
    counted = [a for a in attempts if a.marks]
    s = len(counted)
    if s == 0:
        return QuizStats(0, 0, None, None, None, None, None)
    fractions = np.array([a.total / a.maximum for a in counted]) * 100
    totals = np.array([a.total for a in counted])
    lengths = [len(a.marks) for a in counted]
    p = float(np.mean(lengths))
    mean = float(fractions.mean())
    sd_percent = math.sqrt(_sample_var(fractions)) if s > 1 else None
    var_total = _sample_var(totals)
    weighted = [(it.sd**2, it.n) for it in items if it.sd is not None and it.n > 1]
    alpha = None
    if s > 1 and p > 1 and var_total > 0 and weighted:
        mean_item_var = sum(v * n for v, n in weighted) / sum(n for _, n in weighted)
        alpha = p / (p - 1) * (1 - p * mean_item_var / var_total)
    error_ratio = 100 * math.sqrt(1 - alpha) if alpha is not None and alpha < 1 else None
    standard_error = (
        error_ratio * sd_percent / 100
        if error_ratio is not None and sd_percent is not None
        else None
    )
    return QuizStats(s, p, mean, sd_percent, alpha, error_ratio, standard_error)


@dataclass(frozen=True)
class ChoiceShare:
    """How often one option of a question was picked (or placed right)."""

    label: str
    correct: bool
    share: float  # 0..1 of the attempts that answered the question


def option_shares(question: object, answers: Sequence[object]) -> list[ChoiceShare]:
    """Distractor analysis: for each choice, the share of answers that picked it.

    True/false counts each side; matching and ordering count, per part, the share
    placed right; matching adds, for each spare, the share of answers that chose it for
    any left item (a spare that draws no one is not doing its work).
    """
    total = len(answers)
    if total == 0:
        return []
    kind = question.type  # type: ignore[attr-defined]
    if kind in ("single", "multiple"):
        counts = [0] * len(question.choices)  # type: ignore[attr-defined]
        for answer in answers:
            picked = [answer] if isinstance(answer, int) else list(answer or [])  # type: ignore[arg-type]
            for i in picked:
                counts[i] += 1
        return [
            ChoiceShare(c.text, c.correct, counts[i] / total)
            for i, c in enumerate(question.choices)  # type: ignore[attr-defined]
        ]
    if kind == "true_false":
        trues = sum(1 for a in answers if a is True)
        right = question.answer  # type: ignore[attr-defined]
        return [
            ChoiceShare("True", right is True, trues / total),
            ChoiceShare("False", right is False, (total - trues) / total),
        ]
    if kind == "matching":
        pairs = question.pairs  # type: ignore[attr-defined]
        matched = [a for a in answers if isinstance(a, list)]
        placed = [
            ChoiceShare(f"{left} → {right}", True, sum(1 for a in matched if a[i] == i) / total)
            for i, (left, right) in enumerate(pairs)
        ]
        spares = question.spares  # type: ignore[attr-defined]
        return placed + [
            ChoiceShare(
                f"{spare} (matches nothing)",
                False,
                sum(1 for a in matched if len(pairs) + j in a) / total,
            )
            for j, spare in enumerate(spares)
        ]
    items = question.items  # type: ignore[attr-defined]
    return [
        ChoiceShare(
            f"{i + 1}. {item}",
            True,
            sum(1 for a in answers if isinstance(a, list) and i < len(a) and a[i] == i) / total,
        )
        for i, item in enumerate(items)
    ]
