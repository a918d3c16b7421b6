"""Which pages exist for whom: the navigation the entry script runs on every rerun.

Pages are grouped by role. A signed-out visitor sees only the sign-in page; a learner
never gets an instructor page in the navigation, and each page also checks the role
itself on every run.
"""

from __future__ import annotations

import streamlit as st

from quiz_app import session

_pages: dict[tuple[str, str], st.Page] = {}


def _page(name: str, title: str, icon: str, **options: object) -> st.Page:
    """The page object for pages/NAME.py, made once per process (they never change)."""
    key = (name, title)
    if key not in _pages:
        _pages[key] = st.Page(
            f"screens/{name}.py", title=title, icon=f":material/{icon}:", **options
        )
    return _pages[key]


def route() -> None:
    """Build the navigation for the signed-in user's role and run the chosen page."""
    user = session.current_user()
    st.set_page_config(
        page_title="Dry needling CE quizzes",
        page_icon=":material/health_and_safety:",
        layout="wide" if user is not None and user.is_instructor else "centered",
    )
    session.sync_cookie()
    sign_out = _page("sign_out", "Sign out", "logout")
    verify = _page("verify", "Verify a certificate", "verified")
    if user is None:
        pages = {
            "": [
                _page("sign_in", "Sign in", "login", default=True),
                verify,
                _page("sign_out", "Signed out", "logout", visibility="hidden"),
            ]
        }
    elif user.is_instructor:
        pages = {
            "Teach": [
                _page("dashboard", "Dashboard", "monitoring", default=True),
                _page("learners", "Learners", "person_search"),
                _page("items", "Item analysis", "analytics"),
                _page("cohorts", "Cohorts", "group"),
            ],
            "Authoring": [_page("bank_browser", "Question banks", "menu_book")],
            "Account": [verify, sign_out],
        }
    else:
        pages = {
            "Learn": [
                _page("home", "Start", "play_arrow", default=True),
                _page("quiz", "Quiz", "quiz", visibility="hidden"),
                _page("progress", "My progress", "insights"),
                _page("history", "My attempts", "history"),
            ],
            "Account": [_page("my_cohorts", "My cohorts", "group"), verify, sign_out],
        }
    st.navigation(pages).run()
