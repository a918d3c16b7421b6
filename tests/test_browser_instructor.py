"""The instructor journey in Debian's chromium against `quiz-app serve` on demo data.

Sign in, create a cohort, open the dashboard of the demo cohort, open one learner,
read the item analysis, and download the gradebook.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import urljoin

import pytest

from quiz_app.course import Course
from quiz_app.demo import DEMO_INSTRUCTOR, DEMO_PASSWORD, generate
from quiz_app.store import Store
from tests.browser import chromium_page, require_browser, served, shot, type_into

pytestmark = pytest.mark.browser


def nav(page, name: str) -> None:
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name=name).click()


def choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_instructor_journey(tmp_path: Path, course: Course) -> None:
    require_browser()
    db = tmp_path / "demo.db"
    summary = generate(Store(db), course, learners=60, attempts=8, seed=3)
    demo_cohort = Store(db).first("SELECT name FROM cohorts")["name"]

    with served(db) as url, chromium_page(1400, 1000) as page:
        page.goto(url)
        panel = page.get_by_role("tabpanel", name="Sign in")
        type_into(panel.get_by_role("textbox", name="Username"), DEMO_INSTRUCTOR)
        type_into(panel.get_by_role("textbox", name="Password"), DEMO_PASSWORD)
        panel.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Cohort dashboard").wait_for()

        nav(page, "Cohorts")
        type_into(page.get_by_role("textbox", name="Name"), "Spring 2027")
        page.get_by_role("button", name="Create cohort").click()
        page.get_by_text("Spring 2027 is ready. Its join code is").wait_for()
        shot(page, "11-cohorts")
        page.get_by_role("button", name="New join code").first.click()  # asks first
        page.get_by_text("It stops working at once").wait_for()
        page.get_by_role("button", name="Yes, give it a new code").click()
        page.get_by_text("Spring 2027 has a new join code").wait_for()

        nav(page, "Dashboard")
        page.get_by_role("heading", name="Cohort dashboard").wait_for()
        choose(page, "Cohort", demo_cohort)
        page.get_by_test_id("stMetric").filter(has_text="Enrolled").filter(has_text="60").wait_for()
        page.locator('[data-testid="stVegaLiteChart"]').nth(2).wait_for()
        page.get_by_text("Weakest topic:").wait_for()
        shot(page, "12-dashboard")
        # The button links to the server's download route; the browser's own cookies
        # (page.request shares them) must get the file.
        link = page.get_by_role("link", name="Download the gradebook (CSV)")
        answer = page.request.get(urljoin(page.url, link.get_attribute("href")))
        assert answer.ok and answer.headers["content-disposition"].startswith("attachment;")
        rows = list(csv.DictReader(io.StringIO(answer.text())))
        assert len(rows) == 60
        assert {"username", "display_name", "attempts", "best_score_pct", "last_score_pct",
                "passed"} <= set(rows[0])  # fmt: skip
        assert sum(r["passed"] == "yes" for r in rows) == summary.passed
        excel = page.get_by_role("link", name="For Excel").first  # the same, for Excel
        for_excel = page.request.get(urljoin(page.url, excel.get_attribute("href")))
        assert for_excel.ok and for_excel.body() == b"\xef\xbb\xbf" + answer.body()

        nav(page, "Learners")
        page.get_by_role("heading", name="Learners").wait_for()
        page.get_by_text("As the learner saw it").wait_for()
        expanders = page.get_by_test_id("stExpander")
        expanders.filter(has_not_text="Accommodation").first.click()
        page.get_by_text("Why.").first.wait_for()
        shot(page, "13-learner")

        nav(page, "Course evaluations")
        page.get_by_role("heading", name="Course evaluations").wait_for()
        page.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
        link = page.get_by_role("link", name="Download the evaluations (CSV)")
        answer = page.request.get(urljoin(page.url, link.get_attribute("href")))
        assert answer.ok
        evaluated = Store(db).first("SELECT count(*) AS n FROM evaluations")["n"]
        assert evaluated == summary.passed  # demo data evaluates every pass
        items = len(course.info.evaluation.items)
        assert len(list(csv.DictReader(io.StringIO(answer.text())))) == evaluated * items
        shot(page, "13-evaluations")

        nav(page, "Item analysis")
        page.get_by_role("heading", name="Item analysis").wait_for()
        page.get_by_test_id("stMetric").filter(has_text="Cronbach's alpha").wait_for()
        page.get_by_text("questions,").filter(has_text="flagged").wait_for()
        shot(page, "14-items")
