"""Flag for review, and a summary before submit (issue 13, item 5), as Moodle has them.

A flag is stored (it survives a reload or another browser), marked in the question
palette, and listed with every question's answered or not in the summary that
"Submit the post-test" now opens; any number there goes back to its question.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz_app.attempts import Attempts
from quiz_app.course import Course
from quiz_app.errors import QuizError
from quiz_app.scoring import correct_answer
from quiz_app.store import AttemptClosed, Store
from quiz_app.testing import begin_post_test, fill_answer, go, open_app, texts
from tests.conftest import ManualClock


@pytest.fixture
def service(env: None, db_path: Path, tiny_course: Course, clock: ManualClock) -> Attempts:
    return Attempts(Store(db_path), tiny_course, clock)


def palette_labels(at, attempt_id: int) -> list[str]:
    pills = at.get("button_group")
    (palette,) = [p for p in pills if p.proto.id.endswith(f"palette-{attempt_id}")]
    return [
        f"{option.content_icon} {option.content}" if option.content_icon else option.content
        for option in palette.proto.options
    ]


def test_a_flag_is_stored_marked_in_the_palette_and_kept_on_reload(learner, service) -> None:
    at = begin_post_test(open_app(learner, "views/home.py"))
    attempt = service.load(at.session_state["attempt_id"])
    first = attempt.slots[0].question_id
    at.toggle(key=f"flag-{attempt.id}-{first}").set_value(True).run()
    assert service.flagged(attempt) == {first}
    labels = palette_labels(at, attempt.id)
    assert labels[0] == "1 :material/flag: *not answered, flagged*"
    assert labels[1] == "2 *not answered*"  # the words: for assistive tech only
    again = go(open_app(learner, "views/home.py"), "views/quiz.py")  # a new browser session
    assert again.toggle(key=f"flag-{attempt.id}-{first}").value is True
    again.toggle(key=f"flag-{attempt.id}-{first}").set_value(False).run()
    assert service.flagged(attempt) == set()


def test_the_summary_lists_every_question_and_submits(learner, service, tiny_course) -> None:
    at = begin_post_test(open_app(learner, "views/home.py"))
    attempt = service.load(at.session_state["attempt_id"])
    slot = attempt.slots[0]
    question = tiny_course.question(slot.question_id)
    fill_answer(at, f"a{attempt.id}-{slot.question_id}", question, correct_answer(question))
    at.run()
    at.button_group(key=f"palette-{attempt.id}").set_value(2).run()  # to question 3
    at.toggle(key=f"flag-{attempt.id}-{attempt.slots[2].question_id}").set_value(True).run()
    labels = palette_labels(at, attempt.id)
    assert labels[0] == "1 :material/check: *answered*"
    assert labels[2] == "3 :material/flag: *not answered, flagged*"

    at.button(key=f"submit-{attempt.id}").click().run()
    shown = texts(at)
    assert "Summary of your attempt" in shown
    assert "| 1 | Answered |  |" in shown
    assert "| 2 | **Not answered** |  |" in shown
    assert "| 3 | **Not answered** | Flagged |" in shown
    assert "Submit now? 1 of 5 answered; 4 unanswered will score 0; 1 question flagged." in (
        at.warning[0].value
    )
    assert not [w for w in at.radio] and not at.toggle  # the questions are not on the page

    at.button_group(key=f"summary-palette-{attempt.id}").set_value(2).run()  # back to no. 3
    assert at.session_state[f"position-{attempt.id}"] == 2 and "Summary" not in texts(at)
    at.button(key=f"submit-{attempt.id}").click().run()
    at.button(key=f"no-{attempt.id}").click().run()  # "Back to the questions"
    assert service.load(attempt.id).is_open and "Summary" not in texts(at)
    at.button(key=f"submit-{attempt.id}").click().run()
    at.button(key=f"yes-{attempt.id}").click().run()
    assert not service.load(attempt.id).is_open
    assert "Review your answers" in texts(at)


def test_flags_are_for_open_post_tests_only(learner, service, tiny_course) -> None:
    practice = service.start(learner.id, tiny_course.practice_quizzes[0])
    with pytest.raises(QuizError, match="Only a post-test"):
        service.flag(practice, practice.slots[0].question_id, True)
    test = service.start(learner.id, tiny_course.post_test)
    with pytest.raises(QuizError, match="not part of attempt"):
        service.flag(test, "no-such-question", True)
    service.flag(test, test.slots[1].question_id, True)
    service.flag(test, test.slots[1].question_id, True)  # twice: still one flag
    assert service.flagged(test) == {test.slots[1].question_id}
    service.submit(service.load(test.id))
    with pytest.raises(AttemptClosed):
        service.flag(service.load(test.id), test.slots[1].question_id, False)
