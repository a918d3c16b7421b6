"""A learner's progress from their answers: mastery, missed objectives, weak spots."""

from __future__ import annotations

from quiz_app.progress import Answered, latest_answers, missed_objectives, topic_mastery, weak_spots


def answers(*rows: tuple[str, float, str]) -> list[Answered]:
    return [Answered(question_id=q, mark=m, answered_at=t) for q, m, t in rows]


def test_latest_answer_counts_and_retired_questions_are_ignored(tiny_course) -> None:
    given = answers(("q-tf", 0.0, "2026-01-01"), ("q-tf", 1.0, "2026-01-02"),
                    ("gone", 0.0, "2026-01-03"))  # fmt: skip
    assert {q: a.mark for q, a in latest_answers(given, tiny_course).items()} == {"q-tf": 1.0}


def test_topic_mastery(tiny_course) -> None:
    (demo,) = topic_mastery(answers(("q-tf", 1.0, "t1"), ("q-single", 0.0, "t2")), tiny_course)
    assert (demo.topic, demo.mastery, demo.answered, demo.total) == ("demo", 0.5, 2, 5)
    (empty,) = topic_mastery([], tiny_course)
    assert empty.mastery is None and empty.answered == 0


def test_missed_objectives_count_every_answer_below_full_marks(tiny_course) -> None:
    given = answers(("q-tf", 0.0, "t1"), ("q-tf", 1.0, "t2"), ("q-multiple", 0.5, "t3"))
    (missed,) = missed_objectives(given, tiny_course)
    assert (missed.objective, missed.text, missed.misses, missed.answers) == (
        "obj-a", "Identify things.", 2, 3)  # fmt: skip
    assert missed_objectives(answers(("q-tf", 1.0, "t1")), tiny_course) == []


def test_weak_spots_are_latest_answers_not_fully_right_weakest_first(tiny_course) -> None:
    given = answers(("q-tf", 0.0, "t1"), ("q-tf", 1.0, "t2"), ("q-multiple", 0.5, "t3"),
                    ("q-order", 0.0, "t4"))  # fmt: skip
    assert weak_spots(given, tiny_course) == ["q-order", "q-multiple"]
