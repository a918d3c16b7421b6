"""Validate question-bank files and report every problem as `FILE:LINE: message`.

Checks run in two passes. Shape (types, required fields, lengths, known values) is
pydantic's job, done question by question so one broken question hides no other.
Rules that span fields or files (DESIGN.md section 3) follow, with the YAML lines.
"""

from __future__ import annotations

import os
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from quiz_app.bank import (
    MAX_QUOTE_WORDS,
    MIN_QUOTE_WORDS,
    QUESTION_TYPES,
    Bank,
    BankHeader,
    MultipleQuestion,
    Question,
    SingleQuestion,
    SourceDoc,
    enemy_map,
)
from quiz_app.errors import Problem
from quiz_app.forms import fill_blueprint
from quiz_app.quizdef import CourseInfo, QuizDef, QuizzesFile
from quiz_app.sources import SourceTexts, find_source_texts, fold, word_count
from quiz_app.yamldoc import Loc, YamlDoc, load_yaml

SOURCES_FILE = "sources.yaml"
QUIZZES_FILE = "quizzes.yaml"
SPECIAL_FILES = {SOURCES_FILE, QUIZZES_FILE}
# Misspelt special files: read by nothing, so reported instead of checked as banks.
MISNAMED_FILES = {"sources.yml": SOURCES_FILE, "quizzes.yml": QUIZZES_FILE}
DEFAULT_SOURCES_FOLDER = "sources"  # beside the banks, unless sources.yaml names another

_question_adapter: TypeAdapter[Any] = TypeAdapter(Question)


@dataclass
class Report:
    """What validation found: valid banks, declared sources, problems and quote counts."""

    banks: list[Bank] = field(default_factory=list)
    sources: dict[str, SourceDoc] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    quotes_checked: int = 0
    quotes_skipped_reason: str | None = None
    files: list[Path] = field(default_factory=list)
    quizzes: list[QuizDef] = field(default_factory=list)
    info: CourseInfo | None = None
    topic_sizes: dict[str, int] = field(default_factory=dict)
    # Where things are, for the lint: each question id's file and line, each post-test's
    # blueprint line, and the texts each document was checked against.
    locations: dict[str, tuple[str, int]] = field(default_factory=dict)
    blueprint_lines: dict[str, tuple[str, int]] = field(default_factory=dict)
    texts_of_doc: dict[str, SourceTexts] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def questions(self) -> list[Question]:
        return [q for bank in self.banks for q in bank.questions]

    def by_topic(self) -> dict[str, int]:
        return {bank.topic: len(bank.questions) for bank in self.banks}

    def by_type(self) -> dict[str, int]:
        counts = Counter(q.type for q in self.questions)
        return {t: counts.get(t, 0) for t in QUESTION_TYPES}

    def as_json(self) -> dict[str, Any]:
        return {
            "questions": len(self.questions),
            "banks": len(self.banks),
            "by_topic": self.by_topic(),
            "by_type": self.by_type(),
            "quotes_checked": self.quotes_checked,
            "quotes_skipped": self.quotes_skipped_reason is not None,
            "quotes_skipped_reason": self.quotes_skipped_reason,
            "quizzes": [q.id for q in self.quizzes],
            "errors": [str(p) for p in self.problems],
        }

    def summary(self) -> str:
        head = f"{len(self.questions)} questions in {len(self.banks)} banks"
        if self.quotes_skipped_reason:
            quotes = f"quote check skipped ({self.quotes_skipped_reason})"
        else:
            quotes = f"{self.quotes_checked} quotes checked against the sources"
        verdict = "valid" if self.ok else f"{len(self.problems)} errors"
        return f"{head}; {quotes}: {verdict}"


def printable(text: str) -> str:
    """`text` safe to print on a terminal: control, bidi and invisible characters
    written as escapes (\\x1b, \\u202e), so a file name cannot restyle the screen."""
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text
    )


def display_path(path: Path) -> str:
    """The path as a person wants to read it: relative to the current folder if inside
    (the file itself, not where a link points), printable on a terminal."""
    try:
        shown = str((path.parent.resolve() / path.name).relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):
        shown = str(path)
    return printable(shown)


def bank_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders to their bank files (*.yaml, *.yml, minus sources and quizzes,
    and minus their misspelt .yml names, which `validate_paths` reports)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            candidates = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
            found.extend(p for p in candidates if not _is_special(p))
        elif not _is_special(path):
            found.append(path)
    return found


def _is_special(path: Path) -> bool:
    return path.name in SPECIAL_FILES or path.name in MISNAMED_FILES


def validate_paths(paths: Sequence[Path], texts: SourceTexts | None = None) -> Report:
    """Validate the banks in `paths` (files or folders) against their `sources.yaml`.

    Each bank's sources come from the `sources.yaml` in its own folder. Never raises
    for bad content: everything wrong ends up in `Report.problems`, sorted by file/line.
    """
    files = bank_files(paths)
    report = Report(files=files)
    for path in paths:
        for misnamed in [path] if not path.is_dir() else [path / n for n in MISNAMED_FILES]:
            if misnamed.name in MISNAMED_FILES and os.path.lexists(misnamed):
                report.problems.append(
                    Problem(
                        display_path(misnamed),
                        1,
                        f"is not read: the course's file is named {MISNAMED_FILES[misnamed.name]}",
                    )
                )
    folders = sorted({f.parent for f in files} | {p for p in paths if p.is_dir()})
    texts_of: dict[Path, SourceTexts] = {}
    for folder in folders:
        docs, folder_texts = _load_sources(folder, report, texts)
        report.sources.update(docs)
        report.texts_of_doc.update({doc_id: folder_texts for doc_id in docs})
        texts_of[folder] = folder_texts
        if folder_texts.skipped_reason and report.quotes_skipped_reason is None:
            report.quotes_skipped_reason = folder_texts.skipped_reason
    seen_ids: dict[str, str] = {}
    seen_topics: dict[str, str] = {}
    excludes: list[tuple[Problem, str]] = []
    for path in files:
        shown = display_path(path)
        loaded = load_yaml(path, shown)
        if isinstance(loaded, Problem):
            report.problems.append(loaded)
            continue
        checker = _BankChecker(loaded, report, texts_of[path.parent], seen_ids, seen_topics)
        bank = checker.check(excludes)
        if bank is not None:
            report.banks.append(bank)
    for where, other in excludes:
        if other not in seen_ids:
            report.problems.append(where)
    # Quizzes draw on every bank of their folder, so check them only for whole folders.
    for folder in (p for p in paths if p.is_dir()):
        if os.path.lexists(folder / QUIZZES_FILE):
            _load_quizzes(folder / QUIZZES_FILE, report)
    report.problems.sort(key=lambda p: (p.path, p.line))
    return report


def _load_quizzes(path: Path, report: Report) -> None:
    """Check quizzes.yaml: its shape, then that every topic and count fits the banks."""
    shown = display_path(path)
    loaded = load_yaml(path, shown)
    if isinstance(loaded, Problem):
        report.problems.append(loaded)
        return
    try:
        parsed = QuizzesFile.model_validate(loaded.data)
    except ValidationError as exc:
        for err in _root_causes(exc.errors()):
            loc = _clean_loc(err)
            label = _quiz_label(loaded.data, loc)
            name = (_field_name(loc[2:]) or "quiz") if label else _field_name(loc)
            message = f"{label}{name}: {_explain(err)}"
            report.problems.append(Problem(shown, loaded.line(loc), message))
        return
    sizes = report.topic_sizes
    seen: set[str] = set()
    for index, quiz in enumerate(parsed.quizzes):
        base: Loc = ("quizzes", index)
        where = f"quiz {quiz.id}: "
        if quiz.id in seen:
            report.problems.append(
                Problem(shown, loaded.line((*base, "id")), f'{where}id: "{quiz.id}" is used twice')
            )
        seen.add(quiz.id)
        for key, topic in enumerate(quiz.topics):
            if topic not in sizes:
                report.problems.append(
                    Problem(
                        shown,
                        loaded.line((*base, "topics", key)),
                        f'{where}topics[{key}]: "{topic}" is not the topic of any bank',
                    )
                )
        for topic, count in (quiz.blueprint or {}).items():
            line = loaded.line((*base, "blueprint", topic))
            if topic not in sizes:
                report.problems.append(
                    Problem(
                        shown,
                        line,
                        f'{where}blueprint.{topic}: "{topic}" is not the topic of any bank',
                    )
                )
            elif count > sizes[topic]:
                report.problems.append(
                    Problem(
                        shown,
                        line,
                        f"{where}blueprint.{topic}: asks for {count} questions but the bank has "
                        f"{sizes[topic]}",
                    )
                )
        if not quiz.is_post_test:
            _check_practice_draws(quiz, shown, loaded.line((*base, "topics")), report)
        if quiz.blueprint is not None:
            report.blueprint_lines[quiz.id] = (shown, loaded.line((*base, "blueprint")))
            _check_blueprint_fills(quiz, shown, loaded.line((*base, "blueprint")), report)
    _check_evaluation(parsed.course, shown, loaded.line, report)
    report.quizzes.extend(parsed.quizzes)
    report.info = parsed.course


def _check_evaluation(
    info: CourseInfo, shown: str, line: Callable[[Loc], int], report: Report
) -> None:
    """Each item of the course evaluation has an id of its own: answers are stored by it."""
    if info.evaluation is None:
        return
    seen: set[str] = set()
    for index, item in enumerate(info.evaluation.items):
        if item.id in seen:
            where = ("course", "evaluation", "items", index, "id")
            report.problems.append(
                Problem(
                    shown,
                    line(where),
                    f'course.evaluation.items[{index}].id: "{item.id}" is used twice; '
                    "give each item its own id",
                )
            )
        seen.add(item.id)


def _check_practice_draws(quiz: QuizDef, shown: str, line: int, report: Report) -> None:
    """A practice quiz has a question to ask: its topics are not all reserved."""
    banks = {bank.topic: bank for bank in report.banks}
    if not all(topic in banks for topic in quiz.topics):
        return  # an unknown or broken topic is reported on its own
    if not any(quiz.may_draw(q) for topic in quiz.topics for q in banks[topic].questions):
        report.problems.append(
            Problem(
                shown,
                line,
                f"quiz {quiz.id}: topics: every question of its topics is reserved for the "
                "post-test, so the quiz would ask nothing",
            )
        )


def _check_blueprint_fills(quiz: QuizDef, shown: str, line: int, report: Report) -> None:
    """A post-test's blueprint can be filled from the questions it may draw (the reserved
    ones unless `reserved_only: false`) with no two enemies on one form."""
    if report.problems or quiz.blueprint is None:
        return  # a broken bank would make this check report nonsense
    pools = {bank.topic: [q for q in bank.questions if quiz.may_draw(q)] for bank in report.banks}
    where = f"quiz {quiz.id}: blueprint"
    short = False
    for topic, count in quiz.blueprint.items():
        have = len(pools.get(topic, ()))
        if topic in pools and count > have and quiz.reserved_only:
            short = True
            report.problems.append(
                Problem(
                    shown,
                    line,
                    f"{where}.{topic}: asks for {count} questions but {have} of the bank's "
                    "questions are reserved for the post-test (reserved: true)",
                )
            )
    if short or not set(quiz.blueprint) <= set(pools):
        return
    if fill_blueprint(quiz.blueprint, pools, enemy_map(report.questions), random.Random(0)) is None:
        report.problems.append(
            Problem(
                shown,
                line,
                f"{where}: no form can be drawn: the questions' exclusions (excludes) leave too "
                "few questions that are not each other's enemies; remove an exclusion or "
                "reserve more questions",
            )
        )


def _quiz_label(data: Any, loc: Loc) -> str:
    if len(loc) >= 2 and loc[0] == "quizzes" and isinstance(loc[1], int):
        quizzes = data.get("quizzes") if isinstance(data, dict) else None
        raw = quizzes[loc[1]] if isinstance(quizzes, list) and loc[1] < len(quizzes) else None
        qid = raw.get("id") if isinstance(raw, dict) else None
        return f"quiz {qid if isinstance(qid, str) else f'#{loc[1] + 1}'}: "
    return ""


def _load_sources(
    folder: Path, report: Report, explicit: SourceTexts | None
) -> tuple[dict[str, SourceDoc], SourceTexts]:
    """The documents `folder/sources.yaml` declares, and where their texts are found."""
    path = folder / SOURCES_FILE
    shown = display_path(path)
    default_texts = explicit or find_source_texts(declared=folder / DEFAULT_SOURCES_FOLDER)
    if not os.path.lexists(path):
        report.problems.append(Problem(shown, 1, "sources.yaml is missing from this folder"))
        return {}, default_texts
    loaded = load_yaml(path, shown)
    if isinstance(loaded, Problem):
        report.problems.append(loaded)
        return {}, default_texts
    data = loaded.data
    if not isinstance(data, dict) or not isinstance(data.get("documents"), dict):
        report.problems.append(
            Problem(
                shown,
                1,
                "must have documents: a mapping of each source id to its label, title and file "
                "(and optionally folder: where the texts are)",
            )
        )
        return {}, default_texts
    for key in data:
        if key not in ("folder", "documents"):
            report.problems.append(
                Problem(shown, loaded.line((key,)), f"{key}: is not a field of sources.yaml")
            )
    texts = default_texts
    declared = data.get("folder")
    if declared is not None:
        if not isinstance(declared, str) or not declared.strip():
            report.problems.append(
                Problem(shown, loaded.line(("folder",)), "folder: must be a folder's path")
            )
        elif explicit is None:
            texts = find_source_texts(declared=folder / declared)
    docs: dict[str, SourceDoc] = {}
    labels: dict[str, str] = {}
    for key, entry in data["documents"].items():
        value = {"id": key, **entry} if isinstance(entry, dict) else entry
        base: Loc = ("documents", key)
        try:
            doc = SourceDoc.model_validate(value)
        except ValidationError as exc:
            for err in exc.errors():
                loc = (*base, *[part for part in err["loc"] if part != "id"])
                where = ".".join(str(part) for part in loc[1:])
                report.problems.append(
                    Problem(shown, loaded.line(loc), f"source {where}: {_explain(err)}")
                )
            continue
        first = labels.get(fold(doc.label))
        if first:
            report.problems.append(
                Problem(
                    shown,
                    loaded.line((*base, "label")),
                    f'source {key}: label: "{_show(doc.label)}" is already the label of {first}',
                )
            )
        labels[fold(doc.label)] = key
        if not _is_plain_file_name(doc.file):
            report.problems.append(
                Problem(
                    shown,
                    loaded.line((*base, "file")),
                    f'source {key}: file "{_show(doc.file)}" must be a file name inside the '
                    "sources folder (no folders, no ..)",
                )
            )
            continue
        refused = texts.refusal(doc.file) if texts.available else None
        if refused is not None:
            report.problems.append(
                Problem(
                    shown,
                    loaded.line((*base, "file")),
                    f'source {key}: file "{_show(doc.file)}" {printable(refused)}',
                )
            )
        docs[doc.id] = doc
    return docs, texts


def _is_plain_file_name(name: str) -> bool:
    """A name of a file directly in its folder: no separators, not "." or ".."."""
    return name not in (".", "..") and "/" not in name and "\\" not in name


class _BankChecker:
    """Checks one loaded bank file; appends problems to the report as it goes."""

    def __init__(
        self,
        doc: YamlDoc,
        report: Report,
        texts: SourceTexts,
        seen_ids: dict[str, str],
        seen_topics: dict[str, str],
    ):
        self.doc = doc
        self.report = report
        self.texts = texts
        self.seen_ids = seen_ids
        self.seen_topics = seen_topics
        self.count_before = len(report.problems)

    def problem(self, loc: Loc, message: str) -> None:
        self.report.problems.append(Problem(self.doc.path, self.doc.line(loc), message))

    def check(self, excludes: list[tuple[Problem, str]]) -> Bank | None:
        """The bank, or None when it has problems. Each excluded id is added to
        `excludes` with the problem to report if no bank has that id."""
        data = self.doc.data
        if not isinstance(data, dict):
            self.problem((), "a bank must be a mapping with topic, title, objectives, questions")
            return None
        header = self.check_header(data)
        raw_questions = data.get("questions")
        questions: list[Any] = []
        if raw_questions is None:
            self.problem((), "questions: is required")
        elif not isinstance(raw_questions, list) or not raw_questions:
            self.problem(("questions",), "questions: must be a list of at least one question")
        else:
            for index, raw in enumerate(raw_questions):
                question = self.check_shape(index, raw)
                if question is not None:
                    questions.append((index, question))
        if header is not None:
            self.report.topic_sizes[header.topic] = (
                len(raw_questions) if isinstance(raw_questions, list) else 0
            )
        objectives = header.objectives if header else {}
        for index, question in questions:
            self.check_rules(index, question, objectives)
            for k, other in enumerate(question.excludes):
                loc: Loc = ("questions", index, "excludes", k)
                message = f'question {question.id}: excludes[{k}]: "{other}" is no question\'s id'
                excludes.append((Problem(self.doc.path, self.doc.line(loc), message), other))
        if header is None or len(self.report.problems) > self.count_before:
            return None
        return Bank.model_construct(
            topic=header.topic,
            title=header.title,
            objectives=header.objectives,
            questions=tuple(q for _, q in questions),
        )

    def check_header(self, data: dict[str, Any]) -> BankHeader | None:
        fields = {k: v for k, v in data.items() if k != "questions"}
        header = self._validate(BankHeader, fields, (), None)
        if header is not None:
            first = self.seen_topics.get(header.topic)
            if first:
                self.problem(("topic",), f'topic: "{header.topic}" is already the topic of {first}')
            else:
                self.seen_topics[header.topic] = self.doc.path
        return header

    def check_shape(self, index: int, raw: Any) -> Any:
        loc: Loc = ("questions", index)
        qid = raw.get("id") if isinstance(raw, dict) else None
        if not (isinstance(qid, str) and qid.strip()):
            return self._validate(_question_adapter, raw, loc, f"#{index + 1}")
        first = self.seen_ids.get(qid)
        if first:
            self.problem((*loc, "id"), f'question {qid}: id: "{qid}" is already used at {first}')
        else:
            self.seen_ids[qid] = f"{self.doc.path}:{self.doc.line((*loc, 'id'))}"
            self.report.locations[qid] = (self.doc.path, self.doc.line((*loc, "id")))
        return self._validate(_question_adapter, raw, loc, qid)

    def _validate(self, model: Any, value: Any, base: Loc, label: str | None) -> Any:
        try:
            if isinstance(model, TypeAdapter):
                return model.validate_python(value)
            assert issubclass(model, BaseModel)
            return model.model_validate(value)
        except ValidationError as exc:
            for err in _root_causes(exc.errors()):
                loc = _clean_loc(err)
                where = _field_name(loc) or "question"
                message = f"{where}: {_explain(err)}"
                if label is not None:
                    message = f"question {label}: {message}"
                self.problem((*base, *loc), message)
            return None

    def check_rules(self, index: int, q: Question, objectives: Any) -> None:
        base: Loc = ("questions", index)
        prefix = f"question {q.id}"
        if objectives and q.objective not in objectives:
            self.problem(
                (*base, "objective"),
                f'{prefix}: objective: "{q.objective}" is not declared in this bank\'s objectives',
            )
        if isinstance(q, SingleQuestion | MultipleQuestion):
            self.check_choices(base, q)
        elif q.type == "matching":
            lefts = [(("pairs", i, 0), pair[0]) for i, pair in enumerate(q.pairs)]
            self.check_unique(base, prefix, lefts)
            rights = [(("pairs", i, 1), pair[1]) for i, pair in enumerate(q.pairs)]
            spares = [(("spares", i), spare) for i, spare in enumerate(q.spares)]
            self.check_unique(base, prefix, rights + spares)
        elif q.type == "ordering":
            items = [(("items", i), item) for i, item in enumerate(q.items)]
            self.check_unique(base, prefix, items)
        for i, ref in enumerate(q.sources):
            self.check_source(base, prefix, i, ref.doc, ref.quote)
        for k, other in enumerate(q.excludes):
            if other == q.id:
                self.problem(
                    (*base, "excludes", k),
                    f"{prefix}: excludes[{k}]: a question cannot exclude itself",
                )
        self.check_unique(
            base, prefix, [(("excludes", k), other) for k, other in enumerate(q.excludes)]
        )

    def check_choices(self, base: Loc, q: SingleQuestion | MultipleQuestion) -> None:
        prefix = f"question {q.id}"
        correct = sum(choice.correct for choice in q.choices)
        if q.type == "single" and correct != 1:
            self.problem(
                (*base, "choices"),
                f"{prefix}: choices: a single question needs exactly one correct choice, "
                f"found {correct}",
            )
        if q.type == "multiple" and correct < 2:
            self.problem(
                (*base, "choices"),
                f"{prefix}: choices: a multiple question needs at least two correct choices, "
                f"found {correct}",
            )
        if q.type == "multiple" and correct == len(q.choices):
            self.problem(
                (*base, "choices"),
                f"{prefix}: choices: every choice is correct; a multiple question needs "
                "at least one wrong choice",
            )
        texts = [(("choices", i, "text"), c.text) for i, c in enumerate(q.choices)]
        self.check_unique(base, prefix, texts)

    def check_unique(self, base: Loc, prefix: str, entries: list[tuple[Loc, str]]) -> None:
        seen: set[str] = set()
        for loc, text in entries:
            key = look_alike_key(text)
            if key in seen:
                self.problem(
                    (*base, *loc), f'{prefix}: {_field_name(loc)}: "{_show(text)}" appears twice'
                )
            seen.add(key)

    def check_source(self, base: Loc, prefix: str, i: int, doc_id: str, quote: str) -> None:
        doc = self.report.sources.get(doc_id)
        if doc is None:
            self.problem(
                (*base, "sources", i, "doc"),
                f'{prefix}: sources[{i}].doc: "{doc_id}" is not declared in sources.yaml',
            )
            return
        words = word_count(quote)
        if _words_with_letters(quote) < MIN_QUOTE_WORDS:
            self.problem(
                (*base, "sources", i, "quote"),
                f'{prefix}: sources[{i}].quote: "{_show(quote)}" is too short to support a '
                f"claim; a quote needs at least {MIN_QUOTE_WORDS} words with letters",
            )
        if words > MAX_QUOTE_WORDS:
            self.problem(
                (*base, "sources", i, "quote"),
                f"{prefix}: sources[{i}].quote: {words} words; a quote may have at most "
                f"{MAX_QUOTE_WORDS}",
            )
        if not self.texts.available:
            return
        text = self.texts.folded(doc.file)
        if text is None:
            return
        self.report.quotes_checked += 1
        if fold(quote) not in text:
            self.problem(
                (*base, "sources", i, "quote"),
                f'{prefix}: sources[{i}].quote: not found in "{doc_id}" ({doc.file}): '
                f'"{_show(quote)}"',
            )


_INVISIBLE = re.compile(r"[\s\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]+")


def look_alike_key(text: str) -> str:
    """What a reader sees of `text`: two texts with one key look alike (they differ only
    in case, spacing, invisible characters, Unicode form or typographic quotes)."""
    folded = unicodedata.normalize("NFKC", fold(text))
    return _INVISIBLE.sub("", folded)


def _words_with_letters(text: str) -> int:
    return sum(any(ch.isalpha() for ch in word) for word in text.split())


def _root_causes(errors: list[Any]) -> list[Any]:
    """Drop a list's "too short" when items inside it failed: that count is a symptom."""
    failed_inside = {tuple(e["loc"][:end]) for e in errors for end in range(len(e["loc"]))}
    return [
        e for e in errors if not (e["type"] == "too_short" and tuple(e["loc"]) in failed_inside)
    ]


def _clean_loc(err: Any) -> Loc:
    """Drop the union tag pydantic inserts into locations (questions[i].<type>.field)."""
    loc = tuple(err["loc"])
    if loc and loc[0] in QUESTION_TYPES:
        loc = loc[1:]
    if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
        loc = (*loc, "type")
    return tuple(part for part in loc if part != "[key]")


def _field_name(loc: Loc) -> str:
    name = ""
    for part in loc:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name


def _show(value: Any, limit: int = 60) -> str:
    text = printable(str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if value is None:
        return "nothing (null)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return f'the text "{_show(value, 30)}"'
    return f"a {type(value).__name__}"


def _explain(err: Any) -> str:
    """Turn one pydantic error into words a content author can act on."""
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    unit = "items"
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a field of the bank format"
    if kind == "string_type":
        return f"must be text, not {_kind(value)}"
    if kind == "bool_type":
        return f"must be true or false, not {_kind(value)}"
    if kind in ("tuple_type", "list_type"):
        return f"must be a list, not {_kind(value)}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"must be a mapping of fields, not {_kind(value)}"
    loc = err["loc"]
    if kind in ("too_short", "too_long") and len(loc) >= 2 and loc[-2] == "pairs":
        return (
            f"a pair is [left, right], found {ctx.get('actual_length')} items "
            "(quote text that contains a comma)"
        )
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} {unit}, found {ctx.get('actual_length')}"
    if kind == "too_long":
        return f"allows at most {ctx.get('max_length')} {unit}, found {ctx.get('actual_length')}"
    if kind == "string_too_long":
        return f"is {len(value):,} characters; the limit is {ctx.get('max_length'):,}"
    if kind == "string_pattern_mismatch":
        return f'"{_show(value)}" must be lowercase letters, digits, "-" or "_"'
    if kind == "literal_error":
        return f'"{_show(value)}" is not one of {ctx.get("expected")}'
    if kind == "union_tag_invalid":
        return f'"{_show(ctx.get("tag"))}" is not a question type; use ' + ", ".join(QUESTION_TYPES)
    if kind == "union_tag_not_found":
        return "is required: one of " + ", ".join(QUESTION_TYPES)
    message = str(err.get("msg", kind))
    return message.removeprefix("Value error, ")
