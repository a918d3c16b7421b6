"""The ASGI app `quiz-app serve` runs: the Streamlit app plus the routes that set its
HttpOnly cookies (quiz_app/cookies.py). `streamlit run` finds `app` here and serves it.

An exception that a script run does not catch (in a widget callback, or one that is not
the app's own) is shown as a plain message by `routes.show_failure`, never as a traceback.
"""

from pathlib import Path

import streamlit as st

from quiz_app import cookies, routes, session

app = st.App(
    Path(__file__).resolve().parent / "app.py",
    routes=cookies.routes(session.accounts),
    on_script_error=routes.show_failure,
)
