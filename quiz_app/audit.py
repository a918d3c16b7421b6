"""The audit pack: a cohort's course records in one ZIP file, for an accreditor.

Each file of the pack is one `Part` of `PARTS`: a name, a file name, and a function of
(the reports service, a `Scope`) that gives the file's content: a `Table` (written as
spreadsheet-safe CSV, quiz_app/exports.py), bytes, or None when the part has nothing for
that scope. `manifest.json` lists every file with its SHA-256, size in bytes and row
count, the export time (UTC) and the app's version.

The pack is written as it is read (`pack_chunks`): every CSV member goes through the
streaming CSV writer into the ZIP a thousand rows at a time, so a cohort of any size
takes the same memory. `write_pack` writes it to a file under a temporary name, checks it
(`verify_pack`) and only then gives it its name.

A prune (`quiz-app prune`) packs what it deletes: one folder per cohort holding the same
parts, narrowed to the attempts older than its day (the item analysis excepted: it is
the cohort's as it stood before the prune).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from quiz_app import files, grading
from quiz_app.accommodations import ACCOMMODATION_COLUMNS, Accommodations
from quiz_app.bank import Question
from quiz_app.clock import LocalTime, iso
from quiz_app.errors import QuizError
from quiz_app.evaluations import EVALUATION_COLUMNS, Evaluations
from quiz_app.exports import csv_chunks, to_json
from quiz_app.problem_reports import REPORT_COLUMNS, ProblemReports
from quiz_app.quiz import Slot, shown_order
from quiz_app.reports import GRADEBOOK_COLUMNS, ITEM_COLUMNS, Filters, Reports
from quiz_app.retention import check_prune_day
from quiz_app.scoring import correct_answer, describe
from quiz_app.store import Row

MANIFEST = "manifest.json"
PACK_FORMAT = "quiz-app audit pack 1"
NO_COHORT = "no-cohort"  # the folder of a prune's attempts made outside any cohort

_question: TypeAdapter[Any] = TypeAdapter(Question)


class PackInvalid(QuizError):
    """A pack whose files do not match its manifest (or that is no ZIP file)."""


@dataclass(frozen=True)
class Scope:
    """Whose records a pack holds: a cohort's (None: attempts in no cohort), all of them
    or only those older than the local day `before` (a prune)."""

    cohort: Row | None
    before: date | None = None

    @property
    def cohort_id(self) -> int | None:
        return None if self.cohort is None else self.cohort["id"]

    def bound(self, reports: Reports) -> str | None:
        """`before` as stored UTC text: the start of that day in the course's zone."""
        if self.before is None:
            return None
        return reports.course.local_time.day_bounds(self.before)[0]


@dataclass(frozen=True)
class Table:
    """A CSV file's columns and its rows (mappings by column; a missing one is blank)."""

    columns: Sequence[str]
    rows: Iterable[Mapping[str, Any]]


Content = Table | bytes | None


@dataclass(frozen=True)
class Part:
    """One file of the pack: what it is (`name`), its `file_name`, and `build`, which
    gives its content for a scope (None: nothing to write for it)."""

    name: str
    file_name: str
    build: Callable[[Reports, Scope], Content]


# -- the parts ----------------------------------------------------------------------------


def gradebook(reports: Reports, scope: Scope) -> Content:
    """The post-test's gradebook, as `quiz-app report` prints it (the attempts started
    before `before`, for a prune)."""
    if scope.cohort is None:
        return None
    post_test = reports.course.post_test
    until = scope.before - timedelta(days=1) if scope.before else None
    filters = Filters(post_test.id if post_test else None, until=until)
    return Table(GRADEBOOK_COLUMNS, reports.gradebook(scope.cohort, filters))


ATTEMPT_COLUMNS = (
    "attempt_id", "username", "display_name", "quiz_id", "quiz_title", "mode", "started_at",
    "deadline", "submitted_at", "score", "max_score", "pass_mark", "passed", "slot",
    "question_id", "content_hash", "type", "stem", "shown_as", "key", "answer", "mark",
    "answered_at",
)  # fmt: skip


def attempts(reports: Reports, scope: Scope) -> Content:
    """Every question of every attempt, as the learner saw it (the version in force then,
    its parts in the order shown), with the key and the answer given in words."""
    return Table(ATTEMPT_COLUMNS, _attempt_rows(reports, scope))


def _attempt_rows(reports: Reports, scope: Scope) -> Iterator[dict[str, Any]]:
    local = reports.course.local_time
    versions = _Versions(reports)
    rows = reports.store.audit_attempt_slots(scope.cohort_id, scope.bound(reports))
    try:
        for row in rows:
            question = versions.get(row["question_id"], row["content_hash"])
            given = None if row["answer"] is None else json.loads(row["answer"])
            slot = Slot(row["question_id"], tuple(json.loads(row["part_order"])))
            yield {
                **{k: row[k] for k in ("attempt_id", "username", "display_name", "quiz_id",
                                       "quiz_title", "mode", "max_score", "pass_mark", "slot",
                                       "question_id", "content_hash")},
                **{k: _local(local, row[k]) for k in ("started_at", "deadline",
                                                       "submitted_at", "answered_at")},
                "score": grading.exact(row["score_exact"]),
                "passed": None if row["passed"] is None else bool(row["passed"]),
                "type": question.type if question else "",
                "stem": question.stem if question else "(this version was not kept)",
                "shown_as": shown_as(question, slot) if question else "",
                "key": describe(question, correct_answer(question)) if question else "",
                "answer": describe(question, given) if question else row["answer"] or "",
                "mark": grading.exact(row["mark_exact"]),
            }  # fmt: skip
    finally:
        rows.close()


def _local(local: LocalTime, stored: str | None) -> str:
    return local.iso(stored) if stored else ""


def shown_as(question: Question, slot: Slot) -> str:
    """The question's parts as the attempt showed them, in its order: numbered choices,
    the items to match and the options offered, or the items in their starting order."""
    order = shown_order(question, slot)
    if question.type == "true_false":
        return "True | False"
    if question.type in ("single", "multiple"):
        return " | ".join(f"{n}. {question.choices[i].text}" for n, i in enumerate(order, 1))
    if question.type == "matching":
        lefts = " | ".join(left for left, _ in question.pairs)
        return f"{lefts} || options: " + " | ".join(question.rights[i] for i in order)
    return " | ".join(question.items[i] for i in order)


class _Versions:
    """Question versions by content hash: the course's when it is the one in force, else
    the one the store kept when an attempt showed it (m002); None when neither has it."""

    def __init__(self, reports: Reports) -> None:
        self.reports = reports
        self.found: dict[str, Question | None] = {}

    def get(self, question_id: str, content_hash: str) -> Question | None:
        if content_hash not in self.found:
            self.found[content_hash] = self._load(question_id, content_hash)
        return self.found[content_hash]

    def _load(self, question_id: str, content_hash: str) -> Question | None:
        course = self.reports.course
        if course.has_question(question_id):
            current = course.question(question_id)
            if current.content_hash == content_hash or not content_hash:
                return current
        row = self.reports.store.question_version(content_hash)
        return None if row is None else _question.validate_json(row["content"])


CERTIFICATE_COLUMNS = (
    "code", "attempt_id", "user_id", "username", "learner_name", "course_title", "objectives",
    "ce_hours", "provider", "score_pct", "pass_mark", "completed_at", "issued_at",
    "time_zone", "scope",
)  # fmt: skip


def certificates(reports: Reports, scope: Scope) -> Content:
    """Every certificate issued for the scope's attempts, with every column the store
    keeps of it (so columns added by later migrations appear without a change here)."""
    rows = reports.store.audit_certificates(scope.cohort_id, scope.bound(reports))
    extra = [c for c in (rows[0] if rows else {}) if c not in CERTIFICATE_COLUMNS]
    for row in rows:
        row["objectives"] = "; ".join(json.loads(row["objectives"]))
    return Table((*CERTIFICATE_COLUMNS, *extra), rows)


def item_analysis(reports: Reports, scope: Scope) -> Content:
    """The post-test's item analysis over each learner's first attempt, as
    `quiz-app report --items` prints it."""
    post_test = reports.course.post_test
    if scope.cohort is None or post_test is None:
        return None
    report = reports.item_analysis(scope.cohort, post_test.id, "first")
    return Table(ITEM_COLUMNS, [r.as_export() for r in report.items])


def course_definition(reports: Reports, scope: Scope) -> Content:
    """The course as loaded from quizzes.yaml (defaults filled in), its quizzes, and each
    bank's topic, objectives and questions by content hash."""
    course = reports.course
    return json.dumps(
        {
            "fingerprint": course.fingerprint,
            "course": course.info.model_dump(mode="json"),
            "quizzes": [dict(quiz) for quiz in course.quizzes],
            "banks": [
                {
                    "topic": bank.topic,
                    "title": bank.title,
                    "objectives": dict(bank.objectives),
                    "questions": [
                        {"id": q.id, "content_hash": q.content_hash} for q in bank.questions
                    ],
                }
                for bank in course.banks
            ],
        },
        indent=2,
        ensure_ascii=False,
        default=dict,  # review options, blueprints and objectives
    ).encode()


QUESTION_VERSION_COLUMNS = ("question_id", "content_hash", "in_force_now", "type", "stem",
                            "key", "content")  # fmt: skip


def question_versions(reports: Reports, scope: Scope) -> Content:
    """Each version of a question the scope's attempts showed, as stored (m002): whether
    it is the course's version now, its key in words and its whole content as JSON."""
    course = reports.course
    rows = []
    for row in reports.store.audit_question_versions(scope.cohort_id, scope.bound(reports)):
        question = _question.validate_json(row["content"])
        rows.append(
            {
                **row,
                "in_force_now": course.has_question(question.id)
                and course.question(question.id).content_hash == row["content_hash"],
                "type": question.type,
                "stem": question.stem,
                "key": describe(question, correct_answer(question)),
            }
        )
    return Table(QUESTION_VERSION_COLUMNS, rows)


def _of_scope(reports: Reports, scope: Scope, rows: Iterable[Row]) -> list[Row]:
    """The rows (each naming its `attempt_id`) of the scope's attempts: all of them for a
    whole cohort, those of the older attempts for a prune."""
    if scope.before is None:
        return list(rows)
    kept = reports.store.audit_attempt_ids(scope.cohort_id, scope.bound(reports))
    return [row for row in rows if row["attempt_id"] in kept]


REISSUE_COLUMNS = ("old_code", "new_code", "attempt_id", "reissued_at", "reissued_by_name",
                   "reason", "old_name", "new_name")  # fmt: skip


def reissues(reports: Reports, scope: Scope) -> Content:
    """The reissue log: each superseded certificate's new code, when, by whom and why,
    and the name before and after."""
    rows = reports.store.cohort_reissues(scope.cohort_id)
    return Table(REISSUE_COLUMNS, _of_scope(reports, scope, rows))


ATTESTATION_COLUMNS = ("attempt_id", "username", "display_name", "quiz_id", "submitted_at",
                       "timed_out", "attested_at", "attestation")  # fmt: skip


def attestations(reports: Reports, scope: Scope) -> Content:
    """Every submitted post-test, attested (when, in which words) or not (a time-out)."""
    rows = reports.store.cohort_attestations(scope.cohort_id)
    return Table(ATTESTATION_COLUMNS, _of_scope(reports, scope, rows))


def evaluations(reports: Reports, scope: Scope) -> Content:
    """The course evaluations, one row per item asked, as the Course evaluations page's
    CSV has them."""
    rows = Evaluations(reports.store, reports.course).cohort_rows(scope.cohort_id)
    return Table(EVALUATION_COLUMNS, _of_scope(reports, scope, rows))


def problem_reports(reports: Reports, scope: Scope) -> Content:
    """The problems learners reported with questions, open and resolved, with the notes."""
    cohort = scope.cohort if scope.cohort is not None else {"id": None}
    rows = ProblemReports(reports.store, reports.course).cohort_rows(cohort)
    return Table(REPORT_COLUMNS, _of_scope(reports, scope, rows))


def accommodations(reports: Reports, scope: Scope) -> Content:
    """Every accommodation granted, changed or revoked in the cohort. Not a record of an
    attempt, so a prune neither deletes nor packs them."""
    if scope.cohort is None or scope.before is not None:
        return None
    rows = Accommodations(reports.store, reports.course).records(scope.cohort["id"])
    return Table(ACCOMMODATION_COLUMNS, rows)


# Every file of the pack, in order. Another part is one more line here (and its test).
PARTS: tuple[Part, ...] = (
    Part("gradebook", "gradebook.csv", gradebook),
    Part("attempts and answers as shown", "attempts.csv", attempts),
    Part("certificates issued", "certificates.csv", certificates),
    Part("certificate reissues", "certificate_reissues.csv", reissues),
    Part("attestations", "attestations.csv", attestations),
    Part("course evaluations", "evaluations.csv", evaluations),
    Part("accommodations granted", "accommodations.csv", accommodations),
    Part("question problem reports", "problem_reports.csv", problem_reports),
    Part("item analysis", "item_analysis.csv", item_analysis),
    Part("course definition", "course.json", course_definition),
    Part("question versions in force", "question_versions.csv", question_versions),
)


# -- writing and checking -----------------------------------------------------------------


def app_version() -> str:
    try:
        return version("quiz-app")
    except PackageNotFoundError:
        return "unknown"


class _Sink(io.RawIOBase):
    """A write-only, unseekable file that keeps what is written until it is taken."""

    def __init__(self) -> None:
        self.pieces: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.pieces.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self.pieces)
        self.pieces.clear()
        return data


class _Counted:
    """Rows passed through as they come, counted."""

    def __init__(self, rows: Iterable[Mapping[str, Any]]) -> None:
        self.rows = rows
        self.n = 0

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        for row in self.rows:
            self.n += 1
            yield row


def folder_of(scope: Scope) -> str:
    """Where a prune pack puts a scope's files: the cohort's join code, or NO_COHORT."""
    return f"{scope.cohort['join_code']}/" if scope.cohort is not None else f"{NO_COHORT}/"


def pack_chunks(
    reports: Reports,
    scopes: Sequence[Scope],
    folders: bool = False,
    parts: Sequence[Part] = PARTS,
) -> Iterator[bytes]:
    """The ZIP file of `parts` for each scope (in a folder per scope with `folders`), then
    its manifest, as bytes written as they are read. The export time is the reports'
    clock's now."""
    exported = reports.attempts.clock.now()
    stamp = exported.timetuple()[:6]
    sink = _Sink()
    listed: list[dict[str, Any]] = []
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for scope in scopes:
            for part in parts:
                content = part.build(reports, scope)
                if content is None:
                    continue
                name = (folder_of(scope) if folders else "") + part.file_name
                entry = {"name": name, "part": part.name, "sha256": "", "bytes": 0, "rows": None}
                digest = hashlib.sha256()
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                with archive.open(info, "w", force_zip64=True) as member:
                    for piece in _pieces(content, entry):
                        digest.update(piece)
                        entry["bytes"] += len(piece)
                        member.write(piece)
                        if data := sink.take():
                            yield data
                entry["sha256"] = digest.hexdigest()
                listed.append(entry)
        manifest = {
            "format": PACK_FORMAT,
            "app_version": app_version(),
            "exported_at": iso(exported),
            "course": reports.course.info.title,
            "cohorts": [_cohort_entry(s, folders) for s in scopes],
            "records_before": _day(scopes),
            "files": listed,
        }
        archive.writestr(zipfile.ZipInfo(MANIFEST, date_time=stamp), to_json(manifest) + "\n")
    yield sink.take()


def _pieces(content: Table | bytes, entry: dict[str, Any]) -> Iterator[bytes]:
    """A part's content as bytes, piece by piece; a table's row count goes in `entry`."""
    if isinstance(content, bytes):
        yield content
        return
    counted = _Counted(content.rows)
    for chunk in csv_chunks(counted, content.columns):
        yield chunk.encode()
    entry["rows"] = counted.n


def _cohort_entry(scope: Scope, folders: bool) -> dict[str, Any]:
    cohort = scope.cohort
    found = (
        {"id": None, "name": None, "join_code": None}
        if cohort is None
        else {k: cohort[k] for k in ("id", "name", "join_code")}
    )
    return {**found, "folder": folder_of(scope) if folders else ""}


def _day(scopes: Sequence[Scope]) -> str | None:
    days = {s.before for s in scopes if s.before is not None}
    return min(days).isoformat() if days else None


def verify_pack(path: Path) -> dict[str, Any]:
    """The manifest of the pack at `path` once every file in it is checked against it
    (the same files, each with its size and SHA-256); raises PackInvalid otherwise."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read(MANIFEST))
            listed = {entry["name"]: entry for entry in manifest["files"]}
            present = set(archive.namelist()) - {MANIFEST}
            if present != set(listed):
                raise PackInvalid(f"{path}: its files are not those its manifest lists")
            for name, entry in listed.items():
                digest, size = hashlib.sha256(), 0
                with archive.open(name) as member:
                    while block := member.read(1 << 20):
                        digest.update(block)
                        size += len(block)
                if (digest.hexdigest(), size) != (entry["sha256"], entry["bytes"]):
                    raise PackInvalid(f"{path}: {name} does not match its manifest")
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise PackInvalid(f"{path}: not a readable audit pack ({exc})") from None
    return manifest


def write_pack(destination: Path, chunks: Iterable[bytes]) -> dict[str, Any]:
    """Write a pack to `destination`, a new file, under a temporary name first; check it
    (`verify_pack`) and only then name it. Returns its manifest. Raises FileExistsError
    when `destination` exists, OSError when it cannot be written, PackInvalid."""
    if destination.exists():
        raise FileExistsError(17, "exists; choose a new file name", str(destination))
    partial = files.partial_name(destination)
    try:
        try:
            out = open(partial, "xb")  # noqa: SIM115 (closed below; its error names `destination`)
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror, str(destination)) from None
        with out:
            for chunk in chunks:
                out.write(chunk)
        manifest = verify_pack(partial)
        files.give_name(partial, destination)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


# -- prune -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrunePlan:
    """What `quiz-app prune --before DAY` would delete: the attempts older than `bound`
    (the start of DAY, stored UTC text), by `scopes`, and how many rows of each kind."""

    before: date
    bound: str
    scopes: tuple[Scope, ...]
    counts: Mapping[str, int]

    @property
    def empty(self) -> bool:
        return not self.counts.get("attempts")


def plan_prune(reports: Reports, before: date) -> PrunePlan:
    """The plan of a prune of the records older than the local day `before`, once the
    retention period allows it (raises retention.TooRecent) and every attempt past its
    deadline is submitted."""
    course = reports.course
    today = course.local_time.today(reports.attempts.clock.now())
    check_prune_day(before, today, course.info.records_retention_years)
    reports.attempts.finalize_expired()
    bound = course.local_time.day_bounds(before)[0]
    store = reports.store
    scopes = []
    for cohort_id in store.cohorts_with_records_before(bound):
        cohort = None if cohort_id is None else store.cohort(cohort_id)
        scopes.append(Scope(cohort, before))
    return PrunePlan(before, bound, tuple(scopes), store.count_records_before(bound))


def prune(reports: Reports, plan: PrunePlan, pack: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """Write the pack of what `plan` deletes to `pack` and check it, then delete it all in
    one transaction. Returns the pack's manifest and the rows deleted per table. Nothing
    is deleted when the pack cannot be written or checked (its error is raised)."""
    manifest = write_pack(pack, pack_chunks(reports, plan.scopes, folders=True))
    return manifest, reports.store.delete_records_before(plan.bound)
