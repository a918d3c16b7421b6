"""The course: every validated bank and source document, with lookups across them."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

from quiz_app.bank import Bank, Question, SourceDoc, enemy_map
from quiz_app.clock import LocalTime
from quiz_app.errors import BankError
from quiz_app.quizdef import PRACTICE, CourseInfo, QuizDef
from quiz_app.sources import SourceTexts
from quiz_app.validate import validate_paths

BANKS_ENV = "QUIZ_BANKS_DIR"
SHIPPED_BANKS = Path(__file__).resolve().parent.parent / "question_banks"
MIX_TITLE_MAX = 40  # characters: "Practice: what dry needling is used for" is 39
DEFAULT_INFO = CourseInfo(title="Dry needling", provider="Continuing education")


def default_banks_dir() -> Path:
    """$QUIZ_BANKS_DIR when set, else the `question_banks/` folder of this checkout."""
    configured = os.environ.get(BANKS_ENV)
    return Path(configured) if configured else SHIPPED_BANKS


@dataclass(frozen=True)
class Course:
    """All banks of one folder, validated, with lookups by question id and topic."""

    folder: Path
    banks: tuple[Bank, ...]
    sources: Mapping[str, SourceDoc]
    quizzes: tuple[QuizDef, ...] = ()
    info: CourseInfo = DEFAULT_INFO
    _questions: Mapping[str, tuple[Question, Bank]] = field(repr=False, default_factory=dict)

    @classmethod
    def build(
        cls,
        folder: Path,
        banks: list[Bank],
        sources: dict[str, SourceDoc],
        quizzes: list[QuizDef] | None = None,
        info: CourseInfo | None = None,
    ) -> Course:
        index = {q.id: (q, bank) for bank in banks for q in bank.questions}
        return cls(
            folder,
            tuple(banks),
            MappingProxyType(dict(sources)),
            tuple(quizzes or ()),
            info or DEFAULT_INFO,
            MappingProxyType(index),
        )

    @cached_property
    def fingerprint(self) -> str:
        """A hash of the course's content, computed once: every bank's topic, title and
        objectives, every question's content hash, the sources declared, the quizzes and
        the course info. Two loads of the same content give the same fingerprint; a change
        to any of it gives another."""
        content = {
            "banks": [
                (bank.topic, bank.title, bank.objectives, [q.content_hash for q in bank.questions])
                for bank in self.banks
            ],
            "sources": {key: dict(doc) for key, doc in self.sources.items()},
            "quizzes": [dict(quiz) for quiz in self.quizzes],
            "info": dict(self.info),
        }
        # default=dict: objectives and blueprints are read-only mappings
        payload = json.dumps(content, sort_keys=True, ensure_ascii=False, default=dict)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    @cached_property
    def enemies(self) -> Mapping[str, frozenset[str]]:
        """Each question's enemy items (symmetric): never two of them on one form."""
        return MappingProxyType(enemy_map(self.questions))

    @cached_property
    def local_time(self) -> LocalTime:
        """Stored times as this course shows them: in its time zone."""
        return LocalTime(self.info.time_zone)

    def quiz(self, quiz_id: str) -> QuizDef:
        """The quiz with this id; raises KeyError when there is none."""
        for quiz in self.quizzes:
            if quiz.id == quiz_id:
                return quiz
        raise KeyError(quiz_id)

    def has_quiz(self, quiz_id: str) -> bool:
        return any(quiz.id == quiz_id for quiz in self.quizzes)

    @property
    def post_test(self) -> QuizDef | None:
        """The course's graded post-test (the first one defined), if any."""
        return next((q for q in self.quizzes if q.is_post_test), None)

    @property
    def practice_quizzes(self) -> list[QuizDef]:
        return [q for q in self.quizzes if not q.is_post_test]

    def practice_quiz(self, topics: list[str], length: int) -> QuizDef:
        """A practice quiz over `topics`: the defined one for a single topic, else a mix,
        titled with its topics ("Practice: a, b") or, when that is longer than
        MIX_TITLE_MAX characters, their number ("Practice: 3 topics"), so it fits a
        phone's screen."""
        for quiz in self.practice_quizzes:
            if list(quiz.topics) == topics:
                return quiz.model_copy(update={"questions": length})
        title = "Practice: " + ", ".join(self.bank(t).title.lower() for t in topics)
        if len(topics) > 1 and len(title) > MIX_TITLE_MAX:
            title = f"Practice: {len(topics)} topics"
        return QuizDef(
            id=_mix_id(topics),
            title=title[:200],
            mode=PRACTICE,
            topics=tuple(topics),
            questions=length,
        )

    def weak_spots_quiz(self, count: int) -> QuizDef:
        """A practice quiz over every topic, to be drawn from the learner's weak spots."""
        return QuizDef(
            id="weak-spots",
            title="Practice: my weak spots",
            mode=PRACTICE,
            topics=tuple(self.topics),
            questions=max(1, count),
        )

    @property
    def topics(self) -> list[str]:
        return [bank.topic for bank in self.banks]

    @property
    def questions(self) -> list[Question]:
        return [q for bank in self.banks for q in bank.questions]

    def bank(self, topic: str) -> Bank:
        """The bank of `topic`; raises KeyError when there is none."""
        for bank in self.banks:
            if bank.topic == topic:
                return bank
        raise KeyError(topic)

    def question(self, question_id: str) -> Question:
        """The question with this id; raises KeyError when the banks no longer have it."""
        return self._questions[question_id][0]

    def has_question(self, question_id: str) -> bool:
        return question_id in self._questions

    def topic_of(self, question_id: str) -> str:
        return self._questions[question_id][1].topic

    def objective_text(self, question: Question) -> str:
        bank = self._questions[question.id][1]
        return bank.objectives.get(question.objective, question.objective)


def _mix_id(topics: list[str]) -> str:
    """The quiz id of a practice mix of these topics: one id per set of topics, so
    choosing other topics starts another quiz instead of resuming this one."""
    joined = "mix-" + "-".join(sorted(set(topics)))
    if len(joined) <= 80:
        return joined
    return "mix-" + hashlib.sha256(",".join(sorted(set(topics))).encode()).hexdigest()[:16]


def load_course(folder: Path | None = None, texts: SourceTexts | None = None) -> Course:
    """Load and validate every bank in `folder` (default: the shipped banks).

    Raises BankError listing every problem when any bank is invalid.
    """
    folder = folder or default_banks_dir()
    report = validate_paths([folder], texts)
    if not report.ok:
        raise BankError(report.problems)
    return Course.build(
        folder,
        _teaching_order(report.banks, report.quizzes),
        report.sources,
        report.quizzes,
        report.info,
    )


def _teaching_order(banks: list[Bank], quizzes: list[QuizDef]) -> list[Bank]:
    """Banks in the order the quizzes list their topics (the post-test's blueprint first)."""
    order: list[str] = []
    for quiz in sorted(quizzes, key=lambda q: not q.is_post_test):
        order.extend(t for t in quiz.all_topics if t not in order)
    rank = {topic: i for i, topic in enumerate(order)}
    return sorted(banks, key=lambda b: (rank.get(b.topic, len(rank)), b.topic))
