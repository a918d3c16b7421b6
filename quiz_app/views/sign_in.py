"""Sign in, or create a learner account (optionally joining a cohort at once)."""

from __future__ import annotations

import streamlit as st

from quiz_app import session, ui
from quiz_app.accounts import BadJoinCode, check_new_password
from quiz_app.errors import QuizError


def render() -> None:
    st.title("Dry needling CE quizzes", anchor=False)
    st.caption(ui.safe(ui.course().info.title))

    sign_in_tab, sign_up_tab = st.tabs(["Sign in", "Create an account"])

    with sign_in_tab, st.form("sign-in"):
        username = st.text_input("Username", key="signin-username")
        password = st.text_input("Password", type="password", key="signin-password")
        st.caption("Forgot your password? Ask your instructor for a reset link.")
        if st.form_submit_button("Sign in", type="primary"):
            try:
                user = session.check_password(username, password)
            except QuizError as exc:
                st.error(ui.literal(str(exc)))
            else:
                session.sign_in(user)
                st.rerun()

    with sign_up_tab, st.form("sign-up"):
        st.caption(
            "For physiotherapy students and clinicians. Instructors get their accounts "
            "from the course administrator."
        )
        new_username = st.text_input(
            "Username",
            help="3 to 40 letters, digits, dots, dashes or underscores.",
            key="signup-username",
        )
        display_name = st.text_input(
            "Your name", help="As it should appear to your instructor.", key="signup-name"
        )
        new_password = st.text_input(
            "Password", type="password", help="At least 8 characters.", key="signup-password"
        )
        repeat = st.text_input("Password again", type="password", key="signup-repeat")
        join_code = st.text_input(
            "Cohort join code (optional)",
            key="signup-code",
            help="From your instructor; you can also join later.",
        )
        if st.form_submit_button("Create account", type="primary"):
            accounts = session.accounts()
            try:
                check_new_password(new_password, repeat)
                if join_code.strip():  # a wrong code refuses the sign-up, to be fixed
                    accounts.cohort_to_join(join_code)
            except BadJoinCode as exc:
                st.error(
                    f"{ui.literal(str(exc))} Correct the join code, or leave it empty "
                    "to join later under My cohorts."
                )
                return
            except QuizError as exc:
                st.error(ui.literal(str(exc)))
                return
            try:
                user = accounts.sign_up(new_username, display_name, new_password)
                if join_code.strip():
                    try:
                        accounts.join(user, join_code)
                    except QuizError as exc:  # the cohort closed since the check
                        ui.flash(f"Your account is ready, but: {ui.literal(str(exc))}", "warning")
            except QuizError as exc:
                st.error(ui.literal(str(exc)))
            else:
                session.sign_in(user)
                st.rerun()


if __name__ == "__main__":
    render()
