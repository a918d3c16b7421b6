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

APP_TITLE = "Dry needling CE quizzes"
# (file under views/, title, Material icon): immutable, so safe to share.
SIGN_IN = ("sign_in", "Sign in", "login")
SIGNED_OUT = ("sign_out", "Signed out", "logout")
SIGN_OUT = ("sign_out", "Sign out", "logout")
VERIFY = ("verify", "Verify a certificate", "verified")
TEACH = (
    ("dashboard", "Dashboard", "monitoring"),
    ("learners", "Learners", "person_search"),
    ("items", "Item analysis", "analytics"),
    ("problem_reports", "Problem reports", "report"),
    ("evaluations", "Course evaluations", "rate_review"),
    ("cohorts", "Cohorts", "group"),
)
AUTHORING = (("bank_browser", "Question banks", "menu_book"),)
LEARN = (
    ("home", "Start", "play_arrow"),
    ("quiz", "Quiz", "quiz"),
    ("before_post_test", "Before the post-test", "rule"),
    ("progress", "My progress", "insights"),
    ("history", "My attempts", "history"),
    ("evaluation", "Course evaluation", "rate_review"),
)
MY_COHORTS = ("my_cohorts", "My cohorts", "group")
PROFILE = ("profile", "Profile", "account_circle")
# A reset link's page, in every role's navigation (hidden), so a link opened signed in
# says what to do instead of being turned away.
RESET = ("reset_password", "Set a new password", "lock_reset")
HIDDEN = {"quiz", "before_post_test", "evaluation"}
PAGES = "_pages"  # st.session_state key: this session's own st.Page objects, by role
ELSEWHERE = "_pages_elsewhere"  # the same, for the other roles' pages (hidden)
AFTER_SIGN_IN = "_after_sign_in"  # the address of a page asked for while signed out
NOTICE = "_route_notice"  # why the page asked for was not shown
SHOWN = "_page_shown"  # the address of the page the last run showed


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


def elsewhere_for(user: User | None) -> list[st.Page]:
    """Every page of the other roles (hidden, and never run as such): with them in the
    navigation, an address such as /progress opened signed out, or /dashboard opened as
    a learner, is a page the router recognises and turns away itself, instead of
    Streamlit's "Page not found" over the sign-in form. Kept per session, as pages are.
    The sign-in page is left out: the run after signing in is still on its address, and
    Streamlit's own fallback, the role's first page, is what that run should show."""
    role = "visitor" if user is None else user.role
    kept = st.session_state.setdefault(ELSEWHERE, {})
    if role not in kept:
        mine = _files(user)
        specs = [VERIFY, *TEACH, *AUTHORING, *LEARN, MY_COHORTS, PROFILE]  # not SIGN_IN: see below
        kept[role] = [_page(spec, hidden=True) for spec in specs if spec[0] not in mine]
    return kept[role]


def _files(user: User | None) -> set[str]:
    """The files under views/ of a role's own pages (as `_navigation` lists them)."""
    if user is None:
        return {SIGN_IN[0], VERIFY[0], SIGNED_OUT[0], RESET[0]}
    if user.is_instructor:
        return {spec[0] for spec in (*TEACH, *AUTHORING, PROFILE, VERIFY, SIGN_OUT, RESET)}
    return {spec[0] for spec in (*LEARN, MY_COHORTS, PROFILE, VERIFY, SIGN_OUT, RESET)}


def _navigation(user: User | None) -> dict[str, list[st.Page]]:
    if user is None:
        return {
            "": [
                _page(SIGN_IN, default=True),
                _page(VERIFY),
                _page(SIGNED_OUT, hidden=True),
                _page(RESET, hidden=True),
            ]
        }
    if user.is_instructor:
        return {
            "Teach": [_page(spec, default=i == 0) for i, spec in enumerate(TEACH)],
            "Authoring": [_page(spec) for spec in AUTHORING],
            "Account": [_page(PROFILE), _page(VERIFY), _page(SIGN_OUT), _page(RESET, hidden=True)],
        }
    return {
        "Learn": [
            _page(spec, default=i == 0, hidden=spec[0] in HIDDEN) for i, spec in enumerate(LEARN)
        ],
        "Account": [
            _page(MY_COHORTS),
            _page(PROFILE),
            _page(VERIFY),
            _page(SIGN_OUT),
            _page(RESET, hidden=True),
        ],
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
    ui.page_style()
    try:
        page = _allowed_page(user)  # first: it may switch pages, which ends this run
        _configure(instructor, f"{page.title} · {APP_TITLE}")  # each tab names its page
        if st.session_state.get(SHOWN, page.url_path) != page.url_path:
            ui.close_sidebar_on_narrow_screens()  # another page was chosen
        st.session_state[SHOWN] = page.url_path
        session.sync_cookie()
        if ui.show_bank_status(instructor=instructor):
            notice = st.session_state.pop(NOTICE, None)
            if notice:
                st.info(notice, icon=":material/info:")
            page.run()
    except QuizError as exc:
        show_failure(exc)


def _allowed_page(user: User | None) -> st.Page:
    """The page to run: the one the address asks for, if this user's role has it.

    Signed out, another page's address shows the sign-in page, and the page asked for
    opens after signing in if the role has it; signed in, another role's page shows the
    role's first page, saying why. Only the page st.navigation returns may run, so
    turning away is a switch_page (which ends this run; the next one shows the page),
    done before anything else of the run is drawn.
    """
    mine = pages_for(user)
    allowed = [page for group in mine.values() for page in group]
    first = next(iter(mine))
    chosen = st.navigation({**mine, first: [*mine[first], *elsewhere_for(user)]})
    if not any(chosen is page for page in allowed):
        if user is None:
            st.session_state[AFTER_SIGN_IN] = chosen.url_path
        else:
            st.session_state[NOTICE] = "That page is not one of your account's pages."
        st.switch_page(allowed[0])  # `_navigation` lists each role's default page first
    wanted = st.session_state.pop(AFTER_SIGN_IN, None) if user is not None else None
    if wanted:
        target = next((page for page in allowed if page.url_path == wanted), None)
        if target is not None and target is not chosen:
            st.switch_page(target)
    return chosen


def _configure(instructor: bool, title: str = APP_TITLE) -> None:
    st.set_page_config(
        page_title=title,
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
