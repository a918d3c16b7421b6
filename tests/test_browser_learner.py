"""The whole learner journey in Debian's chromium against `quiz-app serve`.

Sign up, join a cohort, practise with feedback, sit and pass the post-test, review it,
and see the progress page. The test reads the attempt from the database to know each
question and its right answer, then answers through the real widgets.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from quiz_app.accounts import INSTRUCTOR, Accounts
from quiz_app.course import Course
from quiz_app.scoring import correct_answer
from quiz_app.store import Store
from quiz_app.widgets import ordinal
from tests.browser import chromium_page, require_browser, served, settle, shot, type_into

pytestmark = pytest.mark.browser


def plain(text: str) -> str:
    """Bank text as the browser shows it (Markdown emphasis rendered away)."""
    return text.replace("*", "")


def wait_for(condition, timeout: float = 20.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def nav(page, name: str) -> None:
    """Follow a link in the sidebar navigation."""
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name=name).click()


def answer_in_browser(page, attempt_id: int, question, answer, button: str) -> None:
    """Answer through the widgets of this question only (Streamlit tags each keyed widget
    with an `st-key-...` class), once its own submit button is on the page."""
    key = f"a{attempt_id}-{question.id}"

    def widget(suffix: str):
        return page.locator(f".st-key-{key}-{suffix}")

    submit = page.locator(f".st-key-FormSubmitter-{key}-form-{button.replace(' ', '-')}")
    submit.wait_for()
    settle(page)
    if question.type == "single":
        widget("single").get_by_text(plain(question.choices[answer].text), exact=True).click()
    elif question.type == "true_false":
        widget("tf").get_by_text("True" if answer else "False", exact=True).click()
    elif question.type == "multiple":
        for i in answer:
            widget(f"multi-{i}").get_by_text(plain(question.choices[i].text), exact=True).click()
    elif question.type == "matching":
        for left, right in enumerate(answer):
            widget(f"match-{left}").get_by_role("combobox").click()
            page.get_by_role("option", name=question.pairs[right][1], exact=True).click()
    else:
        for place, item in enumerate(answer):
            widget(f"place-{item}").get_by_role("combobox").click()
            page.get_by_role("option", name=ordinal(place), exact=True).click()
    submit.get_by_role("button").click()


def test_learner_journey(tmp_path: Path, course: Course) -> None:
    require_browser()
    db = tmp_path / "journey.db"
    store = Store(db)
    accounts = Accounts(store)
    teacher = accounts.sign_up("teacher", "Dr Teacher", "teacher-pass", INSTRUCTOR)
    cohort = accounts.create_cohort(teacher, "Autumn cohort")

    def latest_attempt(mode: str) -> dict | None:
        return store.first(
            "SELECT * FROM attempts WHERE mode = ? ORDER BY id DESC LIMIT 1", (mode,)
        )

    def answered(attempt_id: int) -> int:
        row = store.first("SELECT count(*) AS n FROM responses WHERE attempt_id = ?", (attempt_id,))
        return row["n"] if row else 0

    def on_question(page, position: int, total: int, done: int) -> None:
        """Wait until the page shows this question, with this many answered."""
        page.get_by_text(
            f"Question {position + 1} of {total} · {done} answered", exact=True
        ).wait_for()

    with served(db) as url, chromium_page() as page:
        page.goto(url)
        page.get_by_role("tab", name="Create an account").click()
        panel = page.get_by_role("tabpanel", name="Create an account")
        type_into(panel.get_by_role("textbox", name="Username"), "ana")
        type_into(panel.get_by_role("textbox", name="Your name"), "Ana Lima")
        type_into(panel.get_by_role("textbox", name="Password", exact=True), "password123")
        type_into(panel.get_by_role("textbox", name="Password again"), "password123")
        shot(page, "01-sign-up")
        panel.get_by_role("button", name="Create account").click()
        page.get_by_role("heading", name="Welcome, Ana Lima").wait_for()

        nav(page, "My cohorts")
        type_into(page.get_by_role("textbox", name="Join code"), cohort["join_code"])
        page.get_by_role("button", name="Join cohort").click()
        page.get_by_text("You joined Autumn cohort.").wait_for()

        nav(page, "Start")
        page.get_by_text("Cohort: Autumn cohort").wait_for()
        shot(page, "02-start")
        page.get_by_role("slider").focus()
        for _ in range(7):  # 10 questions down to 3
            page.keyboard.press("ArrowLeft")
        page.get_by_role("button", name="Start practice").click()
        practice = wait_for(lambda: latest_attempt("practice"), what="the practice attempt")
        slots = json.loads(practice["slots"])
        for number, slot in enumerate(slots, start=1):
            on_question(page, number - 1, len(slots), number - 1)
            question = course.question(slot["id"])
            answer_in_browser(
                page, practice["id"], question, correct_answer(question), "Check answer"
            )
            wait_for(lambda n=number: answered(practice["id"]) == n, what="a practice answer")
            page.get_by_text("Correct.").wait_for()
            if number == 1:
                shot(page, "03-practice-feedback")
            label = "Next question" if number < len(slots) else "Finish and see my score"
            page.get_by_role("button", name=label).click()
        page.get_by_text("Review your answers").wait_for()

        nav(page, "Start")
        page.get_by_role("button", name="Start the post-test").click()
        post = wait_for(lambda: latest_attempt("post_test"), what="the post-test attempt")
        page.get_by_text(re.compile(r"Time left \d+:\d\d")).wait_for()
        shot(page, "04-post-test")
        slots = json.loads(post["slots"])
        for number in range(1, len(slots) + 1):
            position = store.attempt(post["id"])["position"]
            on_question(page, position, len(slots), number - 1)
            question = course.question(slots[position]["id"])
            answer_in_browser(page, post["id"], question, correct_answer(question), "Save answer")
            wait_for(lambda n=number: answered(post["id"]) == n, what=f"answer {number}")
            if number < len(slots):
                wait_for(
                    lambda p=position: store.attempt(post["id"])["position"] != p,
                    what="the next question",
                )
            if number == 5:  # a refresh: still signed in, same question, answers kept
                page.reload()
                on_question(page, store.attempt(post["id"])["position"], len(slots), 5)
        page.get_by_role("button", name="Submit the post-test").click()
        page.get_by_role("button", name="Yes, submit").click()
        page.get_by_text("Passed with 100%").wait_for()
        with page.expect_download() as download:
            page.get_by_role("button", name="Download your certificate (PDF)").click()
        reader = PdfReader(download.value.path())
        certificate = " ".join(p.extract_text() for p in reader.pages)
        code = store.first("SELECT code FROM certificates")["code"]
        assert len(reader.pages) == 1
        assert "Ana Lima" in certificate and code in certificate
        wait_for(lambda: page.get_by_test_id("stExpander").count() == 25, what="25 reviews")
        page.get_by_test_id("stExpander").first.click()
        page.get_by_text("Why.").first.wait_for()
        shot(page, "05-post-test-review")

        nav(page, "My progress")
        page.get_by_role("heading", name="My progress").wait_for()
        page.get_by_text("Mastery by topic").wait_for()
        page.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
        shot(page, "06-progress")

        nav(page, "Sign out")
        page.get_by_role("heading", name="Signed out").wait_for()
        nav(page, "Verify a certificate")
        type_into(page.get_by_role("textbox", name="Certificate code"), code)
        page.get_by_role("button", name="Verify").click()
        page.get_by_text("Valid certificate.").wait_for()
        page.get_by_text("Ana Lima").wait_for()
        shot(page, "07-verify")
    assert store.attempt(post["id"])["passed"] == 1
