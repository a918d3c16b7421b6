"""A realistic synthetic cohort, for demos, screenshots and benchmarks.

Learners differ in ability and questions in difficulty, under a two-parameter
item-response model: P(right) = 1 / (1 + exp(-a (ability - difficulty))). Stronger
learners get harder questions right more often, so item statistics mean something;
two questions are deliberately bad (negative discrimination: stronger learners miss
them more) and show up as such in the item analysis. Activity is spread over weeks:
practice first, then post-test attempts until a pass or the allowance runs out; some
attempts are left unfinished and a few learners never start.

Everything comes from one seeded random generator, and timestamps count from a fixed
start date, so the same seed gives the same database.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from quiz_app import grading
from quiz_app.accounts import CODE_ALPHABET, CODE_LENGTH, INSTRUCTOR, LEARNER
from quiz_app.auth import hash_password
from quiz_app.bank import Question
from quiz_app.certificates import certificate_fields, new_code
from quiz_app.clock import iso
from quiz_app.course import Course
from quiz_app.errors import QuizError
from quiz_app.quiz import draw
from quiz_app.quizdef import QuizDef
from quiz_app.scoring import Answer, correct_answer, mark
from quiz_app.store import DATA_TABLES, Row, Store

DEMO_PASSWORD = "demo-password"
DEMO_INSTRUCTOR = "instructor"
DEFAULT_START = datetime(2026, 9, 7, tzinfo=UTC)
BAD_QUESTIONS = 2
LEVEL_DIFFICULTY = {"recall": -1.0, "understanding": 0.0, "application": 0.8}

FIRST_NAMES = [
    "Aisha",
    "Ben",
    "Chloé",
    "Dario",
    "Elif",
    "Femi",
    "Grace",
    "Hiro",
    "Ines",
    "Jakub",
    "Kavya",
    "Liam",
    "Maëlle",
    "Nadia",
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Valentina",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zoë",
    "Ana",
    "Björn",
    "Chiara",
    "Dmitri",
    "Esme",
    "Farah",
    "Gabriel",
    "Hana",
    "Ifeoma",
    "José",
    "Kofi",
    "Léa",
    "Mateo",
    "Niamh",
    "Olu",
    "Pilar",
    "Ravi",
    "Siobhán",
    "Tomás",
    "Ulla",
    "Vikram",
    "Wren",
    "Yara",
    "Zainab",
    "Łukasz",
    "Søren",
    "Ngozi",
    "Mei",
    "Aarav",
    "Freya",
    "Mohammed",
    "Camille",
]
LAST_NAMES = [
    "Okafor",
    "Müller",
    "Rossi",
    "Nguyen",
    "García",
    "Kowalski",
    "Haddad",
    "Tanaka",
    "O'Brien",
    "Silva",
    "Andersson",
    "Patel",
    "Dubois",
    "Novak",
    "Mensah",
    "Fernández",
    "Kim",
    "Schmidt",
    "Costa",
    "Jensen",
    "Ahmed",
    "Moreau",
    "Ivanova",
    "Walsh",
    "Hernández",
    "Yilmaz",
    "Lindqvist",
    "Adeyemi",
    "Bianchi",
    "Murphy",
    "Sato",
    "Kaur",
    "Papadopoulos",
    "Byrne",
    "Zhang",
    "Al-Sayed",
    "Fischer",
    "Dlamini",
    "Horvat",
    "Ortega",
    "Nakamura",
    "Ó Súilleabháin",
    "Achterberg",
    "Wójcik",
]


@dataclass(frozen=True)
class DemoSummary:
    learners: int
    never_started: int
    attempts: int
    unfinished: int
    responses: int
    passed: int
    cohort_code: str
    bad_questions: tuple[str, ...]


@dataclass
class _Rows:
    users: list[Row] = field(default_factory=list)
    cohorts: list[Row] = field(default_factory=list)
    memberships: list[Row] = field(default_factory=list)
    attempts: list[Row] = field(default_factory=list)
    responses: list[Row] = field(default_factory=list)
    question_versions: list[Row] = field(default_factory=list)
    certificates: list[Row] = field(default_factory=list)


def _item_parameters(course: Course, rng: random.Random) -> dict[str, tuple[float, float]]:
    """(discrimination, difficulty) per question; a couple are made deliberately bad."""
    params = {}
    for q in course.questions:
        a = rng.uniform(0.8, 2.0)
        b = LEVEL_DIFFICULTY[q.level] + rng.gauss(0, 0.6)
        params[q.id] = (a, b)
    # Bad questions sit mid-difficulty so their wrong-way slope shows, not floor or ceiling;
    # they are questions the post-test asks, so its item analysis shows them.
    post_test = course.post_test
    asked = sorted(q.id for q in course.questions if post_test is None or post_test.may_draw(q))
    for qid in rng.sample(asked, min(BAD_QUESTIONS, len(asked))):
        params[qid] = (-1.0, rng.uniform(-0.5, 0.5))
    return params


def _wrong_answer(question: Question, rng: random.Random) -> Answer:
    """A plausible wrong (or partly wrong) answer of the right shape."""
    right = correct_answer(question)
    if question.type == "true_false":
        return not right
    if question.type == "single":
        return rng.choice([i for i in range(len(question.choices)) if i != right])
    if question.type == "multiple":
        picked = set(right)  # type: ignore[arg-type]
        picked.discard(rng.choice(sorted(picked)))
        wrong = [i for i, c in enumerate(question.choices) if not c.correct]
        if rng.random() < 0.6:
            picked.add(rng.choice(wrong))
        return sorted(picked)
    items = list(right)  # type: ignore[arg-type]
    if question.type == "matching" and question.spares and rng.random() < 0.5:
        # Half the slips on a question with spares take a spare: the slip spares are for.
        items[rng.randrange(len(items))] = rng.randrange(len(items), len(question.rights))
        return items
    i, j = rng.sample(range(len(items)), 2)
    items[i], items[j] = items[j], items[i]
    return items


def _join_code(rng: random.Random) -> str:
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def generate(
    store: Store,
    course: Course,
    learners: int = 200,
    attempts: int = 12,
    seed: int = 1,
    start: datetime = DEFAULT_START,
) -> DemoSummary:
    """Fill `store` with an instructor, one cohort of `learners` and their attempts.

    Each active learner makes `attempts` attempts (practice, then the post-test).
    Raises QuizError when the course has no post-test or the demo accounts exist.
    """
    post_test = course.post_test
    practice = course.practice_quizzes
    if post_test is None or not practice:
        raise QuizError("demo data needs a post-test and practice quizzes in quizzes.yaml")
    if store.user_by_username(DEMO_INSTRUCTOR) is not None:
        raise QuizError(
            f'{store.path} already has a "{DEMO_INSTRUCTOR}" account; generate demo data '
            "into a new database file"
        )
    rng = random.Random(seed)
    ids = store.next_ids(["users", "cohorts", "attempts"])
    password = hash_password(DEMO_PASSWORD, salt=rng.randbytes(16))
    params = _item_parameters(course, rng)
    rows = _Rows()

    instructor_id = ids["users"]
    rows.users.append(
        {
            "id": instructor_id,
            "username": DEMO_INSTRUCTOR,
            "display_name": "Dr Morgan Ellis",
            "role": INSTRUCTOR,
            "password_hash": password,
            "created_at": iso(start - timedelta(days=14)),
        }
    )
    cohort_id = ids["cohorts"]
    code = _join_code(rng)
    rows.cohorts.append(
        {
            "id": cohort_id,
            "name": "Dry needling CE, autumn cohort",
            "join_code": code,
            "instructor_id": instructor_id,
            "starts_on": start.date().isoformat(),
            "ends_on": (start + timedelta(weeks=10)).date().isoformat(),
            "created_at": iso(start - timedelta(days=7)),
        }
    )
    simulation = _Simulation(course, params, rng, rows, ids["attempts"], cohort_id)
    never_started = 0
    for n in range(learners):
        user_id = instructor_id + 1 + n
        joined = start + timedelta(days=rng.uniform(0, 14), hours=rng.uniform(8, 20))
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        rows.users.append(
            {
                "id": user_id,
                "username": f"learner{n + 1:04d}",
                "display_name": name,
                "role": LEARNER,
                "password_hash": password,
                "created_at": iso(joined - timedelta(minutes=5)),
            }
        )
        rows.memberships.append(
            {"cohort_id": cohort_id, "user_id": user_id, "joined_at": iso(joined)}
        )
        if rng.random() < 0.05:
            never_started += 1
            continue
        simulation.learner(user_id, rng.gauss(0, 1), joined, attempts, practice, post_test)

    names = {u["id"]: u["display_name"] for u in rows.users}
    passed_once: set[int] = set()
    for attempt in rows.attempts:
        if attempt["passed"] == 1 and attempt["user_id"] not in passed_once:
            passed_once.add(attempt["user_id"])
            rows.certificates.append(
                certificate_fields(course, attempt, names[attempt["user_id"]], new_code(rng),
                                   attempt["submitted_at"])
            )  # fmt: skip
    rows.question_versions = [
        {"content_hash": q.content_hash, "question_id": q.id, "content": q.model_dump_json()}
        for q in course.questions
    ]
    store.bulk_insert(rows.__dict__)
    return DemoSummary(
        learners=learners,
        never_started=never_started,
        attempts=len(rows.attempts),
        unfinished=sum(1 for a in rows.attempts if a["submitted_at"] is None),
        responses=len(rows.responses),
        passed=len({a["user_id"] for a in rows.attempts if a["passed"] == 1}),
        cohort_code=code,
        bad_questions=tuple(q for q, (a, _) in params.items() if a < 0),
    )


class _Simulation:
    """Plays learners through quizzes under the item-response model, collecting rows."""

    def __init__(
        self,
        course: Course,
        params: dict[str, tuple[float, float]],
        rng: random.Random,
        rows: _Rows,
        first_attempt_id: int,
        cohort_id: int,
    ):
        self.course = course
        self.params = params
        self.rng = rng
        self.rows = rows
        self.next_attempt = first_attempt_id
        self.cohort_id = cohort_id

    def learner(
        self,
        user_id: int,
        ability: float,
        when: datetime,
        count: int,
        practice: list[QuizDef],
        post_test: QuizDef,
    ) -> None:
        rng = self.rng
        post_tests_left = post_test.attempts_allowed or 1
        practice_first = max(1, count - post_tests_left)
        quits_early = rng.random() < 0.08
        for index in range(count):
            when += timedelta(days=rng.uniform(0.3, 3.0), minutes=rng.uniform(0, 600))
            last = index == count - 1
            unfinished = quits_early and last
            if index < practice_first or post_tests_left == 0:
                passed = self.attempt(user_id, ability, when, rng.choice(practice), unfinished)
                ability += 0.04  # practice helps a little
            else:
                post_tests_left -= 1
                passed = self.attempt(user_id, ability, when, post_test, unfinished)
                if passed:
                    post_tests_left = 0

    def attempt(
        self, user_id: int, ability: float, start: datetime, quiz: QuizDef, unfinished: bool
    ) -> bool:
        rng = self.rng
        attempt_id = self.next_attempt
        self.next_attempt += 1
        seed = rng.getrandbits(31)
        slots = draw(quiz, self.course, seed)
        answered = rng.randrange(len(slots)) if unfinished else len(slots)
        when = start
        marks = []
        for slot in slots[:answered]:
            question = self.course.question(slot.question_id)
            a, b = self.params[question.id]
            p_right = 1 / (1 + math.exp(-a * (ability - b)))
            answer = (
                correct_answer(question) if rng.random() < p_right else _wrong_answer(question, rng)
            )
            earned = mark(question, answer)
            marks.append(earned)
            when += timedelta(seconds=rng.uniform(15, 75))
            self.rows.responses.append(
                {
                    "attempt_id": attempt_id,
                    "question_id": question.id,
                    "answer": json.dumps(answer, separators=(",", ":")),
                    "mark": float(earned),
                    "mark_exact": grading.stored(earned),
                    "max_mark": 1.0,
                    "content_hash": question.content_hash,
                    "answered_at": iso(when),
                }
            )
        deadline = grading.deadline(start, quiz.time_limit_minutes)
        if deadline is not None and when > deadline:
            when = deadline
        # A post-test left unfinished timed out, so it counts as submitted at its deadline,
        # as the app would submit it; unfinished practice stays open.
        submitted = None if unfinished and deadline is None else when + timedelta(seconds=5)
        if unfinished and deadline is not None:
            submitted = deadline
        max_score = float(len(slots))
        score = grading.total(marks)
        passed = (
            None
            if quiz.pass_mark is None or submitted is None
            else int(grading.passed(score, max_score, quiz.pass_mark))
        )
        self.rows.attempts.append(
            {
                "id": attempt_id,
                "user_id": user_id,
                "cohort_id": self.cohort_id,
                "quiz_id": quiz.id,
                "quiz_title": quiz.title,
                "mode": quiz.mode,
                "seed": seed,
                "slots": json.dumps([s.as_json() for s in slots]),
                "position": max(0, answered - 1) if unfinished else len(slots) - 1,
                "started_at": iso(start),
                "deadline": iso(deadline) if deadline else None,
                "submitted_at": iso(submitted) if submitted else None,
                "score": None if submitted is None else float(score),
                "score_exact": None if submitted is None else grading.stored(score),
                "max_score": None if submitted is None else max_score,
                "pass_mark": float(quiz.pass_mark) if quiz.pass_mark is not None else None,
                "passed": passed,
            }
        )
        return passed == 1


def fingerprint(store: Store) -> str:
    """A digest of every data table's rows, to compare two databases' contents."""
    digest = hashlib.sha256()
    for table in DATA_TABLES:
        for row in store.table_rows(table):
            digest.update(json.dumps(row, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def summary_lines(summary: DemoSummary) -> list[str]:
    return [
        f"{summary.learners} learners ({summary.never_started} never started), "
        f"{summary.attempts} attempts ({summary.unfinished} unfinished), "
        f"{summary.responses} answers; {summary.passed} learners passed the post-test.",
        f"Cohort join code: {summary.cohort_code}",
        f"Sign in as {DEMO_INSTRUCTOR} / {DEMO_PASSWORD} to see the instructor pages; "
        f"learners are learner0001 ... with the same password.",
        "Deliberately bad questions: " + ", ".join(summary.bad_questions),
    ]
