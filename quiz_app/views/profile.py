"""Profile: who you are signed in as; change your legal name as printed (until a
certificate prints it), your licence number and jurisdiction, and your password."""

from __future__ import annotations

import streamlit as st

from quiz_app import session, ui, widgets
from quiz_app.errors import QuizError

ROLES = {"learner": "Learner", "instructor": "Instructor"}


def render() -> None:
    user = session.require_user()
    ui.show_flash()
    accounts = session.accounts()

    st.title("Profile", anchor=False)
    st.markdown(
        f"**Username:** {ui.literal(user.username)}  \n"
        f"**Name:** {ui.literal(user.display_name)}  \n"
        f"**Role:** {ROLES.get(user.role, user.role)}"
    )

    st.subheader("Your name as printed", anchor=False)
    if accounts.name_fixed(user):
        st.text_input("Your name", value=user.display_name, disabled=True, key="profile-name-fixed")
        st.caption(
            "Your name is printed on a certificate already issued to you, so it is fixed. "
            "If it is wrong, ask your instructor to correct it."
        )
    else:
        with st.form("profile-name"):
            name = st.text_input(
                "Your name",
                value=user.display_name,
                help="Your legal name, as it should appear to your instructor and be printed "
                "on your certificate.",
                key="profile-name",
            )
            if st.form_submit_button("Save name"):
                try:
                    renamed = accounts.change_display_name(user, name)
                except QuizError as exc:
                    st.error(ui.literal(str(exc)))
                else:
                    ui.flash(f"Your name is now {ui.literal(renamed.display_name)}.", "success")
                    st.rerun()

    _licence(user)

    st.subheader("Password", anchor=False)
    with st.form("profile-password", clear_on_submit=True):
        current = st.text_input("Current password", type="password", key="profile-current")
        new, repeat = widgets.new_password_inputs("profile")
        st.caption("Changing it signs you out everywhere else; this browser stays signed in.")
        if st.form_submit_button("Change password", type="primary"):
            try:
                session.change_password(user, current, new, repeat)
            except QuizError as exc:
                st.error(ui.literal(str(exc)))
            else:
                ui.flash(
                    "Your password is changed, and your other sessions are signed out.", "success"
                )
                st.rerun()


def _licence(user) -> None:
    """The licence number and jurisdiction printed on certificates issued from now on."""
    accounts = session.accounts()
    licence = accounts.licence(user)
    required = ui.course().info.certificate.require_licence
    st.subheader("Your licence", anchor=False)
    if required:
        st.caption(
            "This course prints your licence number and jurisdiction on your certificate, "
            "and issues the certificate only once both are here."
        )
    else:
        st.caption(
            "Optional: when given, your licence number and jurisdiction are printed on "
            "certificates issued from now on."
        )
    with st.form("profile-licence"):
        number = st.text_input("Licence number", value=licence.number or "", max_chars=100,
                               key="profile-licence-number")  # fmt: skip
        jurisdiction = st.text_input(
            "Licence jurisdiction",
            value=licence.jurisdiction or "",
            max_chars=100,
            placeholder="e.g. Texas, or New South Wales",
            key="profile-licence-jurisdiction",
        )
        if st.form_submit_button("Save licence"):
            try:
                accounts.change_licence(user, number, jurisdiction)
            except QuizError as exc:
                st.error(ui.literal(str(exc)))
            else:
                ui.flash("Your licence details are saved.", "success")
                st.rerun()


if __name__ == "__main__":
    render()
