"""Scenario 11: the post-test countdown follows the server, not the browser's clock.

A learner whose laptop clock is 5 minutes slow starts the post-test. The countdown must
never show more time than the server will accept answers for, before and after a rerun.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from quiz_app.accounts import Accounts
from quiz_app.clock import parse
from quiz_app.store import Store
from tests.browser import chromium_page, require_browser, seconds, served, settle, type_into

pytestmark = pytest.mark.browser

SLOW_MS = 5 * 60 * 1000

# The page's wall clock (Date.now, new Date()) runs 5 minutes slow; its monotonic clock
# (performance.now) is left alone, as on a real laptop whose clock is wrong.
SLOW_CLOCK = """
(() => {
  const RealDate = Date;
  const now = () => RealDate.now() - SLOW_MS;
  function SlowDate(...args) {
    if (!new.target) return new RealDate(now()).toString();
    return args.length ? new RealDate(...args) : new RealDate(now());
  }
  SlowDate.prototype = RealDate.prototype;
  SlowDate.now = now;
  SlowDate.parse = RealDate.parse;
  SlowDate.UTC = RealDate.UTC;
  globalThis.Date = SlowDate;
})();
""".replace("SLOW_MS", str(SLOW_MS))

# Delivery and drawing delay the script's start a little behind the server's reckoning.
LATENCY = 10


def test_countdown_shows_the_servers_time_left_on_a_slow_browser_clock(tmp_path: Path) -> None:
    require_browser()
    db = tmp_path / "countdown.db"
    store = Store(db)
    Accounts(store).sign_up("ana", "Ana Lima", "password123")

    with served(db) as url, chromium_page() as page:
        page.add_init_script(SLOW_CLOCK)
        page.goto(url)
        skew = page.evaluate("Date.now()") / 1000 - datetime.now(UTC).timestamp()
        assert -SLOW_MS / 1000 - LATENCY < skew < -SLOW_MS / 1000 + LATENCY
        panel = page.get_by_role("tabpanel", name="Sign in")
        type_into(panel.get_by_role("textbox", name="Username"), "ana")
        type_into(panel.get_by_role("textbox", name="Password"), "password123")
        panel.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name="Start the post-test").click()
        page.get_by_role("button", name="Begin the post-test").click()  # after its rules
        timer = page.locator('[id^="countdown-"] b')

        def check_countdown() -> None:
            """The script ticks, and shows no more than the server's time left."""
            timer.wait_for()
            before = timer.inner_text()
            expect(timer).not_to_have_text(before, timeout=10_000)
            shown = seconds(timer.inner_text())
            deadline = parse(store.first("SELECT deadline FROM attempts")["deadline"])
            left = (deadline - datetime.now(UTC)).total_seconds()
            assert shown <= 30 * 60
            assert left - LATENCY <= shown <= left + LATENCY, (shown, left)

        page.get_by_role("heading", name="Question 1 of 25").wait_for()
        check_countdown()
        page.get_by_role("button", name="Next").click()
        page.get_by_role("heading", name="Question 2 of 25").wait_for()
        settle(page)
        check_countdown()
