"""The whole learner journey in Debian's chromium against `quiz-app serve`.

Sign up, join a cohort, practise with feedback, sit and pass the post-test, review it,
and see the progress page. The test reads the attempt from the database to know each
question and its right answer, then answers through the real widgets.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect
from pypdf import PdfReader

from quiz_app.accounts import INSTRUCTOR, Accounts
from quiz_app.course import Course
from quiz_app.scoring import correct_answer
from quiz_app.store import Store
from quiz_app.widgets import ordinal
from tests.browser import (
    chromium_page,
    eventually,
    require_browser,
    served,
    settle,
    shot,
    type_into,
)

pytestmark = pytest.mark.browser


def plain(text: str) -> str:
    """Bank text as the browser shows it (Markdown emphasis rendered away)."""
    return text.replace("*", "")


def question_shown(page, total: int, done: int, position: int | None = None) -> int:
    """Wait until the page shows a question of `total` (at `position`, if given) with
    `done` answered and its run has ended; returns the question's index. The page counts
    only stored answers, so once it shows them the database holds them."""
    number = r"\d+" if position is None else str(position + 1)
    label = page.get_by_text(re.compile(rf"^Question {number} of {total} · {done} answered$"))
    label.wait_for()
    settle(page)
    return int(label.inner_text().split()[1]) - 1


def nav(page, name: str) -> None:
    """Follow a link in the sidebar navigation."""
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name=name).click()


def pick(page, widget, option: str) -> None:
    """Choose `option` in the select box inside `widget`, as a person would: open it, see
    its list, click the option, and see the list close before going on.

    A click on a select box while the list of the one before is still closing can be
    taken by that list and open nothing; the box is clicked again when no list shows.
    """
    listbox = page.get_by_role("listbox")
    for _ in range(3):
        widget.get_by_role("combobox").click()
        try:
            listbox.wait_for(timeout=2000)
            break
        except PlaywrightTimeoutError:
            continue
    page.get_by_role("option", name=option, exact=True).click()
    listbox.wait_for(state="detached")


def answer_in_browser(page, attempt_id: int, question, answer, button: str | None) -> None:
    """Answer through the widgets of this question only (Streamlit tags each keyed widget
    with an `st-key-...` class), then click the form's `button`; with None (the
    post-test, which saves every change) wait until the page says the answer is saved."""
    key = f"a{attempt_id}-{question.id}"

    def widget(suffix: str):
        return page.locator(f".st-key-{key}-{suffix}")

    if button is not None:
        submit = page.locator(f".st-key-FormSubmitter-{key}-form-{button.replace(' ', '-')}")
        submit.wait_for()
    else:
        page.locator(f'[class*="st-key-{key}-"]').first.wait_for()
    settle(page)
    if question.type == "single":
        widget("single").get_by_text(plain(question.choices[answer].text), exact=True).click()
    elif question.type == "true_false":
        widget("tf").get_by_text("True" if answer else "False", exact=True).click()
    elif question.type == "multiple":
        for i in answer:
            widget(f"multi-{i}").get_by_text(plain(question.choices[i].text), exact=True).click()
            settle(page)
    elif question.type == "matching":
        for left, right in enumerate(answer):
            pick(page, widget(f"match-{left}"), question.pairs[right][1])
    else:
        for place, item in enumerate(answer):
            pick(page, widget(f"place-{item}"), ordinal(place))
            settle(page)  # each place is saved (and may swap) before the next is given
    if button is not None:
        submit.get_by_role("button").click()
    else:
        page.get_by_text("Saved: your answer counts as it is shown.").wait_for()
        settle(page)


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
        question_shown(page, 3, 0)  # the quiz page is drawn, so its attempt is stored
        practice = latest_attempt("practice")
        slots = json.loads(practice["slots"])
        for number, slot in enumerate(slots, start=1):
            question_shown(page, len(slots), number - 1, position=number - 1)
            question = course.question(slot["id"])
            answer_in_browser(
                page, practice["id"], question, correct_answer(question), "Check answer"
            )
            page.get_by_text("Correct.", exact=True).wait_for()
            assert question_shown(page, len(slots), number) == number - 1
            assert answered(practice["id"]) == number
            if number == 1:
                shot(page, "03-practice-feedback")
            label = "Next question" if number < len(slots) else "Finish and see my score"
            page.get_by_role("button", name=label).click()
        page.get_by_text("Review your answers").wait_for()
        settle(page)
        expect(page.locator("h1").first).to_be_in_viewport()  # the results open at the top

        # The licence printed on the certificate (issue 15): optional in the shipped course.
        nav(page, "Profile")
        type_into(page.get_by_role("textbox", name="Licence number"), "PT-12345")
        type_into(page.get_by_role("textbox", name="Licence jurisdiction"), "Texas")
        page.get_by_role("button", name="Save licence").click()
        page.get_by_text("Your licence details are saved.").wait_for()

        nav(page, "Start")
        page.get_by_role("button", name="Start the post-test").click()
        page.get_by_text("Answers save as you choose them").wait_for()  # the rules first
        assert store.first("SELECT count(*) AS n FROM attempts WHERE mode = 'post_test'")["n"] == 0
        shot(page, "04-before-post-test")
        page.get_by_role("button", name="Begin the post-test").click()
        page.get_by_text(re.compile(r"Time left \d+:\d\d")).wait_for()
        post = latest_attempt("post_test")
        slots = json.loads(post["slots"])
        position = question_shown(page, len(slots), 0)
        shot(page, "04-post-test")
        for number in range(1, len(slots) + 1):
            question = course.question(slots[position]["id"])
            answer_in_browser(page, post["id"], question, correct_answer(question), None)
            assert answered(post["id"]) == number  # saved as chosen: no Save button
            if number < len(slots):
                page.get_by_role("button", name="Next", exact=True).click()
                position = question_shown(page, len(slots), number, position=position + 1)
                assert store.attempt(post["id"])["position"] == position
            if number == 5:  # a refresh: still signed in, same question, answers kept
                page.reload()
                assert question_shown(page, len(slots), 5) == position
        page.get_by_role("button", name="Submit the post-test").click()
        page.get_by_role("button", name="Yes, submit").click()
        # Not without the attestation: the summary stays, with its box to tick.
        page.get_by_text("Tick the statement that you completed this post-test").wait_for()
        assert store.attempt(post["id"])["submitted_at"] is None
        page.get_by_text("I completed this post-test myself").click()
        expect(page.get_by_role("checkbox", name=re.compile("I completed this"))).to_be_checked()
        settle(page)
        shot(page, "05-attestation")
        page.get_by_role("button", name="Yes, submit").click()  # still asked to confirm
        page.get_by_text("Passed with 100%").wait_for()
        assert store.attempt(post["id"])["attested_at"] is not None
        # The certificate waits for the course evaluation, which the course requires.
        page.get_by_text("One step left: fill in the course evaluation.").wait_for()
        expect(page.get_by_role("button", name="Download your certificate (PDF)")).to_have_count(0)
        assert store.first("SELECT count(*) AS n FROM certificates")["n"] == 0
        expect(page.get_by_test_id("stExpander")).to_have_count(25, timeout=20_000)
        page.get_by_test_id("stExpander").first.click()
        page.get_by_text("Why.").first.wait_for()
        shot(page, "05-post-test-review")
        page.get_by_role("button", name="Fill in the course evaluation").first.click()
        page.get_by_role("heading", name="Course evaluation").wait_for()
        settle(page)
        for group in page.get_by_role("radiogroup").all():
            group.get_by_text("Agree", exact=True).click()
            settle(page)
        type_into(
            page.get_by_role("textbox", name="What would you improve? (optional)"),
            "More **clinical** cases <b>please</b>",
        )
        settle(page)
        shot(page, "05-evaluation")
        page.get_by_role("button", name="Submit the evaluation").click()
        page.get_by_text("Thank you: you submitted the course evaluation").wait_for()
        with page.expect_download() as download:
            page.get_by_role("button", name="Download your certificate (PDF)").click()
        reader = PdfReader(download.value.path())
        certificate = " ".join(p.extract_text() for p in reader.pages)
        code = store.first("SELECT code FROM certificates")["code"]
        assert len(reader.pages) == 1
        assert "Ana Lima" in certificate and code in certificate
        flat = " ".join(certificate.split())
        assert "Licence PT-12345 (Texas)" in flat and "Contact hours" in flat
        assert "Attested" in flat and "Not attested" not in flat
        origin = "/".join(page.url.split("/")[:3])  # the page's own address, printed
        assert f"{origin}/verify?code={code}" in "".join(certificate.split())
        (evaluation,) = store.query("SELECT * FROM evaluations")
        assert evaluation["attempt_id"] == post["id"]
        assert (
            json.loads(evaluation["answers"])["improve"] == "More **clinical** cases <b>please</b>"
        )
        assert (
            evaluation["submitted_at"]
            <= store.first("SELECT issued_at FROM certificates")["issued_at"]
        )

        nav(page, "My progress")
        page.get_by_role("heading", name="My progress").wait_for()
        page.get_by_text("Mastery by topic").wait_for()
        page.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
        shot(page, "06-progress")

        # Days later, what practice taught is due for spaced review (issue 16): the cards'
        # due times are moved into the past, as the days passing would.
        store.execute("UPDATE cards SET due = '2000-01-01T00:00:00+00:00'")
        nav(page, "Start")
        page.get_by_text("3 questions due today").wait_for()
        page.get_by_role("button", name="Review now (3 questions)").click()
        question_shown(page, 3, 0)
        review = latest_attempt("practice")
        assert review["quiz_id"] == "review"
        slot = json.loads(review["slots"])[0]
        question = course.question(slot["id"])
        answer_in_browser(page, review["id"], question, correct_answer(question), "Check answer")
        page.get_by_text("Correct.", exact=True).wait_for()
        page.get_by_text("I knew it", exact=True).click()

        def rating() -> int:
            sql = "SELECT rating FROM review_logs WHERE attempt_id = ?"
            return store.first(sql, (review["id"],))["rating"]

        eventually(rating, lambda r: r == 4)  # Easy; the click's run stores it
        settle(page)
        shot(page, "06-review")
        card = store.first("SELECT * FROM cards WHERE question_id = ?", (slot["id"],))
        assert card["reviews"] == 2 and card["due"] > "2026"  # answered: due days from now

        nav(page, "Sign out")
        page.get_by_role("heading", name="Signed out").wait_for()
        nav(page, "Verify a certificate")
        type_into(page.get_by_role("textbox", name="Certificate code"), code)
        page.get_by_role("button", name="Verify").click()
        page.get_by_text("Valid certificate.").wait_for()
        page.get_by_text("Ana Lima").wait_for()
        page.get_by_text("PT-12345 (Texas)").wait_for()
        page.get_by_text(re.compile("Attested .*I completed this post-test myself")).wait_for()
        shot(page, "07-verify")
    assert store.attempt(post["id"])["passed"] == 1
