"""Streamlit wiring: the services each page uses, and who is signed in.

Every page calls `require_role` (or `current_user`) at the top of every run: the session
and the role are checked on the server each time, so hiding a menu entry is never the
only guard, and a session signed out elsewhere or expired is over at the next run.
A signed-in page keeps only its session's id (in server memory); the browser keeps the
session's token in an HttpOnly cookie (quiz_app/cookies.py), so a refresh keeps the
learner signed in. The database stores only hashes of tokens.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import streamlit as st

from quiz_app import ui
from quiz_app.accommodations import Accommodations
from quiz_app.accounts import INSTRUCTOR, LEARNER, TOKEN, Accounts, User
from quiz_app.attempts import Attempts, OtherAttemptOpen
from quiz_app.clock import Clock, SystemClock
from quiz_app.cookies import CLAIM_PATH, DEVICE_COOKIE, SESSION_COOKIE, SIGN_OUT_PATH
from quiz_app.errors import QuizError
from quiz_app.evaluations import Evaluations
from quiz_app.problem_reports import ProblemReports
from quiz_app.quizdef import QuizDef
from quiz_app.reports import Reports
from quiz_app.resets import PasswordResets
from quiz_app.reviews import CAP_RANGE
from quiz_app.spaced import SpacedReview
from quiz_app.store import PostgresStore, Row, Store, open_store

DB_ENV = "QUIZ_DB"

_clock: list[Clock] = [SystemClock()]


def set_clock(clock: Clock) -> None:
    """Use another clock from now on (tests move time with a ManualClock)."""
    _clock[0] = clock


def clock() -> Clock:
    return _clock[0]


_stores: dict[str, Store | PostgresStore] = {}
_stores_lock = threading.Lock()


def store() -> Store | PostgresStore:
    """The database the app was started with ($QUIZ_DB: a file, else quiz.db here, or a
    postgresql:// URL), one per process."""
    path = os.environ.get(DB_ENV, "quiz.db")
    found = _stores.get(path)
    if found is None:
        with _stores_lock:  # one Store (one pool of connections) per database
            found = _stores.get(path) or _stores.setdefault(path, open_store(path))
    return found


def accounts() -> Accounts:
    return Accounts(store(), clock(), ui.local_time())


def attempts() -> Attempts:
    return Attempts(store(), ui.course(), clock())


def accommodations() -> Accommodations:
    return Accommodations(store(), ui.course(), clock())


def spaced() -> SpacedReview:
    return SpacedReview(store(), ui.course(), clock())


def problem_reports() -> ProblemReports:
    return ProblemReports(store(), ui.course(), clock())


def password_resets() -> PasswordResets:
    return PasswordResets(store(), clock())


def current_user() -> User | None:
    """The signed-in user of this browser session, checked in the database on every call.

    A session revoked (signed out in another tab) or past its SESSION_HOURS signs this
    page out: it forgets everything and shows the sign-in page. After a refresh the
    session is found again from the browser's HttpOnly cookie.
    """
    session_id = st.session_state.get("session")
    if session_id is not None:
        user = accounts().session_user(session_id)
        if user is not None:
            return user
        _forget()
    token = browser_cookie(SESSION_COOKIE)
    found = accounts().resume_session(token) if token else None
    if found is None:
        return None
    st.session_state["session"] = found.session_id
    return found.user


def browser_cookie(name: str) -> str | None:
    """A token the browser sent as cookie `name` when this session connected, if well formed."""
    token = st.context.cookies.get(name)
    return token if isinstance(token, str) and TOKEN.fullmatch(token) else None


def check_password(username: str, password: str) -> User:
    """The user whose password this is, counting failures against this browser's device
    token when it has one; raises AccountError or AccountLocked (see Accounts.sign_in)."""
    return accounts().sign_in(username, password, browser_cookie(DEVICE_COOKIE))


def change_password(user: User, current: str, new: str, repeat: str) -> None:
    """Change the signed-in user's password from this page, which stays signed in while
    their other sessions are revoked; the current password is counted as this browser's
    sign-in would be (see Accounts.change_password)."""
    accounts().change_password(
        user, current, new, repeat, st.session_state.get("session"), browser_cookie(DEVICE_COOKIE)
    )


def sync_cookie() -> None:
    """Have the browser claim its session cookie after a sign-in, or clear it after a sign-out.

    Each is a one-line script, run once: it POSTs to a route of the server, which sets
    or clears the HttpOnly cookie (quiz_app/cookies.py). Only a hand-off code of URL-safe
    characters is ever put into a script, never a session token.
    """
    code = st.session_state.pop("handoff", None)
    if st.session_state.pop("signed_out", False):
        script = f'fetch("{SIGN_OUT_PATH}", {{method: "POST", credentials: "same-origin"}});'
    elif code and TOKEN.fullmatch(code):
        script = (
            f'fetch("{CLAIM_PATH}", {{method: "POST", credentials: "same-origin",'
            f' body: "{code}"}});'
        )
    else:
        return
    with st.sidebar:
        st.html(f"<script>{script}</script>", unsafe_allow_javascript=True)


def sign_in(user: User) -> None:
    """Sign this browser session in as `user` with a fresh session, and revoke the session
    token the browser presented when it connected, if any."""
    token = browser_cookie(SESSION_COOKIE)
    if token:
        accounts().end_session_of_token(token)
    new = accounts().start_session(user)
    st.session_state.pop("signed_out", None)
    st.session_state["session"] = new.id
    st.session_state["handoff"] = new.handoff


def sign_out() -> None:
    """Revoke this page's session (every tab of it is signed out on its next run) and
    forget this browser session's state; the next run clears the browser's cookie."""
    session_id = st.session_state.get("session")
    if session_id is not None:
        accounts().end_session(session_id)
    token = browser_cookie(SESSION_COOKIE)
    if token:
        accounts().end_session_of_token(token)
    _forget()
    st.session_state["signed_out"] = True


def _forget() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]


CHECKED = "_user_this_run"  # st.session_state key: who route() found signed in, this run


def check_user() -> User | None:
    """Who is signed in, checked once at the top of a run (routes.route); the page's
    `require_role` then uses that check instead of asking the database again."""
    user = current_user()
    st.session_state[CHECKED] = user
    return user


def signed_in() -> User | None:
    """Who is signed in: as `check_user` found at the top of this run, else checked now."""
    return st.session_state.pop(CHECKED) if CHECKED in st.session_state else current_user()


def require_user() -> User:
    """The signed-in user, whatever their role; otherwise explain and stop the page."""
    user = signed_in()
    if user is None:
        st.warning("Please sign in to see this page.")
        st.stop()
    return user


def require_role(role: str) -> User:
    """The signed-in user if they have `role`; otherwise explain and stop the page."""
    user = require_user()
    if user.role != role:
        needed = "instructors" if role == INSTRUCTOR else "learners"
        st.error(f"This page is for {needed}. You are signed in as {user.role}.")
        st.stop()
    return user


def require_learner() -> User:
    return require_role(LEARNER)


def require_instructor() -> User:
    return require_role(INSTRUCTOR)


START_OFFER = "start_offer"


def start_quiz(user: User, quiz: QuizDef, **options: Any) -> None:
    """Start (or resume) an attempt of `quiz` in the learner's latest cohort and open it.

    Shows the reason instead when the attempt cannot start (no attempts left, ...); when
    the learner has this quiz open with another set-up, `start_offer` asks what to do.
    """
    cohorts = accounts().cohorts_joined(user)
    try:
        attempt = attempts().start(
            user.id, quiz, cohort_id=cohorts[-1]["id"] if cohorts else None, **options
        )
    except OtherAttemptOpen as exc:
        st.session_state[START_OFFER] = (quiz, options, exc.attempt.id, str(exc))
        st.rerun()
    except QuizError as exc:
        st.error(str(exc))
        return
    open_attempt(attempt.id)


def open_attempt(attempt_id: int) -> None:
    """Go to the quiz page with this attempt."""
    st.session_state["attempt_id"] = attempt_id
    st.switch_page("views/quiz.py")


def start_offer(user: User) -> None:
    """When the quiz a learner chose is open with another set-up, a dialog (in view however
    far down the page they clicked): resume that one, or end it as it stands and start
    the one chosen. Dismissing it changes nothing."""
    offer = st.session_state.get(START_OFFER)
    if offer is None:
        return
    quiz, options, attempt_id, message = offer

    def dismiss() -> None:
        st.session_state.pop(START_OFFER, None)

    @st.dialog("You have this quiz open", on_dismiss=dismiss)
    def choose() -> None:
        st.markdown(
            ui.safe(message) + " Resume it, or end it as it stands and start the quiz you "
            "chose; the answers you gave still count in your progress."
        )
        if st.button("Resume it", key="offer-resume", type="primary", width="stretch"):
            dismiss()
            open_attempt(attempt_id)
        if st.button("End it and start the new one", key="offer-replace", width="stretch"):
            dismiss()
            start_quiz(user, quiz, replace=True, **options)
        if st.button("Not now", key="offer-cancel", width="stretch"):
            dismiss()
            st.rerun()

    choose()


WEAK_SPOTS_MAX = 15


def weak_spots_offer(user: User, weak: list[str]) -> None:
    """A button that starts a practice quiz of the learner's weakest questions."""
    if not weak:
        return
    count = min(len(weak), WEAK_SPOTS_MAX)
    st.caption(f"{ui.plural(len(weak), 'question')} you have not yet got fully right.")
    if st.button(
        f"Practise my weak spots ({ui.plural(count, 'question')})",
        key="weak-spots",
        icon=":material/fitness_center:",
    ):
        start_quiz(user, ui.course().weak_spots_quiz(count), pool=weak[:count])


def _set_cap(service: SpacedReview, user: User, value: Any) -> None:
    """Store the learner's cards per review, or say why not (the box bounds it already)."""
    try:
        service.set_cap(user.id, int(value))
    except (QuizError, TypeError, ValueError) as exc:
        ui.flash(str(exc) if isinstance(exc, QuizError) else "Choose a whole number.", "warning")


def review_offer(user: User) -> None:
    """The learner's spaced review: how many cards are due today and a "Review now" button
    for a quiz of them (at most their cap), or when the next ones fall due; with their
    settings (cards per review, pause). Shows nothing before their first card."""
    service = spaced()
    overview = service.overview(user.id)
    if not overview.cards:
        return
    settings = overview.settings
    st.subheader("Spaced review", anchor=False)
    if settings.paused_since is not None:
        st.info(
            f"Reviews are paused (since {ui.local_time().day_text(settings.paused_since)}). "
            "Your answers in practice still count; resume to see what is due.",
            icon=":material/pause_circle:",
        )
    elif overview.quiz is not None:
        quiz, pool = overview.quiz
        st.markdown(
            f"**{ui.plural(len(overview.due), 'question')} due today** for review, so you "
            "remember them: each comes back just before you would be likely to forget it."
        )
        if st.button(
            f"Review now ({ui.plural(len(pool), 'question')})",
            key="review-now",
            type="primary",
            icon=":material/event_repeat:",
        ):
            start_quiz(user, quiz, pool=pool)
    else:
        upcoming = overview.upcoming
        when = (
            f" Next: {ui.plural(upcoming[1], 'question')} on {upcoming[0].day} "
            f"{upcoming[0].strftime('%B')}."
            if upcoming
            else ""
        )
        st.caption(f"Nothing due today: {ui.plural(overview.cards, 'question')} scheduled.{when}")
    with st.popover("Review settings", icon=":material/tune:"):
        low, high = CAP_RANGE
        cap_key, pause_key = "review-cap", "review-paused"
        st.number_input(
            "Questions per review",
            min_value=low,
            max_value=high,
            value=settings.cap,
            step=5,
            key=cap_key,
            on_change=lambda: _set_cap(service, user, st.session_state[cap_key]),
        )
        st.toggle(
            "Pause reviews",
            value=settings.paused_since is not None,
            key=pause_key,
            on_change=lambda: service.pause(user.id, bool(st.session_state[pause_key])),
        )


def evaluations() -> Evaluations:
    return Evaluations(store(), ui.course(), clock())


def reports() -> Reports:
    return Reports(store(), ui.course(), clock())


def choose_cohort(instructor: User, key: str) -> Row | None:
    """A selectbox of the instructor's own cohorts, archived ones too (marked so); the
    choice carries across pages.

    Returns the authorised cohort, or None (after saying so) when there is none yet.
    """
    cohorts = store().cohorts_of(instructor.id)
    if not cohorts:
        st.info("You have no cohorts yet: create one on the Cohorts page.")
        st.page_link("views/cohorts.py", label="Cohorts", icon=":material/group_add:")
        return None
    names = {
        c["id"]: ui.literal(c["name"], markdown=False) + (" (archived)" if c["archived_at"] else "")
        for c in cohorts
    }  # archived cohorts keep their reports, so they stay here, named as archived
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
