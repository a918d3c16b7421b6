"""The bank browser page, driven with Streamlit's AppTest, as an instructor."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from quiz_app import ui
from quiz_app.accounts import INSTRUCTOR, Accounts
from quiz_app.course import BANKS_ENV, Course
from quiz_app.store import Store
from quiz_app.testing import open_app
from tests.conftest import BANK, write


def browser(monkeypatch: pytest.MonkeyPatch, db_path: Path, folder: Path | None = None) -> AppTest:
    monkeypatch.setenv("QUIZ_DB", str(db_path))
    if folder is not None:
        monkeypatch.setenv(BANKS_ENV, str(folder))
    author = Accounts(Store(db_path)).sign_up("author", "Author", "author-pass", INSTRUCTOR)
    return open_app(author, "views/bank_browser.py")


def test_lists_topics_objectives_and_questions(
    monkeypatch: pytest.MonkeyPatch, db_path: Path, course: Course
) -> None:
    at = browser(monkeypatch, db_path)
    assert not at.exception
    assert at.title[0].value == "Question banks"
    first = course.banks[0]
    assert [s.value for s in at.subheader] == list(first.objectives.values())
    assert len(at.expander) == len(first.questions)
    at.selectbox(key="browser_topic").set_value(course.banks[1].topic).run()
    assert len(at.expander) == len(course.banks[1].questions)
    text = " ".join(m.value for m in at.markdown)
    question = course.banks[1].questions[0]
    assert question.explanation[:40] in text
    assert course.sources[question.sources[0].doc].title in text


def test_filter_by_type(monkeypatch: pytest.MonkeyPatch, db_path: Path, course: Course) -> None:
    at = browser(monkeypatch, db_path)
    at.multiselect(key="browser_types").set_value(["true_false"]).run()
    expected = [q for q in course.banks[0].questions if q.type == "true_false"]
    assert len(at.expander) == len(expected)
    assert all(" · True or false · " in e.label for e in at.expander)


def test_html_in_bank_text_renders_as_text(
    monkeypatch: pytest.MonkeyPatch, db_path: Path, bank_dir: Path
) -> None:
    write(
        bank_dir,
        "demo.yaml",
        BANK.replace("stem: Which one?", 'stem: "<script>alert(1)</script> costs $5"'),
    )
    at = browser(monkeypatch, db_path, bank_dir)
    stems = [m.value for m in at.markdown if "alert" in m.value]
    assert stems == ["&lt;script&gt;alert(1)&lt;/script&gt; costs \\$5"]


def test_shows_reserved_questions_enemies_and_document_labels(
    monkeypatch: pytest.MonkeyPatch, db_path: Path, course: Course
) -> None:
    at = browser(monkeypatch, db_path)
    bank = course.banks[0]
    reserved = [q for q in bank.questions if q.reserved]
    assert reserved, "the shipped banks reserve questions for the post-test"
    marked = [e.label for e in at.expander if e.label.endswith(" · post-test only")]
    assert len(marked) == len(reserved)
    total = sum(q.reserved for q in course.questions)
    assert f"{total} reserved for the post-test" in at.caption[0].value
    text = " ".join(m.value for m in at.markdown)
    doc = course.sources[bank.questions[0].sources[0].doc]
    assert f"**{ui.safe(doc.label)}**: *{ui.safe(doc.title)}*" in text
    with_enemies = [q for q in bank.questions if course.enemies.get(q.id)]
    captions = " ".join(c.value for c in at.caption)
    for question in with_enemies:
        assert all(f"`{e}`" in captions for e in course.enemies[question.id])


def test_filtering_lists_only_objectives_with_questions(
    monkeypatch: pytest.MonkeyPatch, db_path: Path, course: Course
) -> None:
    at = browser(monkeypatch, db_path)
    at.multiselect(key="browser_types").set_value(["ordering"]).run()
    bank = course.banks[0]
    ordering = [q for q in bank.questions if q.type == "ordering"]
    kept = [bank.objectives[o] for o in bank.objectives if any(q.objective == o for q in ordering)]
    assert len(kept) < len(bank.objectives), "the test needs an objective the filter empties"
    assert [s.value for s in at.subheader] == [ui.safe(o) for o in kept]
    assert not any(c.value.endswith("· 0 questions") for c in at.caption)


def test_questions_are_labelled_by_the_start_of_their_stem(
    monkeypatch: pytest.MonkeyPatch, db_path: Path, bank_dir: Path
) -> None:
    long_stem = "A <b>patient</b> asks " + "whether dry needling hurts " * 5
    write(bank_dir, "demo.yaml", BANK.replace("stem: Which one?", f'stem: "{long_stem}"'))
    at = browser(monkeypatch, db_path, bank_dir)
    (label,) = [e.label for e in at.expander]
    assert label.startswith("A &lt;b&gt;patient&lt;/b&gt; asks whether dry needling hurts")
    assert "…" in label and label.endswith(" · Single answer · recall · q-single")
    assert len(label) < len(long_stem)


def test_a_filter_matching_nothing_says_so(
    monkeypatch: pytest.MonkeyPatch, db_path: Path, bank_dir: Path
) -> None:
    write(bank_dir, "demo.yaml", BANK)
    at = browser(monkeypatch, db_path, bank_dir)
    at.multiselect(key="browser_types").set_value(["true_false"]).run()
    assert not at.subheader and not at.expander
    assert at.info[0].value == "No question in this topic is of the types chosen."
