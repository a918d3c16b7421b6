"""Helpers to drive the app under Streamlit's AppTest, for tests and benchmarks.

Open a session (signed in or not, on a page), set the widgets of a question to an
answer and submit it, and read back what a page shows.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from streamlit import config
from streamlit.testing.v1 import AppTest

from quiz_app import session
from quiz_app.accounts import User
from quiz_app.bank import Question

APP = str(Path(__file__).resolve().parent / "app.py")

# AppTest runs the app configured as `quiz-app serve` runs it: no "magic", no usage stats.
config.set_option("runner.magicEnabled", False)
config.set_option("browser.gatherUsageStats", False)


def run_as_served() -> None:
    """Have every AppTest of this process share what `quiz-app serve` sets up once per
    process, so that benchmarks time what the server does on each run:

    - the scripts, compiled once: AppTest gives every run a new ScriptCache, and its
      script runner another, so the app's and the page's files were compiled again on
      every run;
    - the registry of custom components: each new AppTest scanned the metadata of every
      installed package for components (about 0.9 s, most of a "first load"), which the
      server does once when it starts.
    """
    from streamlit.components.v2.component_manager import BidiComponentManager
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = lambda: shared  # type: ignore[assignment, misc]
    local_script_runner.ScriptCache = lambda: shared  # type: ignore[assignment, misc]
    components = BidiComponentManager()
    components.discover_and_register_components(start_file_watching=False)
    components.discover_and_register_components = lambda **_: None  # type: ignore[method-assign]
    app_test.BidiComponentManager = lambda: components  # type: ignore[assignment, misc]


def open_app(user: User | None = None, page: str | None = None, **query: str) -> AppTest:
    """A fresh browser session, optionally signed in as `user` and on `page`.

    Signing in starts a real session in the app's database ($QUIZ_DB), as the sign-in
    page does.
    """
    at = AppTest.from_file(APP, default_timeout=30)
    for name, value in query.items():
        at.query_params[name] = value
    if user is not None:
        sign_in_as(at, user)
    if page is not None:
        at.switch_page(page)
    return at.run()


def sign_in_as(at: AppTest, user: User) -> None:
    """Give the AppTest session a fresh session of `user`, from its next run on."""
    at.session_state["session"] = session.accounts().start_session(user).id


def go(at: AppTest, page: str) -> AppTest:
    at.switch_page(page)
    return at.run()


def begin_post_test(at: AppTest) -> AppTest:
    """From the Start page: "Start the post-test", then "Begin" on its rules page; the
    quiz page with the attempt open."""
    at.button(key="start-post-test").click().run()
    at.switch_page("views/before_post_test.py")  # AppTest does not follow switch_page
    at.run()
    at.button(key="begin-post-test").click().run()
    assert "attempt_id" in at.session_state, [e.value for e in at.error]
    at.switch_page("views/quiz.py")
    return at.run()


def fill_answer(at: AppTest, key: str, question: Question, answer: Any) -> None:
    """Set the widgets of `question` (keyed by `key`) to a canonical answer."""
    if question.type == "single":
        at.radio(key=f"{key}-single").set_value(answer)
    elif question.type == "true_false":
        at.radio(key=f"{key}-tf").set_value(answer)
    elif question.type == "multiple":
        for i in range(len(question.choices)):
            at.checkbox(key=f"{key}-multi-{i}").set_value(i in answer)
    elif question.type == "matching":
        for left, right in enumerate(answer):
            at.selectbox(key=f"{key}-match-{left}").set_value(right)
    else:
        for place, item in enumerate(answer):
            at.selectbox(key=f"{key}-place-{item}").set_value(place)


def submit_answer(at: AppTest, key: str, post_test: bool) -> AppTest:
    """Store the answer `fill_answer` set: practice checks it with its button; the
    post-test saves every change, so the run that follows the change stores it."""
    if not post_test:
        at.button(key=f"FormSubmitter:{key}-form-Check answer").click()
    return at.run()


def texts(at: AppTest) -> str:
    """Everything the page shows as text, for loose assertions."""
    parts = [
        e.value
        for kind in (
            "title",
            "markdown",
            "caption",
            "subheader",
            "success",
            "error",
            "warning",
            "info",
        )
        for e in getattr(at, kind)
    ]
    parts += [e.label for e in at.expander]
    return "\n".join(str(p) for p in parts)


@dataclass
class Server:
    pid: int
    url: str
    log: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(command: Sequence[str], port: int, log: Path, timeout_s: float = 90.0,
            env: dict[str, str] | None = None) -> Iterator[Server]:  # fmt: skip
    """Run `command` (a server listening on 127.0.0.1:`port`) until the block ends, once
    its health check answers (within `timeout_s`); raises RuntimeError with its log if it
    does not start. For the browser tests and the load benchmark."""
    with log.open("w") as out:
        process = subprocess.Popen(
            list(command), stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError as exc:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{command[:4]} did not start:\n{log.read_text()}") from exc
                time.sleep(0.2)
        yield Server(process.pid, url, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
