"""Exports stream: rows are read, put into words and written as they come, on one
borrowed connection that goes back to the pool however the reader stops."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from quiz_app import exports as exports_module
from quiz_app import reports as reports_module
from quiz_app.cli import cli
from quiz_app.course import BANKS_ENV, Course
from quiz_app.demo import generate
from quiz_app.exports import csv_chunks, csv_value_chunks, json_chunks, safe_cell, to_csv, to_json
from quiz_app.reports import RESPONSE_COLUMNS, Filters, Reports
from quiz_app.scoring import correct_answer, describe
from quiz_app.store import Store
from quiz_app.store import reports as store_module


@pytest.fixture
def world(cohort_world, store: Store, monkeypatch: pytest.MonkeyPatch, tiny_course: Course):
    """The cohort world with an answer to an earlier version of its question (exported as
    JSON) and a learner who has left the cohort (exported by user id)."""
    monkeypatch.setenv(BANKS_ENV, str(tiny_course.folder))
    ana, bob = cohort_world["people"]["ana"], cohort_world["people"]["bob"]
    store.execute(
        "UPDATE responses SET content_hash = 'earlier' WHERE question_id = 'q-match'"
        " AND attempt_id IN (SELECT id FROM attempts WHERE user_id = ?)",
        (ana.id,),
    )
    store.execute("DELETE FROM memberships WHERE user_id = ?", (bob.id,))
    return cohort_world


@pytest.fixture
def reports(store: Store, tiny_course: Course, clock) -> Reports:
    return Reports(store, tiny_course, clock)


@pytest.fixture
def borrowed(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[sqlite3.Connection]:
    """The connections the store has lent out and not yet had back."""
    out: list[sqlite3.Connection] = []
    lend = store.borrow

    @contextmanager
    def counted(*args: str) -> Iterator[sqlite3.Connection]:
        with lend(*args) as conn:
            out.append(conn)
            try:
                yield conn
            finally:
                out.remove(conn)

    monkeypatch.setattr(store, "borrow", counted)
    return out


def expected_responses(store: Store, course: Course, cohort_id: int, quiz_id: str | None):
    """The responses export worked out from the whole tables, independently of the report."""
    attempts = {
        a["id"]: a
        for a in store.table_rows("attempts")
        if a["cohort_id"] == cohort_id and a["submitted_at"] and quiz_id in (None, a["quiz_id"])
    }
    members = {m["user_id"] for m in store.table_rows("memberships") if m["cohort_id"] == cohort_id}
    names = {u["id"]: u["username"] for u in store.table_rows("users")}
    rows = []
    for response in store.table_rows("responses"):
        attempt = attempts.get(response["attempt_id"])
        if attempt is None:
            continue
        answer = json.loads(response["answer"])
        question = course.question(response["question_id"])
        rows.append(
            {
                "attempt_id": attempt["id"],
                "username": (
                    names[attempt["user_id"]]
                    if attempt["user_id"] in members
                    else str(attempt["user_id"])
                ),
                "quiz_id": attempt["quiz_id"],
                "question_id": response["question_id"],
                "answer": (
                    describe(question, answer)
                    if question.content_hash == response["content_hash"]
                    else json.dumps(answer)
                ),
                "mark": response["mark"],
                "max_mark": 1.0,
                "submitted_at": course.local_time.iso(attempt["submitted_at"]),
            }
        )
    return sorted(rows, key=lambda r: (r["attempt_id"], r["question_id"]))


def csv_module_text(rows: list[dict], columns: tuple[str, ...]) -> str:
    """The CSV the csv module writes for these rows, each cell through `safe_cell`: the
    referee of quiz_app.exports, which writes the same text its own way."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow([safe_cell(c) for c in columns])
    writer.writerows([safe_cell(row.get(c)) for c in columns] for row in rows)
    return buffer.getvalue()


@pytest.mark.parametrize("quiz_id", [None, "post-test"], ids=["every-quiz", "post-test"])
def test_responses_are_what_the_tables_hold(world, reports, store, tiny_course, quiz_id) -> None:
    rows = reports.responses(world["cohort"], Filters(quiz_id))
    expected = expected_responses(store, tiny_course, world["cohort"]["id"], quiz_id)
    assert list(rows) == expected
    assert len(expected) == (23 if quiz_id is None else 20)
    assert {"ana", str(world["people"]["bob"].id), "eve"} <= {r["username"] for r in expected}
    assert any(r["answer"].startswith("[") for r in expected)  # the earlier version, as JSON
    assert [r["question_id"] for r in expected[:5]] == sorted(
        r["question_id"] for r in expected[:5]
    )


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_command_line_prints_the_same_rows(world, store, tiny_course, db_path, fmt) -> None:
    code = world["cohort"]["join_code"]
    result = CliRunner().invoke(
        cli, ["report", "--db", str(db_path), "--cohort", code, "--responses", "--format", fmt]
    )
    assert result.exit_code == 0, result.output
    expected = expected_responses(store, tiny_course, world["cohort"]["id"], None)
    text = csv_module_text(expected, RESPONSE_COLUMNS) if fmt == "csv" else to_json(expected)
    assert result.stdout == text


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, course: Course) -> Store:
    store = Store(tmp_path_factory.mktemp("demo") / "demo.db")
    generate(store, course, learners=40, attempts=4, seed=3)
    return store


@pytest.mark.parametrize("small", [False, True], ids=["default-sizes", "small-batches-and-caches"])
def test_a_demo_cohort_s_export_is_what_the_csv_module_writes(
    demo: Store, course: Course, monkeypatch: pytest.MonkeyPatch, small: bool
) -> None:
    """Every kind of question's answers, across batches and caches that fill up."""
    if small:
        for module, name in [
            (store_module, "STREAM_BATCH"), (reports_module, "RESPONSE_BATCH"),
            (reports_module, "ANSWER_WORDS_CACHE"), (exports_module, "CELL_CACHE"),
        ]:  # fmt: skip
            monkeypatch.setattr(module, name, 3)
    (cohort,) = demo.query("SELECT * FROM cohorts")
    values = Reports(demo, course).response_values(cohort, Filters(None))  # submits timed-out
    expected = expected_responses(demo, course, cohort["id"], None)
    chunks = list(csv_value_chunks(values, RESPONSE_COLUMNS, rows_per_chunk=100))
    assert len(chunks) > 3 and len(expected) > 1_000
    assert "".join(chunks) == csv_module_text(expected, RESPONSE_COLUMNS)


def test_nothing_is_borrowed_until_the_first_row_and_all_is_returned_at_the_end(
    world, reports, borrowed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reports_module, "RESPONSE_BATCH", 2)  # so the read outlasts a batch
    rows = reports.responses(world["cohort"], Filters(None))
    assert borrowed == []
    next(rows)
    assert len(borrowed) == 1
    assert len(list(rows)) == 22
    assert borrowed == []


@pytest.mark.parametrize("as_dicts", [False, True], ids=["values", "dicts"])
def test_a_chunk_is_written_before_the_read_ends_and_an_early_stop_returns_the_connection(
    world, reports, borrowed, monkeypatch: pytest.MonkeyPatch, as_dicts: bool
) -> None:
    """Rows are not all read before the first chunk is written (in batches of 2 here, of
    a thousand in use)."""
    monkeypatch.setattr(store_module, "STREAM_BATCH", 2)
    monkeypatch.setattr(reports_module, "RESPONSE_BATCH", 2)
    if as_dicts:
        chunks = csv_chunks(reports.responses(world["cohort"], Filters(None)), RESPONSE_COLUMNS, 2)
    else:
        values = reports.response_values(world["cohort"], Filters(None))
        chunks = csv_value_chunks(values, RESPONSE_COLUMNS, 2)
    assert next(chunks).count("\n") == 3  # the header and two rows
    assert len(borrowed) == 1  # the read goes on
    chunks.close()
    assert borrowed == []


def test_a_reader_that_raises_gives_the_connection_back(world, reports, borrowed) -> None:
    with pytest.raises(RuntimeError):
        for _ in reports.responses(world["cohort"], Filters(None)):
            raise RuntimeError("the reader fails")
    assert borrowed == []


def test_a_read_that_fails_gives_the_connection_back(
    world, store, borrowed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        store, "response_export_sql", lambda *_: ("SELECT abs(-9223372036854775808)", [])
    )
    with pytest.raises(sqlite3.OperationalError):
        list(store.response_export(world["cohort"]["id"]))
    assert borrowed == []


def test_a_stream_reads_one_snapshot(
    world, reports, tiny_course, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An answer submitted while an export is being read does not appear halfway in it."""
    monkeypatch.setattr(store_module, "STREAM_BATCH", 1)
    monkeypatch.setattr(reports_module, "RESPONSE_BATCH", 1)
    rows = reports.responses(world["cohort"], Filters("post-test"))
    first = next(rows)
    service, cyd = world["attempts"], world["people"]["cyd"]
    attempt = service.start(cyd.id, tiny_course.post_test, cohort_id=world["cohort"]["id"])
    for slot in attempt.slots:
        service.answer(
            attempt, slot.question_id, correct_answer(tiny_course.question(slot.question_id))
        )
    service.submit(attempt)
    assert len([first, *rows]) == 20
    assert len(list(reports.responses(world["cohort"], Filters("post-test")))) == 25


def test_csv_is_written_as_the_rows_come() -> None:
    taken = []

    def rows() -> Iterator[dict[str, int]]:
        for n in range(10_000):
            taken.append(n)
            yield {"n": n}

    chunks = csv_chunks(rows(), ["n"], rows_per_chunk=100)
    first = next(chunks)
    assert first.splitlines()[:3] == ['"n"', "0", "1"] and len(taken) <= 100
    assert first + "".join(chunks) == '"n"\n' + "".join(f"{n}\n" for n in range(10_000))


def test_equal_values_of_other_types_are_written_as_their_own() -> None:
    rows = [{"v": v} for v in (1, 1.0, True, "1", [1], None, 0, False, 0.0, "")]
    assert to_csv(rows, ["v"]).splitlines() == [
        '"v"', "1", "1.0", '"yes"', '"1"', '"[1]"', '""', "0", '"no"', "0.0", '""'
    ]  # fmt: skip


CELLS = st.one_of(st.text(max_size=8), st.integers(), st.floats(), st.booleans(), st.none())


@given(st.lists(st.lists(CELLS, min_size=3, max_size=3), max_size=6))
def test_rows_are_written_as_the_csv_module_writes_them(rows: list[list]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerows([["a", "b", "c"], *([safe_cell(v) for v in row] for row in rows)])
    assert to_csv([dict(zip("abc", row, strict=True)) for row in rows], "abc") == buffer.getvalue()


@given(st.lists(st.tuples(st.text(max_size=8), st.integers(), st.floats()), max_size=6))
def test_columns_of_one_type_are_written_as_the_csv_module_writes_them(rows: list) -> None:
    expected = csv_module_text(
        [dict(zip("abc", row, strict=True)) for row in rows], ("a", "b", "c")
    )
    assert "".join(csv_value_chunks(rows, "abc", rows_per_chunk=4)) == expected


def test_a_row_without_a_value_per_column_is_refused() -> None:
    with pytest.raises(ValueError, match="every row must have 2 values"):
        list(csv_value_chunks([(1, 2), (3,)], ["a", "b"]))


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [{"a": 1}],
        [{"a": "x\ny", "b": [1, {"c": None}], "d": 0.5}],
        [{"n": n} for n in range(7)],
    ],
    ids=["none", "one", "nested", "several-chunks"],
)
def test_json_is_written_as_to_json_writes_the_list(rows: list) -> None:
    assert "".join(json_chunks(rows, rows_per_chunk=3)) == to_json(rows)


def test_a_json_report_streams_in_chunks() -> None:
    chunks = list(json_chunks(({"n": n} for n in range(10)), rows_per_chunk=3))
    assert len(chunks) > 2 and json.loads("".join(chunks)) == [{"n": n} for n in range(10)]


def test_the_benchmark_s_query_is_the_one_the_export_runs(world, store) -> None:
    """The query the benchmark hands the sqlite3 shell is the export's own."""
    sql, params = store.response_export_sql(world["cohort"]["id"], "post-test")
    assert sql.endswith("ORDER BY a.id, r.question_id") and params[0] == world["cohort"]["id"]
    assert len(store.query(sql, params)) == len(list(store.response_export(*params)))
