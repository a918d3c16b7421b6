"""A learner's progress, computed from their attempts and answers (pure: no I/O).

Mastery of a topic is the mean mark of the learner's latest answer to each question
of that topic they have met, so a question answered wrong and later right counts as
learned. "Weak spots" are the questions whose latest answer was not fully right.
Answers whose feedback is not released yet (an open post-test's) count for nothing
here, so no page can tell the learner how an open post-test is going.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from quiz_app import formatting, grading
from quiz_app.bank import Question
from quiz_app.clock import LocalTime
from quiz_app.course import Course
from quiz_app.records import Attempt, Row


@dataclass(frozen=True)
class Answered:
    """One stored answer whose feedback is released: which question, its mark, and when."""

    question_id: str
    mark: Fraction
    answered_at: str


def released_answers(rows: Iterable[Row]) -> list[Answered]:
    """The answers (rows of Store.answers_of) a learner may see the marks of."""
    return [
        Answered(r["question_id"], grading.exact(r["mark_exact"]) or Fraction(0), r["answered_at"])
        for r in rows
        if grading.feedback_released(r["mode"], bool(r["submitted"]))
    ]


@dataclass(frozen=True)
class TopicMastery:
    topic: str
    title: str
    mastery: float | None  # mean latest mark, 0..1; None when nothing answered yet
    answered: int
    total: int


@dataclass(frozen=True)
class MissedObjective:
    topic: str
    objective: str
    text: str
    misses: int
    answers: int


def latest_answers(answers: Iterable[Answered], course: Course) -> dict[str, Answered]:
    """The most recent answer to each question still in the banks."""
    latest: dict[str, Answered] = {}
    for answer in sorted(answers, key=lambda a: a.answered_at):
        if course.has_question(answer.question_id):
            latest[answer.question_id] = answer
    return latest


def topic_mastery(answers: Iterable[Answered], course: Course) -> list[TopicMastery]:
    latest = latest_answers(answers, course)
    result = []
    for bank in course.banks:
        marks = [latest[q.id].mark for q in bank.questions if q.id in latest]
        result.append(
            TopicMastery(
                bank.topic,
                bank.title,
                float(grading.total(marks) / len(marks)) if marks else None,
                len(marks),
                len(bank.questions),
            )
        )
    return result


def missed_objectives(
    answers: Iterable[Answered], course: Course, limit: int = 5
) -> list[MissedObjective]:
    """Objectives ordered by how often their questions were answered less than fully right."""
    misses: dict[tuple[str, str], int] = defaultdict(int)
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for answer in answers:
        if not course.has_question(answer.question_id):
            continue
        question = course.question(answer.question_id)
        key = (course.topic_of(question.id), question.objective)
        totals[key] += 1
        misses[key] += answer.mark < 1
    ranked = sorted(
        (k for k in totals if misses[k]), key=lambda k: (-misses[k], -misses[k] / totals[k], k)
    )
    return [
        MissedObjective(
            topic,
            objective,
            course.bank(topic).objectives.get(objective, objective),
            misses[(topic, objective)],
            totals[(topic, objective)],
        )
        for topic, objective in ranked[:limit]
    ]


def weak_spots(answers: Iterable[Answered], course: Course) -> list[str]:
    """Questions whose latest answer was not fully right, weakest first; never one
    reserved for the post-test (those are never practised)."""
    latest = latest_answers(answers, course)
    practice = course.weak_spots_quiz(1)
    weak = [
        a
        for a in latest.values()
        if a.mark < 1 and practice.may_draw(course.question(a.question_id))
    ]
    return [a.question_id for a in sorted(weak, key=lambda a: (a.mark, a.question_id))]


def best_post_test(attempts: Sequence[Attempt]) -> Attempt | None:
    """The learner's best submitted post-test attempt, or None."""
    done = [a for a in attempts if a.is_post_test and not a.is_open and a.score is not None]
    return (
        max(done, key=lambda a: (grading.percent(a.score, a.max_score or 1), a.submitted_at))
        if done
        else None
    )


@dataclass(frozen=True)
class TopicScore:
    topic: str
    title: str
    earned: Fraction
    possible: int

    @property
    def percent(self) -> float:
        return grading.shown_percent(self.earned, self.possible) or 0.0


def topic_breakdown(attempt: Attempt, course: Course) -> list[TopicScore]:
    """An attempt's marks by topic, in the course's topic order."""
    titles = {bank.topic: bank.title for bank in course.banks}
    return _breakdown(attempt, course, lambda q: course.topic_of(q.id), titles)


def objective_breakdown(attempt: Attempt, course: Course) -> list[TopicScore]:
    """An attempt's marks by learning objective (`title` is the objective's text), in
    the course's topic order and each bank's order of objectives."""
    titles = {
        f"{bank.topic}/{objective}": text
        for bank in course.banks
        for objective, text in bank.objectives.items()
    }
    return _breakdown(attempt, course, lambda q: f"{course.topic_of(q.id)}/{q.objective}", titles)


def _breakdown(
    attempt: Attempt,
    course: Course,
    group: Callable[[Question], str],
    titles: dict[str, str],
) -> list[TopicScore]:
    """Marks per group of the attempt's questions, groups in the order of `titles`;
    questions no longer in the banks are grouped as retired."""
    earned: dict[str, Fraction] = defaultdict(Fraction)
    possible: dict[str, int] = defaultdict(int)
    for slot in attempt.slots:
        kept = course.has_question(slot.question_id)
        key = group(course.question(slot.question_id)) if kept else "?"
        possible[key] += 1
        response = attempt.responses.get(slot.question_id)
        earned[key] += response.mark if response else 0
    order = {key: i for i, key in enumerate(titles)}
    return [
        TopicScore(key, titles.get(key, "Retired questions"), earned[key], possible[key])
        for key in sorted(possible, key=lambda k: order.get(k, len(order)))
    ]


@dataclass(frozen=True)
class AttemptLine:
    """One attempt as the learner's list of attempts shows it."""

    attempt_id: int
    quiz: str
    started: str  # the local day and time, with the zone's abbreviation
    score: str  # "31.3%", "–" for one in progress
    result: str  # "passed", "not passed", "in progress" or "finished" (practice)
    is_open: bool


def attempt_line(attempt: Attempt, local: LocalTime) -> AttemptLine:
    """How `attempt` appears in the learner's list: times in the course's zone (`local`)."""
    if attempt.is_open:
        result = f"in progress, {attempt.answered} of {len(attempt.slots)} answered"
    elif attempt.passed is not None:
        result = "passed" if attempt.passed else "not passed"
    else:
        result = "finished"
    return AttemptLine(
        attempt.id,
        attempt.quiz_title,
        local.moment_text(attempt.started_at),
        formatting.NO_VALUE if attempt.is_open else formatting.percent(attempt.percent),
        result,
        attempt.is_open,
    )
