"""My attempts: every quiz taken, as a table, and the review of the one picked."""

from __future__ import annotations

import streamlit as st

from quiz_app import progress, session, ui, widgets
from quiz_app.records import Attempt

COLUMNS = (5, 3, 2)  # quiz and start, score and result, button


def render() -> None:
    user = session.require_learner()
    course = ui.course()
    service = session.attempts()

    st.title("My attempts", anchor=False)
    attempts = {a.id: a for a in service.of_learner(user.id)}  # newest first
    if not attempts:
        st.info("You have not started a quiz yet.")
        st.page_link("views/home.py", label="Choose a quiz", icon=":material/play_arrow:")
        st.stop()

    lines = [progress.attempt_line(a, course.local_time) for a in attempts.values()]
    with st.container(border=True):
        # Each row says what its cells are, so it still reads when a phone stacks them.
        for line in lines:
            quiz, result, action = st.columns(COLUMNS, vertical_alignment="center")
            quiz.markdown(f"**{ui.safe(line.quiz)}**  \n:gray[Started {line.started}]")
            result.markdown(f"Score {line.score} · {line.result}")
            if line.is_open:
                if action.button("Resume", key=f"history-resume-{line.attempt_id}"):
                    session.open_attempt(line.attempt_id)
            elif action.button(
                "Review",
                key=f"history-review-{line.attempt_id}",
                help=f"Review {line.quiz}, started {line.started}",
            ):
                st.query_params["attempt"] = str(line.attempt_id)

    chosen = _chosen(attempts)
    if chosen is None:
        return
    attempt = attempts[chosen]
    st.subheader(f"{ui.safe(attempt.quiz_title)}, started "
                 f"{course.local_time.moment_text(attempt.started_at)}", anchor=False)  # fmt: skip
    widgets.attempt_summary(attempt, course, service.certificates, service.evaluations)
    st.subheader("Review", anchor=False)
    widgets.attempt_review(
        attempt, service, course, problems=session.problem_reports(), learner=user
    )


def _chosen(attempts: dict[int, Attempt]) -> int | None:
    """The finished attempt named by ?attempt=ID (so a refresh or a link keeps it), else
    the newest finished one; None when every attempt is still open."""
    named = st.query_params.get("attempt", "")
    picked = attempts.get(int(named)) if named.isascii() and named.isdigit() else None
    if picked is not None and not picked.is_open:
        return picked.id
    return next((a.id for a in attempts.values() if not a.is_open), None)


if __name__ == "__main__":
    render()
