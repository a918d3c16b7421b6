"""The responses CSV whose lines SQLite puts together (`Reports.response_csv`, what the
command line and the download route send) is the very text of the reference writer,
`csv_value_chunks` over `Reports.response_values`, whatever the names, answers and marks."""

from __future__ import annotations

import pytest

from quiz_app import exports as exports_module
from quiz_app.course import Course
from quiz_app.exports import csv_value_chunks
from quiz_app.reports import RESPONSE_COLUMNS, Filters, Reports
from quiz_app.scoring import correct_answer
from quiz_app.store import Store
from quiz_app.store import reports as store_module

ODD_USERNAMES = [
    "=HYPERLINK(\"http://evil\")", "+Cy", "-Fa", "@cmd", 'Ed "the" quote', "a,b;c|d",
    "line\nbreak", "Zoë Ł 李 😀", "  =spaces", "＝wide", "",
]  # fmt: skip
ODD_ANSWERS = [
    '"=1+1"', '["=cmd|\' /C calc\'!A0", "b"]', '"Zoë ;@SUM(1)"', '""', "null", "[]",
    '{"a": "x\\ny"}', '"tab\\there"',
]  # fmt: skip
MARKS = [1 / 3, 2 / 3, 0.1 + 0.2, 0.0, 1.0, 1e-7, 0.5]


@pytest.fixture
def odd_world(cohort_world, store: Store, tiny_course: Course) -> dict:
    """The cohort world with formula-like, quoted, Unicode and blank usernames, answers of
    an earlier question version (exported as JSON) that are formula-like, blank or
    Unicode, marks like 1/3, and a learner who left the cohort (exported by user id)."""
    accounts, attempts = cohort_world["accounts"], cohort_world["attempts"]
    cohort = cohort_world["cohort"]
    people = list(cohort_world["people"].values())
    for n in range(len(ODD_USERNAMES)):
        person = accounts.sign_up(f"odd{n}", f"Odd {n}", "password123")
        accounts.join(person, cohort["join_code"])
        attempt = attempts.start(person.id, tiny_course.post_test, cohort_id=cohort["id"])
        for slot in attempt.slots[n % 3 :]:  # some questions left blank
            question = tiny_course.question(slot.question_id)
            attempts.answer(attempt, slot.question_id, correct_answer(question))
        attempts.submit(attempt)
        store.execute("UPDATE users SET username = ? WHERE id = ?", (ODD_USERNAMES[n], person.id))
    responses = store.query("SELECT attempt_id, question_id FROM responses ORDER BY 1, 2")
    for n, response in enumerate(responses):
        key = (response["attempt_id"], response["question_id"])
        store.execute(
            "UPDATE responses SET mark = ? WHERE attempt_id = ? AND question_id = ?",
            (MARKS[n % len(MARKS)], *key),
        )
        if n % 3 == 0:
            store.execute(
                "UPDATE responses SET answer = ?, content_hash = 'earlier'"
                " WHERE attempt_id = ? AND question_id = ?",
                (ODD_ANSWERS[n // 3 % len(ODD_ANSWERS)], *key),
            )
    store.execute("DELETE FROM memberships WHERE user_id = ?", (people[1].id,))
    return cohort_world


def reference(reports: Reports, cohort, filters: Filters, bom: bool) -> str:
    values = reports.response_values(cohort, filters)
    return "".join(csv_value_chunks(values, RESPONSE_COLUMNS, rows_per_chunk=2, bom=bom))


@pytest.mark.parametrize("bom", [False, True], ids=["plain", "bom"])
@pytest.mark.parametrize("quiz_id", [None, "post-test"], ids=["every-quiz", "post-test"])
def test_the_lines_sqlite_builds_are_the_reference_text(
    odd_world, store: Store, tiny_course: Course, clock, quiz_id, bom: bool
) -> None:
    reports = Reports(store, tiny_course, clock)
    cohort = odd_world["cohort"]
    expected = reference(reports, cohort, Filters(quiz_id), bom)
    assert "".join(reports.response_csv(cohort, Filters(quiz_id), bom=bom)) == expected
    assert "'=HYPERLINK" in expected and "Zoë Ł 李 😀" in expected  # odd names, neutralised
    assert '"[""\'=cmd' in expected and f",{1 / 3!r}," in expected  # odd answers, 1/3
    assert f'"{odd_world["people"]["bob"].id}"' in expected  # left: by user id


def test_small_batches_and_caches_change_nothing(
    odd_world, store: Store, tiny_course: Course, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = Reports(store, tiny_course, clock)
    cohort = odd_world["cohort"]
    expected = reference(reports, cohort, Filters(None), False)
    monkeypatch.setattr(store_module, "STREAM_BATCH", 2)
    monkeypatch.setattr(exports_module, "CELL_CACHE", 2)
    chunks = list(reports.response_csv(cohort, Filters(None)))
    assert len(chunks) > 3 and "".join(chunks) == expected


def test_a_cohort_without_answers_is_the_header_alone(
    cohort_world, store: Store, tiny_course: Course, clock
) -> None:
    reports = Reports(store, tiny_course, clock)
    elsewhere = cohort_world["elsewhere"]
    assert list(reports.response_csv(elsewhere, Filters(None))) == [
        reference(reports, elsewhere, Filters(None), False)
    ]


def test_an_answer_submitted_while_the_export_is_read_is_not_in_it(
    cohort_world, store: Store, tiny_course: Course, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The TEMP tables are filled and the lines read in one snapshot."""
    monkeypatch.setattr(store_module, "STREAM_BATCH", 1)
    reports = Reports(store, tiny_course, clock)
    cohort = cohort_world["cohort"]
    before = reference(reports, cohort, Filters("post-test"), False)
    chunks = reports.response_csv(cohort, Filters("post-test"))
    first = next(chunks)
    service, cyd = cohort_world["attempts"], cohort_world["people"]["cyd"]
    attempt = service.start(cyd.id, tiny_course.post_test, cohort_id=cohort["id"])
    for slot in attempt.slots:
        service.answer(
            attempt, slot.question_id, correct_answer(tiny_course.question(slot.question_id))
        )
    service.submit(attempt)
    assert first + "".join(chunks) == before
    assert "".join(reports.response_csv(cohort, Filters("post-test"))).count("\n") == 26


def test_an_export_stopped_early_leaves_nothing_behind(
    cohort_world, store: Store, tiny_course: Course, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its TEMP tables go with its transaction, so the next export on the pooled
    connection makes them afresh."""
    monkeypatch.setattr(store_module, "STREAM_BATCH", 1)
    reports = Reports(store, tiny_course, clock)
    cohort = cohort_world["cohort"]
    chunks = reports.response_csv(cohort, Filters(None))
    next(chunks)
    chunks.close()
    with store.borrow() as conn:
        assert conn.execute("SELECT name FROM temp.sqlite_master").fetchall() == []
        assert not conn.in_transaction
    again = "".join(reports.response_csv(cohort, Filters(None)))
    assert again == reference(reports, cohort, Filters(None), False)
