"""Deep links (issue 13, item 9).

Before: opening /progress signed out, or /dashboard as a learner, showed Streamlit's
"Page not found" over the sign-in form, and after signing in the learner landed on
Start. Now the sign-in page shows plainly, the page asked for opens after signing in
when the role has it, and another role's page says it is not one of yours.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from quiz_app.accounts import Accounts
from quiz_app.store import Store
from tests.browser import chromium_page, require_browser, served, settle, sign_in

pytestmark = pytest.mark.browser


def test_a_deep_link_signs_in_first_then_opens_the_page_asked_for(tmp_path: Path) -> None:
    require_browser()
    db = tmp_path / "links.db"
    Accounts(Store(db)).sign_up("ana", "Ana Lima", "password123")
    with served(db) as url, chromium_page() as page:
        page.goto(f"{url}/progress")
        page.get_by_role("tab", name="Sign in").wait_for()
        settle(page)
        expect(page.get_by_text("Page not found")).to_have_count(0)
        sign_in(page)
        page.get_by_role("heading", name="My progress").wait_for()
        settle(page)

        page.goto(f"{url}/dashboard")  # an instructor's page, as a learner
        page.get_by_text("That page is not one of your account's pages.").wait_for()
        expect(page.get_by_role("heading", name="Welcome, Ana Lima")).to_be_visible()
        expect(page.get_by_text("Page not found")).to_have_count(0)

        page.goto(f"{url}/no-such-page")  # not a page at all: Streamlit's own answer
        page.get_by_role("heading", name="Welcome, Ana Lima").wait_for()
