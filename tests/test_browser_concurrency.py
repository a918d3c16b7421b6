"""Scenario 17: concurrent sessions do not crash each other.

Twelve learners, each in a tab of one chromium, sign in at the same instant and then
move between two pages at the same instant, round after round. The sessions share one
server process: a Streamlit object shared between them (one `st.Page` per process) let
one session's run spend another's right to run its page, and that tab showed "This
page cannot be called directly" with file paths in a traceback.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from quiz_app.accounts import Accounts
from quiz_app.store import Store
from tests.browser import chromium, new_page, require_browser, served, settle, type_into

pytestmark = pytest.mark.browser

TABS = 12
ROUNDS = 10  # 12 sign-ins + 120 page runs; the old shared pages crashed about 1 run in 20
PASSWORD = "password123"

# Arm a click to fire at an absolute time. The tabs share the machine's clock, so they
# all click within a millisecond or so of each other, however slowly they were armed.
CLICK_AT = "(element, at) => { setTimeout(() => element.click(), at - Date.now()); }"


def click_at_once(targets: list) -> None:
    """Click every locator (one per tab) at the same instant."""
    at = targets[0].page.evaluate("Date.now()") + 50 * len(targets) + 200
    for target in targets:
        target.evaluate(CLICK_AT, at)


def crash_after_run(tab, heading: str, path: str | None = None) -> str | None:
    """Wait until the tab has drawn `heading` or an exception and its run has ended;
    returns what the tab shows when it crashed, else None.

    With `path`, first wait for the address the server's new run sends the tab to, so
    that an exception left over from the tab's previous run is not counted again.
    """
    if path is not None:
        tab.wait_for_url(lambda address: urlsplit(address).path == path)
    exception = tab.get_by_test_id("stException")
    tab.get_by_role("heading", name=heading, exact=True).or_(exception).first.wait_for()
    settle(tab)
    if exception.count():
        return exception.first.inner_text()
    if "cannot be called directly" in tab.content():
        return tab.inner_text("body")
    return None


def test_concurrent_sessions_do_not_crash_each_other(tmp_path: Path) -> None:
    require_browser()
    db = tmp_path / "tabs.db"
    accounts = Accounts(Store(db))
    names = [f"Learner {n:02d}" for n in range(TABS)]
    for n, name in enumerate(names):
        accounts.sign_up(f"learner{n:02d}", name, PASSWORD)

    crashes: list[str] = []
    runs = 0

    def settle_all(tabs: list, headings: list[str], when: str, path: str | None = None) -> None:
        nonlocal runs
        for n, (tab, heading) in enumerate(zip(tabs, headings, strict=True)):
            runs += 1
            shown = crash_after_run(tab, heading, path)
            if shown is not None:
                crashes.append(f"{when}, tab {n}:\n{shown}")

    with served(db) as url, chromium() as browser:
        tabs = [new_page(browser) for _ in names]  # each its own context: its own cookie
        for n, tab in enumerate(tabs):
            tab.set_default_timeout(60_000)  # 12 busy tabs on a small shared machine
            tab.goto(url)
            panel = tab.get_by_role("tabpanel", name="Sign in")
            type_into(panel.get_by_role("textbox", name="Username"), f"learner{n:02d}")
            type_into(panel.get_by_role("textbox", name="Password"), PASSWORD)
        click_at_once(
            [
                t.get_by_role("tabpanel", name="Sign in").get_by_role("button", name="Sign in")
                for t in tabs
            ]
        )
        settle_all(tabs, [f"Welcome, {name}" for name in names], "signing in")

        for number in range(1, ROUNDS + 1):
            link, path, headings = (
                ("My attempts", "/history", ["My attempts"] * TABS)
                if number % 2
                else ("Start", "/", [f"Welcome, {name}" for name in names])
            )
            click_at_once(
                [t.get_by_test_id("stSidebarNavItems").get_by_role("link", name=link) for t in tabs]
            )
            settle_all(tabs, headings, f"round {number} (to {link})", path)

    assert not crashes, f"{len(crashes)} of {runs} runs crashed:\n\n" + "\n\n".join(crashes)
