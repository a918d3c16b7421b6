"""What the live server costs under load: N learners in one chromium, against a one-button app.

For each N, `quiz-app serve` runs on a copy of the database (each learner signs in,
starts practice and answers in a loop: choose an option, check, next) and a one-button
Streamlit app runs the same way (`streamlit run`, the same server options; each click
is one answer). Both get a fresh server per N, in the same chromium (one browser, one
context per learner), alternately, so both see the same machine. Reported per N and app:

- answers per second over the window, and the p50/p95 round-trip of each click that
  waits for the server (click until the expected element is shown and the run is over);
- errors: exceptions or the app's failure message on a page, JavaScript errors, actions
  that timed out, and failures the server logged;
- server CPU seconds per answer (/proc/PID/stat utime+stime, before and after the window)
  and server memory per session ((VmRSS with N sessions - VmRSS before) / N);
- the browser's CPU per answer (every chromium process under this one, from /proc),
- and the ratios quiz / bare of the three costs.

    python benchmarks/load_bench.py --db /path/demo.db   # N = 1 5 10 20, 60 s each
    python benchmarks/load_bench.py --learners 5 --seconds 30 --json
    python benchmarks/load_bench.py --quick --json       # N = 1 and 2, a few seconds (CI)

Without --db a demo database is generated (1,000 learners x 20 attempts; --quick: 30 x 3).
The database given is copied, never written. Every wait has a timeout, so a run always ends.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from quiz_app.cli import streamlit_command
from quiz_app.demo import DEMO_PASSWORD
from quiz_app.testing import Server, free_port, serving

CHROMIUM = "/usr/bin/chromium"
ACTION_TIMEOUT_MS = 30_000
OPEN_TIMEOUT_MS = 120_000  # signing N learners in at once is the slowest part
START_TIMEOUT_S = 90
TICKS = os.sysconf("SC_CLK_TCK")
PROGRESS = re.compile(r"^Question (\d+) of (\d+) · (\d+) answered$")
UNEXPECTED = "Something went wrong on the server"
BARE_APP = """\
import streamlit as st


def answer() -> None:
    st.session_state["answers"] = st.session_state.get("answers", 0) + 1


st.button("Answer", key="answer", on_click=answer)
st.write(f"Answers: {st.session_state.get('answers', 0)}")
"""


# --- the servers -------------------------------------------------------------------


def quiz_command(db: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "quiz_app", "serve", "--db", str(db), "--port", str(port),
            "--host", "127.0.0.1"]  # fmt: skip


def bare_command(script: Path, port: int) -> list[str]:
    return streamlit_command(script, port, "127.0.0.1")


# --- /proc -------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process (all its threads) so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        tree.setdefault(parent, []).append(int(entry))
    return tree


def browser_cpu() -> dict[int, float]:
    """CPU seconds of each chromium process descended from this one, by pid."""
    tree, found, todo = _children(), {}, list(_children().get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        todo.extend(tree.get(pid, []))
        try:
            if "chrom" in os.path.realpath(f"/proc/{pid}/exe"):
                found[pid] = cpu_seconds(pid)
        except OSError:
            continue
    return found


def browser_cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two `browser_cpu` readings (a process that started since counts
    from 0; one that ended is lost, but none ends while the contexts stay open)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


# --- learners in the browser --------------------------------------------------------


@dataclass
class Tally:
    answers: int = 0
    round_trips: list[float] = field(default_factory=list)
    page_errors: int = 0
    timeouts: int = 0
    js_errors: int = 0
    not_signed_in: int = 0
    driver_errors: int = 0


async def settle(page) -> None:
    await page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()


async def timed_click(page, button, shown, tally: Tally) -> None:
    """Click, then wait until `shown` is on the page and the run is over; counts an
    exception or the app's failure message on the page as an error."""
    started = time.perf_counter()
    await button.click()
    await shown.first.wait_for()
    await settle(page)
    tally.round_trips.append((time.perf_counter() - started) * 1000)
    failures = page.locator('[data-testid="stException"]').or_(page.get_by_text(UNEXPECTED))
    if await failures.count():
        tally.page_errors += 1
        await page.reload()


class Learner:
    """One browser context signed in as one learner, answering practice questions."""

    def __init__(self, browser, url: str, username: str | None) -> None:
        self.browser, self.url, self.username = browser, url, username
        self.tally = Tally()

    async def open(self) -> bool:
        """Open the app and sign in; False (counted as an error) when that timed out."""
        self.context = await self.browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(OPEN_TIMEOUT_MS)
        self.page = await self.context.new_page()
        self.page.on("pageerror", lambda _: setattr(self.tally, "js_errors",
                                                    self.tally.js_errors + 1))  # fmt: skip
        try:
            await self.sign_in()
        except Exception as exc:
            if "Timeout" not in type(exc).__name__:
                raise
            self.tally.not_signed_in += 1
            return False
        self.context.set_default_timeout(ACTION_TIMEOUT_MS)
        return True

    async def sign_in(self) -> None:
        await self.page.goto(self.url, timeout=OPEN_TIMEOUT_MS)
        if self.username is None:
            await self.page.get_by_text("Answers: ").wait_for()
            await settle(self.page)
            return
        form = self.page.get_by_test_id("stForm").first
        await form.wait_for()
        await settle(self.page)  # a box drawn while the run goes on can lose what is typed
        await form.get_by_role("textbox", name="Username").fill(self.username)
        await form.get_by_role("textbox", name="Password").fill(DEMO_PASSWORD)
        await settle(self.page)
        await form.get_by_role("button", name="Sign in").click()
        await self.page.get_by_role("heading", name=re.compile("^Welcome")).wait_for()
        await settle(self.page)

    async def close(self) -> None:
        await self.context.close()

    async def run(self, until: float) -> None:
        while time.monotonic() < until:
            try:
                await (self.step_bare() if self.username is None else self.step_quiz())
            except Exception as exc:  # a timeout, or a page that went away mid-click
                if "Timeout" in type(exc).__name__:
                    self.tally.timeouts += 1
                else:
                    self.tally.driver_errors += 1
                    print(f"{self.username}: {exc!r}"[:500], file=sys.stderr)
                with contextlib.suppress(Exception):
                    await self.page.reload()

    async def step_bare(self) -> None:
        page = self.page
        text = await page.get_by_text(re.compile(r"^Answers: \d+$")).inner_text()
        done = int(text.split()[1])
        shown = page.get_by_text(f"Answers: {done + 1}", exact=True)
        await timed_click(page, page.get_by_role("button", name="Answer"), shown, self.tally)
        self.tally.answers += 1

    async def step_quiz(self) -> None:
        """One move from whatever the page shows: answer the question and go to the next,
        or (after the last one) start practice again from the Start page."""
        page = self.page
        progress = page.get_by_text(PROGRESS)
        start = page.get_by_role("button", name="Start practice")
        replace = page.get_by_role("button", name="End it and start the new one")
        review = page.get_by_text("Review your answers", exact=True)
        await progress.or_(start).or_(replace).or_(review).first.wait_for()
        await settle(page)
        if await replace.count():
            await replace.click()
            await progress.wait_for()
        elif await start.count():
            await page.get_by_role("slider").focus()
            await page.keyboard.press("End")  # the longest practice: fewer restarts
            await start.click()
            await progress.or_(replace).first.wait_for()
        elif await review.count():
            await page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Start").click()
            await start.wait_for()
        else:
            await self.answer_question(progress)

    async def answer_question(self, progress) -> None:
        page, tally = self.page, self.tally
        position, total, _ = map(int, PROGRESS.match(await progress.inner_text()).groups())
        check = page.get_by_role("button", name="Check answer")
        if await check.count():
            await self.choose()
            after = page.get_by_role(
                "button", name=re.compile("^(Next question|Finish and see my score)$")
            )
            await timed_click(page, check, after, tally)
        if position < total:
            following = page.get_by_text(f"Question {position + 1} of {total} · ", exact=False)
            await timed_click(
                page, page.get_by_role("button", name="Next question"), following, tally
            )
        else:
            await timed_click(
                page,
                page.get_by_role("button", name="Finish and see my score"),
                page.get_by_text("Review your answers", exact=True),
                tally,
            )
        tally.answers += 1

    async def choose(self) -> None:
        """Give a whole answer of any type: the first choice, or option k for the k-th box
        (distinct places for an ordering, a match for every item of a matching)."""
        form = self.page.get_by_test_id("stForm")
        radios = form.get_by_test_id("stRadio").get_by_role("radiogroup").locator("label")
        if await radios.count():
            await radios.first.click()
            return
        boxes = form.get_by_test_id("stCheckbox").locator("label")
        if await boxes.count():
            await boxes.first.click()
            return
        selects = form.get_by_test_id("stSelectbox")
        for k in range(await selects.count()):
            await self.pick(selects.nth(k), k)

    async def pick(self, select, k: int) -> None:
        """Choose option k in a select box: open it and see its list (a click while the
        list of the box before is still closing can be taken by that list and open
        nothing, so the box is clicked again), click the option, see the list close."""
        listbox = self.page.get_by_role("listbox")
        for _ in range(3):
            await select.get_by_role("combobox").click()
            try:
                await listbox.wait_for(timeout=2000)
                break
            except Exception as exc:
                if "Timeout" not in type(exc).__name__:
                    raise
        await listbox.get_by_role("option").nth(k).click()
        await listbox.wait_for(state="detached")


# --- one measurement ----------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def server_failures(log: Path) -> int:
    text = log.read_text(errors="replace")
    return text.count("Traceback") + text.count("a page run failed")


async def measure(browser, server: Server, usernames: list[str | None], seconds: float) -> dict:
    """Warm the server up with one visitor, then run len(usernames) learners for `seconds`."""
    warm = Learner(browser, server.url, usernames[0])
    if await warm.open():
        with contextlib.suppress(Exception):
            await warm.run(time.monotonic() + 1)
    await warm.close()
    rss_before = rss_mb(server.pid)
    learners = [Learner(browser, server.url, name) for name in usernames]
    opened = await asyncio.gather(*(learner.open() for learner in learners))
    cpu_before, chrome_before = cpu_seconds(server.pid), browser_cpu()
    started = time.monotonic()
    running = [learner for learner, ok in zip(learners, opened, strict=True) if ok]
    await asyncio.gather(*(learner.run(started + seconds) for learner in running))
    elapsed = time.monotonic() - started
    cpu, chrome = (
        cpu_seconds(server.pid) - cpu_before,
        browser_cpu_between(chrome_before, browser_cpu()),
    )
    rss_after = rss_mb(server.pid)
    await asyncio.gather(*(learner.close() for learner in learners))
    tallies = [learner.tally for learner in learners]
    trips = [t for tally in tallies for t in tally.round_trips]
    answers = sum(t.answers for t in tallies)
    errors = {
        "page": sum(t.page_errors for t in tallies),
        "timeouts": sum(t.timeouts for t in tallies),
        "not_signed_in": sum(t.not_signed_in for t in tallies),
        "driver": sum(t.driver_errors for t in tallies),
        "javascript": sum(t.js_errors for t in tallies),
        "server_log": server_failures(server.log),
    }
    per_answer = max(answers, 1)
    return {
        "answers": answers,
        "answers_per_s": round(answers / elapsed, 2),
        "p50_ms": round(percentile(trips, 0.5), 1),
        "p95_ms": round(percentile(trips, 0.95), 1),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "server_cpu_ms_per_answer": round(1000 * cpu / per_answer, 1),
        "browser_cpu_ms_per_answer": round(1000 * chrome / per_answer, 1),
        "rss_before_mb": round(rss_before, 1),
        "rss_after_mb": round(rss_after, 1),
        "memory_mb_per_session": round((rss_after - rss_before) / len(usernames), 2),
        "seconds": round(elapsed, 1),
    }


def ratio(quiz: float, bare: float) -> float | None:
    return round(quiz / bare, 2) if bare > 0 else None


async def run_all(db: Path, counts: list[int], seconds: float, folder: Path) -> dict:
    from playwright.async_api import async_playwright

    bare_script = folder / "bare_app.py"
    bare_script.write_text(BARE_APP)
    results: dict[str, dict] = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu",
                  "--disable-dev-shm-usage"],
        )  # fmt: skip
        try:
            for n in counts:
                row = {}
                # The bare app first on odd N, the quiz first on even N: neither always
                # meets the machine as the other one left it.
                order = ("bare", "quiz") if n % 2 else ("quiz", "bare")
                for app in order:
                    port = free_port()
                    if app == "quiz":
                        copy = folder / f"quiz-{n}.db"
                        shutil.copyfile(db, copy)
                        command = quiz_command(copy, port)
                        names: list[str | None] = [f"learner{i:04d}" for i in range(1, n + 1)]
                    else:
                        command, names = bare_command(bare_script, port), [None] * n
                    with serving(
                        command, port, folder / f"{app}-{n}.log", START_TIMEOUT_S
                    ) as server:
                        row[app] = await measure(browser, server, names, seconds)
                quiz, bare = row["quiz"], row["bare"]
                row["ratios"] = {
                    key: ratio(quiz[key], bare[key])
                    for key in (
                        "server_cpu_ms_per_answer",
                        "browser_cpu_ms_per_answer",
                        "memory_mb_per_session",
                        "p50_ms",
                    )
                }
                results[str(n)] = row
        finally:
            await browser.close()
    return results


def demo_database(path: Path, learners: int, attempts: int) -> Path:
    from quiz_app.course import load_course
    from quiz_app.demo import generate
    from quiz_app.store import Store

    store = Store(path)
    generate(store, load_course(), learners=learners, attempts=attempts, seed=1)
    store.close(wait=True)
    return path


def print_table(results: dict, seconds: float) -> None:
    print(f"{seconds:g} s per run; server and browser CPU per answer, memory per session")
    head = (f"{'N':>3} {'app':<5} {'ans/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6} "
            f"{'srv ms/ans':>10} {'brw ms/ans':>10} {'MB/session':>10}")  # fmt: skip
    print(head)
    for n, row in results.items():
        for app in ("quiz", "bare"):
            r = row[app]
            print(f"{n:>3} {app:<5} {r['answers_per_s']:>6} {r['p50_ms']:>7} {r['p95_ms']:>7} "
                  f"{r['errors']:>6} {r['server_cpu_ms_per_answer']:>10} "
                  f"{r['browser_cpu_ms_per_answer']:>10} "
                  f"{r['memory_mb_per_session']:>10}")  # fmt: skip
        ratios = row["ratios"]
        print(f"{n:>3} ratio quiz/bare: server CPU {ratios['server_cpu_ms_per_answer']}x, "
              f"browser CPU {ratios['browser_cpu_ms_per_answer']}x, "
              f"memory {ratios['memory_mb_per_session']}x, p50 {ratios['p50_ms']}x")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, nargs="+", default=None, help="values of N")
    parser.add_argument("--seconds", type=float, default=None, help="window per run")
    parser.add_argument("--db", type=Path, default=None, help="demo database (copied)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="N = 1 and 2, a few seconds (CI)")
    args = parser.parse_args()
    counts = args.learners or ([1, 2] if args.quick else [1, 5, 10, 20])
    seconds = args.seconds or (4.0 if args.quick else 60.0)
    with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp:
        folder = Path(tmp)
        if args.db is not None:
            db = args.db
        elif args.quick:
            db = demo_database(folder / "demo.db", 30, 3)
        else:
            db = demo_database(folder / "demo.db", 1_000, 20)
        results = asyncio.run(run_all(db, counts, seconds, folder))
    figures = {"seconds": seconds, "learners": counts, "runs": results}
    if args.json:
        print(json.dumps(figures))
    else:
        print_table(results, seconds)


if __name__ == "__main__":
    main()
