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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class Moments:
    """What variances and covariances of paired values (x, y) need, whether summed in
    Python or in SQL: the count, and of x and of y the sum, the sum of squares and the
    extremes; the sum of the products of the pairs (`xy`), and of the products after
    sorting x and y each ascending (`sorted_xy`, for the largest covariance they allow)."""

    n: int
    x: float = 0.0
    xx: float = 0.0
    x_min: float | None = None
    x_max: float | None = None
    y: float = 0.0
    yy: float = 0.0
    y_min: float | None = None
    y_max: float | None = None
    xy: float = 0.0
    sorted_xy: float = 0.0

    @classmethod
    def of(cls, xs: Sequence[float], ys: Sequence[float]) -> Moments:
        """The moments of the pairs (xs[k], ys[k])."""
        if not xs:
            return cls(0)
        return cls(
            len(xs),
            math.fsum(xs),
            math.fsum(v * v for v in xs),
            min(xs),
            max(xs),
            math.fsum(ys),
            math.fsum(v * v for v in ys),
            min(ys),
            max(ys),
            math.fsum(a * b for a, b in zip(xs, ys, strict=True)),
            math.fsum(a * b for a, b in zip(sorted(xs), sorted(ys), strict=True)),
        )

    @property
    def var_x(self) -> float:
        """The sample variance of x (0 for fewer than two values, or all equal)."""
        return _sample_var(self.n, self.x, self.xx, self.x_min == self.x_max)

    @property
    def var_y(self) -> float:
        return _sample_var(self.n, self.y, self.yy, self.y_min == self.y_max)

    @property
    def cov(self) -> float:
        """The sample covariance of x and y."""
        return self._cov(self.xy)

    @property
    def cov_sorted(self) -> float:
        """The sample covariance of x and y each sorted ascending: the largest possible."""
        return self._cov(self.sorted_xy)

    def _cov(self, products: float) -> float:
        if self.n < 2 or self.x_min == self.x_max or self.y_min == self.y_max:
            return 0.0
        return (products - self.x * self.y / self.n) / (self.n - 1)


def _sample_var(n: int, total: float, squares: float, constant: bool) -> float:
    if n < 2 or constant:
        return 0.0  # exactly: rounding must not make equal values look spread
    return max(0.0, (squares - total * total / n) / (n - 1))


def item_stats(attempts: Sequence[ScoredAttempt]) -> list[ItemStats]:
    """Statistics of every question, each over the attempts that were shown it."""
    marks: dict[str, list[float]] = defaultdict(list)
    rests: dict[str, list[float]] = defaultdict(list)
    for attempt in attempts:
        for question_id, mark in attempt.marks.items():
            marks[question_id].append(mark)
            rests[question_id].append(attempt.total - mark)
    return [item_from_moments(q, Moments.of(marks[q], rests[q])) for q in sorted(marks)]


def item_from_moments(question_id: str, m: Moments) -> ItemStats:
    """An item's statistics from the moments of its marks x and the rests of the test X
    over the attempts shown it."""
    n = m.n
    facility = m.x / n if n else None
    var_x, var_rest = m.var_x, m.var_y
    sd = math.sqrt(var_x) if n > 1 else None
    cov = m.cov
    discrimination = (
        100 * cov / math.sqrt(var_x * var_rest) if n > 1 and var_x > 0 and var_rest > 0 else None
    )
    cov_max = m.cov_sorted
    efficiency = 100 * cov / cov_max if n > 1 and cov_max > 0 else None
    stats = ItemStats(question_id, n, facility, sd, discrimination, efficiency)
    return ItemStats(**{**stats.__dict__, "flags": flags(stats)})


def flags(item: ItemStats) -> tuple[str, ...]:
    """Reasons, in plain words, why an item is worth reviewing; each starts with its name
    (see `flag_name`), then a colon or a parenthesis with the detail."""
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


def flag_name(flag: str) -> str:
    """The name a reason of `flags` starts with ("too hard", "weak discrimination")."""
    return flag.split(":", 1)[0].split(" (", 1)[0]


def quiz_stats(attempts: Sequence[ScoredAttempt], items: Sequence[ItemStats]) -> QuizStats:
    """Whole-test figures over the `attempts` that count a question, with alpha estimated
    as the module explains."""
    counted = [a for a in attempts if a.marks]
    percents = [a.total / a.maximum * 100 for a in counted]
    totals = [a.total for a in counted]
    lengths = sum(len(a.marks) for a in counted)
    return quiz_from_moments(lengths, Moments.of(percents, totals), items)


def quiz_from_moments(lengths: int, m: Moments, items: Sequence[ItemStats]) -> QuizStats:
    """Whole-test figures from the moments of the attempts that count a question (x: the
    percent 100 T / maximum, y: the total T), how many questions they count in all
    (`lengths`) and their items' statistics."""
    s = m.n
    if s == 0:
        return QuizStats(0, 0, None, None, None, None, None)
    p = lengths / s
    mean = m.x / s
    sd_percent = math.sqrt(m.var_x) if s > 1 else None
    var_total = m.var_y
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
    return counted_option_shares(question, [(answer, 1) for answer in answers])


def counted_option_shares(
    question: object, counted: Sequence[tuple[object, int]]
) -> list[ChoiceShare]:
    """`option_shares` of answers given as (answer, how many gave it)."""
    total = sum(n for _, n in counted)
    if total == 0:
        return []

    def share(test: Callable[[object], bool]) -> float:
        return given(test) / total

    def given(test: Callable[[object], bool]) -> int:
        return sum(n for answer, n in counted if test(answer))

    kind = question.type  # type: ignore[attr-defined]
    if kind in ("single", "multiple"):
        counts = [0] * len(question.choices)  # type: ignore[attr-defined]
        for answer, n in counted:
            picked = [answer] if isinstance(answer, int) else list(answer or [])  # type: ignore[call-overload]
            for i in picked:
                counts[i] += n
        return [
            ChoiceShare(c.text, c.correct, counts[i] / total)
            for i, c in enumerate(question.choices)  # type: ignore[attr-defined]
        ]
    if kind == "true_false":
        trues = given(lambda a: a is True)
        right = question.answer  # type: ignore[attr-defined]
        return [
            ChoiceShare("True", right is True, trues / total),
            ChoiceShare("False", right is False, (total - trues) / total),
        ]
    if kind == "matching":
        pairs = question.pairs  # type: ignore[attr-defined]
        placed = [
            ChoiceShare(
                f"{left} → {right}", True, share(lambda a, i=i: isinstance(a, list) and a[i] == i)
            )
            for i, (left, right) in enumerate(pairs)
        ]
        spares = question.spares  # type: ignore[attr-defined]
        return placed + [
            ChoiceShare(
                f"{spare} (matches nothing)",
                False,
                share(lambda a, j=j: isinstance(a, list) and len(pairs) + j in a),
            )
            for j, spare in enumerate(spares)
        ]
    items = question.items  # type: ignore[attr-defined]
    return [
        ChoiceShare(
            f"{i + 1}. {item}",
            True,
            share(lambda a, i=i: isinstance(a, list) and i < len(a) and a[i] == i),
        )
        for i, item in enumerate(items)
    ]
