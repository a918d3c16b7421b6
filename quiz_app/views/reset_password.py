"""Set a new password with a one-time reset link (opened signed out, from any browser)."""

from __future__ import annotations

import streamlit as st

from quiz_app import session, ui, widgets
from quiz_app.errors import QuizError
from quiz_app.resets import NOT_VALID, TOKEN_PARAM

DONE = "_password_reset_done"  # st.session_state key: the link was just used here


def render() -> None:
    st.title("Set a new password", anchor=False)
    if st.session_state.pop(DONE, False):
        st.success(
            "Your new password is set, and your account is signed out everywhere. "
            "Sign in with the new password."
        )
        st.page_link("views/sign_in.py", label="Sign in", icon=":material/login:")
        return
    user = session.signed_in()
    if user is not None:
        st.info(
            f"You are signed in as {ui.literal(user.username)}. A reset link is for "
            "someone signed out: sign out first, or open the link in another browser."
        )
        return
    token = st.query_params.get(TOKEN_PARAM, "")
    resets = session.password_resets()
    user = resets.holder(token)
    if user is None:
        st.error(NOT_VALID)
        return
    st.caption(f"For the account {ui.literal(user.username)}. The link works once.")
    with st.form("reset-password", clear_on_submit=True):
        new, repeat = widgets.new_password_inputs("reset")
        if st.form_submit_button("Set password", type="primary"):
            try:
                resets.use(token, new, repeat)
            except QuizError as exc:
                st.error(ui.literal(str(exc)))
            else:
                st.session_state[DONE] = True
                st.query_params.clear()  # the used token leaves the address bar
                st.rerun()


if __name__ == "__main__":
    render()
