"""Cohorts: create, rename or archive one, hand out its join code, rotate the code (once
confirmed), see who joined, grant the whole cohort an accommodation, download its audit
pack."""

from __future__ import annotations

import streamlit as st

from quiz_app import session, ui
from quiz_app.accommodation_form import accommodation_expander
from quiz_app.accounts import User
from quiz_app.downloads import audit_pack_url
from quiz_app.errors import QuizError
from quiz_app.store import Row

FORM_KEYS = ("cohort-name", "cohort-starts", "cohort-ends")
CONFIRMING = "cohort-rotate-confirm"  # the id of the cohort whose new code awaits a yes


def create(instructor: User) -> None:
    """The form's button: create the cohort and empty the form, or keep what was typed
    and say what is wrong (a callback, so the form can be emptied only on success)."""
    state = st.session_state
    try:
        cohort = session.accounts().create_cohort(
            instructor, state["cohort-name"], state["cohort-starts"], state["cohort-ends"]
        )
    except QuizError as exc:
        state["cohort-error"] = str(exc)
        return
    for key in FORM_KEYS:
        state[key] = "" if key == "cohort-name" else None
    ui.flash(
        f"{ui.literal(cohort['name'])} is ready. Its join code is {cohort['join_code']}.",
        "success",
    )


def rotate(instructor: User, cohort_id: int, name: str) -> None:
    code = session.accounts().rotate_join_code(instructor, cohort_id)
    st.session_state.pop(CONFIRMING, None)
    ui.flash(
        f"{ui.literal(name)} has a new join code, {code}; the old one no longer works.",
        "success",
    )


def rename(instructor: User, cohort_id: int) -> None:
    key = f"rename-{cohort_id}"
    try:
        cohort = session.accounts().rename_cohort(instructor, cohort_id, st.session_state[key])
    except QuizError as exc:
        st.session_state[f"{key}-error"] = str(exc)
    else:
        ui.flash(f"Renamed to {ui.literal(cohort['name'])}.", "success")


def archive(instructor: User, cohort: Row, archived: bool) -> None:
    session.accounts().archive_cohort(instructor, cohort["id"], archived)
    name = ui.literal(cohort["name"])
    ui.flash(
        f"{name} is archived: nobody can join it; its learners and reports stay."
        if archived
        else f"{name} is back from the archive; its join code works again.",
        "success",
    )


def render() -> None:
    instructor = session.require_instructor()
    st.title("Cohorts", anchor=False)
    ui.show_flash()

    with st.form("new-cohort"):
        st.markdown("**New cohort**")
        st.text_input("Name", placeholder="e.g. Dry needling CE, spring 2027", key="cohort-name")
        first, second = st.columns(2)
        first.date_input("Starts (optional)", value=None, key="cohort-starts")
        second.date_input("Ends (optional)", value=None, key="cohort-ends")
        st.form_submit_button("Create cohort", type="primary", on_click=create, args=(instructor,))
        error = st.session_state.pop("cohort-error", None)
        if error:
            st.error(ui.literal(error))

    show_archived = st.toggle("Show archived cohorts", key="cohorts-archived")
    every = session.store().cohorts_of(instructor.id)
    cohorts = [c for c in every if show_archived or not c["archived_at"]]
    if not every:
        st.caption("No cohorts yet.")
    elif len(cohorts) < len(every):
        st.caption(f"{ui.plural(len(every) - len(cohorts), 'archived cohort')} not shown.")
    for cohort in cohorts:
        cohort_card(instructor, cohort)


def cohort_card(instructor: User, cohort: Row) -> None:
    local = ui.course().local_time
    archived = bool(cohort["archived_at"])
    with st.container(border=True):
        dates = " – ".join(d for d in (cohort["starts_on"], cohort["ends_on"]) if d)
        st.markdown(f"**{ui.literal(cohort['name'])}**")
        st.caption(
            f"{ui.plural(cohort['members'], 'learner')}"
            + (f" · {dates}" if dates else "")
            + f" · created {local.day_text(cohort['created_at'])}"
            + (f" · archived {local.day_text(cohort['archived_at'])}" if archived else "")
        )
        if archived:
            st.caption("Archived: nobody can join it. Its learners and reports stay.")
        else:
            join_code(instructor, cohort)
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
        accommodation_expander(
            instructor, cohort["id"], None, f"everyone in {cohort['name']}",
            "Accommodation for the whole cohort",
        )  # fmt: skip
        with st.expander("Audit pack"):
            st.caption(
                "One ZIP file for an accreditor: the gradebook, every attempt with its "
                "answers as the learner saw the questions, the certificates issued (and "
                "reissued), attestations, course evaluations, accommodations, problem "
                "reports, the item analysis, the course definition and the question versions "
                "shown, and a manifest with each file's SHA-256."
            )
            st.link_button(
                "Download the audit pack",
                audit_pack_url(cohort["id"]),
                icon=":material/download:",
                key=f"audit-pack-{cohort['id']}",
            )
        with st.expander("Rename or archive"):
            key = f"rename-{cohort['id']}"
            with st.form(f"rename-form-{cohort['id']}", border=False):
                st.text_input("New name", value=cohort["name"], max_chars=100, key=key)
                st.form_submit_button("Rename", on_click=rename, args=(instructor, cohort["id"]))
                error = st.session_state.pop(f"{key}-error", None)
                if error:
                    st.error(ui.literal(error))
            st.button(
                "Take out of the archive" if archived else "Archive this cohort",
                key=f"archive-{cohort['id']}",
                icon=":material/unarchive:" if archived else ":material/archive:",
                on_click=archive,
                args=(instructor, cohort, not archived),
                help=None
                if archived
                else "Hidden from this list unless archived cohorts are shown; nobody can "
                "join it. Its learners, attempts and reports stay.",
            )


def join_code(instructor: User, cohort: Row) -> None:
    """The cohort's join code, and "New join code", which asks first."""
    left, right = st.columns([3, 2], vertical_alignment="center")
    with left:
        st.caption("Join code (learners enter it under My cohorts)")
        st.code(cohort["join_code"], language=None)
    if st.session_state.get(CONFIRMING) != cohort["id"]:
        right.button(
            "New join code",
            key=f"rotate-{cohort['id']}",
            icon=":material/refresh:",
            on_click=lambda: st.session_state.update({CONFIRMING: cohort["id"]}),
            help="Asks first: the old code stops working; learners who joined stay.",
        )
        return
    st.warning(
        f"Replace {cohort['join_code']}? It stops working at once: anyone you gave it to "
        "and who has not joined yet needs the new code. Learners who joined stay."
    )
    yes, no = st.columns(2)
    yes.button(
        "Yes, give it a new code",
        key=f"rotate-yes-{cohort['id']}",
        type="primary",
        on_click=rotate,
        args=(instructor, cohort["id"], cohort["name"]),
    )
    no.button(
        "Keep the code",
        key=f"rotate-no-{cohort['id']}",
        on_click=lambda: st.session_state.pop(CONFIRMING, None),
    )


if __name__ == "__main__":
    render()
