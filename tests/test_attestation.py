"""Attestation (issue 15, item 2): before submitting the post-test the learner ticks, in
the course's words (`course.attestation`), that they completed it themselves. The
service refuses a submit without it; the words and the time are stored with the attempt
and on its certificate. A time-out cannot attest: the attempt is submitted at its
deadline, not attested, and a passed one still earns a certificate marked so."""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz_app.attempts import Attempts, NotAttested
from quiz_app.clock import iso
from quiz_app.course import Course, load_course
from quiz_app.scoring import correct_answer
from quiz_app.store import Store
from quiz_app.testing import begin_post_test, open_app, texts
from tests.conftest import BANKS_ENV, ManualClock

WORDS = "I completed this post-test <b>myself</b>, without help from another person."
SHOWN = WORDS.replace("<", "&lt;").replace(">", "&gt;")  # HTML is shown as text, not run


def with_course_lines(course: Course, lines: str) -> Course:
    """The course after adding `lines` (YAML under `course:`) to its quizzes.yaml."""
    path = course.folder / "quizzes.yaml"
    provider = "  provider: Demo provider\n"
    text = path.read_text(encoding="utf-8")
    assert provider in text
    path.write_text(text.replace(provider, provider + lines), encoding="utf-8")
    return load_course(course.folder)


@pytest.fixture
def attesting(tiny_course: Course) -> Course:
    return with_course_lines(tiny_course, f'  attestation: "{WORDS}"\n')


@pytest.fixture
def service(store: Store, attesting: Course, clock: ManualClock) -> Attempts:
    return Attempts(store, attesting, clock)


def answered(service: Attempts, user_id: int, cohort_id: int | None = None):
    attempt = service.start(user_id, service.course.post_test, cohort_id=cohort_id)
    for slot in attempt.slots:
        question = service.course.question(slot.question_id)
        service.answer(attempt, slot.question_id, correct_answer(question))
    return service.load(attempt.id)


def test_a_post_test_is_not_submitted_without_the_attestation(service, learner, clock) -> None:
    attempt = answered(service, learner.id)
    with pytest.raises(NotAttested, match="Tick the statement"):
        service.submit(attempt)
    assert service.load(attempt.id).is_open
    clock.advance(minutes=2)
    done = service.submit(attempt, attested=True)
    assert not done.is_open and done.attestation == WORDS
    assert done.attested_at == iso(clock.now()) == done.submitted_at
    certificate = service.certificates.for_attempt(done.id)
    assert certificate is not None
    assert (certificate.attestation, certificate.attested_at) == (WORDS, done.attested_at)


def test_practice_and_a_course_without_words_need_no_attestation(
    service, learner, tiny_course, store, clock
) -> None:
    practice = service.start(learner.id, service.course.practice_quizzes[0])
    assert not service.submit(practice).is_open
    plain = Attempts(store, tiny_course, clock)
    assert plain.attestation is None
    attempt = plain.start(learner.id, tiny_course.post_test)
    done = plain.submit(attempt)
    assert done.attestation is None and done.attested_at is None
    # A course that asks for none: its certificates say nothing of an attestation.
    assert not done.is_open


def test_a_time_out_is_submitted_not_attested_and_still_certified(service, learner, clock) -> None:
    attempt = answered(service, learner.id)
    clock.advance(minutes=31)  # past the 30-minute limit
    done = service.load(attempt.id)  # submitted at its deadline as it stood
    assert done.timed_out and done.passed
    assert done.attestation is None and done.attested_at is None
    certificate = service.certificates.for_attempt(done.id)
    assert certificate is not None
    assert certificate.attested_at is None and certificate.attestation == WORDS  # asked, not given


def test_a_late_tick_does_not_attest_an_expired_attempt(service, learner, clock) -> None:
    attempt = answered(service, learner.id)
    clock.advance(minutes=31)
    done = service.submit(attempt, attested=True)  # the page was still open at the deadline
    assert done.timed_out and done.attested_at is None


def test_attestations_of_a_cohort_for_the_audit(cohort_world, attesting, store, clock) -> None:
    service = Attempts(store, attesting, clock)
    cohort_id = cohort_world["cohort"]["id"]
    ana, cyd = cohort_world["people"]["ana"], cohort_world["people"]["cyd"]
    attested = service.submit(answered(service, ana.id, cohort_id), attested=True)
    late = answered(service, cyd.id, cohort_id)
    clock.advance(hours=1)
    records = service.attestations_of_cohort(cohort_id)
    assert [r.submitted_at for r in records] == sorted(r.submitted_at for r in records)
    by_id = {r.attempt_id: r for r in records}
    mine, theirs = by_id.pop(attested.id), by_id.pop(late.id)
    assert (mine.username, mine.attestation, mine.timed_out) == ("ana", WORDS, False)
    assert mine.attested_at == attested.submitted_at
    assert (theirs.username, theirs.attestation, theirs.attested_at, theirs.timed_out) == (
        "cyd", None, None, True)  # fmt: skip
    # The world's post-tests, from before the course asked, are there, not attested.
    assert {r.username for r in by_id.values()} == {"ana", "bob", "dia", "eve"}
    assert all(r.attested_at is None and r.quiz_id == "post-test" for r in by_id.values())


@pytest.fixture
def app(env: None, attesting: Course, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BANKS_ENV, str(attesting.folder))


def test_the_summary_asks_for_the_attestation_before_submit(
    app, learner, db_path: Path, attesting, clock
) -> None:
    service = Attempts(Store(db_path), attesting, clock)
    at = begin_post_test(open_app(learner, "views/home.py"))
    attempt_id = at.session_state["attempt_id"]
    at.button(key=f"submit-{attempt_id}").click().run()
    box = at.checkbox(key=f"attest-{attempt_id}")
    assert box.label == SHOWN and box.value is False
    at.button(key=f"yes-{attempt_id}").click().run()
    assert service.load(attempt_id).is_open
    assert any("Tick the statement" in w.value for w in at.warning)
    assert "Summary of your attempt" in texts(at)  # still on the summary, box and all
    at.checkbox(key=f"attest-{attempt_id}").check().run()
    at.button(key=f"yes-{attempt_id}").click().run()
    done = service.load(attempt_id)
    assert not done.is_open and done.attestation == WORDS and done.attested_at is not None
    assert "Review your answers" in texts(at)
