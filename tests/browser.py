"""Browser-test plumbing: serve the app on a free port and drive Debian's chromium.

The browser tests skip when chromium, playwright or axe (for audits) is missing, unless
QUIZ_REQUIRE_BROWSER=1 (as in CI), where that is a failure instead.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from quiz_app.cookies import SESSION_COOKIE
from quiz_app.testing import free_port, serving

CHROMIUM = "/usr/bin/chromium"
SHOTS_ENV = "QUIZ_SCREENSHOTS"


def browser_available() -> str | None:
    """None when a browser test can run, else the reason it cannot."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        return "Debian's chromium is not installed (apt-get install -y chromium)"
    return None


def require_browser() -> None:
    reason = browser_available()
    if reason is not None:
        _cannot_run(reason)


def require_axe() -> None:
    """As `require_browser`, and axe-playwright-python (axe-core) for accessibility audits."""
    require_browser()
    try:
        import axe_playwright_python  # noqa: F401
    except ImportError:
        _cannot_run("axe-playwright-python is not installed (pip install -e '.[test]')")


def _cannot_run(reason: str) -> None:
    """Skip the test, or fail it under QUIZ_REQUIRE_BROWSER=1 (CI), saying why."""
    if os.environ.get("QUIZ_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@contextlib.contextmanager
def served(db: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """Run `quiz-app serve` on a free localhost port until the block ends; yields its URL."""
    port = free_port()
    command = [sys.executable, "-m", "quiz_app", "serve", "--db", str(db), "--port", str(port),
               "--host", "127.0.0.1"]  # fmt: skip
    with serving(command, port, db.with_suffix(".serve.log"), 60.0, env) as server:
        yield server.url


@contextlib.contextmanager
def chromium():
    """Debian's chromium, headless, under Playwright's sync API, until the block ends."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu",
                  "--disable-dev-shm-usage"],
        )  # fmt: skip
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser, width: int = 1280, height: int = 900):
    """A tab in a browser context of its own (its own cookies), with the tests' timeout."""
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.set_default_timeout(20_000)
    return page


@contextlib.contextmanager
def chromium_page(width: int = 1280, height: int = 900):
    """One tab in chromium; a screenshot of it is saved when the block fails."""
    with chromium() as browser:
        page = new_page(browser, width, height)
        try:
            yield page
        except BaseException:
            folder = Path(os.environ.get(SHOTS_ENV) or tempfile.mkdtemp(prefix="quiz-shots-"))
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / "failure.png"), full_page=True)
            print(f"browser test failed; screenshot at {folder / 'failure.png'}",
                  file=sys.stderr)  # fmt: skip
            raise


def shot(page, name: str) -> None:
    """Save a screenshot when $QUIZ_SCREENSHOTS names a folder (for looking, not asserting)."""
    folder = os.environ.get(SHOTS_ENV)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def settle(page) -> None:
    """Wait until the app's script has finished running (Streamlit marks its root)."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()


def eventually(read, done, timeout: float = 20):
    """What `read()` returns once `done` holds for it, checked every tenth of a second.

    A click's run stores what it stores after the click returns, and the page can still
    show its last run as finished for a moment: settle() alone cannot wait for that.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        assert time.monotonic() < deadline, f"still {value!r} after {timeout} s"
        time.sleep(0.1)


def type_into(box, text: str) -> None:
    """Fill a text box once the page has finished drawing, as a person would.

    A widget drawn while its page's script is still running can be mounted again when
    the run ends, which loses anything typed into it before then.
    """
    box.wait_for()
    settle(box.page)
    box.fill(text)


def seconds(shown: str) -> int:
    """A countdown's "MM:SS" in seconds."""
    minutes, secs = shown.split(":")
    return int(minutes) * 60 + int(secs)


def attest(page) -> None:
    """Tick the shipped course's attestation on the post-test's summary, and wait until
    the page has it, before "Yes, submit"."""
    from playwright.sync_api import expect

    page.get_by_text("I completed this post-test myself").click()
    box = page.get_by_role("checkbox", name=re.compile("I completed this post-test myself"))
    expect(box).to_be_checked()
    settle(page)


def sign_in(page, username: str = "ana", password: str = "password123") -> None:
    """Sign in with the form of the sign-in page (already open in `page`), and return once
    the browser holds its new session cookie.

    The page claims the cookie with a request of its own after the signed-in page shows,
    so a test that loads another address at once could otherwise arrive signed out.
    """
    before = session_cookie(page)
    panel = page.get_by_role("tabpanel", name="Sign in")
    type_into(panel.get_by_role("textbox", name="Username"), username)
    type_into(panel.get_by_role("textbox", name="Password"), password)
    panel.get_by_role("button", name="Sign in").click()
    eventually(lambda: session_cookie(page), lambda token: token not in (None, before))


def session_cookie(page) -> str | None:
    """The value of the session cookie the browser of `page` holds, if any."""
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    return cookies.get(SESSION_COOKIE) or None
