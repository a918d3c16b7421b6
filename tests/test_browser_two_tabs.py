"""Two tabs on one post-test (issue 13, item 7): an out-of-date tab is told, not obeyed.

Before: the last save silently won. Now a tab whose view of a question is out of date
(the other tab saved it since) does not save over it: it says so and shows what is
saved, and its next change counts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from quiz_app.accounts import Accounts
from quiz_app.course import load_course
from quiz_app.store import Store
from tests.browser import chromium, require_browser, served, settle
from tests.test_browser_learner import plain
from tests.test_browser_timer import begin

pytestmark = pytest.mark.browser

STALE = "This question was answered in another tab or window"


def test_an_out_of_date_tab_does_not_overwrite_the_other(tmp_path: Path) -> None:
    require_browser()
    db = tmp_path / "tabs.db"
    store = Store(db)
    Accounts(store).sign_up("ana", "Ana Lima", "password123")
    course = load_course()
    with served(db) as url, chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(20_000)
        first = context.new_page()
        begin(first, url)  # signed in, on the post-test, its clock running
        attempt = store.first("SELECT * FROM attempts WHERE mode = 'post_test'")
        slots = json.loads(attempt["slots"])
        index = next(i for i, s in enumerate(slots)
                     if course.question(s["id"]).type in ("true_false", "single"))  # fmt: skip
        question = course.question(slots[index]["id"])
        if question.type == "true_false":
            suffix, labels, answers = "tf", ("True", "False"), (True, False)
        else:
            suffix, answers = "single", (0, 1)
            labels = tuple(plain(question.choices[i].text) for i in answers)
        for number in range(2, index + 2):  # on to that question
            first.get_by_role("button", name="Next", exact=True).click()
            first.get_by_text(f"Question {number} of {len(slots)} ·").wait_for()
            settle(first)

        second = context.new_page()  # the same browser: the same session cookie
        second.goto(f"{url}/quiz?attempt={attempt['id']}")
        second.get_by_text(f"Question {index + 1} of {len(slots)} ·").wait_for()
        settle(second)
        key = f"a{attempt['id']}-{slots[index]['id']}"

        def choose(page, label: str) -> None:
            page.locator(f".st-key-{key}-{suffix}").get_by_text(label, exact=True).click()
            settle(page)

        def saved() -> object:
            row = store.first("SELECT answer FROM responses WHERE attempt_id = ?", [attempt["id"]])
            return json.loads(row["answer"]) if row else None

        choose(first, labels[0])
        first.get_by_text("Saved: your answer counts as it is shown.").wait_for()
        assert saved() == answers[0]
        choose(second, labels[1])  # the second tab still shows the question unanswered
        second.get_by_text(STALE).wait_for()
        assert saved() == answers[0]
        shown = second.locator(f".st-key-{key}-{suffix}").get_by_role("radio", name=labels[0])
        expect(shown).to_be_checked()  # it shows what the other tab saved
        choose(second, labels[1])  # now it is up to date: this change counts
        expect(second.get_by_text(STALE)).to_have_count(0)
        assert saved() == answers[1]
        context.close()
