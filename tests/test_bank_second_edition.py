"""The shipped course as a continuing-education post-test needs it (issue 11): lint-clean
banks, a secure post-test pool, forms without enemies or giveaways, and stems about dry
needling rather than about web pages."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import TypeAdapter

from quiz_app.bank import Question
from quiz_app.cli import cli
from quiz_app.course import SHIPPED_BANKS, Course
from quiz_app.lint import giveaway_candidates, lint
from quiz_app.quiz import draw
from quiz_app.validate import Report, validate_paths

FORMS = 10_000


@pytest.fixture(scope="module")
def report() -> Report:
    found = validate_paths([SHIPPED_BANKS])
    assert found.ok, found.problems
    return found


def test_validate_and_lint_are_clean_on_the_shipped_banks(report: Report) -> None:
    assert report.quotes_skipped_reason is None, "the quote check must run here"
    assert [str(w) for w in lint(report)] == []
    result = CliRunner().invoke(cli, ["validate", "--lint", str(SHIPPED_BANKS)])
    assert result.exit_code == 0
    assert result.output.splitlines()[-1].endswith(": valid; 0 lint warnings")


def test_every_silenced_warning_says_why(course: Course) -> None:
    for question in course.questions:
        for rule, reason in question.lint.items():
            assert len(reason.split()) >= 5, f"{question.id}: lint.{rule} needs a real reason"


def test_ten_thousand_post_test_forms(
    course: Course, report: Report, capsys: pytest.CaptureFixture[str]
) -> None:
    """No form holds two enemies; the share of forms holding a pair the lint flags as a
    candidate giveaway is printed, and it is 0."""
    post_test = course.post_test
    assert post_test is not None
    enemies = course.enemies
    candidates = giveaway_candidates(report)
    with_candidate = 0
    for seed in range(FORMS):
        ids = [slot.question_id for slot in draw(post_test, course, seed)]
        assert len(ids) == post_test.length
        assert all(course.question(i).reserved for i in ids)
        together = list(itertools.combinations(ids, 2))
        assert not [(a, b) for a, b in together if b in enemies.get(a, ())], seed
        pairs = {frozenset(p) for p in together}
        with_candidate += bool(pairs & candidates)
    with capsys.disabled():
        print(
            f"\n{FORMS:,} post-test forms: {with_candidate / FORMS:.2%} hold a candidate "
            f"giveaway pair ({len(candidates)} candidate pairs in the banks, all enemies "
            "or in the practice pool)"
        )
    assert with_candidate == 0


def test_reserved_pool_fills_every_form_and_leaves_practice(course: Course) -> None:
    post_test = course.post_test
    assert post_test is not None and post_test.reserved_only and post_test.blueprint
    reserved = [q for q in course.questions if q.reserved]
    assert 0.40 <= len(reserved) / len(course.questions) <= 0.50
    for topic, count in post_test.blueprint.items():
        bank = course.bank(topic)
        kept = sum(q.reserved for q in bank.questions)
        assert kept >= 2 * count, f"{topic}: {kept} reserved for {count} per form"
        assert len(bank.questions) - kept >= 10, f"{topic}: too few left for practice"


def test_no_practice_path_draws_a_reserved_question(course: Course) -> None:
    topics = course.topics
    quizzes = [*course.practice_quizzes]
    for size in range(1, len(topics) + 1):
        for chosen in itertools.combinations(topics, size):
            quizzes.append(course.practice_quiz(list(chosen), 25))
    everything = [q.id for q in course.questions]
    for quiz in quizzes:
        for seed in range(20):
            for slot in draw(quiz, course, seed, length=25):
                assert not course.question(slot.question_id).reserved, (quiz.id, slot)
    weak = course.weak_spots_quiz(25)
    for seed in range(200):
        for slot in draw(weak, course, seed, pool=everything):
            assert not course.question(slot.question_id).reserved


def test_stems_ask_about_dry_needling_not_about_documents(course: Course) -> None:
    labels = [doc.label.casefold() for doc in course.sources.values()]
    naming = [q.id for q in course.questions if any(lb in q.stem.casefold() for lb in labels)]
    assert len(naming) * 4 <= len(course.questions), naming
    for banned in ("nanda", "feldman", "the guide", "the clinic page", "the sources"):
        offenders = [q.id for q in course.questions if banned in q.stem.casefold()]
        assert not offenders, f'stems say "{banned}": {offenders}'


def test_sources_live_where_the_readme_says(report: Report) -> None:
    directory = report.texts_of_doc["clinic-what-why"].directory
    assert directory is not None and Path(directory).is_dir()


def test_no_feedback_reassures_beyond_the_documents(course: Course) -> None:
    texts = []
    for q in course.questions:
        texts.append(q.explanation)
        if q.type in ("single", "multiple"):
            texts.extend(c.feedback or "" for c in q.choices)
    for phrase in ("far from being a problem", "not a sign of nerve injury", "perfectly safe"):
        assert not [t for t in texts if phrase in t.casefold()], phrase


def test_every_question_survives_its_stored_version(course: Course) -> None:
    """An attempt stores each question it shows as JSON (to review it as shown after an
    edit); every shipped question, silenced lint and enemies included, must round-trip."""
    adapter: TypeAdapter[Question] = TypeAdapter(Question)
    for question in course.questions:
        again = adapter.validate_json(question.model_dump_json())
        assert again == question and again.content_hash == question.content_hash
