"""How fast, and in how little memory, `quiz-app report` exports, against the sqlite3 shell.

Builds a demo database (`quiz-app demo-data`: 10,000 learners x 20 attempts by default),
or reuses one (`--db PATH`, upgraded first as the app opens it: pending migrations are
applied and WAL mode set, since `quiz-app report` only reads a database that is up to
date), then runs each of these in a fresh process, interleaved, several times:

- `quiz-app report --responses` (every answer of the cohort, CSV), to a file;
- the baseline: the `sqlite3` shell with `-csv` running the SELECT of the export's rows
  (`Store.response_export_sql`: the same rows, in the same order, that the CSV, put
  together by SQLite from cells the app writes, has one line for each), to a file;
- `quiz-app report --items` and the gradebook (`quiz-app report`).

Wall time and peak resident memory (the child's own, from `os.wait4`) are reported as
medians; `ratio` is the responses export's median time over the sqlite3 shell's. Both
outputs' rows are counted, and must match.

    python benchmarks/export_bench.py                 # a summary
    python benchmarks/export_bench.py --json          # one JSON object
    python benchmarks/export_bench.py --quick         # a small database, one run (CI)
    python benchmarks/export_bench.py --db demo.db    # an existing database
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO

from quiz_app.store import Store

REPORTS = {"responses": ["--responses"], "items": ["--items"], "gradebook": []}


# Measures one command from a small process of its own: a child's peak memory counts the
# memory of the process it was forked from (Linux keeps the high-water mark across exec),
# so the benchmark's own must stay out of it.
LAUNCHER = """
import os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
with open(sys.argv[1], "w") as out:
    out.write(f"{wall} {usage.ru_utime + usage.ru_stime} {usage.ru_maxrss}"
              f" {os.waitstatus_to_exitcode(status)}")
"""


def measured(
    args: list[str], stdout: IO[str] | int, stdin: str | None = None, env: dict | None = None
) -> tuple[float, float, float]:
    """Run `args` in a fresh process started by a small one, with stdout to `stdout`;
    returns (wall seconds, CPU seconds, peak RSS in MB: the command's own). Exits with
    the command's error output when it fails."""
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryFile("w+") as stderr:
        figures = Path(folder) / "figures"
        subprocess.run(
            [sys.executable, "-S", "-c", LAUNCHER, str(figures), *args],
            input=stdin or "", stdout=stdout, stderr=stderr, text=True, check=True, env=env,
        )  # fmt: skip
        wall, cpu, peak_kb, status = figures.read_text().split()
        if status != "0":
            stderr.seek(0)
            sys.exit(f"{' '.join(args[:4])} failed:\n{stderr.read()}")
    return float(wall), float(cpu), int(peak_kb) / 1024  # ru_maxrss is in KB on Linux


def run(args: list[str], out: Path, stdin: str | None = None) -> tuple[float, float]:
    """Run `args` with stdout to `out`; returns (wall seconds, peak RSS in MB)."""
    with out.open("w") as stdout:
        wall, _, peak = measured(args, stdout, stdin)
    return wall, peak


def csv_rows(path: Path) -> int:
    with path.open(newline="") as text:
        return sum(1 for _ in csv.reader(text))


def the_cohort(db: Path) -> tuple[int, str, int]:
    """(id, join code, members) of the cohort with the most attempts."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(
            "SELECT c.id, c.join_code, (SELECT count(*) FROM memberships m"
            " WHERE m.cohort_id = c.id) FROM cohorts c"
            " ORDER BY (SELECT count(*) FROM attempts a WHERE a.cohort_id = c.id) DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()


def measure(db: Path, folder: Path, runs: int, sqlite3_shell: str) -> dict:
    cohort_id, code, learners = the_cohort(db)
    store = Store(db)
    sql, params = store.response_export_sql(cohort_id)
    store.close(wait=True)
    shell_input = "".join(f".parameter set ?{n} {v!r}\n" for n, v in enumerate(params, 1))
    shell_input += sql + ";\n"
    report = [sys.executable, "-m", "quiz_app", "report", "--db", str(db), "--cohort", code]
    commands = {name: (report + extra, None) for name, extra in REPORTS.items()}
    commands["sqlite3"] = ([sqlite3_shell, "-csv", str(db)], shell_input)
    order = ["responses", "sqlite3", "items", "gradebook"]
    outputs = {name: folder / f"{name}.csv" for name in order}
    walls: dict[str, list[float]] = {name: [] for name in order}
    peaks: dict[str, list[float]] = {name: [] for name in order}
    for round_ in range(runs + 1):  # round 0 warms the caches
        for name in order:
            args, stdin = commands[name]
            wall, peak = run(args, outputs[name], stdin)
            if round_:
                walls[name].append(wall)
                peaks[name].append(peak)
    rows = {
        "responses": csv_rows(outputs["responses"]) - 1,
        "sqlite3": csv_rows(outputs["sqlite3"]),
    }
    figures = {
        name: {
            "wall_s": round(statistics.median(walls[name]), 3),
            "peak_mb": round(statistics.median(peaks[name]), 1),
        }
        for name in order
    }
    for name, count in rows.items():
        figures[name]["rows"] = count
    return {
        **figures,
        "ratio": round(
            statistics.median(walls["responses"]) / statistics.median(walls["sqlite3"]), 2
        ),
        "rows_match": rows["responses"] == rows["sqlite3"],
        "peak_mb_max": max(figures[name]["peak_mb"] for name in REPORTS),
        "learners": learners,
        "runs": runs,
    }


def build(db: Path, learners: int, attempts: int) -> None:
    subprocess.run(
        [sys.executable, "-m", "quiz_app", "demo-data", "--db", str(db), "--learners",
         str(learners), "--attempts", str(attempts)],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="a small database, one run (CI)")
    parser.add_argument("--db", type=Path, help="reuse this database instead of building one")
    parser.add_argument("--learners", type=int, default=None)
    parser.add_argument("--attempts", type=int, default=20)
    parser.add_argument("--runs", type=int, default=None, help="runs of each (default 3)")
    args = parser.parse_args()
    shell = shutil.which("sqlite3")
    if shell is None:
        sys.exit("the sqlite3 shell is not installed (Debian: apt-get install sqlite3)")
    runs = args.runs or (1 if args.quick else 3)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = args.db
        if db is None:
            db = folder / "bench.db"
            build(db, args.learners or (60 if args.quick else 10_000), args.attempts)
        result = measure(db.resolve(), folder, runs, shell)
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{result['learners']} learners, {result['responses']['rows']:,} answers, median of {runs}:"
    )
    for name in ("responses", "sqlite3", "items", "gradebook"):
        figures = result[name]
        label = "sqlite3 -csv" if name == "sqlite3" else f"report {name}"
        print(f"  {label:<18} {figures['wall_s']:>8.2f} s  {figures['peak_mb']:>8.1f} MB")
    print(
        f"responses export / sqlite3 -csv: {result['ratio']}x; rows match: "
        f"{result['rows_match']}; largest report peak {result['peak_mb_max']} MB"
    )


if __name__ == "__main__":
    main()
