"""Which pages exist for whom: the navigation the entry script runs on every rerun.

Pages are grouped by role. A signed-out visitor sees only the sign-in page; a learner
never gets an instructor page in the navigation, and each page also checks the role
itself on every run. Each page is a module under views/, run as a script by Streamlit.

The `st.Page` objects are made afresh on every run: Streamlit objects belong to one
session's run and are never shared between sessions (module state is for immutable
things only).
"""

from __future__ import annotations

import streamlit as st

from quiz_app import session, ui
from quiz_app.accounts import User

# (file under views/, title, Material icon): immutable, so safe to share.
SIGN_IN = ("sign_in", "Sign in", "login")
SIGNED_OUT = ("sign_out", "Signed out", "logout")
SIGN_OUT = ("sign_out", "Sign out", "logout")
VERIFY = ("verify", "Verify a certificate", "verified")
TEACH = (
    ("dashboard", "Dashboard", "monitoring"),
    ("learners", "Learners", "person_search"),
    ("items", "Item analysis", "analytics"),
    ("cohorts", "Cohorts", "group"),
)
AUTHORING = (("bank_browser", "Question banks", "menu_book"),)
LEARN = (
    ("home", "Start", "play_arrow"),
    ("quiz", "Quiz", "quiz"),
    ("progress", "My progress", "insights"),
    ("history", "My attempts", "history"),
)
HIDDEN = {"quiz"}


def _page(spec: tuple[str, str, str], default: bool = False, hidden: bool = False) -> st.Page:
    name, title, icon = spec
    return st.Page(
        f"views/{name}.py",
        title=title,
        icon=f":material/{icon}:",
        default=default,
        visibility="hidden" if hidden else "visible",
    )


def pages_for(user: User | None) -> dict[str, list[st.Page]]:
    """The navigation of a visitor (None), an instructor or a learner, made for this run."""
    if user is None:
        return {"": [_page(SIGN_IN, default=True), _page(VERIFY), _page(SIGNED_OUT, hidden=True)]}
    if user.is_instructor:
        return {
            "Teach": [_page(spec, default=i == 0) for i, spec in enumerate(TEACH)],
            "Authoring": [_page(spec) for spec in AUTHORING],
            "Account": [_page(VERIFY), _page(SIGN_OUT)],
        }
    return {
        "Learn": [
            _page(spec, default=i == 0, hidden=spec[0] in HIDDEN) for i, spec in enumerate(LEARN)
        ],
        "Account": [_page(("my_cohorts", "My cohorts", "group")), _page(VERIFY), _page(SIGN_OUT)],
    }


def route() -> None:
    """Build the navigation for the signed-in user's role and run the chosen page, after
    what instructors must know about the bank files (no page runs without a course)."""
    user = session.current_user()
    st.set_page_config(
        page_title="Dry needling CE quizzes",
        page_icon=":material/health_and_safety:",
        layout="wide" if user is not None and user.is_instructor else "centered",
    )
    session.sync_cookie()
    if ui.show_bank_status(instructor=user is not None and user.is_instructor):
        st.navigation(pages_for(user)).run()
