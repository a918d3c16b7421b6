"""Course evaluations: what a learner who passed the post-test thinks of the course.

The course defines the evaluation (`course.evaluation` in quizzes.yaml: Likert items
rated 1 to 5, Strongly disagree to Strongly agree, and optional free-text items). A
learner fills it in once per passed post-test attempt. Until they submit it, their
answers are kept as a draft in the database, so they can leave and finish it later
(on any device). Once submitted, it is never changed: the store refuses a second
submission and any edit.

When the evaluation is `required`, the certificate is not issued until it is
submitted (`Certificates.issue` raises EvaluationDue): there is no code to verify, no
PDF, nothing in the gradebook's certificate column; the page that shows the learner
their certificate issues it once the evaluation is in. When not required, it is offered
beside the certificate.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from quiz_app.clock import Clock, LocalTime, SystemClock, iso
from quiz_app.course import Course
from quiz_app.errors import QuizError
from quiz_app.quizdef import ANSWER_MAX, LIKERT, LIKERT_LABELS, Evaluation, EvaluationItem
from quiz_app.records import Row
from quiz_app.store import EvaluationSubmitted, Store

__all__ = ["EvaluationSubmitted"]

Answer = int | str  # a Likert rating 1..5, or free text
EVALUATION_COLUMNS = (
    "attempt_id", "username", "display_name", "submitted_at", "item_id", "item_text", "kind",
    "rating", "rating_label", "answer",
)  # fmt: skip


class NotEvaluable(QuizError):
    """No evaluation for this attempt: the course has none, or the attempt is not this
    learner's passed post-test."""


class IncompleteEvaluation(QuizError):
    """A submission that leaves a rating out or has an answer that is not one."""


def clean_answers(evaluation: Evaluation, answers: Mapping[str, Any], complete: bool) -> dict:
    """The answers worth keeping, by item id, in the evaluation's order: ratings 1 to 5 of
    its Likert items, non-blank text (stripped) of its text items; anything else is
    dropped. With `complete`, raises IncompleteEvaluation when a Likert item is unrated
    or a text is longer than ANSWER_MAX characters, naming them."""
    kept: dict[str, Answer] = {}
    unrated: list[str] = []
    for item in evaluation.items:
        value = answers.get(item.id)
        if item.kind == LIKERT:
            if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5:
                kept[item.id] = value
            else:
                unrated.append(item.text)
        elif isinstance(value, str) and value.strip():
            text = value.strip()
            if len(text) > ANSWER_MAX and complete:
                raise IncompleteEvaluation(
                    f"Your answer to “{item.text}” is {len(text):,} characters; "
                    f"the limit is {ANSWER_MAX:,}."
                )
            kept[item.id] = text[:ANSWER_MAX]
    if complete and unrated:
        raise IncompleteEvaluation(
            "Rate every statement before you submit: " + "; ".join(unrated) + "."
        )
    return kept


def evaluation_row(
    evaluation: Evaluation, attempt_id: int, user_id: int, submitted_at: str, kept: dict
) -> Row:
    """The row an evaluation of `attempt_id` stores: the items as asked and the answers
    `kept` (from clean_answers), both as JSON."""
    return {
        "attempt_id": attempt_id,
        "user_id": user_id,
        "submitted_at": submitted_at,
        "items": json.dumps([item.model_dump() for item in evaluation.items], ensure_ascii=False),
        "answers": json.dumps(kept, ensure_ascii=False),
    }


@dataclass(frozen=True)
class SubmittedEvaluation:
    """An evaluation as it was submitted: the items as they were asked, and the answers."""

    attempt_id: int
    user_id: int
    submitted_at: str
    items: tuple[EvaluationItem, ...]
    answers: Mapping[str, Answer]

    @classmethod
    def from_row(cls, row: Row) -> SubmittedEvaluation:
        items = tuple(EvaluationItem.model_validate(item) for item in json.loads(row["items"]))
        answers = json.loads(row["answers"])
        return cls(row["attempt_id"], row["user_id"], row["submitted_at"], items, answers)


@dataclass(frozen=True)
class LikertSummary:
    """One Likert item over a cohort: how many chose each point (1 to 5), and the mean."""

    item_id: str
    text: str
    counts: tuple[int, int, int, int, int]

    @property
    def n(self) -> int:
        return sum(self.counts)

    @property
    def mean(self) -> float | None:
        total = sum(point * count for point, count in enumerate(self.counts, start=1))
        return total / self.n if self.n else None


@dataclass(frozen=True)
class TextSummary:
    """One free-text item over a cohort: every answer given, oldest first."""

    item_id: str
    text: str
    answers: tuple[str, ...]


@dataclass(frozen=True)
class EvaluationSummary:
    """A cohort's evaluations, item by item, in the order the course asks them (items
    no longer in the course last, as they were asked)."""

    submitted: int
    likert: tuple[LikertSummary, ...]
    texts: tuple[TextSummary, ...]


def summarise(
    evaluations: Sequence[SubmittedEvaluation], current: Evaluation | None
) -> EvaluationSummary:
    """The summary of `evaluations` (pure): counts and mean per Likert item, the answers
    per text item. An item is known by its id; its text is the course's `current` one."""
    items: dict[str, EvaluationItem] = {i.id: i for i in (current.items if current else ())}
    for evaluation in evaluations:
        for item in evaluation.items:
            items.setdefault(item.id, item)
    counts = {key: [0] * 5 for key, item in items.items() if item.kind == LIKERT}
    texts: dict[str, list[str]] = {key: [] for key, item in items.items() if item.kind != LIKERT}
    for evaluation in evaluations:
        for key, value in evaluation.answers.items():
            if key in counts and isinstance(value, int):
                counts[key][value - 1] += 1
            elif key in texts and isinstance(value, str):
                texts[key].append(value)
    return EvaluationSummary(
        len(evaluations),
        tuple(LikertSummary(k, items[k].text, tuple(c)) for k, c in counts.items()),  # type: ignore[arg-type]
        tuple(TextSummary(k, items[k].text, tuple(a)) for k, a in texts.items()),
    )


class Evaluations:
    """The course evaluation of passed post-test attempts, over a Store and Course."""

    def __init__(self, store: Store, course: Course, clock: Clock | None = None):
        self.store = store
        self.course = course
        self.clock = clock or SystemClock()

    @property
    def definition(self) -> Evaluation | None:
        """The course's evaluation, or None when it defines none."""
        return self.course.info.evaluation

    def submitted(self, attempt_id: int) -> SubmittedEvaluation | None:
        row = self.store.evaluation(attempt_id)
        return SubmittedEvaluation.from_row(row) if row else None

    def is_due(self, attempt_id: int) -> bool:
        """Whether the attempt's learner has an evaluation to fill in for it: the course
        defines one and it is not submitted yet (`attempt_id` is a passed post-test)."""
        return self.definition is not None and self.store.evaluation(attempt_id) is None

    def withholds_certificate(self, attempt_id: int) -> bool:
        """Whether the certificate of this passed attempt waits for its evaluation: the
        evaluation is required and not yet submitted."""
        evaluation = self.definition
        return evaluation is not None and evaluation.required and self.is_due(attempt_id)

    def _check(self, attempt_id: int, user_id: int) -> Evaluation:
        """The course's evaluation, if `attempt_id` is `user_id`'s passed post-test;
        raises NotEvaluable otherwise."""
        evaluation = self.definition
        if evaluation is None:
            raise NotEvaluable("This course has no course evaluation.")
        attempt = self.store.attempt(attempt_id)
        if (
            attempt is None
            or attempt["user_id"] != user_id
            or attempt["mode"] != "post_test"
            or not attempt["passed"]
        ):
            raise NotEvaluable("The course evaluation is for your passed post-test only.")
        return evaluation

    def draft(self, attempt_id: int) -> dict[str, Answer]:
        """The answers saved so far for this attempt's evaluation (empty when none)."""
        row = self.store.evaluation_draft(attempt_id)
        return json.loads(row["answers"]) if row else {}

    def save_draft(self, attempt_id: int, user_id: int, answers: Mapping[str, Any]) -> None:
        """Keep the answers given so far (the valid ones), to finish later. Raises
        NotEvaluable, or EvaluationSubmitted once the evaluation is submitted."""
        evaluation = self._check(attempt_id, user_id)
        kept = clean_answers(evaluation, answers, complete=False)
        self.store.save_evaluation_draft(
            attempt_id, json.dumps(kept, ensure_ascii=False), iso(self.clock.now())
        )

    def submit(
        self, attempt_id: int, user_id: int, answers: Mapping[str, Any]
    ) -> SubmittedEvaluation:
        """Store the evaluation of this attempt for good, with the items as asked now.

        Raises NotEvaluable, IncompleteEvaluation (a statement unrated, a text too long)
        or EvaluationSubmitted (it was submitted already; nothing changes).
        """
        evaluation = self._check(attempt_id, user_id)
        kept = clean_answers(evaluation, answers, complete=True)
        row = self.store.submit_evaluation(
            **evaluation_row(evaluation, attempt_id, user_id, iso(self.clock.now()), kept)
        )
        return SubmittedEvaluation.from_row(row)

    def of_cohort(self, cohort_id: int) -> list[SubmittedEvaluation]:
        return [SubmittedEvaluation.from_row(r) for r in self.store.cohort_evaluations(cohort_id)]

    def cohort_summary(self, cohort_id: int) -> EvaluationSummary:
        """The cohort's evaluations summarised (see `summarise`)."""
        return summarise(self.of_cohort(cohort_id), self.definition)

    def cohort_rows(self, cohort_id: int | None) -> list[dict[str, Any]]:
        """The cohort's evaluations as rows with EVALUATION_COLUMNS, one per item asked
        (oldest evaluation first, items in the order asked): who, when (ISO 8601 in the
        course's time zone), the item, and the rating (1-5 and its label) or the text
        (blank when not answered). For the CSV download and the audit pack."""
        local: LocalTime = self.course.local_time
        rows = []
        for row in self.store.cohort_evaluations(cohort_id):
            evaluation = SubmittedEvaluation.from_row(row)
            for item in evaluation.items:
                value = evaluation.answers.get(item.id)
                rating = value if item.kind == LIKERT and isinstance(value, int) else None
                rows.append(
                    {
                        "attempt_id": evaluation.attempt_id,
                        "username": row["username"],
                        "display_name": row["display_name"],
                        "submitted_at": local.iso(evaluation.submitted_at),
                        "item_id": item.id,
                        "item_text": item.text,
                        "kind": item.kind,
                        "rating": rating,
                        "rating_label": LIKERT_LABELS[rating - 1] if rating else "",
                        "answer": value if isinstance(value, str) else "",
                    }
                )
        return rows
