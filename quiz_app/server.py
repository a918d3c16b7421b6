"""The ASGI app `quiz-app serve` runs: the Streamlit app plus the routes that set its
HttpOnly cookies (quiz_app/cookies.py). `streamlit run` finds `app` here and serves it."""

from pathlib import Path

import streamlit as st

from quiz_app import cookies, session

app = st.App(Path(__file__).resolve().parent / "app.py", routes=cookies.routes(session.accounts))
