"""My attempts: every quiz taken, and a review of any one of them."""

from __future__ import annotations

import streamlit as st

from quiz_app import session, ui, widgets


def render() -> None:
    user = session.require_learner()
    course = ui.course()
    service = session.attempts()

    st.title("My attempts", anchor=False)
    rows = session.store().attempts_of(user.id)
    if not rows:
        st.info("You have not started a quiz yet.")
        st.page_link("views/home.py", label="Choose a quiz", icon=":material/play_arrow:")
        st.stop()

    def label(row: dict) -> str:
        when = row["started_at"][:16].replace("T", " ")
        if row["submitted_at"] is None:
            state = "in progress"
        elif row["max_score"]:
            state = f"{100 * row['score'] / row['max_score']:.0f}%"
            if row["passed"] is not None:
                state += ", passed" if row["passed"] else ", not passed"
        else:
            state = "submitted"
        return f"{when} · {row['quiz_title']} · {state}"

    chosen = st.selectbox("Attempt", rows, format_func=label, key="history-attempt")
    attempt = service.load(chosen["id"], user.id)
    if attempt.is_open:
        st.caption(f"{attempt.answered} of {len(attempt.slots)} answered so far.")
        if st.button("Resume", type="primary", key=f"history-resume-{attempt.id}"):
            st.session_state["attempt_id"] = attempt.id
            st.switch_page("views/quiz.py")
    else:
        widgets.attempt_summary(attempt, course, service.certificates)
        st.subheader("Review", anchor=False)
        widgets.attempt_review(attempt, service, course)


if __name__ == "__main__":
    render()
