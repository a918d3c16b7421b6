"""The Start page's layout with nothing behind it: page_bench's floor for that page.

The same Streamlit elements the Start page of a learner with questions due draws (the
app's CSS, a learner's navigation with the other roles' pages hidden, the welcome, the
spaced review with its settings, the post-test, the practice form, the weak spots),
with fixed texts: no session check, no database, no course. What an AppTest run of
this costs is what drawing the page costs, whatever the app does to fill it in, so
page_bench prints the Start page against it as well as against an empty script.
"""

import streamlit as st

from quiz_app import routes, ui


def _page(spec: tuple[str, str, str], hidden: bool = False) -> st.Page:
    name, title, icon = spec
    return st.Page(
        lambda: None,
        title=title,
        icon=f":material/{icon}:",
        url_path=name,
        default=name == "home",
        visibility="hidden" if hidden else "visible",
    )


if "pages" not in st.session_state:  # as the app does: made once per session
    learn = [_page(spec, hidden=spec[0] in routes.HIDDEN) for spec in routes.LEARN]
    account = [_page(spec) for spec in (routes.MY_COHORTS, routes.PROFILE, routes.VERIFY)]
    account += [_page(routes.SIGN_OUT), _page(routes.RESET, hidden=True)]
    others = [*routes.TEACH, *routes.AUTHORING]
    st.session_state.pages = {
        "Learn": learn,
        "Account": [*account, *(_page(spec, hidden=True) for spec in others)],
    }
st.set_page_config(page_title="Dry needling CE quizzes", layout="centered")
ui.page_style()
st.navigation(st.session_state.pages)
st.set_page_config(page_title="Start · Dry needling CE quizzes")

st.title("Welcome, Review Learner", anchor=False)
st.caption("Cohort: Demo cohort")
st.markdown("**Dry needling for physiotherapists: mechanisms, indications and evidence**")
st.caption("What this course covers and what it does not. " * 6)

st.subheader("Spaced review", anchor=False)
st.markdown(
    "**500 questions due today** for review, so you remember them: each comes back just "
    "before you would be likely to forget it."
)
st.button(
    "Review now (100 questions)", key="review-now", type="primary", icon=":material/event_repeat:"
)
with st.popover("Review settings", icon=":material/tune:"):
    st.number_input("Questions per review", 5, 100, 100, key="review-cap")
    st.toggle("Pause reviews", key="review-paused")

st.subheader("Graded post-test", anchor=False)
st.markdown("25 questions from every topic · 45 min · pass mark 80% · 2 CE hours")
st.caption(
    "Attempts used: 0 of 3. Feedback comes at the end; the timer starts when you begin, "
    "after a page of the rules."
)
with st.expander("What passing certifies, and what it does not"):
    st.markdown("What this course covers and what it does not. " * 6)
st.button("Start the post-test", key="start-post-test")

st.subheader("Practice", anchor=False)
st.caption("Feedback after every answer, with the source passage. Practise as often as you like.")
with st.form("practice"):
    st.multiselect(
        "Topics",
        [f"topic-{n}" for n in range(10)],
        default=["topic-0"],
        format_func=str.title,
        key="practice-topics",
    )
    st.slider("Questions", 3, 25, 10, key="practice-length")
    st.form_submit_button("Start practice", type="primary")

st.subheader("Weak spots", anchor=False)
st.caption("166 questions you have not yet got fully right.")
st.button(
    "Practise my weak spots (15 questions)", key="weak-spots", icon=":material/fitness_center:"
)
