"""Entry script: it only routes, by who is signed in. One file per page under pages/."""

import streamlit as st

from quiz_app import session

st.set_page_config(page_title="Dry needling CE quizzes", page_icon=":material/health_and_safety:")

user = session.current_user()
session.keep_session_in_url()

sign_out = st.Page("pages/sign_out.py", title="Sign out", icon=":material/logout:")
if user is None:
    pages = {
        "": [
            st.Page("pages/sign_in.py", title="Sign in", icon=":material/login:", default=True),
            st.Page("pages/sign_out.py", title="Signed out", visibility="hidden"),
        ]
    }
elif user.is_instructor:
    pages = {
        "Authoring": [
            st.Page("pages/bank_browser.py", title="Question banks", icon=":material/menu_book:"),
        ],
        "Account": [sign_out],
    }
else:
    pages = {
        "Learn": [
            st.Page("pages/home.py", title="Start", icon=":material/play_arrow:", default=True),
            st.Page("pages/quiz.py", title="Quiz", icon=":material/quiz:", visibility="hidden"),
            st.Page("pages/progress.py", title="My progress", icon=":material/insights:"),
            st.Page("pages/history.py", title="My attempts", icon=":material/history:"),
        ],
        "Account": [
            st.Page("pages/my_cohorts.py", title="My cohorts", icon=":material/group:"),
            sign_out,
        ],
    }
st.navigation(pages).run()
