"""How fast the instructor's dashboard and item analysis render, against an empty script.

Builds a demo database (1,000 learners x 20 attempts by default) and opens each page
under Streamlit's AppTest as the demo instructor:

- first load: a new session with the report cache emptied, so the page queries the
  database and computes everything (median of several); every AppTest shares what the
  server sets up once per process (`quiz_app.testing.run_as_served`: compiled scripts,
  the component registry), so the figure is the page's, not AppTest's start-up;
- rerun: the same session run again, as after an interaction that changes no data,
  which reuses the cached reports.

The baseline is an empty script's AppTest run, taken alternately with the reruns so
both see the same machine. Medians are reported; `rerun_ratio_max` is the larger of
the two pages' rerun medians over the empty script's.

    python benchmarks/dashboard_bench.py            # a summary
    python benchmarks/dashboard_bench.py --json     # one JSON object
    python benchmarks/dashboard_bench.py --quick    # a smaller database, for CI
    python benchmarks/dashboard_bench.py --db big.db --instructor instructor2

With --db, a copy of that database is measured (opening it applies pending migrations;
the file given is never written), as seen by --instructor (default: the demo's
`instructor`, whose first cohort the pages show): for one cohort among many, build it
with `quiz-app demo-data --cohorts K`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from quiz_app import reports
from quiz_app.accounts import User
from quiz_app.course import load_course
from quiz_app.demo import DEMO_INSTRUCTOR, generate
from quiz_app.store import Store
from quiz_app.testing import APP, run_as_served, sign_in_as

PAGES = {"dashboard": "views/dashboard.py", "items": "views/items.py"}
FIRST_LOADS = 5
RERUNS = 60


def run_ms(at: AppTest) -> float:
    started = time.perf_counter()
    at.run()
    elapsed = (time.perf_counter() - started) * 1000
    assert not at.exception, at.exception
    return elapsed


def open_page(user: User, page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    sign_in_as(at, user)
    at.switch_page(page)
    return at


def first_load_ms(user: User, page: str) -> float:
    """One first load of `page`: a new session, with the report cache emptied."""
    reports._cache.clear()
    return run_ms(open_page(user, page))


def measure(
    folder: Path,
    learners: int,
    attempts: int,
    db: Path | None = None,
    instructor: str = DEMO_INSTRUCTOR,
) -> dict[str, float]:
    if db is not None:
        for suffix in ("", "-wal"):  # the log too, if it holds anything not yet folded in
            if Path(f"{db}{suffix}").exists():
                shutil.copyfile(f"{db}{suffix}", folder / f"bench.db{suffix}")
        store = Store(folder / "bench.db")
    else:
        store = Store(folder / "bench.db")
        generate(store, load_course(), learners=learners, attempts=attempts, seed=1)
    os.environ["QUIZ_DB"] = str(folder / "bench.db")
    row = store.user_by_username(instructor)
    if row is None:
        raise SystemExit(f"dashboard_bench: no account {instructor!r} in the database")
    figures: dict[str, float] = {}
    if db is not None:  # the size of the cohort the pages show: the instructor's first
        figures["learners"] = store.query(
            "SELECT count(*) AS n FROM memberships WHERE cohort_id ="
            " (SELECT min(id) FROM cohorts WHERE instructor_id = ?)",
            [row["id"]],
        )[0]["n"]
    user = User(row["id"], row["username"], row["display_name"], row["role"])
    empty_script = folder / "empty.py"
    empty_script.write_text("")
    empty = AppTest.from_file(str(empty_script), default_timeout=60)
    empty.run()
    empties: list[float] = []
    for name, page in PAGES.items():
        firsts = [first_load_ms(user, page) for _ in range(FIRST_LOADS)]
        figures[f"{name}_first_ms"] = statistics.median(firsts)
        at = open_page(user, page)
        at.run()
        reruns = []
        for _ in range(RERUNS):
            empties.append(run_ms(empty))
            reruns.append(run_ms(at))
        figures[f"{name}_rerun_ms"] = statistics.median(reruns)
    figures["empty_ms"] = statistics.median(empties)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="a smaller database (CI)")
    parser.add_argument("--learners", type=int, default=None)
    parser.add_argument("--attempts", type=int, default=None)
    parser.add_argument("--db", type=Path, default=None, help="measure a copy of this database")
    parser.add_argument("--instructor", default=DEMO_INSTRUCTOR, help="whose cohort (with --db)")
    args = parser.parse_args()
    run_as_served()
    learners = args.learners or (100 if args.quick else 1_000)
    attempts = args.attempts or (8 if args.quick else 20)
    if args.db is not None:
        attempts = None
    with tempfile.TemporaryDirectory() as tmp:
        figures = measure(Path(tmp), learners, attempts or 0, args.db, args.instructor)
    learners = int(figures.pop("learners", learners))
    empty = figures["empty_ms"]
    result = {
        "empty_ms": round(empty, 2),
        "dashboard_first_ms": round(figures["dashboard_first_ms"], 1),
        "dashboard_rerun_ms": round(figures["dashboard_rerun_ms"], 2),
        "items_first_ms": round(figures["items_first_ms"], 1),
        "items_rerun_ms": round(figures["items_rerun_ms"], 2),
        "rerun_ratio_max": round(
            max(figures["dashboard_rerun_ms"], figures["items_rerun_ms"]) / empty, 2
        ),
        "learners": learners,
        "attempts_per_learner": attempts,
        "db": str(args.db) if args.db else None,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"empty script {result['empty_ms']} ms; dashboard first load "
            f"{result['dashboard_first_ms']} ms, rerun {result['dashboard_rerun_ms']} ms; "
            f"item analysis first load {result['items_first_ms']} ms, rerun "
            f"{result['items_rerun_ms']} ms; rerun ratio (max) {result['rerun_ratio_max']} "
            + (
                f"(a cohort of {learners} learners in {args.db})"
                if args.db
                else f"({learners} learners x {attempts} attempts)"
            )
        )


if __name__ == "__main__":
    main()
