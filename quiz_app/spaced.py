"""The spaced-review service: what a learner has due, their forecast and retention,
their review settings, and a cohort's review figures for its instructor.

The scheduling rules are quiz_app.reviews' (pure); cards are written by the same write
that stores or releases an answer (quiz_app.attempts passes the reviewer to the store).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from quiz_app import reviews
from quiz_app.clock import Clock, SystemClock, iso
from quiz_app.course import Course
from quiz_app.errors import QuizError
from quiz_app.quizdef import PRACTICE, QuizDef
from quiz_app.reviews import DueCard, Scheduling, TopicRetention
from quiz_app.store import Store

REVIEW_QUIZ_ID = "review"


@dataclass(frozen=True)
class ReviewSettings:
    cap: int  # cards one review quiz asks at most
    paused_since: str | None  # stored UTC text; None: reviews are on


@dataclass(frozen=True)
class ReviewOverview:
    """A learner's review at a glance: how many cards, their settings, what is due today
    (most overdue first), the "Review now" quiz and its pool (None when nothing is due or
    reviews are paused), and the first day of the forecast with any due, and how many."""

    cards: int
    settings: ReviewSettings
    due: list[DueCard]
    quiz: tuple[QuizDef, list[str]] | None
    upcoming: tuple[date, int] | None  # None as well when something is due today


@dataclass(frozen=True)
class CohortReviews:
    """A cohort's spaced review, for its instructor: how many of its learners have cards,
    how many reviewed in the last week, and FSRS's estimated retention per topic."""

    learners: int
    with_cards: int
    reviewed_this_week: int
    topics: list[TopicRetention]


class SpacedReview:
    """Reads and settings of spaced review, over a Store, Course and Clock."""

    def __init__(self, store: Store, course: Course, clock: Clock | None = None):
        self.store = store
        self.course = course
        self.clock = clock or SystemClock()
        self.scheduling = Scheduling(course.info.desired_retention)

    def settings(self, user_id: int) -> ReviewSettings:
        row = self.store.user(user_id) or {}
        cap = row.get("review_cap") or reviews.DEFAULT_CAP
        return ReviewSettings(int(cap), row.get("reviews_paused_at"))

    def set_cap(self, user_id: int, cap: int) -> None:
        """Cards per review quiz, within reviews.CAP_RANGE (QuizError outside it)."""
        low, high = reviews.CAP_RANGE
        if not isinstance(cap, int) or not low <= cap <= high:
            raise QuizError(f"Choose between {low} and {high} questions per review.")
        self.store.set_review_settings(user_id, cap, self.settings(user_id).paused_since)

    def pause(self, user_id: int, paused: bool) -> None:
        """Pause reviews (nothing is offered as due until resumed; cards keep learning
        from practice) or resume them (what fell due meanwhile is due now)."""
        current = self.settings(user_id)
        if paused == (current.paused_since is not None):
            return
        since = iso(self.clock.now()) if paused else None
        self.store.set_review_settings(user_id, current.cap, since)

    def due(self, user_id: int) -> list[DueCard]:
        """The learner's cards due by the end of today (course time zone), most overdue
        first."""
        until = reviews.end_of_today(self.course.local_time, self.clock.now())
        return reviews.due_cards(self.store.card_dues(user_id, before=until), self.course, until)

    def overview(self, user_id: int) -> ReviewOverview:
        """What the Start page shows of the learner's review: their cards counted, and only
        the due ones read (every card's due time only when nothing is due, for the
        forecast's first day)."""
        settings = self.settings(user_id)
        cards = self.store.card_count(user_id)
        if not cards:
            return ReviewOverview(0, settings, [], None, None)
        due = self.due(user_id)
        paused = settings.paused_since is not None
        quiz = self._quiz(reviews.queue(due, settings.cap)) if due and not paused else None
        upcoming = None
        if not due:
            local, now = self.course.local_time, self.clock.now()
            days = reviews.forecast(self.store.card_dues(user_id), self.course, local, now)
            upcoming = next(((day, n) for day, n in days if n), None)
        return ReviewOverview(cards, settings, due, quiz, upcoming)

    def review_quiz(self, user_id: int) -> tuple[QuizDef, list[str]] | None:
        """The "Review now" quiz of the learner's due cards (at most their cap) and its
        pool, or None when nothing is due or reviews are paused."""
        return self.overview(user_id).quiz

    def _quiz(self, pool: list[str]) -> tuple[QuizDef, list[str]]:
        quiz = QuizDef(
            id=REVIEW_QUIZ_ID,
            title="Review: due today",
            mode=PRACTICE,
            topics=tuple(self.course.topics),
            questions=len(pool),
        )
        return quiz, pool

    def forecast(self, user_id: int) -> list[tuple[date, int]]:
        """Cards due on each of the next 30 days, today (with anything overdue) first."""
        return reviews.forecast(
            self.store.card_dues(user_id), self.course, self.course.local_time, self.clock.now()
        )

    def retention(self, user_id: int) -> list[TopicRetention]:
        """FSRS's estimated retention now, per topic, of the learner's cards."""
        groups = self.store.card_recall(
            iso(self.clock.now()), self.scheduling.curve, user_id=user_id
        )
        return reviews.retention_by_topic(groups, self.course)

    def cohort(self, cohort_id: int) -> CohortReviews:
        """The cohort's review figures (see CohortReviews), at this moment."""
        now = self.clock.now()
        groups = self.store.card_recall(iso(now), self.scheduling.curve, cohort_id=cohort_id)
        learners, with_cards = self.store.cohort_card_holders(cohort_id)
        return CohortReviews(
            learners=learners,
            with_cards=with_cards,
            reviewed_this_week=self.store.cohort_reviewers_since(
                cohort_id, iso(now - reviews.WEEK)
            ),
            topics=reviews.retention_by_topic(groups, self.course),
        )
