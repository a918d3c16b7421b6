"""The benchmarks run, in their quick mode, and report what they promise.

Speed is never asserted here (shared machines are noisy); only that each benchmark
works and that nothing is lost or doubled on the way.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_json(script: str) -> dict:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), "--quick", "--json"],
        capture_output=True, text=True, check=False, cwd=ROOT, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_store_benchmark() -> None:
    figures = run_json("store_bench.py")
    assert figures["limit_per_s"] > 0
    assert set(figures["threads"]) == {"1", "8", "32"}
    assert all(t["per_s"] > 0 and t["ratio"] > 0 for t in figures["threads"].values())
    assert figures["lost"] == 0 and figures["duplicated"] == 0


def test_page_benchmark() -> None:
    figures = run_json("page_bench.py")
    assert figures["empty_ms"] > 0 and figures["question_page_ms"] > 0
    assert figures["ratio"] == pytest.approx(
        figures["question_page_ms"] / figures["empty_ms"], rel=0.02
    )
    assert figures["due_cards"] == 500 and figures["cards_in_db"] > 0
    for page in ("start_page", "review_answer"):
        assert figures[f"{page}_ratio"] == pytest.approx(
            figures[f"{page}_ms"] / figures["review_empty_ms"], rel=0.02
        )
    assert figures["start_page_vs_fresh"] == pytest.approx(
        figures["start_page_ms"] / figures["fresh_start_ms"], rel=0.02
    )


def test_dashboard_benchmark() -> None:
    figures = run_json("dashboard_bench.py")
    keys = (
        "empty_ms",
        "dashboard_first_ms",
        "dashboard_rerun_ms",
        "items_first_ms",
        "items_rerun_ms",
        "rerun_ratio_max",
    )
    assert all(figures[k] > 0 for k in keys)
    worst = max(figures["dashboard_rerun_ms"], figures["items_rerun_ms"])
    assert figures["rerun_ratio_max"] == pytest.approx(worst / figures["empty_ms"], rel=0.02)


def test_export_benchmark() -> None:
    figures = run_json("export_bench.py")
    for name in ("responses", "sqlite3", "items", "gradebook"):
        assert figures[name]["wall_s"] > 0 and figures[name]["peak_mb"] > 0
    assert figures["responses"]["rows"] == figures["sqlite3"]["rows"] > 0
    assert figures["rows_match"] is True
    assert figures["ratio"] == pytest.approx(
        figures["responses"]["wall_s"] / figures["sqlite3"]["wall_s"], rel=0.05
    )
    assert figures["peak_mb_max"] == max(figures[k]["peak_mb"] for k in ("responses", "items",
                                                                        "gradebook"))  # fmt: skip


def test_scale_benchmark() -> None:
    figures = run_json("scale_bench.py")
    per_page = ("dashboard_first_ms", "items_first_ms", "dashboard_ratio", "items_ratio")
    per_report = ("report_responses_s", "report_responses_rss_mb", "report_items_s",
                  "report_items_rss_mb")  # fmt: skip
    assert figures["empty_ms"] > 0
    databases = [*figures["sizes"].values(), figures["whole_cohort"]]
    assert [(d["learners"], d["cohorts"]) for d in databases] == [(60, 1), (120, 2), (120, 1)]
    for db in databases:
        assert all(db[k] > 0 for k in per_page + per_report)
        assert db["dashboard_ratio"] == pytest.approx(
            db["dashboard_first_ms"] / figures["empty_ms"], rel=0.05
        )
        assert db["build"]["wall_s"] > 0 and db["build"]["peak_rss_mb"] > 0  # built, not reused
    assert [d["cohort_learners"] for d in databases] == [60, 60, 120]
    small, large = figures["sizes"]["60"], figures["sizes"]["120"]
    assert figures["growth"]["report_responses_rss_mb"] == pytest.approx(
        large["report_responses_rss_mb"] / small["report_responses_rss_mb"], abs=0.01
    )


@pytest.mark.browser
def test_load_benchmark() -> None:
    from tests.browser import require_browser

    require_browser()
    figures = run_json("load_bench.py")
    assert set(figures["runs"]) == {"1", "2"}
    for row in figures["runs"].values():
        for app in ("quiz", "bare"):
            assert row[app]["answers"] > 0
            assert row[app]["errors"] == 0, json.dumps(row[app]["error_kinds"])
            assert row[app]["server_cpu_ms_per_answer"] > 0
        assert set(row["ratios"]) >= {"server_cpu_ms_per_answer", "memory_mb_per_session"}
