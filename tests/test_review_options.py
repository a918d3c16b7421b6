"""What the review of a submitted post-test shows is the course's choice (issue 13 item 4,
and issue 11's secure pool): by default, after a fail with attempts left, only marks by
topic and objective; everything after a pass or the last attempt."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from quiz_app.accounts import User
from quiz_app.attempts import Attempts
from quiz_app.clock import ManualClock
from quiz_app.course import Course, load_course
from quiz_app.quizdef import REVIEW_PARTS, QuizDef, ReviewOptions
from quiz_app.scoring import correct_answer
from quiz_app.store import Store
from quiz_app.testing import open_app, texts
from tests.conftest import ALL_TYPES, QUIZZES, SOURCES_YAML, write

ALL = frozenset(REVIEW_PARTS)


def test_default_options_follow_moodle_practice() -> None:
    options = ReviewOptions()
    assert options.shown(passed=False, attempts_left=True) == frozenset()
    assert options.shown(passed=False, attempts_left=False) == ALL
    assert options.shown(passed=True, attempts_left=True) == ALL


def test_options_are_checked() -> None:
    with pytest.raises(ValidationError):
        ReviewOptions.model_validate({"passed": ["the answers"]})
    with pytest.raises(ValidationError, match="review is for a post-test"):
        QuizDef.model_validate(
            {
                "id": "p",
                "title": "P",
                "mode": "practice",
                "topics": ["demo"],
                "questions": 3,
                "review": {"passed": ["key"]},
            }
        )


@pytest.fixture
def service(db_path: Path, tiny_course: Course, clock: ManualClock) -> Attempts:
    return Attempts(Store(db_path), tiny_course, clock)


def answer_all(service: Attempts, attempt, right: bool) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import WRONG_ANSWERS

    for slot in attempt.slots:
        question = service.course.question(slot.question_id)
        answer = correct_answer(question) if right else WRONG_ANSWERS[question.type]
        service.answer(attempt, slot.question_id, answer)


def test_review_parts_by_how_the_attempt_ended(
    learner: User, service: Attempts, tiny_course: Course
) -> None:
    post_test = tiny_course.post_test
    assert post_test is not None and post_test.attempts_allowed == 2
    first = service.start(learner.id, post_test)
    answer_all(service, first, right=False)
    first = service.submit(first)
    assert service.review_parts(first) == frozenset()  # failed, one attempt left
    second = service.start(learner.id, post_test)
    # While the last attempt is open, the first attempt's key stays hidden.
    assert service.review_parts(first) == frozenset()
    answer_all(service, second, right=False)
    second = service.submit(second)
    assert service.review_parts(second) == ALL  # the last attempt
    assert service.review_parts(first) == ALL  # and so the test is over for the first too


def test_a_pass_shows_everything_and_practice_always_does(
    learner: User, service: Attempts, tiny_course: Course
) -> None:
    post_test = tiny_course.post_test
    assert post_test is not None
    attempt = service.start(learner.id, post_test)
    answer_all(service, attempt, right=True)
    assert service.review_parts(service.submit(attempt)) == ALL
    practice = service.start(learner.id, tiny_course.practice_quizzes[0])
    assert service.review_parts(service.submit(practice)) == ALL


@pytest.mark.usefixtures("env")
def test_results_page_hides_the_key_after_a_fail_with_attempts_left(
    learner: User, service: Attempts, tiny_course: Course
) -> None:
    post_test = tiny_course.post_test
    assert post_test is not None
    attempt = service.start(learner.id, post_test)
    answer_all(service, attempt, right=False)
    service.submit(attempt)
    at = open_app(learner, "views/history.py")
    shown = texts(at)
    assert "Not passed" in shown
    assert not at.expander, "no question is reviewed"
    assert "shown once you pass or have used your last attempt" in shown
    assert "Because." not in shown and "Right match" not in shown
    objectives = [frame for frame in at.dataframe if "Learning objective" in frame.value]
    assert len(objectives) == 1 and list(objectives[0].value["Questions"]) == [5]


def test_a_course_can_show_marks_only_after_the_last_attempt(
    tmp_path: Path, sources_dir: Path, db_path: Path, clock: ManualClock, learner: User
) -> None:
    folder = tmp_path / "strict"
    folder.mkdir()
    write(folder, "sources.yaml", SOURCES_YAML)
    write(folder, "demo.yaml", ALL_TYPES)
    write(
        folder,
        "quizzes.yaml",
        QUIZZES
        + "    review:\n      last_attempt: [correctness]\n      passed: [correctness, key]\n",
    )
    course = load_course(folder)
    service = Attempts(Store(db_path), course, clock)
    post_test = course.post_test
    assert post_test is not None
    for _ in range(2):
        attempt = service.start(learner.id, post_test)
        answer_all(service, attempt, right=False)
        attempt = service.submit(attempt)
    assert service.review_parts(attempt) == frozenset({"correctness"})
