"""The gradebook names when each learner completed the course, and every CSV export comes
in a second form for Excel: UTF-8 with a byte-order mark (issue 13, small things)."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner

from quiz_app.cli import cli
from quiz_app.downloads import Download
from quiz_app.exports import BOM, csv_value_chunks
from quiz_app.reports import Filters, Reports
from tests.test_downloads import get, report, token_of

pytestmark = pytest.mark.usefixtures("env")


@pytest.fixture
def owner(cohort_world) -> str:
    return token_of(cohort_world["accounts"], cohort_world["teacher"])


def rows_of(text: str) -> dict[str, dict[str, str]]:
    return {r["username"]: r for r in csv.DictReader(io.StringIO(text))}


def test_completion_is_when_the_passing_post_test_was_submitted(
    cohort_world, store, tiny_course, clock
) -> None:
    local = tiny_course.local_time
    passed = {
        a["user_id"]: a["submitted_at"]
        for a in store.query("SELECT * FROM attempts WHERE passed = 1 ORDER BY submitted_at")
    }
    people = cohort_world["people"]
    gradebook = Reports(store, tiny_course, clock).gradebook(
        cohort_world["cohort"], Filters("post-test")
    )
    completed = {r["username"]: r["completed_at"] for r in gradebook}
    bob_first = store.query(
        "SELECT submitted_at FROM attempts WHERE user_id = ? ORDER BY started_at",
        [people["bob"].id],
    )[0]["submitted_at"]
    assert completed == {
        "ana": local.iso(passed[people["ana"].id]),
        "bob": local.iso(passed[people["bob"].id]),  # his second attempt, the one that passed
        "cyd": "", "dia": "", "eve": "",
    }  # fmt: skip
    assert completed["bob"] != local.iso(bob_first)
    assert completed["ana"].endswith("+00:00")  # ISO 8601 with the course zone's offset


def test_the_excel_download_is_the_csv_after_a_byte_order_mark(cohort_world, owner) -> None:
    cohort_id = cohort_world["cohort"]["id"]
    for kind in ("gradebook", "items", "responses"):
        plain = get(Download(kind, cohort_id, "post-test").url, owner)
        excel = get(Download(kind, cohort_id, "post-test", excel=True).url, owner)
        assert (excel.status, excel.complete) == (200, True), excel.body
        assert not plain.body.startswith(b"\xef\xbb\xbf")
        assert excel.body == b"\xef\xbb\xbf" + plain.body
        assert excel.headers["content-disposition"] == plain.headers["content-disposition"]


def test_the_excel_gradebook_still_neutralises_formulas(cohort_world, owner) -> None:
    url = Download("gradebook", cohort_world["cohort"]["id"], "post-test", excel=True).url
    assert url.endswith("&excel=1")
    rows = rows_of(get(url, owner).body.decode("utf-8-sig"))
    assert rows["eve"]["display_name"] == '\'=HYPERLINK("http://evil")'
    assert rows["ana"]["completed_at"]


def test_a_bad_excel_value_names_no_download(cohort_world, owner) -> None:
    answer = get(f"/exports/gradebook.csv?cohort={cohort_world['cohort']['id']}&excel=yes", owner)
    assert answer.status == 404
    assert answer.body.decode() == '"excel" is 1 or absent.'


def test_report_excel_flag(cohort_world, db_path, tiny_course, monkeypatch) -> None:
    from quiz_app.course import BANKS_ENV

    monkeypatch.setenv(BANKS_ENV, str(tiny_course.folder))
    code = cohort_world["cohort"]["join_code"]
    plain = report(db_path, code)
    excel = report(db_path, code, "--excel")
    assert excel == BOM + plain
    assert "completed_at" in plain.splitlines()[0]
    refused = CliRunner().invoke(
        cli, ["report", "--db", str(db_path), "--cohort", code, "--excel", "--format", "json"]
    )
    assert refused.exit_code == 2
    assert "--excel is for CSV" in refused.output


def test_the_mark_comes_once_however_the_rows_are_cut() -> None:
    chunks = list(csv_value_chunks(iter([("a",), ("b",), ("c",)]), ["x"], 1, bom=True))
    assert len(chunks) == 3
    assert chunks[0].startswith(BOM) and not any(BOM in c for c in chunks[1:])
