"""Quiz definitions (`question_banks/quizzes.yaml`): practice quizzes and the post-test.

A practice quiz draws a number of questions from some topics, with feedback after each
answer and no limit on attempts. A post-test draws by a blueprint (how many questions
from each topic), defers feedback to the end, and has a pass mark, a time limit, an
allowance of attempts and the continuing-education hours it is worth.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, Field, StrictBool, StrictFloat, StrictInt, model_validator

from quiz_app.bank import Model, Prose, QuestionBase, ShortText, Slug
from quiz_app.clock import UTC_NAME, is_time_zone

Mode = Literal["practice", "post_test"]
PRACTICE: Mode = "practice"
POST_TEST: Mode = "post_test"


def _freeze_blueprint(mapping: dict[str, int]) -> MappingProxyType[str, int]:
    if not mapping:
        raise ValueError("a blueprint needs at least one topic and how many questions to draw")
    return MappingProxyType(dict(mapping))


def _each_once(topics: tuple[str, ...]) -> tuple[str, ...]:
    # A topic listed twice draws its questions twice over, so no one could score 100%.
    repeated = next((topic for topic in topics if topics.count(topic) > 1), None)
    if repeated is not None:
        raise ValueError(f'"{repeated}" is listed more than once; list each topic once')
    return topics


# What a review of a submitted attempt can show of each question, beyond marks by topic
# and objective: whether each answer was right, the key, the choices' feedback, the
# explanation and the source passage.
ReviewPart = Literal["correctness", "key", "feedback", "explanation", "source"]
REVIEW_PARTS: frozenset[str] = frozenset(get_args(ReviewPart))


class ReviewOptions(Model):
    """What the review of a submitted post-test attempt shows, by how it ended (as
    Moodle's review options do): failed while the learner still has attempts (by default
    nothing per question, so a retake does not test memory of the key), passed, or the
    learner's last attempt (by default everything)."""

    failed_with_attempts_left: tuple[ReviewPart, ...] = ()
    passed: tuple[ReviewPart, ...] = tuple(sorted(REVIEW_PARTS))
    last_attempt: tuple[ReviewPart, ...] = tuple(sorted(REVIEW_PARTS))

    def shown(self, passed: bool, attempts_left: bool) -> frozenset[str]:
        """The parts shown of an attempt that `passed` (or not) when the learner has
        `attempts_left` (an open attempt counts: the test is not over)."""
        if passed:
            return frozenset(self.passed)
        return frozenset(self.failed_with_attempts_left if attempts_left else self.last_attempt)


class QuizDef(Model):
    """One quiz a learner can start."""

    id: Slug
    title: ShortText
    mode: Mode
    topics: Annotated[tuple[Slug, ...], AfterValidator(_each_once)] = ()
    questions: Annotated[StrictInt, Field(ge=1, le=200)] | None = None
    blueprint: (
        Annotated[
            dict[Slug, Annotated[StrictInt, Field(ge=1, le=100)]], AfterValidator(_freeze_blueprint)
        ]
        | None
    ) = None
    pass_mark: Annotated[StrictInt | StrictFloat, Field(gt=0, le=100)] | None = None
    time_limit_minutes: Annotated[StrictInt, Field(ge=1, le=600)] | None = None
    attempts_allowed: Annotated[StrictInt, Field(ge=1, le=100)] | None = None
    ce_hours: Annotated[StrictInt | StrictFloat, Field(gt=0, le=100)] | None = None
    # A post-test draws only questions reserved for it, unless this is false.
    reserved_only: StrictBool = True
    review: ReviewOptions = Field(default_factory=ReviewOptions)

    @model_validator(mode="after")
    def _fields_fit_mode(self) -> QuizDef:
        if self.mode == PRACTICE:
            if not self.topics:
                raise ValueError("a practice quiz needs topics")
            if self.questions is None:
                raise ValueError("a practice quiz needs questions (how many to draw)")
            if self.blueprint is not None:
                raise ValueError("a practice quiz draws by topics and questions, not a blueprint")
            if "reserved_only" in self.model_fields_set:
                raise ValueError("reserved_only is for a post-test; practice never draws reserved")
            if "review" in self.model_fields_set:
                raise ValueError("review is for a post-test; practice always shows everything")
        else:
            missing = [
                name
                for name in (
                    "blueprint",
                    "pass_mark",
                    "time_limit_minutes",
                    "attempts_allowed",
                    "ce_hours",
                )
                if getattr(self, name) is None
            ]
            if missing:
                raise ValueError("a post-test needs " + ", ".join(missing))
            if self.topics or self.questions is not None:
                raise ValueError("a post-test draws by its blueprint, not topics and questions")
        return self

    def may_draw(self, question: QuestionBase) -> bool:
        """Whether an attempt of this quiz may ask `question`: a post-test only a question
        reserved for it (unless `reserved_only` is false), practice never one."""
        if self.is_post_test:
            return question.reserved or not self.reserved_only
        return not question.reserved

    @property
    def is_post_test(self) -> bool:
        return self.mode == POST_TEST

    @property
    def length(self) -> int:
        """How many questions an attempt of this quiz asks (before any pool runs short)."""
        if self.blueprint is not None:
            return sum(self.blueprint.values())
        return self.questions or 0

    @property
    def all_topics(self) -> tuple[str, ...]:
        return tuple(self.blueprint) if self.blueprint is not None else self.topics


def _known_time_zone(name: str) -> str:
    if not is_time_zone(name):
        raise ValueError(
            f'"{name[:60]}" is not a time zone; use an IANA name such as Australia/Sydney, '
            "Europe/London or UTC"
        )
    return name


Kind = Literal["likert", "text"]
LIKERT = "likert"
LIKERT_LABELS = ("Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree")
ANSWER_MAX = 2000  # characters of a free-text answer to an evaluation item


class EvaluationItem(Model):
    """One statement rated on LIKERT_LABELS' five points (1 to 5), or one question
    answered in free text (optional, at most ANSWER_MAX characters)."""

    id: Slug
    text: ShortText
    kind: Kind


class Evaluation(Model):
    """The participant course evaluation a learner who passed the post-test fills in once
    (`course.evaluation`). When `required`, the certificate is withheld until it is done."""

    required: StrictBool = True
    items: tuple[EvaluationItem, ...] = Field(min_length=1, max_length=50)

    def item(self, item_id: str) -> EvaluationItem | None:
        return next((item for item in self.items if item.id == item_id), None)


DeliveryFormat = Literal["self_study", "live_virtual", "live_in_person"]
DELIVERY_FORMATS: dict[str, str] = {
    "self_study": "Self-study",
    "live_virtual": "Live virtual",
    "live_in_person": "Live in person",
}


class CertificateSettings(Model):
    """What a certificate says of the course beyond its title (`course.certificate`): the
    provider or approval number a board gave it, how it is delivered, the length of a
    contact hour (60 minutes, 50 in some jurisdictions; the post-test's `ce_hours` are
    the contact hours), and whether a learner needs a licence number and jurisdiction
    on their profile before a certificate is issued."""

    provider_number: ShortText | None = None
    approval_number: ShortText | None = None
    delivery_format: DeliveryFormat = "self_study"
    minutes_per_contact_hour: Annotated[StrictInt, Field(ge=30, le=60)] = 60
    require_licence: StrictBool = False


class CourseInfo(Model):
    """The course as a whole: its title, who provides it, and the time zone every date
    is shown, filtered and grouped in (an IANA name; UTC unless set)."""

    title: ShortText
    provider: ShortText
    time_zone: Annotated[ShortText, AfterValidator(_known_time_zone)] = UTC_NAME
    # Spaced review (quiz_app.reviews): the chance of recall FSRS schedules each card's
    # next review at. Higher means more reviews; FSRS advises between 0.7 and 0.97.
    desired_retention: Annotated[StrictFloat, Field(ge=0.7, le=0.97)] = 0.9
    # What the course covers and does not, and what passing it does not qualify for:
    # shown on the Start page, the post-test's rules and the certificate.
    scope: Prose | None = None
    # The course evaluation a learner who passed fills in (quiz_app.evaluations).
    evaluation: Evaluation | None = None
    # The words a learner ticks before submitting the post-test, confirming they did it
    # themselves; stored with the attempt. None: the course asks for no attestation.
    attestation: Prose | None = None
    certificate: CertificateSettings = Field(default_factory=CertificateSettings)
    # How many years attempts and their records are kept: `quiz-app prune` refuses to
    # delete anything younger (Texas asks for 4, the APTA California chapter for 7).
    records_retention_years: Annotated[StrictInt, Field(ge=1, le=100)] = 7


class QuizzesFile(Model):
    """The whole `quizzes.yaml`: the course's title and provider, then its quizzes."""

    course: CourseInfo
    quizzes: tuple[QuizDef, ...] = Field(min_length=1)
