"""Drawing and shuffling attempts: reproducible from the seed, true to the blueprint."""

from __future__ import annotations

from collections import Counter

import pytest

from quiz_app.course import MIX_TITLE_MAX, Course
from quiz_app.quiz import NotEnoughQuestions, Slot, draw, part_count


def test_same_seed_same_attempt(course: Course) -> None:
    quiz = course.post_test
    assert draw(quiz, course, 42) == draw(quiz, course, 42)
    assert draw(quiz, course, 42) != draw(quiz, course, 43)


def test_post_test_follows_the_blueprint(course: Course) -> None:
    quiz = course.post_test
    slots = draw(quiz, course, 7)
    topics = Counter(course.topic_of(s.question_id) for s in slots)
    assert dict(topics) == dict(quiz.blueprint)
    assert len({s.question_id for s in slots}) == len(slots) == quiz.length


def test_topics_are_interleaved_not_in_blocks(course: Course) -> None:
    slots = draw(course.post_test, course, 3)
    topics = [course.topic_of(s.question_id) for s in slots]
    assert topics != sorted(topics, key=list(course.post_test.blueprint).index)


def test_orders_are_permutations_and_ordering_never_starts_solved(course: Course) -> None:
    for seed in range(200):
        for slot in draw(course.post_test, course, seed):
            question = course.question(slot.question_id)
            assert sorted(slot.order) == list(range(part_count(question)))
            if question.type == "ordering":
                assert list(slot.order) != sorted(slot.order)
            assert slot.content_hash == question.content_hash


def test_choice_positions_vary_across_seeds(course: Course) -> None:
    firsts = {draw(course.post_test, course, s)[0].order[:1] for s in range(60)}
    assert len(firsts) > 2


def test_practice_length_and_pool(course: Course) -> None:
    quiz = course.practice_quizzes[0]
    assert len(draw(quiz, course, 1, length=4)) == 4
    practised = [q.id for q in course.bank(quiz.topics[0]).questions if not q.reserved]
    pool = practised[:3]
    slots = draw(quiz, course, 1, pool=pool, length=10)
    assert sorted(s.question_id for s in slots) == sorted(pool)


def test_empty_pool_is_refused(course: Course) -> None:
    with pytest.raises(NotEnoughQuestions):
        draw(course.practice_quizzes[0], course, 1, pool=[])


def test_slot_round_trips_through_json() -> None:
    slot = Slot("q", (2, 0, 1), "abc")
    assert Slot.from_json(slot.as_json()) == slot


@pytest.mark.parametrize(
    ("count", "title"),
    [
        (1, "Practice: dry needling fundamentals"),
        (2, "Practice: 2 topics"),  # "...: dry needling fundamentals, how dry needling works"
        (3, "Practice: 3 topics"),
    ],
    ids=["one topic", "two", "three"],
)
def test_a_practice_mix_title_fits_a_phone(course: Course, count: int, title: str) -> None:
    assert course.practice_quiz(course.topics[:count], 10).title == title
    assert len(title) <= MIX_TITLE_MAX
