"""The instructor's accommodation form, for one learner (the Learners page) or a whole
cohort (the Cohorts page): what is in force, grant or change it, revoke it, and the
history. The service (quiz_app.accommodations) checks ownership and every value."""

from __future__ import annotations

import streamlit as st

from quiz_app import session, ui
from quiz_app.accommodations import MAX_EXTRA_ATTEMPTS, MAX_EXTRA_MINUTES, MAX_REASON
from quiz_app.accounts import User
from quiz_app.errors import QuizError

NO_EXTRA_TIME, MULTIPLIER, MINUTES = "none", "multiplier", "minutes"
TIME_CHOICES = {
    NO_EXTRA_TIME: "No extra time",
    MULTIPLIER: "A multiple of the time limit",
    MINUTES: "Extra minutes",
}


def _key(cohort_id: int, user_id: int | None) -> str:
    return f"accommodation-{cohort_id}-{user_id if user_id is not None else 'cohort'}"


def _said(key: str, kind: str, message: str) -> None:
    st.session_state[f"{key}-said"] = (kind, message)


def _grant(instructor: User, cohort_id: int, user_id: int | None, who: str) -> None:
    key, state = _key(cohort_id, user_id), st.session_state
    kind = state[f"{key}-time"]
    try:
        done = session.accommodations().grant(
            instructor,
            cohort_id,
            user_id,
            multiplier=f"{state[f'{key}-multiplier']:.2f}" if kind == MULTIPLIER else None,
            extra_minutes=int(state[f"{key}-minutes"]) if kind == MINUTES else None,
            extra_attempts=int(state[f"{key}-attempts"] or 0),
            reason=state[f"{key}-reason"] or "",
        )
    except QuizError as exc:
        _said(key, "error", str(exc))
        return
    state[f"{key}-reason"] = ""
    _said(key, "success", f"Granted {who}: {done.words()}.")


def _revoke(instructor: User, cohort_id: int, user_id: int | None, who: str) -> None:
    key = _key(cohort_id, user_id)
    try:
        session.accommodations().revoke(
            instructor, cohort_id, user_id, st.session_state[f"{key}-revoke-reason"] or ""
        )
    except QuizError as exc:
        _said(key, "error", str(exc))
        return
    st.session_state[f"{key}-revoke-reason"] = ""
    _said(key, "success", f"Revoked the accommodation of {who}, from their next attempt.")


def accommodation_form(instructor: User, cohort_id: int, user_id: int | None, who: str) -> None:
    """Grant, change or revoke the accommodation of one learner of the instructor's
    cohort (`who` names them, as typed) or, with `user_id` None, of the whole cohort."""
    service = session.accommodations()
    local = ui.course().local_time
    key = _key(cohort_id, user_id)
    quiz = ui.course().post_test
    shown = ui.literal(who)
    said = st.session_state.pop(f"{key}-said", None)
    if said is not None:
        getattr(st, said[0])(ui.literal(said[1]))
    current = service.in_force(instructor, cohort_id, user_id)
    if current is not None:
        st.markdown(
            f"**In force for {shown}:** {current.words()}, granted by "
            f"{ui.literal(current.recorded_by)} on {local.moment_text(current.recorded_at)}"
            + (f". Reason: {ui.literal(current.reason)}" if current.reason else ".")
        )
    else:
        st.caption(f"Nothing is in force for {shown}.")
    if quiz is not None and quiz.time_limit_minutes:
        st.caption(
            f"The post-test allows {ui.plural(quiz.time_limit_minutes, 'minute')} and "
            f"{ui.plural(quiz.attempts_allowed or 0, 'attempt')}. A learner's own "
            "accommodation and their cohort's both count, each limit the more generous of "
            "the two. A grant applies at once, to a post-test in progress too; a "
            "revocation from the next attempt."
        )
    with st.form(f"{key}-form", border=False):
        st.radio("Extra time", list(TIME_CHOICES), format_func=TIME_CHOICES.get,
                 key=f"{key}-time", horizontal=True)  # fmt: skip
        left, middle, right = st.columns(3)
        left.number_input(
            "Time multiplier", min_value=1.05, max_value=4.0, value=1.5, step=0.25,
            format="%.2f", key=f"{key}-multiplier", help="1.5 gives 45 minutes for 30.",
        )  # fmt: skip
        middle.number_input(
            "Extra minutes", min_value=1, max_value=MAX_EXTRA_MINUTES, value=15, step=5,
            key=f"{key}-minutes",
        )  # fmt: skip
        right.number_input(
            "Extra attempts", min_value=0, max_value=MAX_EXTRA_ATTEMPTS, value=0, step=1,
            key=f"{key}-attempts",
        )  # fmt: skip
        st.text_input("Reason (optional)", max_chars=MAX_REASON, key=f"{key}-reason")
        st.form_submit_button(
            "Grant" if current is None else "Change",
            type="primary",
            on_click=_grant,
            args=(instructor, cohort_id, user_id, who),
        )
    if current is not None:
        with st.form(f"{key}-revoke-form", border=False):
            st.text_input(
                "Why revoke it (optional)", max_chars=MAX_REASON, key=f"{key}-revoke-reason"
            )
            st.form_submit_button(
                "Revoke", on_click=_revoke, args=(instructor, cohort_id, user_id, who)
            )
    history = [
        a for a in service.history(instructor, cohort_id) if user_id is None or a.user_id == user_id
    ]
    if history:
        st.caption("History (every grant, change and revocation, newest first)")
        st.dataframe(
            [
                {
                    "When": local.moment_text(a.recorded_at),
                    "For": ui.literal(a.username, markdown=False) if a.username else "Whole cohort",
                    "What": a.words(),
                    "Reason": ui.literal(a.reason, markdown=False),
                    "By": ui.literal(a.recorded_by, markdown=False),
                }
                for a in reversed(history)
            ],
            hide_index=True,
            width="stretch",
        )


def accommodation_expander(
    instructor: User, cohort_id: int, user_id: int | None, who: str, label: str
) -> None:
    """The accommodation form in an expander labelled `label` and what is in force, in
    short. The label changes with a grant, which makes it a new expander; it opens when
    there is an outcome to say, so the instructor sees what their click did."""
    current = session.accommodations().in_force(instructor, cohort_id, user_id)
    pending = f"{_key(cohort_id, user_id)}-said" in st.session_state
    with st.expander(
        f"{label}: " + (current.words() if current is not None else "none"), expanded=pending
    ):
        accommodation_form(instructor, cohort_id, user_id, who)
