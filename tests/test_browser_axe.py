"""Every page passes an axe-core audit in Debian's chromium (issue 13, item 10).

axe-core runs in the page (axe-playwright-python ships it; nothing is downloaded) on
each page in the states a visitor, a learner and an instructor meet it: a violation of
impact "serious" or "critical" fails the test, with its rule, impact, elements and help
page; moderate and minor ones are printed (the README's "Accessibility" section says
what was decided for each). Each page's browser tab names it (item 11).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import expect

from quiz_app.accounts import Accounts
from quiz_app.course import Course
from quiz_app.demo import DEMO_INSTRUCTOR, DEMO_PASSWORD, generate
from quiz_app.resets import PasswordResets
from quiz_app.routes import APP_TITLE
from quiz_app.scoring import correct_answer
from quiz_app.store import Store
from tests.browser import (
    attest,
    chromium_page,
    require_axe,
    served,
    settle,
    shot,
    sign_in,
    type_into,
)
from tests.test_browser_learner import answer_in_browser, nav, question_shown

pytestmark = pytest.mark.browser

FAILING = {"serious", "critical"}

# Violations inside Streamlit's own markup, which the app cannot change: (rule, a CSS
# selector the element is inside, why). Only these elements are let off these rules.
STREAMLIT_OWN = [
    (
        "list",
        '[data-testid="stSidebarNavItems"]',
        "st.navigation with sections puts each section's <div> straight inside its <ul>",
    ),
    (
        "listitem",
        '[data-testid="stSidebarNavItems"]',
        "the same sidebar navigation: its <li> sit in a section <div>, not in the <ul>",
    ),
]


def _first_message(node: dict) -> str:
    checks = node.get("any", []) + node.get("all", []) + node.get("none", [])
    return checks[0]["message"] if checks else ""


INSIDE = "([target, selector]) => !!document.querySelector(target)?.closest(selector)"


@dataclass
class Audit:
    """What axe found on each page audited: failures, and the rest to report."""

    failures: list[str] = field(default_factory=list)
    noted: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    def run(self, page, state: str, tab: str) -> None:
        """Audit the page as it is now (its script run ended), as `state`; the browser's
        tab names the page, `tab` (WCAG 2.4.2), and the app."""
        from axe_playwright_python.sync_playwright import Axe

        expect(page).to_have_title(f"{tab} · {APP_TITLE}")
        settle(page)
        page.wait_for_timeout(300)  # let the last frame of the run paint
        shot(page, f"axe-{re.sub(r'[^a-z0-9]+', '-', state.lower())}")
        found = Axe().run(page).response
        for violation in found["violations"]:
            nodes = [n for n in violation["nodes"] if not self._streamlit_own(page, violation, n)]
            if not nodes:
                continue
            rule, impact = violation["id"], violation["impact"] or "minor"
            if impact in FAILING:
                targets = "\n      ".join(
                    f"{json.dumps(n['target'])}: {_first_message(n)}" for n in nodes
                )
                self.failures.append(
                    f"{state}: {rule} ({impact}) {violation['help']}\n"
                    f"    {violation['helpUrl']}\n      {targets}"
                )
            else:
                self.noted.setdefault((rule, impact), set()).add(state)

    @staticmethod
    def _streamlit_own(page, violation: dict, node: dict) -> bool:
        target = node["target"][0]
        return any(
            rule == violation["id"] and page.evaluate(INSIDE, [target, inside])
            for rule, inside, _ in STREAMLIT_OWN
        )

    def check(self) -> None:
        """Print what did not fail; fail on anything serious or critical."""
        for (rule, impact), states in sorted(self.noted.items()):
            print(f"axe, not failing: {rule} ({impact}) on {', '.join(sorted(states))}")
        assert not self.failures, "axe found violations:\n" + "\n".join(self.failures)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, course: Course) -> Iterator[tuple[str, Store]]:
    """The app served on demo data, with new learners "ana" and "bea" in its cohort."""
    require_axe()
    db = tmp_path_factory.mktemp("axe") / "demo.db"
    store = Store(db)
    generate(store, course, learners=20, attempts=4, seed=5)
    accounts = Accounts(store)
    code = store.first("SELECT join_code FROM cohorts")["join_code"]
    for username, name in [("ana", "Ana Lima"), ("bea", "Bea Costa")]:  # bea: on a phone
        accounts.join(accounts.sign_up(username, name, "password123"), code)
    with served(db) as url:
        yield url, store


def test_signed_out_pages_pass_axe(demo: tuple[str, Store]) -> None:
    url, store = demo
    audit = Audit()
    with chromium_page(1400, 900) as page:
        page.goto(url)
        audit.run(page, "Sign in", "Sign in")
        page.get_by_role("tab", name="Create an account").click()
        audit.run(page, "Sign in, create an account", "Sign in")
        nav(page, "Verify a certificate")
        page.get_by_role("heading", name="Verify a certificate").wait_for()
        audit.run(page, "Verify a certificate", "Verify a certificate")
        type_into(page.get_by_role("textbox", name="Certificate code"), "NOPE-NOPE")
        page.get_by_role("button", name="Verify").click()
        page.get_by_text("Not found").wait_for()
        audit.run(page, "Verify, not found", "Verify a certificate")
        code = store.first("SELECT code FROM certificates")
        if code is not None:
            page.goto(f"{url}/verify?code={code['code']}")
            page.get_by_text("Valid certificate.").wait_for()
            audit.run(page, "Verify, found", "Verify a certificate")
        link = PasswordResets(store).issue_for_username("bea")
        page.goto(link.address(url))
        page.get_by_role("button", name="Set password").wait_for()
        audit.run(page, "Set a new password", "Set a new password")
        page.goto(f"{url}/reset_password?token=not-a-token")
        page.get_by_role("heading", name="Set a new password").wait_for()
        audit.run(page, "Set a new password, link not valid", "Set a new password")
        page.goto(url)
        sign_in(page, "bea")
        nav(page, "Sign out")
        page.get_by_role("heading", name="Signed out").wait_for()
        audit.run(page, "Signed out", "Signed out")
    audit.check()


def test_learner_pages_pass_axe(demo: tuple[str, Store], course: Course) -> None:
    url, store = demo
    audit = Audit()
    with chromium_page(1400, 900) as page:
        page.goto(url)
        sign_in(page)
        page.get_by_role("heading", name="Welcome, Ana Lima").wait_for()
        audit.run(page, "Start", "Start")

        page.get_by_role("button", name="Start practice").click()
        question_shown(page, 10, 0)
        practice = store.first("SELECT * FROM attempts WHERE mode = 'practice' ORDER BY id DESC")
        slot = json.loads(practice["slots"])[0]
        question = course.question(slot["id"])
        answer_in_browser(page, practice["id"], question, correct_answer(question), "Check answer")
        page.get_by_text("Correct.", exact=True).wait_for()
        audit.run(page, "Practice, feedback shown", "Quiz")

        nav(page, "Start")
        page.get_by_role("button", name="Start the post-test").click()
        page.get_by_role("button", name="Begin the post-test").wait_for()
        audit.run(page, "Before the post-test", "Before the post-test")
        page.get_by_role("button", name="Begin the post-test").click()
        page.locator('[id^="countdown-"] b').wait_for()
        post = store.first("SELECT * FROM attempts WHERE mode = 'post_test'")
        total = len(json.loads(post["slots"]))
        question_shown(page, total, 0)
        audit.run(page, "Post-test, a question open", "Quiz")
        page.get_by_role("button", name="Submit the post-test").click()
        page.get_by_role("button", name="Yes, submit").wait_for()
        audit.run(page, "Post-test, summary", "Quiz")
        attest(page)
        page.get_by_role("button", name="Yes, submit").click()
        page.get_by_text("Not passed").wait_for()
        audit.run(page, "Post-test, results", "Quiz")

        for name, heading in [
            ("My progress", "My progress"),
            ("My attempts", "My attempts"),
            ("My cohorts", "My cohorts"),
            ("Profile", "Profile"),
        ]:
            nav(page, name)
            page.get_by_role("heading", name=heading).wait_for()
            audit.run(page, name, name)

        # Spaced review (issue 16): the practice answer's question, due as days later.
        ana = store.first("SELECT id FROM users WHERE username = 'ana'")["id"]
        store.execute("UPDATE cards SET due = '2000-01-01T00:00:00+00:00' WHERE user_id = ?", [ana])
        nav(page, "Start")
        page.get_by_text("1 question due today").wait_for()
        audit.run(page, "Start, a review due", "Start")
        page.get_by_role("button", name="Review settings").click()
        page.get_by_role("spinbutton", name="Questions per review").wait_for()
        audit.run(page, "Start, review settings open", "Start")
    audit.check()


def test_instructor_pages_pass_axe(demo: tuple[str, Store]) -> None:
    url, _ = demo
    audit = Audit()
    with chromium_page(1400, 900) as page:
        page.goto(url)
        sign_in(page, DEMO_INSTRUCTOR, DEMO_PASSWORD)
        page.get_by_role("heading", name="Cohort dashboard").wait_for()
        page.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
        audit.run(page, "Dashboard", "Dashboard")
        nav(page, "Learners")
        page.get_by_text("As the learner saw it").wait_for()
        expanders = page.get_by_test_id("stExpander")
        expanders.filter(has_not_text="Accommodation").first.click()
        page.get_by_text("Why.").first.wait_for()
        audit.run(page, "Learners, a learner open", "Learners")
        expanders.filter(has_text="Accommodation").click()
        page.get_by_role("button", name="Grant").wait_for()
        audit.run(page, "Learners, the accommodation form open", "Learners")
        nav(page, "Item analysis")
        page.get_by_test_id("stMetric").filter(has_text="Cronbach's alpha").wait_for()
        audit.run(page, "Item analysis", "Item analysis")
        nav(page, "Problem reports")
        page.get_by_role("heading", name="Problem reports").wait_for()
        audit.run(page, "Problem reports", "Problem reports")
        nav(page, "Course evaluations")
        page.get_by_role("heading", name="Course evaluations").wait_for()
        page.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
        audit.run(page, "Course evaluations", "Course evaluations")
        nav(page, "Cohorts")
        page.get_by_role("button", name="Create cohort").wait_for()
        audit.run(page, "Cohorts", "Cohorts")
        nav(page, "Question banks")
        page.get_by_role("heading", name="Question banks").wait_for()
        audit.run(page, "Question banks", "Question banks")
        nav(page, "Profile")
        page.get_by_role("heading", name="Profile").wait_for()
        audit.run(page, "Profile, instructor", "Profile")
    audit.check()


def test_phone_pages_pass_axe(demo: tuple[str, Store]) -> None:
    url, _ = demo
    audit = Audit()
    with chromium_page(390, 844) as page:
        page.goto(url)
        sign_in(page, "bea")
        page.get_by_role("heading", name="Welcome, Bea Costa").wait_for()
        audit.run(page, "Start, phone", "Start")
        page.get_by_role("button", name="Start the post-test").click()
        page.get_by_role("button", name="Begin the post-test").click()
        page.locator('[id^="countdown-"] b').wait_for()
        audit.run(page, "Post-test, phone", "Quiz")
    audit.check()


def test_the_course_evaluation_page_passes_axe(demo: tuple[str, Store]) -> None:
    """A demo learner who passed, their evaluation taken back (demo data gives every pass
    one), fills it in from the Start page, at desktop and phone size."""
    url, store = demo
    passed = store.first(
        "SELECT u.username, a.id FROM attempts a JOIN users u ON u.id = a.user_id"
        " WHERE a.passed = 1 AND u.username NOT IN ('ana', 'bea') ORDER BY a.id LIMIT 1"
    )
    store.execute("DELETE FROM evaluations WHERE attempt_id = ?", (passed["id"],))
    audit = Audit()
    for width, height in ((1400, 900), (390, 844)):
        with chromium_page(width, height) as page:
            page.goto(url)
            sign_in(page, passed["username"], DEMO_PASSWORD)
            page.get_by_role("button", name="Fill in the course evaluation").click()
            page.get_by_role("heading", name="Course evaluation").wait_for()
            page.get_by_role("radiogroup").first.wait_for()
            settle(page)
            audit.run(page, f"Course evaluation, {width} px", "Course evaluation")
            shot(page, f"evaluation-{width}")
    audit.check()
