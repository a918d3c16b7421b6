"""The post-test timer stays in view, warns, and at zero submits (issue 13, item 3).

Before: the countdown scrolled off the screen, said nothing near the end, and at 0:00
showed "Time is up" while nothing happened until the learner clicked again.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from quiz_app.accounts import Accounts
from quiz_app.clock import SystemClock, iso
from quiz_app.store import Store
from tests.browser import chromium_page, require_browser, served, settle, shot, sign_in

pytestmark = pytest.mark.browser


def begin(page, url: str) -> None:
    page.goto(url)
    sign_in(page)
    page.get_by_role("button", name="Start the post-test").click()
    page.get_by_role("button", name="Begin the post-test").click()
    page.locator('[id^="countdown-"] b').wait_for()
    settle(page)


def ends_in(store: Store, seconds: float) -> None:
    """Move the open post-test's deadline to `seconds` from now (the server reads it)."""
    deadline = iso(SystemClock().now() + timedelta(seconds=seconds))
    store.execute("UPDATE attempts SET deadline = ? WHERE submitted_at IS NULL", [deadline])


@pytest.mark.parametrize(("width", "height"), [(1400, 600), (390, 600)], ids=["desktop", "phone"])
def test_the_timer_stays_in_view_warns_and_submits_at_zero(
    tmp_path: Path, width: int, height: int
) -> None:
    require_browser()
    db = tmp_path / "timer.db"
    store = Store(db)
    Accounts(store).sign_up("ana", "Ana Lima", "password123")
    with served(db) as url, chromium_page(width, height) as page:
        begin(page, url)
        timer = page.locator(".st-key-countdown")
        title = page.get_by_role("heading", name="Dry needling post-test")
        page.mouse.move(width / 2, height / 2)
        page.mouse.wheel(0, 5000)  # to the foot of the page: the title has scrolled away
        page.wait_for_timeout(400)
        expect(title).not_to_be_in_viewport()
        box = timer.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height
        on_top = "([x, y]) => !!document.elementFromPoint(x, y)?.closest('.st-key-countdown')"
        assert page.evaluate(on_top, [box["x"] + 20, box["y"] + box["height"] / 2])  # not covered
        shot(page, f"timer-scrolled-{width}")

        said = page.locator('[id$="-said"]')
        expect(said).to_have_attribute("aria-live", "polite")
        ends_in(store, 302)
        page.reload()
        expect(said).to_have_text("5 minutes left.", timeout=15_000)
        expect(page.locator(".quiz-low")).to_have_count(1)
        ends_in(store, 62)
        page.reload()
        expect(said).to_have_text("1 minute left.", timeout=15_000)

        ends_in(store, 3)
        page.reload()
        page.get_by_text("Review your answers", exact=True).wait_for(timeout=20_000)
        (attempt,) = store.query("SELECT * FROM attempts WHERE mode = 'post_test'")
        assert attempt["submitted_at"] is not None  # submitted at zero, no click needed
        shot(page, f"timer-results-{width}")
