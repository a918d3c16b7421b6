"""Which pages exist for whom: the navigation the entry script runs on every rerun.

Pages are grouped by role. A signed-out visitor sees only the sign-in page; a learner
never gets an instructor page in the navigation, and each page also checks the role
itself on every run. Each page is a module under views/, run as a script by Streamlit.

The `st.Page` objects belong to one browser session (made on its first run, kept in
its session state): no Streamlit object is shared between sessions, and module state
is for immutable things only.

A run that fails shows a plain message, never a traceback (`show_failure`): `route`
catches the app's own errors (QuizError: the database cannot be read or written, ...),
and `quiz-app serve` hands everything else (widget callbacks, unexpected errors) to the
same function as Streamlit's `on_script_error` (quiz_app/server.py).
"""

from __future__ import annotations

import logging

import streamlit as st

from quiz_app import session, ui
from quiz_app.accounts import User
from quiz_app.errors import QuizError
from quiz_app.store import StoreError

log = logging.getLogger(__name__)

UNEXPECTED = (
    "Something went wrong on the server; your saved answers are safe. Please reload the page."
)

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
    ("before_post_test", "Before the post-test", "rule"),
    ("progress", "My progress", "insights"),
    ("history", "My attempts", "history"),
)
HIDDEN = {"quiz", "before_post_test"}
PAGES = "_pages"  # st.session_state key: this session's own st.Page objects, by role


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
    """The navigation of a visitor (None), an instructor or a learner, for this browser
    session: made on its first run in that role and kept in its session state, so no
    Streamlit object is ever shared with another session."""
    role = "visitor" if user is None else user.role
    kept = st.session_state.setdefault(PAGES, {})
    if role not in kept:
        kept[role] = _navigation(user)
    return kept[role]


def _navigation(user: User | None) -> dict[str, list[st.Page]]:
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
    what instructors must know about the bank files (no page runs without a course).

    A QuizError that the page does not handle itself ends the run with its message.
    """
    try:
        user = session.check_user()
    except QuizError as exc:  # the page still gets its title, then the plain message
        _configure(instructor=False)
        show_failure(exc)
        return
    instructor = user is not None and user.is_instructor
    _configure(instructor)
    try:
        session.sync_cookie()
        if ui.show_bank_status(instructor=instructor):
            st.navigation(pages_for(user)).run()
    except QuizError as exc:
        show_failure(exc)


def _configure(instructor: bool) -> None:
    st.set_page_config(
        page_title="Dry needling CE quizzes",
        page_icon=":material/health_and_safety:",
        layout="wide" if instructor else "centered",
    )


def show_failure(exc: Exception) -> bool:
    """Show a run's failure as a plain message where the page was: a QuizError in its own
    words, anything else as UNEXPECTED, its traceback going to the server's log only.

    Returns True, which tells Streamlit not to show the exception itself: this is the
    `on_script_error` handler of `quiz-app serve`'s app.
    """
    if isinstance(exc, StoreError):
        log.warning("database failure: %s (%s)", exc, exc.detail)
    if isinstance(exc, QuizError):
        st.error(str(exc), icon=":material/error:")
    else:
        log.error("a page run failed", exc_info=exc)
        st.error(UNEXPECTED, icon=":material/error:")
    return True
