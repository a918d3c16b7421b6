"""Entry script: it only routes. Each page lives in its own file under pages/."""

import streamlit as st

st.set_page_config(
    page_title="Dry needling CE quizzes",
    page_icon=":material/health_and_safety:",
    layout="centered",
)

navigation = st.navigation(
    {
        "Authoring": [
            st.Page("pages/bank_browser.py", title="Question banks", icon=":material/menu_book:")
        ]
    }
)
navigation.run()
