"""Sign out: end the session in every tab and clear the browser's cookie, then say so."""

import streamlit as st

from quiz_app import session


def render() -> None:
    if session.current_user() is not None:
        session.sign_out()
        st.rerun()
    st.title("Signed out", anchor=False)
    st.write("You have signed out. Your answers are saved.")
    st.page_link("views/sign_in.py", label="Sign in again", icon=":material/login:")


if __name__ == "__main__":
    render()
