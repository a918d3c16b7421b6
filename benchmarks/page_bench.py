"""How long the question page takes to run, against an empty Streamlit script.

Builds a demo database (1,000 learners x 20 attempts by default), signs in a learner
who is half-way through the post-test, opens the question page under Streamlit's
AppTest and times one interaction at a time: "Next" and "Previous" clicks, each one
run of the page (routing, the session check, loading the attempt, drawing the
question). It also times saving an answer. The baseline is an empty script's AppTest
run in the same process, taken alternately with the page's runs so that both see the
same machine. Medians of every sample are reported.

    python benchmarks/page_bench.py            # a summary
    python benchmarks/page_bench.py --json     # {"empty_ms", "question_page_ms", "ratio", ...}
    python benchmarks/page_bench.py --quick    # a smaller database, for CI
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from streamlit.testing.v1 import AppTest

import quiz_app.attempts as attempts_module
from quiz_app.accounts import Accounts
from quiz_app.attempts import Attempts
from quiz_app.course import load_course
from quiz_app.demo import generate
from quiz_app.scoring import correct_answer
from quiz_app.store import Store
from quiz_app.testing import APP, compile_pages_once, fill_answer, sign_in_as

SAMPLES = 100
DRAW_SEED = 7


def timed(at: AppTest, act) -> float:
    """Prepare one interaction with `act`, run the page once; milliseconds."""
    act(at)
    started = time.perf_counter()
    at.run()
    elapsed = (time.perf_counter() - started) * 1000
    assert not at.exception, at.exception
    return elapsed


def empty_app(folder: Path) -> AppTest:
    script = folder / "empty.py"
    script.write_text("")
    return AppTest.from_file(str(script), default_timeout=30).run()


def question_page(db: Path, learners: int, attempts: int) -> tuple[AppTest, int, list, Store]:
    """A demo database and a learner half-way through the post-test, on the question page."""
    course = load_course()
    store = Store(db)
    summary = generate(store, course, learners=learners, attempts=attempts, seed=1)
    accounts = Accounts(store)
    learner = accounts.sign_up("bench-learner", "Bench Learner", "bench-password")
    accounts.join(learner, summary.cohort_code)
    service = Attempts(store, course)
    # The same draw every run, so the two questions timed are the same ones each time
    # (a matching question draws more widgets than a true/false one).
    attempts_module.secrets = SimpleNamespace(randbits=random.Random(DRAW_SEED).getrandbits)  # type: ignore[assignment]
    attempt = service.start(learner.id, course.post_test)
    half = len(attempt.slots) // 2
    for slot in attempt.slots[:half]:
        service.answer(attempt, slot.question_id, correct_answer(course.question(slot.question_id)))
    service.move(attempt, half)
    os.environ["QUIZ_DB"] = str(db)
    at = AppTest.from_file(APP, default_timeout=30)
    sign_in_as(at, learner)
    at.switch_page("views/quiz.py")
    at.run()
    at.run()
    return at, attempt.id, [course.question(s.question_id) for s in attempt.slots], store


def measure(folder: Path, learners: int, attempts: int, samples: int) -> dict[str, float]:
    """Alternate an empty-script run and a question-page interaction, so both see the
    same machine; then time saving the remaining answers."""
    empty = empty_app(folder)
    at, attempt_id, questions, store = question_page(folder / "bench.db", learners, attempts)
    empty_times, page_times = [], []
    for n in range(samples):
        empty_times.append(timed(empty, lambda _: None))
        name = "next" if n % 2 == 0 else "prev"
        page_times.append(
            timed(at, lambda app, name=name: app.button(key=f"{name}-{attempt_id}").click())
        )

    def save_current(app: AppTest) -> None:
        position = app.session_state[f"position-{attempt_id}"]
        question = questions[position]
        key = f"a{attempt_id}-{question.id}"
        fill_answer(app, key, question, correct_answer(question))  # the run saves it

    saves = []
    for index in range(len(questions) // 2, len(questions)):  # the unanswered half
        at.pills(key=f"palette-{attempt_id}").set_value(index).run()  # not timed
        saves.append(timed(at, save_current))
    return {
        "empty_ms": statistics.median(empty_times),
        "question_page_ms": statistics.median(page_times),
        "answer_save_ms": statistics.median(saves),
        "responses_in_db": store.query("SELECT count(*) AS n FROM responses")[0]["n"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="a smaller database (CI)")
    parser.add_argument("--learners", type=int, default=None)
    parser.add_argument("--attempts", type=int, default=20)
    args = parser.parse_args()
    learners = args.learners or (100 if args.quick else 1_000)
    compile_pages_once()
    with tempfile.TemporaryDirectory() as tmp:
        figures = measure(Path(tmp), learners, args.attempts, SAMPLES)
    result = {
        "empty_ms": round(figures["empty_ms"], 2),
        "question_page_ms": round(figures["question_page_ms"], 2),
        "ratio": round(figures["question_page_ms"] / figures["empty_ms"], 2),
        "answer_save_ms": round(figures["answer_save_ms"], 2),
        "learners": learners,
        "attempts_per_learner": args.attempts,
        "responses_in_db": figures["responses_in_db"],
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"empty script {result['empty_ms']} ms; question page {result['question_page_ms']} ms "
            f"(ratio {result['ratio']}); saving an answer {result['answer_save_ms']} ms; "
            f"{learners} learners, {result['responses_in_db']} answers in the database"
        )


if __name__ == "__main__":
    main()
