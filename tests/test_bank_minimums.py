"""The shipped course keeps the size and mix the course design promises.

A future edit that quietly drops a topic, a question type or the share of harder
questions below these minimums fails here.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from quiz_app.course import Course

TOPIC_MINIMUMS = {
    "fundamentals": 22,
    "mechanisms": 30,
    "indications": 22,
    "acupuncture": 18,
    "practice_evidence": 32,
}
# Orderings are few on purpose: the reviewers found the first edition's common-sense
# sequences ("assess first") measured nothing, and few passages state a real order.
TYPE_MINIMUMS = {"multiple": 25, "true_false": 20, "matching": 8, "ordering": 2, "single": 1}
TOTAL_MINIMUM = 130
# A clinical vignette presents a patient, stated with an age: "A 45-year-old runner ...".
VIGNETTE = re.compile(r"\b\d{1,3}-year-old\b")


@pytest.mark.parametrize(("topic", "minimum"), TOPIC_MINIMUMS.items(), ids=list(TOPIC_MINIMUMS))
def test_topic_has_enough_questions(course: Course, topic: str, minimum: int) -> None:
    assert len(course.bank(topic).questions) >= minimum


def test_total(course: Course) -> None:
    assert len(course.questions) >= TOTAL_MINIMUM


@pytest.mark.parametrize(("kind", "minimum"), TYPE_MINIMUMS.items(), ids=list(TYPE_MINIMUMS))
def test_type_mix(course: Course, kind: str, minimum: int) -> None:
    assert sum(q.type == kind for q in course.questions) >= minimum


@pytest.mark.parametrize("topic", TOPIC_MINIMUMS)
def test_objectives_are_three_to_six_each_with_four_questions(course: Course, topic: str) -> None:
    bank = course.bank(topic)
    assert 3 <= len(bank.objectives) <= 6
    counts = Counter(q.objective for q in bank.questions)
    thin = {o: counts.get(o, 0) for o in bank.objectives if counts.get(o, 0) < 4}
    assert not thin, f"objectives with fewer than 4 questions: {thin}"


def test_objectives_are_measurable(course: Course) -> None:
    verbs = (
        "identify",
        "explain",
        "distinguish",
        "decide",
        "describe",
        "recognise",
        "recognize",
        "tell",
        "compare",
        "apply",
        "interpret",
        "evaluate",
        "name",
        "list",
    )
    vague = [
        f"{bank.topic}:{oid}"
        for bank in course.banks
        for oid, text in bank.objectives.items()
        if not text.lower().startswith(verbs)
    ]
    assert not vague, f"objectives that do not start with a measurable verb: {vague}"


def test_at_least_35_percent_understanding_or_application(course: Course) -> None:
    levels = Counter(q.level for q in course.questions)
    share = (levels["understanding"] + levels["application"]) / len(course.questions)
    assert share >= 0.35


def test_at_least_20_clinical_vignettes(course: Course) -> None:
    assert sum(bool(VIGNETTE.search(q.stem)) for q in course.questions) >= 20


def test_feedback_on_at_least_half_of_choice_questions(course: Course) -> None:
    choice_questions = [q for q in course.questions if q.type in ("single", "multiple")]
    with_feedback = [q for q in choice_questions if any(c.feedback for c in q.choices)]
    assert len(with_feedback) * 2 >= len(choice_questions)


def test_no_all_or_none_of_the_above(course: Course) -> None:
    banned = re.compile(r"\b(all|none) of the above\b", re.IGNORECASE)
    offenders = [
        q.id
        for q in course.questions
        if q.type in ("single", "multiple") and any(banned.search(c.text) for c in q.choices)
    ]
    assert not offenders


def test_correct_choice_is_not_systematically_the_longest(course: Course) -> None:
    singles = [q for q in course.questions if q.type == "single"]
    longest = [q.id for q in singles if max(q.choices, key=lambda c: len(c.text)).correct]
    assert len(longest) <= len(singles) // 3, longest


def test_every_source_document_is_cited(course: Course) -> None:
    cited = {ref.doc for q in course.questions for ref in q.sources}
    assert cited == set(course.sources)


def test_post_test_blueprint_covers_every_topic(course: Course) -> None:
    post_test = course.post_test
    assert post_test is not None
    assert set(post_test.blueprint) == set(TOPIC_MINIMUMS)
    assert (
        post_test.length,
        post_test.pass_mark,
        post_test.time_limit_minutes,
        post_test.attempts_allowed,
        post_test.ce_hours,
    ) == (25, 80, 30, 3, 1.0)
    practice_topics = {t for q in course.practice_quizzes for t in q.topics}
    assert practice_topics == set(TOPIC_MINIMUMS)
