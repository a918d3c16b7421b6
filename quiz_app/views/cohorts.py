"""Cohorts: create one, hand out its join code, rotate the code, see who joined."""

from __future__ import annotations

import streamlit as st

from quiz_app import session, ui
from quiz_app.errors import QuizError


def render() -> None:
    instructor = session.require_instructor()
    st.title("Cohorts", anchor=False)
    ui.show_flash()
    accounts = session.accounts()

    def rotate(cohort_id: int, name: str) -> None:
        code = accounts.rotate_join_code(instructor, cohort_id)
        ui.flash(
            f"{ui.literal(name)} has a new join code, {code}; the old one no longer works.",
            "success",
        )

    with st.form("new-cohort", clear_on_submit=True):
        st.markdown("**New cohort**")
        name = st.text_input(
            "Name", placeholder="e.g. Dry needling CE, spring 2027", key="cohort-name"
        )
        first, second = st.columns(2)
        starts = first.date_input("Starts (optional)", value=None, key="cohort-starts")
        ends = second.date_input("Ends (optional)", value=None, key="cohort-ends")
        if st.form_submit_button("Create cohort", type="primary"):
            try:
                cohort = accounts.create_cohort(instructor, name, starts, ends)
            except QuizError as exc:
                st.error(ui.literal(str(exc)))
            else:
                ui.flash(
                    f"{ui.literal(cohort['name'])} is ready. Its join code is "
                    f"{cohort['join_code']}.",
                    "success",
                )
                st.rerun()

    cohorts = session.store().cohorts_of(instructor.id)
    local = ui.course().local_time
    if not cohorts:
        st.caption("No cohorts yet.")
    for cohort in cohorts:
        with st.container(border=True):
            dates = " – ".join(d for d in (cohort["starts_on"], cohort["ends_on"]) if d)
            st.markdown(f"**{ui.literal(cohort['name'])}**")
            st.caption(
                f"{ui.plural(cohort['members'], 'learner')}"
                + (f" · {dates}" if dates else "")
                + f" · created {local.day_text(cohort['created_at'])}"
            )
            left, right = st.columns([3, 2], vertical_alignment="center")
            with left:
                st.caption("Join code (learners enter it under My cohorts)")
                st.code(cohort["join_code"], language=None)
            right.button(
                "New join code",
                key=f"rotate-{cohort['id']}",
                icon=":material/refresh:",
                on_click=rotate,
                args=(cohort["id"], cohort["name"]),
                help="Learners who joined stay; the old code stops working.",
            )
            with st.expander(f"Who joined ({cohort['members']})"):
                members = session.store().members(cohort["id"])
                if members:
                    st.dataframe(
                        [{"Name": ui.literal(m["display_name"], markdown=False),
                          "Username": ui.literal(m["username"], markdown=False),
                          "Joined": local.moment_text(m["joined_at"])} for m in members],
                        hide_index=True, width="stretch",
                    )  # fmt: skip
                else:
                    st.caption("Nobody yet. Give learners the join code above.")


if __name__ == "__main__":
    render()
