"""My attempts: every quiz taken, and a review of any one of them."""

from __future__ import annotations

import streamlit as st

from quiz_app import session, ui, widgets


def render() -> None:
    user = session.require_learner()
    course = ui.course()
    service = session.attempts()

    st.title("My attempts", anchor=False)
    attempts = {a.id: a for a in service.of_learner(user.id)}
    if not attempts:
        st.info("You have not started a quiz yet.")
        st.page_link("views/home.py", label="Choose a quiz", icon=":material/play_arrow:")
        st.stop()

    def label(attempt_id: int) -> str:
        attempt = attempts[attempt_id]
        when = course.local_time.moment_text(attempt.started_at)
        if attempt.is_open:
            state = "in progress"
        elif attempt.percent is not None:
            state = ui.percent(attempt.percent)
            if attempt.passed is not None:
                state += ", passed" if attempt.passed else ", not passed"
        else:
            state = "submitted"
        return f"{when} · {attempt.quiz_title} · {state}"

    chosen = st.selectbox("Attempt", list(attempts), format_func=label, key="history-attempt")
    attempt = attempts[chosen]
    if attempt.is_open:
        st.caption(f"{attempt.answered} of {len(attempt.slots)} answered so far.")
        if st.button("Resume", type="primary", key=f"history-resume-{attempt.id}"):
            session.open_attempt(attempt.id)
    else:
        widgets.attempt_summary(attempt, course, service.certificates)
        st.subheader("Review", anchor=False)
        widgets.attempt_review(attempt, service, course)


if __name__ == "__main__":
    render()
