"""The course's scope statement (`course.scope` in quizzes.yaml) as learners and
verifiers see it: under the course title on Start, with the post-test's rules, and with
a certificate on the Verify page. (What the certificate itself keeps and prints is in
test_certificates.py.)"""

from __future__ import annotations

import pytest

from quiz_app.accounts import User
from quiz_app.attempts import Attempts
from quiz_app.certificates import Certificates
from quiz_app.course import Course
from quiz_app.scoring import correct_answer
from quiz_app.store import Store
from quiz_app.testing import open_app, texts
from tests.conftest import with_scope

pytestmark = pytest.mark.usefixtures("env")

SCOPE = (
    "This course covers what dry needling is. It does not cover needling technique or "
    "<b>safety</b>. Passing it is not a qualification to practise dry needling."
)
SHOWN = SCOPE.replace("<b>", "&lt;b&gt;").replace("</b>", "&lt;/b&gt;")  # HTML shown as text
RULES = "What passing certifies, and what it does not"


def shown_in_order(at) -> list[str]:
    """The text of every title, subheader, Markdown, caption and expander label on the
    page, top to bottom."""

    def walk(node):
        for child in getattr(node, "children", {}).values():
            if child.type in ("title", "subheader", "markdown", "caption", "expander"):
                yield child
            yield from walk(child)

    return [e.label if e.type == "expander" else e.value for e in walk(at.main)]


def test_start_shows_the_scope_under_the_course_title_and_with_the_post_test_rules(
    learner: User, tiny_course: Course
) -> None:
    with_scope(tiny_course, SCOPE)
    home = open_app(learner, "views/home.py")
    order = shown_in_order(home)
    title = order.index("**Demo course**")
    assert order[title + 1] == SHOWN
    rules = order.index(RULES)
    assert order.index("Graded post-test") < rules and order[rules + 1] == SHOWN
    (expander,) = [e for e in home.expander if e.label == RULES]
    assert [m.value for m in expander.markdown] == [SHOWN]
    assert "<b>" not in texts(home)


def test_a_course_without_a_scope_shows_none(learner: User) -> None:
    home = open_app(learner, "views/home.py")
    assert "**Demo course**" in texts(home)
    assert not [e for e in home.expander if e.label == RULES]
    assert "qualification" not in texts(home)


def test_verify_page_shows_the_scope_the_certificate_was_issued_with(
    learner: User, store: Store, tiny_course: Course, clock
) -> None:
    course = with_scope(tiny_course, SCOPE)
    service = Attempts(store, course, clock)
    attempt = service.start(learner.id, course.post_test)
    for slot in attempt.slots:
        service.answer(attempt, slot.question_id,
                       correct_answer(course.question(slot.question_id)))  # fmt: skip
    code = Certificates(store, course, clock).issue(service.submit(attempt).id).code
    with_scope(tiny_course, "This course now covers needling technique.")
    at = open_app(page="views/verify.py", code=code)
    assert at.success[0].value == "Valid certificate."
    assert SHOWN in [c.value for c in at.caption]
    assert "now covers" not in texts(at)
