"""The item-writing lint (`quiz-app validate --lint`): what a reviewer would flag and a
machine can find. Pure: it reads a validation `Report` and returns warnings.

Each rule has a name (`bank.LINT_RULES`); a question silences a rule for itself with
`lint: {rule: reason}`. Warnings never make a bank invalid.

- absolutes: only the key lacks absolute words ("all", "only", "never" ...), so a
  test-wise learner picks it; hedges: only the key hedges ("may", "can" ...).
- longest-key: the key is the longest option by a clear margin.
- stem-cue: a content word of the stem comes back in the key and in no other option.
- pair-cue: a matching pair shares a content word that no other right-hand option has.
- giveaway: a stem or option states another question's key (a candidate enemy pair the
  banks have not declared with `excludes`).
- overcited: one source sentence is cited by more than four questions.
- no-spare: a matching question without a right-hand option that matches nothing.
- order-unstated: an ordering whose order no cited quote states (its items do not come
  up in the quotes in that order).
And for the course: a post-test topic must offer at least twice its blueprint's count in
lint-free questions it may draw (so forms differ); at most a quarter of stems name a
document, and at most five questions compare what documents say.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction

from quiz_app.bank import (
    MatchingQuestion,
    MultipleQuestion,
    OrderingQuestion,
    Question,
    SingleQuestion,
    TrueFalseQuestion,
    enemy_map,
)
from quiz_app.sources import fold
from quiz_app.validate import SOURCES_FILE, Report

MAX_CITATIONS = 4  # questions that may cite one source sentence
MAX_COMPARING = 5  # questions whose stem compares what documents say
MAX_NAMING_SHARE = Fraction(1, 4)  # of stems that may name a document at all
LONGEST_RATIO = 1.3
LONGEST_MARGIN = 15  # characters
GIVEAWAY_RARE = 5  # a word on at most this many questions' forms is rare
GIVEAWAY_WORDS = 2  # rare answer words another form must hold, at least ...
GIVEAWAY_STATEMENT_WORDS = 3  # ... (of a true/false statement, whose patient details are no key)
GIVEAWAY_SHARE = 0.6  # ... and this share of them

_ABSOLUTE = re.compile(
    r"\b(all|every|everyone|everything|only|none|never|always|entirely|completely|"
    r"at all|no document|no one|cures?|guarantee[sd]?|proven|permanent(?:ly)?)\b"
)
_HEDGE = re.compile(
    r"\b(may|might|can|could|suggests?|suggested|thought to|some|often|usually|"
    r"typically|likely|possibly|generally|probably)\b"
)
_WORD = re.compile(r"[a-z][a-z'-]*[a-z]")
_STOP = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "also",
        "among",
        "an",
        "and",
        "another",
        "any",
        "are",
        "aren't",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "cannot",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "down",
        "during",
        "each",
        "either",
        "else",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "however",
        "i",
        "if",
        "in",
        "into",
        "is",
        "isn't",
        "it",
        "its",
        "itself",
        "just",
        "least",
        "less",
        "like",
        "made",
        "make",
        "makes",
        "many",
        "may",
        "me",
        "might",
        "more",
        "most",
        "much",
        "must",
        "my",
        "neither",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "often",
        "on",
        "once",
        "one",
        "ones",
        "or",
        "other",
        "others",
        "our",
        "out",
        "over",
        "own",
        "per",
        "rather",
        "same",
        "she",
        "should",
        "since",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "thus",
        "to",
        "too",
        "under",
        "until",
        "up",
        "upon",
        "us",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "whether",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "yes",
        "yet",
        "you",
        "your",
        "it's",
        "than",
        "them",
        "there's",
        "what's",
        "which's",
        "than",
        "each",
        "made",
        "says",
        "said",
        "say",
        "saying",
        "states",
        "stated",
        "state",
        "tells",
        "told",
        "shows",
        "shown",
        "show",
        "best",
        "most",
        "likely",
        "following",
        "statement",
        "statements",
        "describe",
        "describes",
        "described",
        "option",
        "options",
        "answer",
        "right",
        "wrong",
        "true",
        "false",
        "correct",
    ]
)
# Words every stem of this course uses; a key repeating them cues nothing.
_DOMAIN = frozenset(
    [
        "dry",
        "needling",
        "needle",
        "needles",
        "needled",
        "patient",
        "patients",
        "physiotherapist",
        "physiotherapists",
        "therapist",
        "therapists",
        "physical",
        "therapy",
        "clinician",
        "clinicians",
    ]
)
_DOCUMENT_WORDS = re.compile(r"\b(documents?|sources?|articles?|course material)\b")
_WHICH_DOCUMENT = re.compile(
    r"\bwhich (document|source|article|guide|overview|page)s?\b|\b(documents|sources) "
    r"(differ|disagree|agree)\b"
)


@dataclass(frozen=True)
class LintWarning:
    """One lint finding, located by file and line."""

    path: str
    line: int
    rule: str
    message: str
    question_id: str | None = None

    def __str__(self) -> str:
        who = f"question {self.question_id}: " if self.question_id else ""
        return f"{self.path}:{self.line}: warning: {who}{self.rule}: {self.message}"


def stems_of(text: str) -> set[str]:
    """The content words of `text`, crudely stemmed so "fibres" meets "fibre"."""
    return {_stem(word) for word in _WORD.findall(fold(text)) if _content(word)}


def _content(word: str) -> bool:
    return len(word) >= 4 and word not in _STOP and word not in _DOMAIN


def _stem(word: str) -> str:
    for suffix in ("ings", "ing", "ies", "ied", "es", "ed", "ly", "s"):
        if word.endswith(("ss", "us", "is")):
            break
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _options(q: Question) -> list[tuple[str, bool]]:
    """(text, is key) for every option of a choice question."""
    if isinstance(q, SingleQuestion | MultipleQuestion):
        return [(c.text, c.correct) for c in q.choices]
    return []


def visible_texts(q: Question) -> list[str]:
    """Everything a learner reads on the form before answering."""
    texts = [q.stem]
    if isinstance(q, SingleQuestion | MultipleQuestion):
        texts.extend(c.text for c in q.choices)
    elif isinstance(q, MatchingQuestion):
        texts.extend(left for left, _ in q.pairs)
        texts.extend(q.rights)
    elif isinstance(q, OrderingQuestion):
        texts.extend(q.items)
    return texts


def answer_words(q: Question) -> list[set[str]]:
    """The words that carry each part of this question's answer: per key choice, its
    words no wrong choice shares; a true/false statement's words; per matching pair,
    its words; nothing for an ordering."""
    if isinstance(q, SingleQuestion | MultipleQuestion):
        wrong = set().union(*(stems_of(c.text) for c in q.choices if not c.correct))
        found = [stems_of(c.text) - wrong for c in q.choices if c.correct]
    elif isinstance(q, TrueFalseQuestion):
        found = [stems_of(q.stem)]
    elif isinstance(q, MatchingQuestion):
        found = [stems_of(f"{left} {right}") for left, right in q.pairs]
    else:
        found = []
    return [words for words in found if len(words) >= 2]


class _Linter:
    def __init__(self, report: Report):
        self.report = report
        self.questions = report.questions
        self.warnings: list[LintWarning] = []
        self.enemies = enemy_map(self.questions)
        self._sentences: dict[str, tuple[str, ...]] = {}

    def warn(self, q: Question, rule: str, message: str) -> None:
        if rule in q.lint:
            return
        path, line = self.report.locations.get(q.id, ("?", 0))
        self.warnings.append(LintWarning(path, line, rule, message, q.id))

    def run(self) -> list[LintWarning]:
        for q in self.questions:
            self.options(q)
            if isinstance(q, MatchingQuestion):
                self.matching(q)
            if isinstance(q, OrderingQuestion):
                self.ordering(q)
        self.giveaways()
        self.overcited()
        flagged = {w.question_id for w in self.warnings}
        self.course(flagged)
        return sorted(self.warnings, key=lambda w: (w.path, w.line, w.rule))

    # -- one question ---------------------------------------------------------------

    def options(self, q: Question) -> None:
        options = _options(q)
        if not options:
            return
        keys = [fold(text) for text, key in options if key]
        wrong = [fold(text) for text, key in options if not key]
        if len(wrong) >= 2:
            if not any(_ABSOLUTE.search(k) for k in keys) and all(
                _ABSOLUTE.search(w) for w in wrong
            ):
                self.warn(
                    q, "absolutes", "every wrong option has an absolute word and the key none"
                )
            if all(_HEDGE.search(k) for k in keys) and not any(_HEDGE.search(w) for w in wrong):
                self.warn(q, "hedges", "only the key hedges (may, can, suggests ...)")
        shortest_key = min(len(k) for k in keys)
        longest_wrong = max(len(w) for w in wrong)
        if (
            shortest_key > LONGEST_RATIO * longest_wrong
            and shortest_key - longest_wrong >= LONGEST_MARGIN
        ):
            self.warn(
                q,
                "longest-key",
                f"the key is the longest option by far ({shortest_key} characters against "
                f"at most {longest_wrong})",
            )
        stem = stems_of(q.stem)
        key_words = set.intersection(*(stems_of(k) for k in keys))
        wrong_words = set().union(*(stems_of(w) for w in wrong))
        cue = sorted(stem & key_words - wrong_words)
        if cue:
            self.warn(
                q,
                "stem-cue",
                f"the stem's {_words(cue)} {'come' if len(cue) > 1 else 'comes'} back in the "
                "key and in no other option",
            )

    def matching(self, q: MatchingQuestion) -> None:
        if not q.spares:
            self.warn(q, "no-spare", "no right-hand option is spare, so the last pair is free")
        rights = [stems_of(right) for right in q.rights]
        for i, (left, _) in enumerate(q.pairs):
            others = set().union(*(r for j, r in enumerate(rights) if j != i))
            shared = sorted(stems_of(left) & rights[i] - others)
            if shared:
                self.warn(
                    q,
                    "pair-cue",
                    f'pair {i + 1} ("{_short(left)}") shares {_words(shared)} with its match '
                    "and no other option",
                )

    def ordering(self, q: OrderingQuestion) -> None:
        quotes = " ".join(fold(ref.quote) for ref in q.sources)
        words = _WORD.findall(quotes)
        first: dict[str, int] = {}
        for position, word in enumerate(words):
            first.setdefault(_stem(word), position)
        places = []
        for n, item in enumerate(q.items, start=1):
            found = [first[w] for w in stems_of(item) if w in first]
            if not found:
                self.warn(q, "order-unstated", f"item {n} shares no word with the cited quotes")
                return
            places.append(min(found))
        if places != sorted(places) or len(set(places)) < len(places):
            self.warn(
                q,
                "order-unstated",
                "the cited quotes do not state the items in this order",
            )

    # -- across questions -----------------------------------------------------------

    def giveaways(self) -> None:
        for a, b, words in self.giveaway_pairs():
            if b.id not in self.enemies.get(a.id, ()):
                self.warn(
                    a,
                    "giveaway",
                    f"its text gives away the answer of {b.id} ({_words(sorted(words))}); "
                    "make them enemies (excludes) or reword",
                )

    def giveaway_pairs(self) -> Iterator[tuple[Question, Question, set[str]]]:
        """(A, B, words): A's form text gives away B's answer. One stem or option of A
        holds at least two (three of a true/false statement, whose patient details are
        no answer), and at least 60%, of the rare words that carry B's answer: words of a
        key that no wrong option of B has, or of a true/false statement; rare: on at most
        five questions' forms, so the course's everyday vocabulary is no evidence.
        Enemies included: they are candidates the banks already keep apart."""
        seen_on: Counter[str] = Counter()
        for q in self.questions:
            seen_on.update(set().union(*(stems_of(text) for text in visible_texts(q))))
        answers = [
            (b, rare)
            for b in self.questions
            for words in answer_words(b)
            if len(rare := {w for w in words if seen_on[w] <= GIVEAWAY_RARE}) >= GIVEAWAY_WORDS
        ]
        for a in self.questions:
            segments = [stems_of(text) for text in visible_texts(a)]
            leaked: set[str] = set()
            for b, rare in answers:
                if b.id == a.id or b.id in leaked:
                    continue
                least = GIVEAWAY_STATEMENT_WORDS if b.type == "true_false" else GIVEAWAY_WORDS
                needed = max(least, GIVEAWAY_SHARE * len(rare))
                hit = next((rare & seg for seg in segments if len(rare & seg) >= needed), None)
                if hit:
                    leaked.add(b.id)
                    yield a, b, hit

    def overcited(self) -> None:
        citers: dict[tuple[str, int], list[Question]] = defaultdict(list)
        for q in self.questions:
            cited: set[tuple[str, int]] = set()
            for ref in q.sources:
                for index in self.sentences_of(ref.doc, ref.quote):
                    cited.add((ref.doc, index))
            for place in cited:
                citers[place].append(q)
        for (doc, index), questions in sorted(citers.items()):
            if len(questions) <= MAX_CITATIONS:
                continue
            sentence = self.sentence_list(doc)[index]
            ids = ", ".join(q.id for q in questions)
            for q in questions[MAX_CITATIONS:]:
                self.warn(
                    q,
                    "overcited",
                    f'{len(questions)} questions cite the sentence "{_short(sentence, 70)}" '
                    f"of {doc} ({ids}); at most {MAX_CITATIONS} may",
                )

    def sentence_list(self, doc: str) -> tuple[str, ...]:
        if doc not in self._sentences:
            texts = self.report.texts_of_doc.get(doc)
            source = self.report.sources.get(doc)
            found = texts.sentences(source.file) if texts and source else ()
            self._sentences[doc] = found
        return self._sentences[doc]

    def sentences_of(self, doc: str, quote: str) -> Iterator[int]:
        """The indexes of the sentences of `doc` that `quote` overlaps."""
        sentences = self.sentence_list(doc)
        if not sentences:
            return
        text = " ".join(sentences)
        start = text.find(fold(quote))
        if start < 0:
            return
        end = start + len(fold(quote))
        offset = 0
        for index, sentence in enumerate(sentences):
            if offset < end and start < offset + len(sentence):
                yield index
            offset += len(sentence) + 1

    # -- the course -----------------------------------------------------------------

    def course(self, flagged: set[str | None]) -> None:
        path = self.report.locations and next(iter(self.report.locations.values()))[0]
        sources_path = _sibling(path, SOURCES_FILE) if path else SOURCES_FILE
        labels = [fold(doc.label) for doc in self.report.sources.values()]
        naming = [q for q in self.questions if _names_document(q.stem, labels)]
        limit = int(MAX_NAMING_SHARE * len(self.questions))
        if len(naming) > limit:
            self.warnings.append(
                LintWarning(
                    sources_path,
                    1,
                    "naming",
                    f"{len(naming)} of {len(self.questions)} stems name a document; at most "
                    f"a quarter ({limit}) may",
                )
            )
        comparing = [q.id for q in self.questions if _compares_documents(q.stem, labels)]
        if len(comparing) > MAX_COMPARING:
            self.warnings.append(
                LintWarning(
                    sources_path,
                    1,
                    "comparing",
                    f"{len(comparing)} questions compare what documents say "
                    f"({', '.join(comparing)}); at most {MAX_COMPARING} may",
                )
            )
        by_topic = {bank.topic: bank for bank in self.report.banks}
        for quiz in self.report.quizzes:
            if quiz.blueprint is None or quiz.id not in self.report.blueprint_lines:
                continue
            quiz_path, line = self.report.blueprint_lines[quiz.id]
            for topic, count in quiz.blueprint.items():
                bank = by_topic.get(topic)
                if bank is None:
                    continue
                clean = [q for q in bank.questions if quiz.may_draw(q) and q.id not in flagged]
                if count * 2 > len(clean):
                    self.warnings.append(
                        LintWarning(
                            quiz_path,
                            line,
                            "variety",
                            f"quiz {quiz.id}: blueprint.{topic} asks for {count} questions "
                            f"but only {len(clean)} it may draw are free of lint warnings; "
                            "forms differ only when that is at least twice the count",
                        )
                    )


def _names_document(stem: str, labels: Iterable[str]) -> bool:
    folded = fold(stem)
    return any(label in folded for label in labels) or bool(_DOCUMENT_WORDS.search(folded))


def _compares_documents(stem: str, labels: Iterable[str]) -> bool:
    folded = fold(stem)
    named = sum(label in folded for label in labels)
    return named >= 2 or bool(_WHICH_DOCUMENT.search(folded))


def _sibling(path: str, name: str) -> str:
    head, sep, _ = path.rpartition("/")
    return f"{head}{sep}{name}" if sep else name


def _words(words: list[str]) -> str:
    shown = ", ".join(f'"{w}"' for w in words[:3])
    return ("words " if len(words) > 1 else "word ") + shown


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def lint(report: Report) -> list[LintWarning]:
    """Every lint warning for the valid banks of `report`, sorted by file and line."""
    return _Linter(report).run()


def giveaway_candidates(report: Report) -> set[frozenset[str]]:
    """Every pair of questions the giveaway rule flags, enemies and silenced ones too."""
    return {frozenset((a.id, b.id)) for a, b, _ in _Linter(report).giveaway_pairs()}
