"""How long the question page takes to run, against an empty Streamlit script.

Builds a demo database (1,000 learners x 20 attempts by default), signs in a learner
who is half-way through the post-test, opens the question page under Streamlit's
AppTest and times one interaction at a time: "Next" and "Previous" clicks, each one
run of the page (routing, the session check, loading the attempt, drawing the
question). It also times saving an answer.

Then spaced review, in the same database (whose demo learners have their cards), with
the course's banks and five more topics of 500 generated questions in all (a copy of
the shipped banks in a temporary folder, served as $QUIZ_BANKS_DIR): a learner who
answered all 500 in practice ten days ago, so that all 500 are due, opens the Start
page ("500 questions due today", "Review now"), each run timed; then starts "Review
now" (their cap set to 100) and answers its questions one by one, each "Check answer"
run timed (storing the answer, reviewing its card, drawing the feedback and the
confidence buttons). The Start page is also timed against its own elements drawn with
fixed texts and nothing behind them (benchmarks/start_layout.py): the floor no version
of the page can go under, whatever it does to fill them in.

The baseline is an empty script's AppTest run in the same process, taken alternately
with the pages' runs so that both see the same machine. Medians of every sample are
reported, each page as a ratio to the empty script's median of its own phase.

    python benchmarks/page_bench.py            # a summary
    python benchmarks/page_bench.py --json     # {"empty_ms", "question_page_ms", "ratio", ...}
    python benchmarks/page_bench.py --quick    # a smaller database, for CI
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import yaml
from streamlit.testing.v1 import AppTest

import quiz_app.attempts as attempts_module
from quiz_app.accounts import Accounts, User
from quiz_app.attempts import Attempts
from quiz_app.clock import ManualClock, SystemClock
from quiz_app.course import BANKS_ENV, SHIPPED_BANKS, Course, load_course
from quiz_app.demo import generate
from quiz_app.scoring import correct_answer
from quiz_app.spaced import SpacedReview
from quiz_app.store import Store
from quiz_app.testing import APP, fill_answer, run_as_served, sign_in_as

SAMPLES = 100
DRAW_SEED = 7
DUE_CARDS = 500  # the Start page's learner has this many questions due
REVIEW_CAP = 100  # their "Review now" quiz asks this many, each answer timed
REVIEW_ANSWERS = 50  # answers timed in the review quiz
BENCH_TOPICS = 5  # topics the due questions are spread over
LAYOUT = Path(__file__).with_name("start_layout.py")  # the Start page's elements alone


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


def bench_banks(folder: Path) -> Path:
    """The shipped banks and BENCH_TOPICS more topics, DUE_CARDS generated single-choice
    questions in all (each citing a passage a shipped question cites), each topic with a
    practice quiz asking all of its questions (a quiz asks 200 at most)."""
    banks = folder / "bench_banks"
    shutil.copytree(SHIPPED_BANKS, banks)
    cited = yaml.safe_load((banks / "fundamentals.yaml").read_text(encoding="utf-8"))
    source = cited["questions"][0]["sources"][0]
    quote = " ".join(source["quote"].split()[:8])
    quizzes = yaml.safe_load((banks / "quizzes.yaml").read_text(encoding="utf-8"))
    per_topic = DUE_CARDS // BENCH_TOPICS
    for t in range(BENCH_TOPICS):
        topic = f"bench{t + 1}"
        numbers = range(t * per_topic, (t + 1) * per_topic)
        questions = [
            {
                "id": f"bench-q{n:03d}",
                "type": "single",
                "objective": f"{topic}-recall",
                "level": "recall",
                "stem": f"Benchmark question {n}: which of these is the answer numbered {n}?",
                "choices": [
                    {"text": f"Answer {n}", "correct": True},
                    {"text": f"Answer {n + 1000}"},
                    {"text": f"Answer {n + 2000}"},
                ],
                "explanation": f"The answer numbered {n} is the one.",
                "sources": [{"doc": source["doc"], "quote": quote}],
            }
            for n in numbers
        ]
        bank = {
            "topic": topic,
            "title": f"Benchmark topic {t + 1}",
            "objectives": {f"{topic}-recall": "Recall the numbered answers."},
            "questions": questions,
        }
        (banks / f"{topic}.yaml").write_text(yaml.safe_dump(bank), encoding="utf-8")
        quizzes["quizzes"].append(
            {
                "id": f"practice-{topic}",
                "title": f"Practice: benchmark {t + 1}",
                "mode": "practice",
                "topics": [topic],
                "questions": per_topic,
            }
        )
    (banks / "quizzes.yaml").write_text(yaml.safe_dump(quizzes), encoding="utf-8")
    return banks


def reviewing_learner(store: Store, course: Course, cohort_code: str) -> tuple[User, int]:
    """A learner in the demo cohort who answered the bench topics' practice quizzes ten
    days ago (two in three right), through the app's own writes, so that each of their
    questions is a card due now; their review cap set to REVIEW_CAP."""
    accounts = Accounts(store)
    learner = accounts.sign_up("review-learner", "Review Learner", "bench-password")
    accounts.join(learner, cohort_code)
    clock = ManualClock(SystemClock().now() - timedelta(days=10))
    service = Attempts(store, course, clock)
    for quiz in course.practice_quizzes:
        if not quiz.id.startswith("practice-bench"):
            continue
        attempt = service.start(learner.id, quiz)
        for n, slot in enumerate(attempt.slots):
            question = course.question(slot.question_id)
            right = correct_answer(question)
            service.answer(attempt, slot.question_id, right if n % 3 else (right + 1) % 3)
            clock.advance(seconds=20)
        service.submit(service.load(attempt.id, learner.id))
    spaced = SpacedReview(store, course)
    spaced.set_cap(learner.id, REVIEW_CAP)
    due = len(spaced.due(learner.id))
    assert due == DUE_CARDS, due
    return learner, due


def start_page(user: User) -> AppTest:
    """The app on the Start page, signed in as `user`, after its first runs."""
    at = AppTest.from_file(APP, default_timeout=30)
    sign_in_as(at, user)
    at.switch_page("views/home.py")
    at.run()
    at.run()
    return at


def measure_reviews(folder: Path, db: Path, cohort_code: str, samples: int) -> dict[str, float]:
    """The Start page of a learner with DUE_CARDS questions due, and answering questions
    of their "Review now" quiz, each run alternated with an empty script's."""
    banks = bench_banks(folder)
    os.environ[BANKS_ENV] = str(banks)  # the app serves this course from now on
    course = load_course(banks)
    store = Store(db)
    learner, due = reviewing_learner(store, course, cohort_code)
    empty = empty_app(folder)
    newcomer = Accounts(store).sign_up("new-learner", "New Learner", "bench-password")
    fresh = start_page(newcomer)  # the Start page of a learner with nothing yet
    at = start_page(learner)
    assert any(f"{due} questions due today" in m.value for m in at.markdown), "no due count"
    layout = AppTest.from_file(str(LAYOUT), default_timeout=30).run()
    assert not layout.exception, layout.exception
    empty_times, start_times, fresh_times, layout_times = [], [], [], []
    for _ in range(samples):
        empty_times.append(timed(empty, lambda _: None))
        start_times.append(timed(at, lambda _: None))
        fresh_times.append(timed(fresh, lambda _: None))
        layout_times.append(timed(layout, lambda _: None))

    at.button(key="review-now").click().run()  # starts the review quiz: not timed
    attempt_id = at.session_state["attempt_id"]
    at.switch_page("views/quiz.py")  # AppTest does not follow switch_page
    at.run()
    attempt = Attempts(store, course).load(attempt_id, learner.id)
    assert attempt.quiz_id == "review" and len(attempt.slots) == REVIEW_CAP, attempt.quiz_id

    def check_answer(app: AppTest, question_id: str) -> None:
        question = course.question(question_id)
        key = f"a{attempt_id}-{question_id}"
        fill_answer(app, key, question, correct_answer(question))
        app.button(key=f"FormSubmitter:{key}-form-Check answer").click()

    review_times = []
    for slot in attempt.slots[:REVIEW_ANSWERS]:
        empty_times.append(timed(empty, lambda _: None))
        review_times.append(timed(at, lambda app, q=slot.question_id: check_answer(app, q)))
        at.button(key=f"next-{attempt_id}").click().run()  # not timed
    reviewed = store.query(
        "SELECT count(*) AS n FROM review_logs WHERE attempt_id = ?", (attempt_id,)
    )[0]["n"]
    assert reviewed == REVIEW_ANSWERS, reviewed
    return {
        "review_empty_ms": statistics.median(empty_times),
        "start_page_ms": statistics.median(start_times),
        "fresh_start_ms": statistics.median(fresh_times),
        "start_layout_ms": statistics.median(layout_times),
        "review_answer_ms": statistics.median(review_times),
        "due_cards": due,
    }


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
    figures = {
        "empty_ms": statistics.median(empty_times),
        "question_page_ms": statistics.median(page_times),
        "answer_save_ms": statistics.median(saves),
        "responses_in_db": store.query("SELECT count(*) AS n FROM responses")[0]["n"],
        "cards_in_db": store.query("SELECT count(*) AS n FROM cards")[0]["n"],
    }
    cohort_code = store.query("SELECT join_code FROM cohorts ORDER BY id LIMIT 1")[0]["join_code"]
    return figures | measure_reviews(folder, folder / "bench.db", cohort_code, samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="a smaller database (CI)")
    parser.add_argument("--learners", type=int, default=None)
    parser.add_argument("--attempts", type=int, default=20)
    args = parser.parse_args()
    learners = args.learners or (100 if args.quick else 1_000)
    run_as_served()
    with tempfile.TemporaryDirectory() as tmp:
        figures = measure(Path(tmp), learners, args.attempts, SAMPLES)
    result = {
        "empty_ms": round(figures["empty_ms"], 2),
        "question_page_ms": round(figures["question_page_ms"], 2),
        "ratio": round(figures["question_page_ms"] / figures["empty_ms"], 2),
        "answer_save_ms": round(figures["answer_save_ms"], 2),
        "review_empty_ms": round(figures["review_empty_ms"], 2),
        "start_page_ms": round(figures["start_page_ms"], 2),
        "start_page_ratio": round(figures["start_page_ms"] / figures["review_empty_ms"], 2),
        "fresh_start_ms": round(figures["fresh_start_ms"], 2),
        "start_page_vs_fresh": round(figures["start_page_ms"] / figures["fresh_start_ms"], 2),
        "start_layout_ms": round(figures["start_layout_ms"], 2),
        "start_layout_ratio": round(figures["start_layout_ms"] / figures["review_empty_ms"], 2),
        "start_page_vs_layout": round(figures["start_page_ms"] / figures["start_layout_ms"], 2),
        "review_answer_ms": round(figures["review_answer_ms"], 2),
        "review_answer_ratio": round(figures["review_answer_ms"] / figures["review_empty_ms"], 2),
        "due_cards": figures["due_cards"],
        "learners": learners,
        "attempts_per_learner": args.attempts,
        "responses_in_db": figures["responses_in_db"],
        "cards_in_db": figures["cards_in_db"],
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"empty script {result['empty_ms']} ms; question page {result['question_page_ms']} ms "
            f"(ratio {result['ratio']}); saving an answer {result['answer_save_ms']} ms; "
            f"{learners} learners, {result['responses_in_db']} answers in the database"
        )
        print(
            f"empty script {result['review_empty_ms']} ms; Start page with "
            f"{result['due_cards']} questions due {result['start_page_ms']} ms "
            f"(ratio {result['start_page_ratio']}; {result['start_page_vs_fresh']} times the Start "
            f"page of a learner with nothing yet, {result['fresh_start_ms']} ms; "
            f"{result['start_page_vs_layout']} times its elements drawn with nothing behind "
            f"them, {result['start_layout_ms']} ms, ratio {result['start_layout_ratio']}); "
            "answering a review question "
            f"{result['review_answer_ms']} ms (ratio {result['review_answer_ratio']}); "
            f"{result['cards_in_db']} demo cards in the database"
        )


if __name__ == "__main__":
    main()
