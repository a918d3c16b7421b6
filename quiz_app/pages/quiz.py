"""Taking a quiz: one question at a time, then the results and a review of every answer."""

from __future__ import annotations

import streamlit as st

from quiz_app import session, ui, widgets
from quiz_app.attempts import Attempt
from quiz_app.clock import parse
from quiz_app.errors import QuizError
from quiz_app.store import NotFound

user = session.require_learner()
ui.show_flash()
course = ui.course()
service = session.attempts()

attempt_id = st.session_state.get("attempt_id")
if attempt_id is None:
    waiting = session.store().open_attempts(user.id)
    attempt_id = waiting[0]["id"] if waiting else None
    st.session_state["attempt_id"] = attempt_id
if attempt_id is None:
    st.title("No quiz in progress")
    st.page_link("pages/home.py", label="Choose a quiz", icon=":material/play_arrow:")
    st.stop()
try:
    attempt = service.load(attempt_id, user.id)
except NotFound:
    st.session_state.pop("attempt_id", None)
    st.error("That attempt does not exist.")
    st.stop()

st.title(ui.safe(attempt.quiz_title))


def finished(attempt: Attempt) -> None:
    widgets.attempt_summary(attempt, course)
    st.subheader("Review your answers", anchor=False)
    widgets.attempt_review(attempt, service, course)
    left, right = st.columns(2)
    left.page_link("pages/home.py", label="Back to start", icon=":material/home:")
    right.page_link("pages/progress.py", label="My progress", icon=":material/insights:")


if not attempt.is_open:
    finished(attempt)
    st.stop()

total = len(attempt.slots)
position_key = f"position-{attempt.id}"
if position_key not in st.session_state:
    st.session_state[position_key] = attempt.position
index = max(0, min(st.session_state[position_key], total - 1))


def go_to(target: int) -> None:
    st.session_state[position_key] = max(0, min(target, total - 1))
    service.move(attempt, st.session_state[position_key])


st.progress(
    (index + 1) / total, text=f"Question {index + 1} of {total} · {attempt.answered} answered"
)

if attempt.deadline:

    @st.fragment(run_every=5)
    def countdown(deadline: str) -> None:
        left = (parse(deadline) - session.clock().now()).total_seconds()
        if left <= 0:
            st.rerun(scope="app")
        st.markdown(f":material/timer: **{ui.minutes(left)}** left")

    countdown(attempt.deadline)

slot = attempt.slots[index]
question = service.question_as_shown(attempt, slot.question_id)
response = attempt.responses.get(slot.question_id)
key = f"a{attempt.id}-{slot.question_id}"

with st.container(border=True):
    st.markdown(ui.safe(question.stem))
    if not attempt.is_post_test and response is not None:
        widgets.review(question, slot, response.answer, response.mark, course)
    else:
        with st.form(f"{key}-form", border=False):
            answer, problem = widgets.answer_input(
                question, slot, key, response.answer if response else None
            )
            label = "Save answer" if attempt.is_post_test else "Check answer"
            submitted = st.form_submit_button(label, type="primary")
        if submitted:
            if problem:
                st.warning(problem)
            else:
                try:
                    service.answer(attempt, slot.question_id, answer)
                except QuizError as exc:
                    ui.flash(str(exc), "warning")
                else:
                    if attempt.is_post_test:
                        unanswered = [
                            i for i, s in enumerate(attempt.slots)
                            if s.question_id not in attempt.responses and i != index
                        ]  # fmt: skip
                        later = [i for i in unanswered if i > index]
                        go_to((later or unanswered or [index])[0])
                st.rerun()

if attempt.is_post_test:
    back, forward = st.columns(2)
    if back.button(
        "Previous", disabled=index == 0, key=f"prev-{attempt.id}", icon=":material/arrow_back:"
    ):
        go_to(index - 1)
        st.rerun()
    if forward.button(
        "Next",
        disabled=index == total - 1,
        key=f"next-{attempt.id}",
        icon=":material/arrow_forward:",
    ):
        go_to(index + 1)
        st.rerun()
    palette_key = f"palette-{attempt.id}"
    st.session_state[palette_key] = index
    st.pills(
        "Go to question",
        list(range(total)),
        format_func=lambda i: (
            f":material/check: {i + 1}"
            if attempt.slots[i].question_id in attempt.responses
            else f"{i + 1}"
        ),
        key=palette_key,
        on_change=lambda: go_to(st.session_state[palette_key] or 0),
    )
    with st.container(border=True):
        missing = total - attempt.answered
        st.markdown(
            f"**Finish.** {attempt.answered} of {total} answered"
            + (f"; {missing} unanswered will score 0." if missing else ".")
        )
        confirm_key = f"confirm-{attempt.id}"
        if not st.session_state.get(confirm_key):
            if st.button("Submit the post-test", key=f"submit-{attempt.id}"):
                st.session_state[confirm_key] = True
                st.rerun()
        else:
            st.warning("Submit now? Your answers cannot change afterwards.")
            yes, no = st.columns(2)
            if yes.button("Yes, submit", type="primary", key=f"yes-{attempt.id}"):
                try:
                    service.submit(attempt)
                except QuizError as exc:
                    ui.flash(str(exc), "warning")
                st.session_state.pop(confirm_key, None)
                st.rerun()
            if no.button("Not yet", key=f"no-{attempt.id}"):
                st.session_state.pop(confirm_key, None)
                st.rerun()
elif response is not None:
    if index < total - 1:
        if st.button(
            "Next question",
            type="primary",
            key=f"next-{attempt.id}",
            icon=":material/arrow_forward:",
        ):
            go_to(index + 1)
            st.rerun()
    elif st.button("Finish and see my score", type="primary", key=f"finish-{attempt.id}"):
        try:
            service.submit(attempt)
        except QuizError as exc:
            ui.flash(str(exc), "warning")
        st.rerun()
