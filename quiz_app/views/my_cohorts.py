"""My cohorts: join a cohort with the code your instructor gave you."""

from __future__ import annotations

import streamlit as st

from quiz_app import session, ui
from quiz_app.accounts import AlreadyJoined
from quiz_app.errors import QuizError


def render() -> None:
    user = session.require_learner()
    ui.show_flash()
    accounts = session.accounts()

    st.title("My cohorts", anchor=False)
    joined = accounts.cohorts_joined(user)
    local = ui.course().local_time
    if joined:
        for cohort in joined:
            joined_on = local.day_text(cohort["joined_at"])
            st.markdown(f"- **{ui.literal(cohort['name'])}**, joined {joined_on}")
    else:
        st.caption(
            "You are not in a cohort: you study on your own, and no instructor sees your "
            "results. Join one with the code your instructor gives you."
        )

    with st.form("join"):
        code = st.text_input("Join code", max_chars=20, key="join-code")
        if st.form_submit_button("Join cohort", type="primary"):
            try:
                cohort = accounts.join(user, code)
            except AlreadyJoined as exc:
                st.info(ui.literal(str(exc)))
            except QuizError as exc:
                st.error(ui.literal(str(exc)))
            else:
                ui.flash(f"You joined {ui.literal(cohort['name'])}.", "success")
                st.rerun()


if __name__ == "__main__":
    render()
