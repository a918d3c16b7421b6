"""Spaced review (pure: no I/O): when each question comes back to a learner, scheduled
by FSRS (the `fsrs` package, the scheduler Anki has used since 23.10).

Every question a learner has answered where the feedback is released (a practice or
review answer at once, a post-test's answers when it is submitted) is a *card* of that
learner's, and each such answer is a review of it, rated from its mark:

- wrong (mark 0): Again;
- partly right: Hard;
- right: Good, or, from the optional one-click confidence after the feedback,
  Easy ("I knew it") or Hard ("I guessed").

A question reserved for the post-test never becomes a card, so no review queue ever
shows one. There are no same-day learning steps: a quiz asks each question once, so a
card's next review is a day or more later (an answer wrong today is due tomorrow).

A card follows its question across edits while the key (what earns full marks, see
`key_hash`) stays the same: rewording a stem or an explanation keeps the learner's
schedule. When the key changes, the old card no longer says what the learner
remembers: the next answer starts a new card. An answer given to an earlier version
of a question (the bank was edited while the attempt was open) is not a review.

Cards and review logs are rows (`Store.cards_of`); this module turns a row and an answer
into the next row, and rows into what pages show: the due queue, the forecast and the
retention FSRS estimates per topic.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from functools import cached_property

from fsrs import Card, Rating, Scheduler

from quiz_app.bank import Question
from quiz_app.clock import LocalTime, iso, parse
from quiz_app.course import Course
from quiz_app.records import Row

DEFAULT_RETENTION = 0.9
DEFAULT_CAP = 20  # cards a "Review now" quiz asks at most, until the learner sets another
CAP_RANGE = (5, 100)
FORECAST_DAYS = 30
WEEK = timedelta(days=7)
KNEW_IT = "knew"
GUESSED = "guessed"
CONFIDENCE = {KNEW_IT: "I knew it", GUESSED: "I guessed"}
RATING_NAMES = {int(r): r.name for r in Rating}


_KEYS: dict[str, str] = {}  # key hash by content hash: pages ask it of every card
_KEYS_MAX = 10_000  # versions remembered; more (a long-running app's edits) start afresh


def reviewable(question: Question) -> bool:
    """Whether answers to `question` review a card: never one reserved for the post-test."""
    return not question.reserved


def key_hash(question: Question) -> str:
    """What earns full marks, hashed: the texts of the right choices (in any order), the
    true/false answer, the matched pairs, the items in order. Wording elsewhere (stem,
    wrong choices, explanation, source) is not in it.

    Worked out once per version of a question: its content hash covers everything the
    key is made of (a Start page asks it of each of a learner's cards, twice)."""
    found = _KEYS.get(question.content_hash)
    if found is None:
        if len(_KEYS) >= _KEYS_MAX:
            _KEYS.clear()
        found = _KEYS[question.content_hash] = _key_hash(question)
    return found


def _key_hash(question: Question) -> str:
    if question.type == "true_false":
        key: object = question.answer
    elif question.type in ("single", "multiple"):
        key = sorted(c.text for c in question.choices if c.correct)
    elif question.type == "matching":
        key = [list(pair) for pair in question.pairs]
    else:
        key = list(question.items)
    payload = json.dumps([question.type, key], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def rating(mark: Fraction, confidence: str | None = None) -> Rating:
    """The FSRS rating of an answer with this mark (0..1) and, for a right one, the
    learner's confidence (KNEW_IT, GUESSED or None)."""
    if mark <= 0:
        return Rating.Again
    if mark < 1:
        return Rating.Hard
    return {KNEW_IT: Rating.Easy, GUESSED: Rating.Hard}.get(confidence or "", Rating.Good)


def confidence_of(rating_value: int, mark: Fraction) -> str | None:
    """The confidence a stored review's rating records for an answer of this mark."""
    if mark < 1:
        return None
    return {int(Rating.Easy): KNEW_IT, int(Rating.Hard): GUESSED}.get(rating_value)


@dataclass(frozen=True)
class Scheduling:
    """The course's scheduler: FSRS with its desired retention, no same-day steps.

    `fuzz` spreads the due dates of cards learned together over nearby days (as Anki
    does), so a learner's reviews do not all fall on one day; tests turn it off."""

    desired_retention: float = DEFAULT_RETENTION
    fuzz: bool = True

    @cached_property
    def scheduler(self) -> Scheduler:
        return Scheduler(
            desired_retention=self.desired_retention,
            learning_steps=(),
            relearning_steps=(),
            enable_fuzzing=self.fuzz,
        )

    def review(self, before: str | None, grade: Rating, at: datetime) -> Row:
        """The card (JSON `before`, None for a new one) after a review rated `grade` at
        `at`: the columns the store keeps of it."""
        card = Card.from_json(before) if before else Card(card_id=1, due=at)
        after, _ = self.scheduler.review_card(card, grade, at)
        return {
            "card": after.to_json(),
            "due": iso(after.due),
            "stability": after.stability,
            "difficulty": after.difficulty,
            "last_review": iso(at),
            "rating": int(grade),
        }

    @cached_property
    def curve(self) -> tuple[float, float]:
        """FSRS's forgetting curve, as its decay and factor, derived from the scheduler's
        weights as fsrs does (`Scheduler.get_card_retrievability`): the chance of getting
        a card right t whole days after its last review is (1 + factor t / S) ** decay,
        S its stability. Store.card_recall sums it in SQL, without building a Card for
        each of a cohort's tens of thousands; the tests hold the two equal."""
        decay = -self.scheduler.parameters[20]
        return decay, 0.9 ** (1 / decay) - 1


@dataclass(frozen=True)
class Reviewer:
    """Turns one stored answer into a card change, inside the store's write of it
    (`Store.record_answer`, and a post-test's submit). The store passes what it holds:
    the question, the content hash it was answered in, its exact mark, when, and the
    learner's card of it (a row of `cards`, or None). Returns the card's new columns,
    or None when the answer is not a review (see the module's rules)."""

    course: Course
    scheduling: Scheduling

    def __call__(
        self, question_id: str, content_hash: str, mark: Fraction, at: str, card: Row | None
    ) -> Row | None:
        if not self.course.has_question(question_id):
            return None
        question = self.course.question(question_id)
        if not reviewable(question) or question.content_hash != content_hash:
            return None
        key = key_hash(question)
        before = card["card"] if card is not None and card["key_hash"] == key else None
        change = self.scheduling.review(before, rating(mark), parse(at))
        return change | {"key_hash": key, "card_before": before}


@dataclass(frozen=True)
class DueCard:
    question_id: str
    topic: str
    due: str


def due_cards(cards: Iterable[Row], course: Course, until: str) -> list[DueCard]:
    """The cards due before `until` (stored UTC text), most overdue first, of questions
    the course still asks outside the post-test with the same key."""
    topic_of = _current_topics(course)
    found = []
    for row in cards:
        if row["due"] >= until:
            continue
        topic = topic_of(row["question_id"], row["key_hash"])
        if topic is not None:
            found.append(DueCard(row["question_id"], topic, row["due"]))
    return sorted(found, key=lambda c: (c.due, c.question_id))


def end_of_today(local: LocalTime, now: datetime) -> str:
    """The end of the learner's day at `now` in the course's time zone, as stored text:
    a card due before it is "due today"."""
    return local.day_bounds(local.today(now))[1]


def queue(due: Sequence[DueCard], cap: int) -> list[str]:
    """The question ids one review quiz asks: the most overdue first, at most `cap`."""
    return [card.question_id for card in due[: max(1, cap)]]


def forecast(
    cards: Iterable[Row], course: Course, local: LocalTime, now: datetime, days: int = FORECAST_DAYS
) -> list[tuple[date, int]]:
    """Cards due on each of the next `days` local days, today first; a card overdue
    counts today, as it is due today too."""
    today = local.today(now)
    counts = dict.fromkeys((today + timedelta(n) for n in range(days)), 0)
    horizon = local.day_bounds(today + timedelta(days - 1))[1]
    for card in due_cards(cards, course, horizon):
        day = max(today, local.day(card.due))
        counts[day] += 1
    return list(counts.items())


@dataclass(frozen=True)
class TopicRetention:
    topic: str
    title: str
    cards: int
    retention: float | None  # FSRS's mean estimate that a card is recalled now; None: no cards


def retention_by_topic(groups: Iterable[Row], course: Course) -> list[TopicRetention]:
    """Per topic of the course (in its order), how many cards and FSRS's mean estimated
    retention of them. `groups` are rows of Store.card_recall: the cards of one question
    and key, counted, and their estimates summed. Cards of questions reserved, gone or
    with another key count for nothing."""
    topic_of = _current_topics(course)
    count: dict[str, int] = defaultdict(int)
    total: dict[str, float] = defaultdict(float)
    for row in groups:
        topic = topic_of(row["question_id"], row["key_hash"])
        if topic is not None:
            count[topic] += row["cards"]
            total[topic] += row["recall"]
    return [
        TopicRetention(
            topic,
            course.bank(topic).title,
            count[topic],
            total[topic] / count[topic] if count[topic] else None,
        )
        for topic in course.topics
    ]


def _current_topics(course: Course) -> Callable[[str, str], str | None]:
    """A lookup: the topic of a card's question (id and key hash) while the course asks
    it outside the post-test with the key the card was learned with; None otherwise.
    Made once per loaded course (not per content fingerprint, which leaves out which
    questions are reserved), as a Start page asks it of every due card on every run."""
    kept = _TOPICS.get(id(course))
    if kept is not None and kept[0]() is course:
        table = kept[1]
    else:
        if len(_TOPICS) >= _TOPICS_MAX:
            _TOPICS.clear()
        table = {
            (question.id, key_hash(question)): course.topic_of(question.id)
            for question in course.questions
            if reviewable(question)
        }
        _TOPICS[id(course)] = (weakref.ref(course), table)
    return lambda question_id, key: table.get((question_id, key))


# By id of the loaded course, with a weak reference to tell a reused id (a course
# reloaded after the old one was dropped) from the same course.
_TOPICS: dict[int, tuple[weakref.ref[Course], dict[tuple[str, str], str]]] = {}
_TOPICS_MAX = 8  # courses remembered (a long-running app's bank reloads start afresh)
