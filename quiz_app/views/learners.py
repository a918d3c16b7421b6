"""One learner of a cohort: their attempts, and any attempt as they saw it."""

from __future__ import annotations

import streamlit as st

from quiz_app import session, ui, widgets


def render() -> None:
    page = session.cohort_page("Learners", "learners")
    if page is None:
        return
    _, cohort = page
    reports = session.reports()
    members = session.store().members(cohort["id"])
    if not members:
        st.info("Nobody has joined this cohort yet.")
        return
    names = {
        m["id"]: ui.literal(f"{m['display_name']} ({m['username']})", markdown=False)
        for m in members
    }
    user_id = ui.remembered_choice("Learner", names, "learner_choice", "learner-pick")
    service = session.attempts()
    local = ui.course().local_time
    attempts = reports.learner_attempts(cohort, user_id)
    if not attempts:
        st.caption("No attempts in this cohort yet.")
        return

    def label(attempt) -> str:
        when = local.moment_text(attempt.started_at)
        if attempt.is_open:
            state = f"in progress, {attempt.answered} of {len(attempt.slots)} answered"
        else:
            state = f"{attempt.percent:g}%"
            if attempt.passed is not None:
                state += ", passed" if attempt.passed else ", not passed"
        return f"{when} · {attempt.quiz_title} · {state}"

    post_tests = [a for a in attempts if a.is_post_test and not a.is_open]
    first, second, third = st.columns(3)
    first.metric("Quizzes taken", len(attempts), help="Attempts at every quiz, practice included.")
    best = max((a.percent or 0 for a in post_tests), default=None)
    second.metric("Best post-test", f"{best:g}%" if best is not None else "–")
    third.metric("Passed", "yes" if any(a.passed for a in post_tests) else "no")
    by_id = {a.id: a for a in attempts}
    chosen = st.selectbox(
        "Attempt",
        list(by_id),
        format_func=lambda i: label(by_id[i]),
        key=f"learner-attempt-{user_id}",
    )
    attempt = by_id[chosen]
    if attempt.is_open:
        st.info("This attempt is still in progress; answers so far are shown.")
    else:
        widgets.attempt_summary(attempt, ui.course())
    st.subheader("As the learner saw it", anchor=False)
    widgets.attempt_review(attempt, service, ui.course(), full=True)


if __name__ == "__main__":
    render()
