"""The ASGI app `quiz-app serve` runs: the Streamlit app plus the routes that set its
HttpOnly cookies (quiz_app/cookies.py) and the one that streams its CSV downloads
(quiz_app/downloads.py). `streamlit run` finds `app` here and serves it.

An exception that a script run does not catch (in a widget callback, or one that is not
the app's own) is shown as a plain message by `routes.show_failure`, never as a traceback.

Every HTTP response says which sites may show the app in a frame (quiz_app/framing.py):
only the app's own origin, unless $QUIZ_FRAME_ANCESTORS names the sites (an LMS that
embeds it). A value that is not a list of CSP sources stops the server before it starts
(`quiz-app serve` refuses it before starting Streamlit; this check covers a bare
`streamlit run`), with a message saying what is wrong.

Before the first session, `prepare_process` imports every page's modules and loads the
course, then freezes them out of the garbage collector's work (`gc.freeze`): Streamlit
collects every generation after every script run (`runner.postScriptGC`), and without
the freeze each of those collections walked the whole heap (pandas, pyarrow, Altair,
the course), most of the CPU an answer cost.

The page takes no messages from a parent frame (`close_host_messages`): Streamlit's
default list of origins allowed to send them is its Community Cloud's, whose frames can
stop, rerun and sign in the app, and it checked that list against every message the page
posted itself, a few per script run, at about 30 ms of the browser's CPU per answer.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import sys
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from streamlit import config

from quiz_app import cookies, downloads, fonts, routes, session, ui
from quiz_app.errors import BankError
from quiz_app.framing import FrameAncestors, FrameAncestorsError, frame_ancestors


def prepare_process() -> None:
    """Import every page (and with them pandas, pyarrow, Altair, the PDF writer), read
    Source Sans Pro's character map (every sign-up checks a name against it) and load the
    course, then move everything alive into the collector's permanent generation.

    Those objects live as long as the process, so no collection could free them; frozen,
    the full collection after each script run walks only what sessions made since. A
    course reloaded after an edit is not frozen, and the one it replaced stays in memory.
    """
    for page in sorted((Path(__file__).resolve().parent / "views").glob("[a-z]*.py")):
        importlib.import_module(f"quiz_app.views.{page.stem}")
    fonts.unprintable("")
    with contextlib.suppress(BankError):  # every page says so (ui.show_bank_status)
        ui.course()
    gc.collect()
    gc.freeze()


HOST_ORIGINS = "client.allowedOrigins"


def close_host_messages() -> None:
    """Allow no origin to control the page from a parent frame (stop, rerun, hand it an
    auth token: Streamlit's host messages), unless the administrator set the origins
    (`--client.allowedOrigins`, .streamlit/config.toml). With none allowed, the page
    does not listen for those messages at all. An LMS that frames the app
    ($QUIZ_FRAME_ANCESTORS) shows it and never sends them."""
    if not config.is_manually_set(HOST_ORIGINS):
        config.set_option(HOST_ORIGINS, [], where_defined=__name__)


try:
    _policy = frame_ancestors()
except FrameAncestorsError as exc:
    sys.exit(f"quiz-app serve: not started: {exc}")

prepare_process()
close_host_messages()
app = st.App(
    Path(__file__).resolve().parent / "app.py",
    routes=[
        *cookies.routes(session.accounts),
        *downloads.routes(session.accounts, session.reports),
    ],
    middleware=[Middleware(FrameAncestors, policy=_policy)],
    on_script_error=routes.show_failure,
)
