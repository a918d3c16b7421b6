"""The post-test saves every change (issue 13, item 1): no answer is lost on navigation.

There is no "Save answer" button: each choice is stored as it is made, a choice taken
back is taken back in the database too, and Next, Previous, the palette or the time
running out lose nothing, so "answered" always means what the learner sees.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz_app.attempts import Attempts
from quiz_app.course import Course
from quiz_app.errors import QuizError
from quiz_app.scoring import correct_answer
from quiz_app.store import AttemptClosed, Store
from quiz_app.testing import begin_post_test, fill_answer, open_app, texts
from tests.conftest import ManualClock


@pytest.fixture
def service(env: None, db_path: Path, tiny_course: Course, clock: ManualClock) -> Attempts:
    return Attempts(Store(db_path), tiny_course, clock)


def post_test(learner, service: Attempts):
    """The learner's post-test page, and its attempt."""
    at = begin_post_test(open_app(learner, "views/home.py"))
    return at, service.load(at.session_state["attempt_id"])


def show(at, attempt, question_type: str, course: Course):
    """Go (by the palette) to the attempt's question of `question_type`; its widget key."""
    index, slot = next(
        (i, s) for i, s in enumerate(attempt.slots)
        if course.question(s.question_id).type == question_type
    )  # fmt: skip
    if at.session_state[f"position-{attempt.id}"] != index:
        at.pills(key=f"palette-{attempt.id}").set_value(index).run()
    assert at.session_state[f"position-{attempt.id}"] == index
    return f"a{attempt.id}-{slot.question_id}", course.question(slot.question_id)


def stored(service: Attempts, attempt, question) -> object:
    response = service.load(attempt.id).responses.get(question.id)
    return response.answer if response else None


def test_there_is_no_save_button_and_a_choice_is_stored_as_it_is_made(
    learner, service, tiny_course
) -> None:
    at, attempt = post_test(learner, service)
    assert not [b for b in at.button if "FormSubmitter" in (b.key or "")]
    key, question = show(at, attempt, "single", tiny_course)
    assert "Not answered yet" in texts(at)
    fill_answer(at, key, question, correct_answer(question))
    at.run()
    assert stored(service, attempt, question) == correct_answer(question)
    assert "Saved" in texts(at)


@pytest.mark.parametrize("leave", ["next", "prev", "palette"])
def test_leaving_a_question_keeps_what_was_chosen(learner, service, tiny_course, leave) -> None:
    """Before: the choice was thrown away unless "Save answer" was clicked first."""
    at, attempt = post_test(learner, service)
    key, question = show(at, attempt, "true_false", tiny_course)
    index = at.session_state[f"position-{attempt.id}"]
    fill_answer(at, key, question, True)
    if leave == "palette":
        at.pills(key=f"palette-{attempt.id}").set_value((index + 1) % 5).run()
    elif (leave == "next" and index < 4) or (leave == "prev" and index == 0):
        at.button(key=f"next-{attempt.id}").click().run()
    else:
        at.button(key=f"prev-{attempt.id}").click().run()
    assert at.session_state[f"position-{attempt.id}"] != index
    assert stored(service, attempt, question) is True
    at.pills(key=f"palette-{attempt.id}").set_value(index).run()
    assert at.radio(key=f"{key}-tf").value is True  # shown as stored


def test_every_type_is_stored_as_shown_and_taken_back_when_undone(
    learner, service, tiny_course
) -> None:
    at, attempt = post_test(learner, service)
    key, multiple = show(at, attempt, "multiple", tiny_course)
    at.checkbox(key=f"{key}-multi-0").check().run()
    at.checkbox(key=f"{key}-multi-2").check().run()
    assert stored(service, attempt, multiple) == [0, 2]
    at.checkbox(key=f"{key}-multi-0").uncheck().run()
    at.checkbox(key=f"{key}-multi-2").uncheck().run()
    assert stored(service, attempt, multiple) is None  # nothing ticked: not answered
    assert "Not answered yet" in texts(at)

    key, matching = show(at, attempt, "matching", tiny_course)
    at.selectbox(key=f"{key}-match-1").set_value(1).run()
    assert stored(service, attempt, matching) == [None, 1, None]  # partly matched counts
    fill_answer(at, key, matching, [0, 1, 2])
    at.run()
    assert stored(service, attempt, matching) == [0, 1, 2]

    key, ordering = show(at, attempt, "ordering", tiny_course)
    at.selectbox(key=f"{key}-place-2").set_value(0).run()
    assert stored(service, attempt, ordering) is None  # an item without a place: no order
    at.selectbox(key=f"{key}-place-0").set_value(1).run()
    at.selectbox(key=f"{key}-place-1").set_value(2).run()
    assert stored(service, attempt, ordering) == [2, 0, 1]


def test_an_ordering_place_already_taken_is_swapped_never_doubled(
    learner, service, tiny_course
) -> None:
    at, attempt = post_test(learner, service)
    key, ordering = show(at, attempt, "ordering", tiny_course)
    fill_answer(at, key, ordering, [0, 1, 2])
    at.run()
    assert stored(service, attempt, ordering) == [0, 1, 2]
    at.selectbox(key=f"{key}-place-2").set_value(0).run()  # "third" takes 1st place
    places = [at.selectbox(key=f"{key}-place-{i}").value for i in range(3)]
    assert places == [2, 1, 0]  # "first" moved to the 3rd place "third" left
    assert stored(service, attempt, ordering) == [2, 1, 0]
    assert not at.exception and not at.warning


def test_answers_chosen_without_saving_count_when_the_time_runs_out(
    learner, service, tiny_course, clock: ManualClock
) -> None:
    """Before: a fully filled matching question was not counted at time-out."""
    at, attempt = post_test(learner, service)
    for question_type in ("matching", "single", "ordering"):
        key, question = show(at, attempt, question_type, tiny_course)
        fill_answer(at, key, question, correct_answer(question))
        at.run()
    clock.advance(minutes=31)
    at.run()
    done = service.load(attempt.id)
    assert not done.is_open and done.score == 3.0


def test_a_change_after_the_deadline_is_refused_and_submits(
    learner, service, tiny_course, clock: ManualClock
) -> None:
    at, attempt = post_test(learner, service)
    key, question = show(at, attempt, "single", tiny_course)
    clock.advance(minutes=30, seconds=5)
    fill_answer(at, key, question, correct_answer(question))
    at.run()
    assert "Time ran out" in texts(at) or "Time is up" in texts(at)
    assert service.load(attempt.id).responses == {}
    assert not service.load(attempt.id).is_open


def test_clearing_is_for_open_post_tests_only(learner, service, tiny_course) -> None:
    practice = service.start(learner.id, tiny_course.practice_quizzes[0])
    with pytest.raises(QuizError, match="stays as it was checked"):
        service.clear(practice, practice.slots[0].question_id)
    test = service.start(learner.id, tiny_course.post_test)
    with pytest.raises(QuizError, match="not part of attempt"):
        service.clear(test, "no-such-question")
    question = tiny_course.question(test.slots[0].question_id)
    service.answer(test, question.id, correct_answer(question))
    service.clear(test, question.id)
    assert service.load(test.id).responses == {}
    service.submit(service.load(test.id))
    with pytest.raises(AttemptClosed):
        service.clear(service.load(test.id), question.id)


def _multiple_question_page() -> None:
    import streamlit as st

    from quiz_app.course import load_course
    from quiz_app.quiz import Slot
    from quiz_app.widgets import answer_input

    question = load_course().question(st.session_state["question_id"])
    question = question.model_copy(update={"stem": st.session_state["stem"]})
    order = tuple(range(len(question.choices)))
    answer_input(question, Slot(question.id, order, question.content_hash), "k", None)


def test_select_all_that_apply_is_said_once(course) -> None:
    """Before: a stem ending "Select all that apply." was followed by the same caption."""
    from streamlit.testing.v1 import AppTest

    question = next(q for q in course.questions if q.type == "multiple")
    assert "Select all that apply." in question.stem  # as every shipped one says
    for stem, captions in ((question.stem, 0), ("Which ones are accurate?", 1)):
        at = AppTest.from_function(_multiple_question_page)
        at.session_state["question_id"] = question.id
        at.session_state["stem"] = stem
        at.run()
        assert not at.exception, at.exception
        assert [c.value for c in at.caption].count("Select all that apply.") == captions


def test_a_change_in_an_out_of_date_view_is_not_saved_over_another_tabs(
    learner, service, tiny_course
) -> None:
    """Issue 13, item 7. Before: the last save silently won, whichever view it came from."""
    at, attempt = post_test(learner, service)
    key, question = show(at, attempt, "true_false", tiny_course)
    service.answer(service.load(attempt.id), question.id, True)  # another tab saves True
    at.radio(key=f"{key}-tf").set_value(False).run()  # this tab, which showed no answer
    assert stored(service, attempt, question) is True
    assert "answered in another tab or window" in texts(at)
    assert at.radio(key=f"{key}-tf").value is True  # it shows what is saved
    at.radio(key=f"{key}-tf").set_value(False).run()  # now up to date: this change counts
    assert stored(service, attempt, question) is False
    assert "another tab" not in texts(at)
