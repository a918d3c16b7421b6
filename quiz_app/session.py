"""Streamlit wiring: the services each page uses, and who is signed in.

Every page calls `require_role` (or `current_user`) at the top of every run: the role
is checked on the server each time, so hiding a menu entry is never the only guard.
A signed-in session's token is kept in a cookie, so a browser refresh keeps the learner
signed in; only its hash is stored on the server, and signing out revokes it.
"""

from __future__ import annotations

import os
import re
import threading
from typing import Any

import streamlit as st

from quiz_app import ui
from quiz_app.accounts import INSTRUCTOR, LEARNER, SESSION_HOURS, Accounts, User
from quiz_app.attempts import Attempts
from quiz_app.clock import Clock, SystemClock
from quiz_app.errors import QuizError
from quiz_app.quizdef import QuizDef
from quiz_app.reports import Reports
from quiz_app.store import Row, Store

DB_ENV = "QUIZ_DB"
COOKIE = "quiz_session"
COOKIE_SECONDS = SESSION_HOURS * 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")

_clock: list[Clock] = [SystemClock()]


def set_clock(clock: Clock) -> None:
    """Use another clock from now on (tests move time with a ManualClock)."""
    _clock[0] = clock


def clock() -> Clock:
    return _clock[0]


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def store() -> Store:
    """The database the app was started with ($QUIZ_DB, else quiz.db here), one per process."""
    path = os.environ.get(DB_ENV, "quiz.db")
    found = _stores.get(path)
    if found is None:
        with _stores_lock:
            found = _stores.setdefault(path, Store(path))
    return found


def accounts() -> Accounts:
    return Accounts(store(), clock())


def attempts() -> Attempts:
    return Attempts(store(), ui.course(), clock())


def current_user() -> User | None:
    """The signed-in user of this browser session, restored from its cookie after a refresh."""
    user = st.session_state.get("user")
    if user is None:
        token = browser_token()
        if token:
            user = accounts().resume_session(token)
            if user is not None:
                st.session_state["user"] = user
                st.session_state["token"] = token
    return user


def browser_token() -> str | None:
    """The session token the browser sent as a cookie when this session connected."""
    token = st.context.cookies.get(COOKIE)
    return token if isinstance(token, str) and _TOKEN.fullmatch(token) else None


def sync_cookie() -> None:
    """Keep the browser's session cookie in step with this session (a refresh reads it).

    The cookie is written by a small script, as Streamlit has no API to set one; only a
    token of URL-safe characters is ever put into it.
    """
    token = st.session_state.get("token")
    if st.session_state.pop("clear_cookie", False):
        script = f'document.cookie = "{COOKIE}=; Path=/; Max-Age=0; SameSite=Strict";'
    elif token and browser_token() != token and _TOKEN.fullmatch(token):
        script = (
            f'document.cookie = "{COOKIE}={token}; Path=/; Max-Age={COOKIE_SECONDS};'
            ' SameSite=Strict" + (location.protocol === "https:" ? "; Secure" : "");'
        )
    else:
        return
    with st.sidebar:
        st.html(f"<script>{script}</script>", unsafe_allow_javascript=True)


def sign_in(user: User) -> None:
    st.session_state["user"] = user
    st.session_state["token"] = accounts().start_session(user)


def sign_out() -> None:
    token = st.session_state.get("token") or browser_token()
    if token:
        accounts().end_session(token)
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state["clear_cookie"] = True


def require_role(role: str) -> User:
    """The signed-in user if they have `role`; otherwise explain and stop the page."""
    user = current_user()
    if user is None:
        st.warning("Please sign in to see this page.")
        st.stop()
    if user.role != role:
        needed = "instructors" if role == INSTRUCTOR else "learners"
        st.error(f"This page is for {needed}. You are signed in as {user.role}.")
        st.stop()
    return user


def require_learner() -> User:
    return require_role(LEARNER)


def require_instructor() -> User:
    return require_role(INSTRUCTOR)


def start_quiz(user: User, quiz: QuizDef, **options: Any) -> None:
    """Start (or resume) an attempt of `quiz` in the learner's latest cohort and open it.

    Shows the reason instead when the attempt cannot start (no attempts left, ...).
    """
    cohorts = accounts().cohorts_joined(user)
    try:
        attempt = attempts().start(
            user.id, quiz, cohort_id=cohorts[-1]["id"] if cohorts else None, **options
        )
    except QuizError as exc:
        st.error(str(exc))
        return
    st.session_state["attempt_id"] = attempt.id
    st.switch_page("views/quiz.py")


WEAK_SPOTS_MAX = 15


def weak_spots_offer(user: User, weak: list[str]) -> None:
    """A button that starts a practice quiz of the learner's weakest questions."""
    if not weak:
        return
    count = min(len(weak), WEAK_SPOTS_MAX)
    st.caption(f"{len(weak)} questions you have not yet got fully right.")
    if st.button(
        f"Practise my weak spots ({count} questions)",
        key="weak-spots",
        icon=":material/fitness_center:",
    ):
        start_quiz(user, ui.course().weak_spots_quiz(count), pool=weak[:count])


def reports() -> Reports:
    return Reports(store(), ui.course())


def choose_cohort(instructor: User, key: str) -> Row | None:
    """A selectbox of the instructor's own cohorts; the choice carries across pages.

    Returns the authorised cohort, or None (after saying so) when there is none yet.
    """
    cohorts = store().cohorts_of(instructor.id)
    if not cohorts:
        st.info("You have no cohorts yet: create one on the Cohorts page.")
        st.page_link("views/cohorts.py", label="Cohorts", icon=":material/group_add:")
        return None
    names = {c["id"]: c["name"] for c in cohorts}
    chosen = ui.remembered_choice("Cohort", names, "cohort_choice", f"cohort-{key}")
    return reports().authorize(instructor, chosen)


def cohort_page(title: str, key: str) -> tuple[User, Row] | None:
    """The top of an instructor's cohort page: the role check, the title, the cohort.

    Returns (instructor, cohort), or None when the instructor has no cohort yet.
    """
    instructor = require_instructor()
    st.title(title, anchor=False)
    cohort = choose_cohort(instructor, key)
    return (instructor, cohort) if cohort is not None else None
