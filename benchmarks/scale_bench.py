"""How the instructor's reports scale with the database, against an empty Streamlit script.

Builds demo databases of 1,000, 3,000 and 10,000 learners x 20 attempts, each made of
cohorts of 1,000 learners (so one cohort stays the same size while the database grows),
plus one database of the largest size in a single cohort (the whole-cohort case). Each is
built by `quiz-app demo-data` in a subprocess (its wall and CPU time and peak RSS are
reported), or reused from --dir, where its file name says its learners, attempts,
cohorts and seed.

For the first cohort of each (its instructor is the demo `instructor`):

- the dashboard's and the item analysis's first load under Streamlit's AppTest, as that
  instructor, with the report cache emptied before each (after one load that is not
  counted, so that every database starts with its file in the OS cache);
- `quiz-app report --responses` and `quiz-app report --items` (CSV to /dev/null), each in
  a fresh subprocess started by a small launcher: wall and CPU time, and peak RSS (that
  child's own, from os.wait4: a child forked from this process would count its memory).

The baseline is an empty script's AppTest run, taken before each first load, so both see
the same machine; `*_ratio` is a first load's median over the empty script's. `growth`
divides the largest size's figures by the smallest's, for the same-size cohort. Medians
of --repeat runs (3).

    python benchmarks/scale_bench.py                   # a summary; databases in a temp dir
    python benchmarks/scale_bench.py --dir ~/scale     # keep the databases, reuse them next time
    python benchmarks/scale_bench.py --json            # one JSON object
    python benchmarks/scale_bench.py --quick           # 60 and 120 learners x 3 attempts (CI)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboard_bench import PAGES, first_load_ms, run_ms
from export_bench import measured
from streamlit.testing.v1 import AppTest

import quiz_app
from quiz_app.accounts import User
from quiz_app.demo import DEMO_INSTRUCTOR
from quiz_app.store import Store
from quiz_app.testing import run_as_served

SIZES = (1_000, 3_000, 10_000)
COHORT_SIZE = 1_000
ATTEMPTS = 20
QUICK = {"sizes": (60, 120), "cohort_size": 60, "attempts": 3, "repeat": 1}
SEED = 1
# The subprocesses run the quiz_app this process imported (a worktree's, not another).
CODE_ROOT = str(Path(quiz_app.__file__).resolve().parent.parent)


@dataclass(frozen=True)
class Database:
    learners: int
    cohorts: int
    attempts: int
    seed: int

    @property
    def name(self) -> str:
        return f"demo-{self.learners}x{self.attempts}-k{self.cohorts}-s{self.seed}.db"


def run_child(args: list[str]) -> tuple[float, float, float]:
    """Run `python -m quiz_app ARGS` (stdout discarded); its wall seconds, CPU seconds
    (user and system: on a busy machine, wall time includes waiting for a core) and peak
    RSS in MB, the command's own (`export_bench.measured`); exits when it fails."""
    paths = [CODE_ROOT, *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    return measured([sys.executable, "-m", "quiz_app", *args], subprocess.DEVNULL, env=env)


def instructor_of(path: Path) -> User | None:
    """The demo instructor of a database, or None when it holds no (complete) demo."""
    store = Store(path)
    row = store.user_by_username(DEMO_INSTRUCTOR)
    store.close(wait=True)
    return User.from_row(row) if row else None


def build(folder: Path, db: Database) -> tuple[Path, dict[str, float] | None]:
    """The database's file, built unless `folder` has it; the build's figures, if built."""
    path = folder / db.name
    if path.exists() and instructor_of(path) is not None:
        return path, None
    wall, cpu, rss = run_child(
        ["demo-data", "--db", str(path), "--learners", str(db.learners),
         "--attempts", str(db.attempts), "--seed", str(db.seed), "--cohorts", str(db.cohorts)]
    )  # fmt: skip
    return path, {"wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "peak_rss_mb": round(rss)}


def measure(path: Path, repeat: int, empty: AppTest, empties: list[float]) -> dict[str, Any]:
    """The first cohort's figures on one database; runs `empty` before each first load,
    adding its times to `empties`."""
    user = instructor_of(path)
    assert user is not None, path
    store = Store(path)
    cohort = store.cohorts_of(user.id)[-1]  # the instructor's one cohort
    members = store.query(
        "SELECT count(*) AS n FROM memberships WHERE cohort_id = ?", (cohort["id"],)
    )[0]["n"]
    store.close(wait=True)
    os.environ["QUIZ_DB"] = str(path)
    figures: dict[str, Any] = {"cohort_learners": members}
    for name, page in PAGES.items():
        first_load_ms(user, page)  # not counted: reads the file into the OS cache
        loads = []
        for _ in range(repeat):
            empties.append(run_ms(empty))
            loads.append(first_load_ms(user, page))
        figures[f"{name}_first_ms"] = statistics.median(loads)
    code = cohort["join_code"]
    for kind in ("responses", "items"):
        runs = [
            run_child(["report", "--db", str(path), "--cohort", code, f"--{kind}"])
            for _ in range(repeat)
        ]
        figures[f"report_{kind}_s"] = round(statistics.median(w for w, _, _ in runs), 2)
        figures[f"report_{kind}_cpu_s"] = round(statistics.median(c for _, c, _ in runs), 2)
        figures[f"report_{kind}_rss_mb"] = round(statistics.median(r for _, _, r in runs))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="tiny databases (CI)")
    parser.add_argument("--learners", type=int, nargs="+", help="database sizes")
    parser.add_argument("--attempts", type=int, help="attempts per learner")
    parser.add_argument("--cohort-size", type=int, help="learners per cohort")
    parser.add_argument("--repeat", type=int, help="runs per figure (median)")
    parser.add_argument("--dir", type=Path, help="keep the databases here, and reuse them")
    args = parser.parse_args()
    run_as_served()
    plan = QUICK if args.quick else {}
    sizes = sorted(args.learners or plan.get("sizes", SIZES))
    cohort_size = args.cohort_size or plan.get("cohort_size", COHORT_SIZE)
    attempts = args.attempts or plan.get("attempts", ATTEMPTS)
    repeat = args.repeat or plan.get("repeat", 3)
    databases = {str(n): Database(n, max(1, n // cohort_size), attempts, SEED) for n in sizes}
    databases["whole_cohort"] = Database(sizes[-1], 1, attempts, SEED)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        empty_script = Path(tmp) / "empty.py"
        empty_script.write_text("")
        empty = AppTest.from_file(str(empty_script), default_timeout=600)
        empty.run()
        empties: list[float] = []
        results: dict[str, dict[str, Any]] = {}
        for key, db in databases.items():
            path, built = build(folder, db)
            results[key] = {
                "learners": db.learners,
                "cohorts": db.cohorts,
                "db_mb": round(path.stat().st_size / 1e6),
                "build": built,
                **measure(path, repeat, empty, empties),
            }
    empty_ms = statistics.median(empties)
    for figures in results.values():
        for name in PAGES:
            figures[f"{name}_ratio"] = round(figures[f"{name}_first_ms"] / empty_ms, 1)
            figures[f"{name}_first_ms"] = round(figures[f"{name}_first_ms"], 1)
    small, large = results[str(sizes[0])], results[str(sizes[-1])]
    growth_keys = [f"{name}_first_ms" for name in PAGES] + [
        "report_responses_s", "report_responses_rss_mb", "report_items_s", "report_items_rss_mb"
    ]  # fmt: skip
    result = {
        "empty_ms": round(empty_ms, 2),
        "attempts_per_learner": attempts,
        "cohort_size": cohort_size,
        "seed": SEED,
        "repeat": repeat,
        "sizes": {key: results[key] for key in map(str, sizes)},
        "whole_cohort": results["whole_cohort"],
        "growth": {
            "of": f"{sizes[-1]} vs {sizes[0]} learners, the same {cohort_size}-learner cohort",
            **{k: round(large[k] / small[k], 2) if small[k] else None for k in growth_keys},
        },
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"empty script {result['empty_ms']} ms; medians of {repeat}")
    for figures in [*result["sizes"].values(), result["whole_cohort"]]:
        built = figures["build"]
        print(
            f"{figures['learners']:>6} learners in {figures['cohorts']} cohort(s), "
            f"cohort of {figures['cohort_learners']}: dashboard {figures['dashboard_first_ms']} ms "
            f"(x{figures['dashboard_ratio']}), items {figures['items_first_ms']} ms "
            f"(x{figures['items_ratio']}); report --responses {figures['report_responses_s']} s "
            f"{figures['report_responses_rss_mb']} MB, --items {figures['report_items_s']} s "
            f"{figures['report_items_rss_mb']} MB"
            + (
                f"; built in {built['wall_s']} s ({built['cpu_s']} s CPU), "
                f"{built['peak_rss_mb']} MB"
                if built
                else ""
            )
        )
    print("growth " + json.dumps(result["growth"]))


if __name__ == "__main__":
    main()
