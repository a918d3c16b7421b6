"""Realistic synthetic cohorts, for demos, screenshots and benchmarks.

Learners differ in ability and questions in difficulty, under a two-parameter
item-response model: P(right) = 1 / (1 + exp(-a (ability - difficulty))). Stronger
learners get harder questions right more often, so item statistics mean something;
two questions are deliberately bad (negative discrimination: stronger learners miss
them more) and show up as such in the item analysis. Activity is spread over weeks:
practice first, then post-test attempts until a pass or the allowance runs out; some
attempts are left unfinished and a few learners never start.

Each learner's answers whose feedback was released are also the reviews of their cards
(quiz_app.reviews), replayed as the app makes them: a practice answer when it is given,
a submitted post-test's answers at its submit; so the Start page has cards due and the
review pages have histories. Each finished post-test is attested, and each pass has its
course evaluation, the certificate issued when it is in.

Everything comes from the seed (one random generator for the learners and what they do,
another for the join codes of the cohorts after the first), and timestamps count from a
fixed start date, so the same seed gives the same database. Rows are made and stored a
batch of learners at a time, so memory stays flat, all in one transaction.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction

from fsrs import Card, Rating, Scheduler

from quiz_app import grading, reviews
from quiz_app.accounts import CODE_ALPHABET, CODE_LENGTH, INSTRUCTOR, LEARNER
from quiz_app.auth import hash_password
from quiz_app.bank import Question
from quiz_app.certificates import certificate_fields, new_code
from quiz_app.clock import iso, parse
from quiz_app.course import Course
from quiz_app.errors import QuizError
from quiz_app.evaluations import evaluation_row
from quiz_app.quiz import draw
from quiz_app.quizdef import LIKERT, QuizDef
from quiz_app.reviews import Scheduling
from quiz_app.scoring import Answer, correct_answer, mark
from quiz_app.store import DATA_TABLES, Row, Store
from quiz_app.usernames import username_skeleton

DEMO_PASSWORD = "demo-password"
DEMO_INSTRUCTOR = "instructor"
DEFAULT_START = datetime(2026, 9, 7, tzinfo=UTC)
BAD_QUESTIONS = 2
_ANSWER_JSON = json.JSONEncoder(separators=(",", ":")).encode  # as Store.record_answer stores
BATCH_LEARNERS = 250  # learners whose rows are made, then stored, together: flat memory
_DEMO_COMMENTS = (
    "More clinical cases, please: the questions on patient scenarios taught me the most.",
    "The source passages after each answer were the best part.",
    "Some questions on the history of the technique felt less useful for practice.",
    "I will explain the difference from acupuncture to patients more clearly now.",
    "I will screen for contraindications more carefully before needling.",
    "A printable summary of the safety points would help.",
)
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
class DemoCohort:
    name: str
    join_code: str
    instructor: str  # the username of its instructor
    learners: int


@dataclass(frozen=True)
class DemoSummary:
    learners: int
    never_started: int
    attempts: int
    unfinished: int
    responses: int
    passed: int
    cohorts: tuple[DemoCohort, ...]
    bad_questions: tuple[str, ...]

    @property
    def cohort_code(self) -> str:
        """The first cohort's join code (the only cohort's, unless there are several)."""
        return self.cohorts[0].join_code


def instructor_username(index: int) -> str:
    """The username of the instructor of demo cohort `index` (from 0): `instructor`,
    then `instructor2`, `instructor3` ..."""
    return DEMO_INSTRUCTOR if index == 0 else f"{DEMO_INSTRUCTOR}{index + 1}"


def learner_username(index: int) -> str:
    """The username of demo learner `index` (from 0): `learner0001` ..."""
    return f"learner{index + 1:04d}"


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


def _spread(learners: int, cohorts: int) -> list[int]:
    """Where each cohort's learners start, and the end: cohort k has learners
    bounds[k] to bounds[k + 1] - 1, so sizes differ by at most one."""
    return [k * learners // cohorts for k in range(cohorts + 1)]


def _instructor_name(index: int) -> str:
    """A display name for the instructor of demo cohort `index` (from 0); no random draw,
    so the number of cohorts changes nothing else."""
    if index == 0:
        return "Dr Morgan Ellis"
    return f"Dr {FIRST_NAMES[index % len(FIRST_NAMES)]} {LAST_NAMES[index % len(LAST_NAMES)]}"


def _join_code(rng: random.Random) -> str:
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def generate(
    store: Store,
    course: Course,
    learners: int = 200,
    attempts: int = 12,
    seed: int = 1,
    start: datetime = DEFAULT_START,
    cohorts: int = 1,
) -> DemoSummary:
    """Fill `store` with `learners` learners spread over `cohorts` cohorts (sizes differ
    by at most one), each cohort with its own instructor, and their attempts.

    Each active learner makes `attempts` attempts (practice, then the post-test). The
    rows are made and stored a batch of learners at a time, all in one transaction: a
    load that fails or is interrupted stores nothing, so no database holds half a demo.
    Raises QuizError when the course has no post-test, when `cohorts` is not between 1
    and `learners`, or when an account that is, or looks like, a demo account exists.
    """
    post_test = course.post_test
    if post_test is None or not course.practice_quizzes:
        raise QuizError("demo data needs a post-test and practice quizzes in quizzes.yaml")
    if not 1 <= cohorts <= learners:
        raise QuizError(f"{learners} learners cannot be spread over {cohorts} cohorts")
    demo_accounts = itertools.chain(
        map(instructor_username, range(cohorts)), map(learner_username, range(learners))
    )
    clash = store.user_by_skeletons(map(username_skeleton, demo_accounts))
    if clash is not None:
        raise QuizError(
            f'{store.path} already has a "{clash["username"]}" account; generate demo data '
            "into a new database file"
        )
    rng = random.Random(seed)
    ids = store.next_ids(["users", "cohorts", "attempts"])
    # One hash, so one salt, for every demo account: they share the demo password, and
    # hashing it per account with scrypt would cost a tenth of a second per learner.
    # Demo accounts are nobody's real account, so the shared salt protects nothing real.
    password = hash_password(DEMO_PASSWORD, salt=rng.randbytes(16))
    demo = _Demo(course, _item_parameters(course, rng), rng, seed, password, ids, start)
    store.bulk_load(demo.batches(learners, attempts, cohorts))
    return demo.summary(learners)


class _Demo:
    """Makes the demo's rows: instructors and cohorts, then learners played through
    quizzes under the item-response model a batch at a time, then certificates; counts
    what it made, for the summary.

    The random draws come in the same order as when every row was made before any was
    stored, so a seed gives the same database as it did then.
    """

    def __init__(
        self,
        course: Course,
        params: dict[str, tuple[float, float]],
        rng: random.Random,
        seed: int,
        password: str,
        ids: dict[str, int],
        start: datetime,
    ):
        self.course = course
        self.params = params
        self.rng = rng
        self.seed = seed
        self.password = password
        self.first_user = ids["users"]
        self.first_cohort = ids["cohorts"]
        self.next_attempt = ids["attempts"]
        self.start = start
        self.cohorts: list[DemoCohort] = []
        self.never_started = 0
        self.attempts = 0
        self.unfinished = 0
        self.responses = 0
        self.first_passes: list[tuple[Row, str]] = []  # (attempt, learner's name)
        self.rows: dict[str, list[Row]] = {}
        # Millions of answers, yet few distinct ones per question: each is encoded, and
        # its mark worked out, once.
        self._right = {q.id: _ANSWER_JSON(correct_answer(q)) for q in course.questions}
        self._marks: dict[tuple[str, str], tuple[Fraction, float, str, Rating]] = {}
        # Spaced review, as quiz_app.reviews.Reviewer decides it inside the app's writes:
        # a card per question the learner answered with feedback released (never one
        # reserved for the post-test), unfuzzed so that the seed decides everything.
        self.scheduler = Scheduling(course.info.desired_retention, fuzz=False).scheduler
        self._keys = {q.id: reviews.key_hash(q) for q in course.questions if reviews.reviewable(q)}
        self._cards: dict[str, _DemoCard] = {}  # the learner's, by question id
        self._card_json = _card_encoder(self.scheduler)

    def _mark(self, question: Question, answer: str) -> tuple[Fraction, float, str, Rating]:
        """The mark of an answer (as JSON) to `question`: exact, as a float, as stored, and
        its rating as a review."""
        key = (question.id, answer)
        found = self._marks.get(key)
        if found is None:
            earned = mark(question, json.loads(answer))
            stored = grading.stored(earned)
            found = self._marks[key] = (earned, float(earned), stored, reviews.rating(earned))
        return found

    def batches(self, learners: int, attempts: int, cohorts: int) -> Iterator[dict[str, list[Row]]]:
        """The rows to store, in batches of at most BATCH_LEARNERS learners."""
        yield self._cohorts(learners, cohorts)
        first_learner = self.first_user + cohorts
        bounds = _spread(learners, cohorts)
        for first in range(0, learners, BATCH_LEARNERS):
            self.rows = {
                "users": [],
                "memberships": [],
                "attempts": [],
                "responses": [],
                "cards": [],
                "review_logs": [],
            }
            for n in range(first, min(first + BATCH_LEARNERS, learners)):
                cohort_id = self.first_cohort + bisect.bisect_right(bounds, n) - 1
                self._learner(n, first_learner + n, cohort_id, attempts)
            yield self.rows
        evaluations = list(self._evaluations())
        # A certificate the evaluation holds back is issued when the evaluation is in.
        evaluated = {row["attempt_id"]: row["submitted_at"] for row in evaluations}
        yield {
            "evaluations": evaluations,
            "certificates": [
                certificate_fields(
                    self.course,
                    attempt,
                    name,
                    new_code(self.rng),
                    evaluated.get(attempt["id"], attempt["submitted_at"]),
                )
                for attempt, name in self.first_passes
            ],
        }

    def summary(self, learners: int) -> DemoSummary:
        return DemoSummary(
            learners=learners,
            never_started=self.never_started,
            attempts=self.attempts,
            unfinished=self.unfinished,
            responses=self.responses,
            passed=len(self.first_passes),
            cohorts=tuple(self.cohorts),
            bad_questions=tuple(q for q, (a, _) in self.params.items() if a < 0),
        )

    def _cohorts(self, learners: int, count: int) -> dict[str, list[Row]]:
        """The instructors and their cohorts (one each), and the questions' versions."""
        start = self.start
        bounds = _spread(learners, count)
        # The first code comes from the demo's generator, as when there was one cohort;
        # the others from one of their own, so that the learners and their attempts do
        # not depend on how many cohorts they are spread over.
        codes = {_join_code(self.rng): None}
        more = random.Random(f"demo cohorts {self.seed}")
        while len(codes) < count:
            codes[_join_code(more)] = None
        users, cohorts = [], []
        for k, code in enumerate(codes):
            instructor_id = self.first_user + k
            name = (
                "Dry needling CE, autumn cohort"
                if count == 1
                else f"Dry needling CE, autumn cohort {k + 1}"
            )
            users.append(
                {
                    "id": instructor_id,
                    "username": instructor_username(k),
                    "skeleton": username_skeleton(instructor_username(k)),
                    "display_name": _instructor_name(k),
                    "role": INSTRUCTOR,
                    "password_hash": self.password,
                    "created_at": iso(start - timedelta(days=14)),
                }
            )
            cohorts.append(
                {
                    "id": self.first_cohort + k,
                    "name": name,
                    "join_code": code,
                    "instructor_id": instructor_id,
                    "starts_on": start.date().isoformat(),
                    "ends_on": None,  # open: whoever tries the demo can still join it
                    "created_at": iso(start - timedelta(days=7)),
                }
            )
            size = bounds[k + 1] - bounds[k]
            self.cohorts.append(DemoCohort(name, code, instructor_username(k), size))
        versions = [
            {"content_hash": q.content_hash, "question_id": q.id, "content": q.model_dump_json()}
            for q in self.course.questions
        ]
        return {"users": users, "cohorts": cohorts, "question_versions": versions}

    def _learner(self, n: int, user_id: int, cohort_id: int, count: int) -> None:
        """Learner number `n`: their account, membership and attempts."""
        rng = self.rng
        joined = self.start + timedelta(days=rng.uniform(0, 14), hours=rng.uniform(8, 20))
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        self.rows["users"].append(
            {
                "id": user_id,
                "username": learner_username(n),
                "skeleton": username_skeleton(learner_username(n)),
                "display_name": name,
                "role": LEARNER,
                "password_hash": self.password,
                "created_at": iso(joined - timedelta(minutes=5)),
            }
        )
        self.rows["memberships"].append(
            {"cohort_id": cohort_id, "user_id": user_id, "joined_at": iso(joined)}
        )
        if rng.random() < 0.05:
            self.never_started += 1
            return
        made = self.rows["attempts"]
        first = len(made)
        self._cards = {}
        self._attempts(user_id, cohort_id, rng.gauss(0, 1), joined, count)
        passed = next((a for a in made[first:] if a["passed"] == 1), None)
        if passed is not None:
            self.first_passes.append((passed, name))
        self.rows["cards"].extend(
            {
                "user_id": user_id,
                "question_id": question_id,
                "key_hash": self._keys[question_id],
                "card": card.json,
                "due": card.due,
                "stability": card.card.stability,
                "difficulty": card.card.difficulty,
                "last_review": card.last_review,
                "card_before": card.before,
                "last_attempt_id": card.last_attempt_id,
                "reviews": card.reviews,
            }
            for question_id, card in self._cards.items()
        )

    def _review(
        self, user_id: int, attempt_id: int, question_id: str, grade: Rating, at: str
    ) -> None:
        """An answer released at `at` reviews the learner's card of its question, as
        quiz_app.store.attempts._review records it: the card's new state, holding the card as it
        was, and a log row. `at` is the stored time. (The demo never edits a question, so
        every answer is in the question's current version and every card keeps its key.)"""
        if question_id not in self._keys:  # not reviewable (reserved): never a card
            return
        moment = parse(at)  # as the app reads the stored time
        held = self._cards.get(question_id)
        before = Card(card_id=1, due=moment) if held is None else held.card
        after, _ = self.scheduler.review_card(before, grade, moment)
        self.rows["review_logs"].append(
            {
                "user_id": user_id,
                "question_id": question_id,
                "attempt_id": attempt_id,
                "rating": int(grade),
                "reviewed_at": at,
            }
        )
        # The card's times as stored: its last review is `at` (which is what isoformat
        # writes of it: the stored time is one), its due time is in UTC as FSRS keeps it.
        due = after.due.isoformat()
        encoded = self._card_json(after, due, at)
        if held is None:
            self._cards[question_id] = _DemoCard(after, encoded, due, at, None, attempt_id, 1)
        else:
            held.before = held.json
            held.card, held.json, held.due, held.last_review = after, encoded, due, at
            held.last_attempt_id = attempt_id
            held.reviews += 1

    def _attempts(
        self, user_id: int, cohort_id: int, ability: float, when: datetime, count: int
    ) -> None:
        rng = self.rng
        post_test = self.course.post_test
        assert post_test is not None
        practice = self.course.practice_quizzes
        post_tests_left = post_test.attempts_allowed or 1
        practice_first = max(1, count - post_tests_left)
        quits_early = rng.random() < 0.08
        for index in range(count):
            when += timedelta(days=rng.uniform(0.3, 3.0), minutes=rng.uniform(0, 600))
            last = index == count - 1
            unfinished = quits_early and last
            if index < practice_first or post_tests_left == 0:
                quiz = rng.choice(practice)
                self._attempt(user_id, cohort_id, ability, when, quiz, unfinished)
                ability += 0.04  # practice helps a little
            else:
                post_tests_left -= 1
                if self._attempt(user_id, cohort_id, ability, when, post_test, unfinished):
                    post_tests_left = 0

    def _attempt(
        self,
        user_id: int,
        cohort_id: int,
        ability: float,
        start: datetime,
        quiz: QuizDef,
        unfinished: bool,
    ) -> bool:
        """One attempt of `quiz` and its answers; True when it passed."""
        rng = self.rng
        attempt_id = self.next_attempt
        self.next_attempt += 1
        seed = rng.getrandbits(31)
        slots = draw(quiz, self.course, seed)
        answered = rng.randrange(len(slots)) if unfinished else len(slots)
        when = start
        marks = []
        grades = []  # each answer's rating as a review
        responses = self.rows["responses"]
        at_answer = grading.feedback_released(quiz.mode, submitted=False)
        for slot in slots[:answered]:
            question = self.course.question(slot.question_id)
            a, b = self.params[question.id]
            p_right = 1 / (1 + math.exp(-a * (ability - b)))
            if rng.random() < p_right:
                answer = self._right[question.id]
            else:
                answer = _ANSWER_JSON(_wrong_answer(question, rng))
            earned, as_float, as_text, grade = self._mark(question, answer)
            grades.append(grade)
            marks.append(earned)
            when += timedelta(seconds=rng.uniform(15, 75))
            answered_at = iso(when)
            responses.append(
                {
                    "attempt_id": attempt_id,
                    "question_id": question.id,
                    "answer": answer,
                    "mark": as_float,
                    "mark_exact": as_text,
                    "max_mark": 1.0,
                    "content_hash": question.content_hash,
                    "answered_at": answered_at,
                }
            )
            if at_answer:
                self._review(user_id, attempt_id, question.id, grade, answered_at)
        self.responses += answered
        deadline = grading.deadline(start, quiz.time_limit_minutes)
        if deadline is not None and when > deadline:
            when = deadline
        # A post-test left unfinished timed out, so it counts as submitted at its deadline,
        # as the app would submit it; unfinished practice stays open.
        submitted = None if unfinished and deadline is None else when + timedelta(seconds=5)
        if unfinished and deadline is not None:
            submitted = deadline
        if submitted is not None and not at_answer:  # released at submit, in answer order
            submitted_at = iso(submitted)
            for slot, grade in zip(slots, grades, strict=False):
                self._review(user_id, attempt_id, slot.question_id, grade, submitted_at)
        max_score = float(len(slots))
        score = grading.total(marks)
        passed = (
            None
            if quiz.pass_mark is None or submitted is None
            else int(grading.passed(score, max_score, quiz.pass_mark))
        )
        self.attempts += 1
        self.unfinished += submitted is None
        self.rows["attempts"].append(
            {
                "id": attempt_id,
                "user_id": user_id,
                "cohort_id": cohort_id,
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
                **self._attestation(quiz, unfinished, submitted),
            }
        )
        return passed == 1

    def _attestation(self, quiz: QuizDef, unfinished: bool, submitted: datetime | None) -> Row:
        """A post-test's attestation, as the app stores it: the course's words, ticked as
        it was submitted; none for practice, nor for a post-test that timed out."""
        words = self.course.info.attestation if quiz.is_post_test else None
        ticked = words is not None and not unfinished and submitted is not None
        return {
            "attested_at": iso(submitted) if ticked else None,
            "attestation": words if ticked else None,
        }

    def _evaluations(self) -> Iterator[Row]:
        """The course evaluation of each first pass, a few minutes after it: ratings
        mostly Agree and Strongly agree, now and then an open answer. From a generator of
        its own, so the learners' draws (and the certificate codes) stay as they were."""
        evaluation = self.course.info.evaluation
        if evaluation is None:
            return
        rng = random.Random(f"{self.seed}-evaluations")
        for attempt, _ in self.first_passes:
            kept: dict[str, int | str] = {}
            for item in evaluation.items:
                if item.kind == LIKERT:
                    kept[item.id] = rng.choices(range(1, 6), weights=(1, 2, 6, 20, 14))[0]
                elif rng.random() < 0.3:
                    kept[item.id] = rng.choice(_DEMO_COMMENTS)
            when = iso(parse(attempt["submitted_at"]) + timedelta(minutes=rng.uniform(1, 20)))
            yield evaluation_row(evaluation, attempt["id"], attempt["user_id"], when, kept)


_CARD_JSON = (
    '{"card_id": %d, "state": %d, "step": %s, "stability": %r, "difficulty": %r,'
    ' "due": "%s", "last_review": "%s"}'
)


def _card_json(card: Card, due: str, last_review: str) -> str:
    """`card.to_json()` for a reviewed card (one with a stability and a difficulty), given
    its due time and last review as `isoformat` writes them, a few times faster: fsrs's
    `json.dumps(card.to_dict())` written out. Encoding took a third of the demo's time
    per review, FSRS's own arithmetic the rest."""
    step = "null" if card.step is None else str(int(card.step))
    return _CARD_JSON % (
        card.card_id,
        card.state.value,
        step,
        card.stability,
        card.difficulty,
        due,
        last_review,
    )


def _card_encoder(scheduler: Scheduler) -> Callable[[Card, str, str], str]:
    """`_card_json` when it writes what this fsrs's `Card.to_json` does for reviewed
    cards (checked on a few), else `Card.to_json` itself: the stored JSON never differs."""
    at = datetime(2026, 1, 1, 9, 30, 15, 123456, tzinfo=UTC)
    card = Card(card_id=1, due=at)
    for grade in (Rating.Again, Rating.Good, Rating.Hard, Rating.Easy, Rating.Good):
        card, _ = scheduler.review_card(card, grade, at)
        if _card_json(card, card.due.isoformat(), iso(at)) != card.to_json():
            return lambda card, due, last_review: card.to_json()
        at += timedelta(days=2, microseconds=7)
    return _card_json


@dataclass
class _DemoCard:
    """A learner's card while the demo replays their answers: the FSRS card, as JSON, and
    the columns beside it (`before`: the JSON before its latest review, None when new)."""

    card: Card
    json: str
    due: str
    last_review: str
    before: str | None
    last_attempt_id: int
    reviews: int


def fingerprint(store: Store) -> str:
    """A digest of every data table's rows, to compare two databases' contents."""
    digest = hashlib.sha256()
    for table in DATA_TABLES:
        for row in store.table_rows(table):
            digest.update(json.dumps(row, sort_keys=True, default=str).encode())
    return digest.hexdigest()


SHOWN_COHORTS = 3  # the summary names this many cohorts, and the last


def summary_lines(summary: DemoSummary) -> list[str]:
    """What `quiz-app demo-data` prints: counts, each cohort's join code (the first few
    and the last when there are many), how to sign in, the deliberately bad questions."""
    lines = [
        f"{summary.learners} learners ({summary.never_started} never started), "
        f"{summary.attempts} attempts ({summary.unfinished} unfinished), "
        f"{summary.responses} answers; {summary.passed} learners passed the post-test."
    ]
    cohorts = summary.cohorts
    if len(cohorts) == 1:
        lines.append(f"Cohort join code: {cohorts[0].join_code}")
        lines.append(
            f"Sign in as {DEMO_INSTRUCTOR} / {DEMO_PASSWORD} to see the instructor pages; "
            "learners are learner0001 ... with the same password."
        )
    else:
        sizes = " or ".join(str(n) for n in sorted({c.learners for c in cohorts}))
        lines.append(f"{len(cohorts)} cohorts of {sizes} learners, each with its own instructor:")
        shown = list(cohorts)
        if len(cohorts) > SHOWN_COHORTS + 1:
            shown = [*cohorts[:SHOWN_COHORTS], None, cohorts[-1]]
        for cohort in shown:
            if cohort is None:
                lines.append(f"  ... {len(cohorts) - SHOWN_COHORTS - 1} more ...")
            else:
                lines.append(f"  {cohort.name}: join code {cohort.join_code}, {cohort.instructor}")
        others = (
            f"{cohorts[1].instructor} has the other"
            if len(cohorts) == 2
            else f"{cohorts[1].instructor} ... {cohorts[-1].instructor} have the others"
        )
        lines.append(
            f"Sign in as {DEMO_INSTRUCTOR} / {DEMO_PASSWORD} to see the first cohort's "
            f"instructor pages ({others}); learners are learner0001 ... with the same password."
        )
    lines.append("Deliberately bad questions: " + ", ".join(summary.bad_questions))
    return lines
