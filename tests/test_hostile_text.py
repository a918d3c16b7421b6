"""Text people type (names, usernames, cohort names, codes in URLs) is shown literally:
no Markdown, HTML, maths, links, images, emoji or bidi reordering, on any page or in the PDF."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from quiz_app import certificate_pdf, ui
from quiz_app.certificates import Certificates
from quiz_app.testing import open_app, texts

HOSTILE = {
    "markdown": "**Bold** _it_ ~~gone~~ `code` # Head",
    "html": "<img src=x onerror=alert(1)><b>b</b>",
    "latex": "$x^2$ and $$y$$",
    "link": "[REVOKED - appeal at](https://evil.example/appeal)",
    "image": "![x](https://evil.example/p.png)",
    "autolink": "https://evil.example www.evil.example ana@evil.example",
    "shortcodes": ":red[red] :smile: :material/home:",
}
BIDI = "Ana \u202eevil\u202c \u2067x\u2069 \u200fy"


def unescaped(markdown: str) -> str:
    """What CommonMark shows for backslash escapes, with the invisible word joiners gone."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(ui.WORD_JOINER, "")


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_literal_escapes_every_markdown_character_and_breaks_bare_links(text: str) -> None:
    shown = ui.literal(text)
    assert unescaped(shown) == text
    assert not re.search(r"[\\`*_\[\]<>&~#$]", re.sub(r"\\[!-/:-@\[-`{-~]", "", shown))
    for pattern in ("https://", "www.", "@evil", ":smile:", ":material"):
        assert pattern not in shown.replace("\\", "")
    assert ui.literal(text, markdown=False) == text


@pytest.mark.parametrize(
    ("text", "shown"),
    [("1. A", "1\\. A"), ("12) A", "12\\) A"), ("- A", "\\- A"), ("+ A", "\\+ A"),
     ("--- ", "\\--- "), ("# A", "\\# A"), ("> A", "\\> A"), ("    code", "\u00a0" * 4 + "code")],
    ids=["ordered", "ordered-paren", "bullet", "plus", "rule", "heading", "quote", "indented"],
)  # fmt: skip
def test_literal_escapes_what_only_acts_at_the_start(text: str, shown: str) -> None:
    assert ui.literal(text) == shown
    assert ui.literal("Dear " + text) == "Dear " + re.sub(r"([#>])", r"\\\1", text)


def test_literal_leaves_plain_sentences_as_they_are() -> None:
    plain = "Ana O'Brien-Smith (cohort 3, 2027): 100% done; see you. Why? Yes!"
    assert ui.literal(plain) == plain


def test_literal_shows_bidi_and_control_characters_as_replacement_characters() -> None:
    for shown in (ui.literal(BIDI + "\n\x1b[31m"), ui.literal(BIDI, markdown=False)):
        assert not re.search("[\u202a-\u202e\u2066-\u2069\u200f\n\x1b]", shown)
        assert shown.count("\ufffd") >= 5


NAMES = {**HOSTILE, "bidi": BIDI}


@pytest.fixture
def hostile_world(store, tiny_course, clock, env):
    """A cohort with a hostile name whose learners have hostile names (the bidi one
    written directly to the database, as sign-up refuses it), one of them certified."""
    from quiz_app.accounts import INSTRUCTOR, Accounts
    from quiz_app.attempts import Attempts
    from quiz_app.auth import hash_password
    from quiz_app.scoring import correct_answer

    accounts = Accounts(store, clock)
    teacher = accounts.sign_up("teacher", "Teacher", "teacher-pass", INSTRUCTOR)
    cohort = accounts.create_cohort(teacher, HOSTILE["link"] + " " + HOSTILE["image"])
    people = {}
    for n, (kind, name) in enumerate(NAMES.items()):
        if kind == "bidi":
            user_id = store.create_user(f"user{n}", name, "learner", hash_password("x"), "t")
            people[kind] = accounts.user(user_id)
        else:
            people[kind] = accounts.sign_up(f"user{n}", name, "password123")
        accounts.join(people[kind], cohort["join_code"])
    attempts = Attempts(store, tiny_course, clock)
    attempt = attempts.start(people["link"].id, tiny_course.post_test, cohort_id=cohort["id"])
    for slot in attempt.slots:
        attempts.answer(
            attempt, slot.question_id, correct_answer(tiny_course.question(slot.question_id))
        )
    attempts.submit(attempt)
    certificate = Certificates(store, tiny_course, clock).issue(attempt.id)
    return {"teacher": teacher, "cohort": cohort, "people": people, "certificate": certificate}


def cohort_name(world) -> str:
    return world["cohort"]["name"]


@pytest.mark.parametrize("kind", NAMES, ids=NAMES)
def test_the_learner_home_page_shows_their_name_and_cohort_literally(hostile_world, kind) -> None:
    at = open_app(hostile_world["people"][kind], "views/home.py")
    assert at.title[0].value == f"Welcome, {ui.literal(NAMES[kind])}"
    assert ui.literal(cohort_name(hostile_world)) in at.caption[0].value
    assert cohort_name(hostile_world) not in texts(at)


def test_my_cohorts_shows_the_cohort_name_and_a_typed_code_literally(hostile_world) -> None:
    at = open_app(hostile_world["people"]["markdown"], "views/my_cohorts.py")
    assert ui.literal(cohort_name(hostile_world)) in texts(at)
    at.text_input(key="join-code").input(HOSTILE["image"][:20])
    at.button(key="FormSubmitter:join-Join cohort").click().run()
    assert ui.literal(HOSTILE["image"][:20]) in at.error[0].value
    at.text_input(key="join-code").input(hostile_world["cohort"]["join_code"])
    at.button(key="FormSubmitter:join-Join cohort").click().run()
    assert at.info[0].value == f"You are already in {ui.literal(cohort_name(hostile_world))}."


def test_sign_up_with_a_hostile_join_code_says_so_literally(env) -> None:
    at = open_app(page="views/sign_in.py")
    at.text_input(key="signup-username").input("newbie")
    at.text_input(key="signup-name").input(HOSTILE["link"])
    at.text_input(key="signup-password").input("password123")
    at.text_input(key="signup-repeat").input("password123")
    at.text_input(key="signup-code").input(HOSTILE["link"])
    at.button(key="FormSubmitter:sign-up-Create account").click().run()
    assert ui.literal(HOSTILE["link"]) in at.error[0].value  # refused before the account
    assert "session" not in at.session_state


def test_the_cohorts_page_shows_cohort_and_member_names_literally(hostile_world) -> None:
    at = open_app(hostile_world["teacher"], "views/cohorts.py")
    assert f"**{ui.literal(cohort_name(hostile_world))}**" in texts(at)
    members = at.dataframe[0].value
    assert set(members["Name"]) == {ui.literal(name, markdown=False) for name in NAMES.values()}
    at.button(key=f"rotate-{hostile_world['cohort']['id']}").click().run()
    at.button(key=f"rotate-yes-{hostile_world['cohort']['id']}").click().run()
    assert at.success[0].value.startswith(ui.literal(cohort_name(hostile_world)))
    at.text_input(key="cohort-name").input(HOSTILE["html"])
    at.button(key="FormSubmitter:new-cohort-Create cohort").click().run()
    assert at.success[0].value.startswith(f"{ui.literal(HOSTILE['html'])} is ready.")


def test_the_dashboard_shows_names_literally_in_the_table_and_the_cohort_choice(
    hostile_world,
) -> None:
    at = open_app(hostile_world["teacher"], "views/dashboard.py")
    assert at.selectbox(key="cohort-dashboard").options == [cohort_name(hostile_world)]
    table = at.dataframe[0].value
    assert set(table["Name"]) == {ui.literal(name, markdown=False) for name in NAMES.values()}
    assert "\u202e" not in "".join(table["Name"])
    for row, name in enumerate(table["Name"]):
        at.session_state["dashboard-learners"] = {"selection": {"rows": [row], "columns": []}}
        at.run()
        typed = next(n for n in NAMES.values() if ui.literal(n, markdown=False) == name)
        assert at.button(key="open-learner").label == f"Open {ui.literal(typed)}"


def test_the_learners_page_lists_names_literally(hostile_world) -> None:
    at = open_app(hostile_world["teacher"], "views/learners.py")
    options = at.selectbox(key="learner-pick").options
    assert ui.literal(f"{BIDI} (user{list(NAMES).index('bidi')})", markdown=False) in options
    assert not any("\u202e" in option for option in options)


def test_verify_shows_the_certified_name_literally(hostile_world) -> None:
    at = open_app(page="views/verify.py", code=hostile_world["certificate"].code)
    assert f"### {ui.literal(HOSTILE['link'])}" in texts(at)
    assert "](https://" not in texts(at)


@pytest.mark.parametrize("code", [*HOSTILE.values(), BIDI], ids=[*HOSTILE, "bidi"])
def test_verify_echoes_a_code_from_the_url_literally(hostile_world, code) -> None:
    at = open_app(page="views/verify.py", code=code)
    assert at.error[0].value.startswith(
        f"Not found: no certificate has the code “{ui.literal(code.strip())}”"
    )


def test_the_certificate_pdf_prints_the_name_as_typed(hostile_world) -> None:
    pdf = certificate_pdf.render(hostile_world["certificate"])
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert HOSTILE["link"] in " ".join(text.split())


@pytest.mark.parametrize(
    ("username", "why"),
    [("paypa1", "would look the same as one already taken"), ("\u200b\u200b\u200b", "look blank")],
    ids=["lookalike", "blank"],
)
def test_sign_up_page_says_why_a_username_is_refused(env, accounts, username, why) -> None:
    accounts.sign_up("paypal", "Paypal", "password123")
    at = open_app(page="views/sign_in.py")
    at.text_input(key="signup-username").input(username)
    at.text_input(key="signup-name").input("Someone")
    at.text_input(key="signup-password").input("password123")
    at.text_input(key="signup-repeat").input("password123")
    at.button(key="FormSubmitter:sign-up-Create account").click().run()
    assert why in at.error[0].value


@pytest.mark.browser
def test_a_browser_shows_hostile_names_and_codes_as_typed_and_fetches_nothing(
    tmp_path, tiny_course
) -> None:
    """The Markdown `literal` writes, as Streamlit's own renderer draws it in chromium."""
    from urllib.parse import quote, urlsplit

    from quiz_app.accounts import INSTRUCTOR, Accounts
    from quiz_app.course import BANKS_ENV
    from quiz_app.store import Store
    from tests.browser import chromium_page, require_browser, served, settle, type_into

    require_browser()
    db = tmp_path / "hostile.db"
    accounts = Accounts(Store(db))
    teacher = accounts.sign_up("teacher", "Teacher", "teacher-pass", INSTRUCTOR)
    cohort_name = (
        "[REVOKED](https://evil.example/a) www.evil.example ana@evil.example :material/home:"
    )
    cohort = accounts.create_cohort(teacher, cohort_name)
    name = "**B** <b>h</b> $x$ ![i](https://evil.example/p.png) :smile: ~~s~~"
    learner = accounts.sign_up("ana", name, "password123")
    accounts.join(learner, cohort["join_code"])
    fetched: list[str] = []
    with served(db, {BANKS_ENV: str(tiny_course.folder)}) as url, chromium_page() as page:
        page.on("request", lambda request: fetched.append(request.url))
        page.goto(url)
        panel = page.get_by_role("tabpanel", name="Sign in")
        type_into(panel.get_by_role("textbox", name="Username"), "ana")
        type_into(panel.get_by_role("textbox", name="Password"), "password123")
        panel.get_by_role("button", name="Sign in").click()
        heading = page.get_by_role("heading", level=1)
        heading.filter(has_text="Welcome").wait_for()
        settle(page)
        main = page.get_by_test_id("stMain")
        assert heading.inner_text().replace(ui.WORD_JOINER, "") == f"Welcome, {name}"
        caption = main.get_by_test_id("stCaptionContainer").first.inner_text()
        assert caption.replace(ui.WORD_JOINER, "") == f"Cohort: {cohort_name}"
        for code in (HOSTILE["link"], HOSTILE["image"], HOSTILE["autolink"], HOSTILE["latex"]):
            page.goto(f"{url}/verify?code={quote(code)}")
            alert = page.get_by_test_id("stAlertContentError")
            alert.wait_for()
            assert code in alert.inner_text().replace(ui.WORD_JOINER, "")
            assert alert.locator("a, img, .katex, b, del").count() == 0
        assert not [u for u in fetched if urlsplit(u).hostname == "evil.example"]


def test_a_cohort_renamed_to_markdown_and_html_is_shown_literally(hostile_world) -> None:
    at = open_app(hostile_world["teacher"], "views/cohorts.py")
    cohort_id = hostile_world["cohort"]["id"]
    hostile = "**bold** <b>tag</b> [x](https://evil.example) # not a heading"  # under 100
    at.text_input(key=f"rename-{cohort_id}").input(hostile)
    at.button(key=f"FormSubmitter:rename-form-{cohort_id}-Rename").click().run()
    assert not at.exception
    shown = [m.value for m in at.markdown] + [s.value for s in at.success]
    assert any(ui.literal(hostile) in text for text in shown), shown
    assert not any("<b>tag</b>" in text or "**bold**" in text for text in shown)
