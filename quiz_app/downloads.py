"""The app's CSV downloads, sent as they are read from the database.

`st.download_button` holds a whole file in server memory, so the instructor pages link
to a route that `quiz-app serve` runs beside the app (quiz_app/server.py) instead:

    GET /exports/gradebook.csv?cohort=ID[&quiz=QUIZ][&since=DAY][&until=DAY]
    GET /exports/items.csv?cohort=ID&quiz=QUIZ[&attempts=first|best|last|all]
    GET /exports/responses.csv?cohort=ID[&quiz=QUIZ]
    GET /exports/evaluations.csv?cohort=ID
    GET /exports/audit-pack.zip?cohort=ID    (quiz_app/audit.py: a ZIP, never for Excel)

(DAY as 2026-11-21, the course's days), each also with `&excel=1` for Excel (after a
UTF-8 byte-order mark). The answer is the CSV `quiz-app report` prints
(quiz_app/exports.py; `--excel`), as an attachment named as the pages name it, written a thousand
rows at a time: the database work runs in the threadpool, never on the event loop, and a
download of any size takes the same memory.

Only the instructor who owns the cohort gets it: the browser's session cookie
(cookies.SESSION_COOKIE) must name a live session of that instructor
(Reports.authorize). Anyone else gets 403 and a plain message; an address that names
no download (an unknown kind, quiz or day) gets 404.

Unlike the cookie routes' POSTs, a download is not refused for lacking an Origin: a
browser sends none with a link it follows, and none is needed. The session cookie is
SameSite=Strict, so a request that another site starts carries no session and is
refused; a download changes nothing a person sees (it submits the attempts past their
deadline, as every report does); and another site's script cannot read the answer
(no CORS). As a second guard, a request that the browser marks as started by another
site (`Sec-Fetch-Site: cross-site` or `same-site`) is refused.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Send

from quiz_app.accounts import Accounts
from quiz_app.analytics import ATTEMPT_CHOICES
from quiz_app.audit import Scope, pack_chunks
from quiz_app.cookies import SESSION_COOKIE
from quiz_app.errors import QuizError
from quiz_app.evaluations import EVALUATION_COLUMNS, Evaluations
from quiz_app.exports import csv_chunks
from quiz_app.reports import (
    GRADEBOOK_COLUMNS,
    ITEM_COLUMNS,
    Filters,
    NotAllowed,
    Reports,
)

EXPORTS_PATH = "/exports"
AUDIT_PACK_PATH = EXPORTS_PATH + "/audit-pack.zip"
KINDS = ("gradebook", "items", "responses", "evaluations")
SIGN_IN_FIRST = "Sign in as the cohort's instructor to download this."
_FILE_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")  # kept out of the header's quoted name

log = logging.getLogger(__name__)


class NoSuchDownload(QuizError):
    """A download address that names no download: an unknown kind, cohort, quiz or day."""


@dataclass(frozen=True)
class Download:
    """What a download link asks for: a kind of export of a cohort, and its filters."""

    kind: str
    cohort_id: int
    quiz_id: str | None = None
    since: date | None = None
    until: date | None = None
    which: str = "first"  # which attempts per learner the item analysis counts
    excel: bool = False  # start with a UTF-8 byte-order mark (exports.BOM), for Excel

    @property
    def url(self) -> str:
        """The route's address for this download, relative to the server's root."""
        query: dict[str, Any] = {"cohort": self.cohort_id, "quiz": self.quiz_id}
        if self.kind == "gradebook":
            query |= {"since": self.since, "until": self.until}
        if self.kind == "items":
            query["attempts"] = self.which
        if self.excel:
            query["excel"] = 1
        shown = {k: v.isoformat() if isinstance(v, date) else v for k, v in query.items()}
        return f"{EXPORTS_PATH}/{self.kind}.csv?" + urlencode(
            {k: v for k, v in shown.items() if v is not None}
        )

    @classmethod
    def from_address(cls, kind: str, query: dict[str, str]) -> Download:
        """The download a route address asks for; raises NoSuchDownload."""
        if kind not in KINDS:
            raise NoSuchDownload(f'There is no "{kind}" download.')
        cohort = query.get("cohort", "")
        if not (cohort.isascii() and cohort.isdigit()):
            raise NoSuchDownload("The address names no cohort.")
        which = query.get("attempts", "first")
        if which not in ATTEMPT_CHOICES:
            raise NoSuchDownload(f'"attempts" is one of {", ".join(ATTEMPT_CHOICES)}.')
        excel = query.get("excel", "")
        if excel not in ("", "1"):
            raise NoSuchDownload('"excel" is 1 or absent.')
        return cls(
            kind, int(cohort), query.get("quiz") or None, _day(query, "since"),
            _day(query, "until"), which, excel == "1",
        )  # fmt: skip

    def file_name(self, join_code: str, today: date) -> str:
        """The attachment's name: the kind, the cohort's join code, the quiz (and for item
        analysis the attempts counted), and today's date."""
        parts = [self.kind, join_code]
        if self.kind != "gradebook" and self.quiz_id:
            parts.append(self.quiz_id)
        if self.kind == "items":
            parts.append(self.which)
        return _FILE_NAME_UNSAFE.sub("_", "-".join([*parts, today.isoformat()])) + ".csv"


def _day(query: dict[str, str], name: str) -> date | None:
    text = query.get(name)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise NoSuchDownload(f'"{name}" is a day such as 2026-11-21.') from None


def audit_pack_url(cohort_id: int) -> str:
    """The address of a cohort's audit pack, relative to the server's root."""
    return f"{AUDIT_PACK_PATH}?{urlencode({'cohort': cohort_id})}"


@dataclass
class _Prepared:
    file_name: str
    first: str | bytes  # the first chunk, read before anything is sent
    rest: Iterator[str] | Iterator[bytes]
    media_type: str = "text/csv"


def _owned_cohort(
    reports: Reports, accounts: Accounts, token: str | None, cohort_id: int
) -> dict[str, Any]:
    """The cohort, when the session of `token` is its instructor's; raises NotAllowed."""
    signed = accounts.resume_session(token) if token else None
    if signed is None:
        raise NotAllowed(SIGN_IN_FIRST)
    return reports.authorize(signed.user, cohort_id)


def _started(chunks: Iterator[Any]) -> tuple[Any, Iterator[Any]]:
    """The first chunk (the query runs here, so its errors get a plain answer) and the
    rest; the export is closed when the first fails."""
    try:
        return next(chunks), chunks
    except BaseException:
        chunks.close()
        raise


def _prepare_pack(
    reports: Reports, accounts: Accounts, token: str | None, cohort_id: int
) -> _Prepared:
    """Check who asks, then start the cohort's audit pack (blocking, as `_prepare`)."""
    cohort = _owned_cohort(reports, accounts, token, cohort_id)
    first, rest = _started(pack_chunks(reports, [Scope(cohort)]))
    today = reports.course.local_time.today(reports.attempts.clock.now())
    name = _FILE_NAME_UNSAFE.sub("_", f"audit-pack-{cohort['join_code']}-{today.isoformat()}")
    return _Prepared(name + ".zip", first, rest, "application/zip")


def _prepare(reports: Reports, accounts: Accounts, token: str | None, ask: Download) -> _Prepared:
    """Check who asks, then start the export: its name, its first chunk and the rest
    (blocking: run it in the threadpool). Raises NotAllowed, NoSuchDownload or the
    store's errors."""
    cohort = _owned_cohort(reports, accounts, token, ask.cohort_id)
    course = reports.course
    quiz_id = ask.quiz_id
    if ask.kind == "items" and quiz_id is None and course.post_test is not None:
        quiz_id = course.post_test.id
    if quiz_id is not None and not any(q.id == quiz_id for q in course.quizzes):
        raise NoSuchDownload(f'There is no quiz "{quiz_id}".')
    chunks: Iterator[str]
    if ask.kind == "gradebook":
        gradebook = reports.gradebook(cohort, Filters(quiz_id, ask.since, ask.until))
        chunks = csv_chunks(gradebook, GRADEBOOK_COLUMNS, bom=ask.excel)
    elif ask.kind == "items":
        if quiz_id is None:
            raise NoSuchDownload("The course has no post-test; name a quiz.")
        report = reports.item_analysis(cohort, quiz_id, ask.which)
        chunks = csv_chunks((r.as_export() for r in report.items), ITEM_COLUMNS, bom=ask.excel)
    elif ask.kind == "evaluations":
        evaluations = Evaluations(reports.store, course, reports.attempts.clock)
        rows = evaluations.cohort_rows(cohort["id"])
        chunks = csv_chunks(rows, EVALUATION_COLUMNS, bom=ask.excel)
    else:
        chunks = reports.response_csv(cohort, Filters(quiz_id), bom=ask.excel)
    first, rest = _started(chunks)
    today = course.local_time.today(reports.attempts.clock.now())
    return _Prepared(ask.file_name(cohort["join_code"], today), first, rest)


class Attachment(StreamingResponse):
    """A file (CSV, or the audit pack's ZIP) sent as an attachment chunk by chunk as it
    is written.

    A storage failure midway ends the connection without completing the answer, so the
    browser reports a failed download rather than keeping a cut-off file; the server
    logs one line about it, not a traceback.
    """

    def __init__(self, prepared: _Prepared) -> None:
        super().__init__(
            _send_chunks(prepared),
            media_type=prepared.media_type,
            headers={"Content-Disposition": f'attachment; filename="{prepared.file_name}"'},
        )
        self.file_name = prepared.file_name

    async def stream_response(self, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        try:
            async for chunk in self.body_iterator:
                body = chunk if isinstance(chunk, bytes) else str(chunk).encode(self.charset)
                await send({"type": "http.response.body", "body": body, "more_body": True})
        except QuizError as exc:
            log.warning("The download of %s stopped: %s", self.file_name, exc)
            return
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _send_chunks(prepared: _Prepared) -> AsyncIterator[str | bytes]:
    """The chunks, each after the first read in the threadpool. The export stops, and
    its database connection goes back to the pool, when the download ends however it
    ends (done, failed, or the browser gone)."""
    try:
        yield prepared.first
        async for chunk in iterate_in_threadpool(prepared.rest):
            yield chunk
    finally:
        prepared.rest.close()  # quick: resets the statement, returns the connection


def routes(accounts: Callable[[], Accounts], reports: Callable[[], Reports]) -> list[Route]:
    """The download route, over the services that `accounts()` and `reports()` return."""

    async def answer(request: Request, prepare: Callable[[str | None], _Prepared]) -> Response:
        if request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
            return PlainTextResponse("Cross-site requests are refused.", status_code=403)
        try:
            prepared = await run_in_threadpool(lambda: prepare(request.cookies.get(SESSION_COOKIE)))
        except NoSuchDownload as exc:
            return PlainTextResponse(str(exc), status_code=404)
        except NotAllowed as exc:
            return PlainTextResponse(str(exc), status_code=403)
        except QuizError as exc:
            return PlainTextResponse(str(exc), status_code=503)
        return Attachment(prepared)

    async def download(request: Request) -> Response:
        try:
            ask = Download.from_address(
                request.path_params["kind"], dict(request.query_params.items())
            )
        except NoSuchDownload as exc:
            return PlainTextResponse(str(exc), status_code=404)
        return await answer(request, lambda token: _prepare(reports(), accounts(), token, ask))

    async def audit_pack(request: Request) -> Response:
        cohort = request.query_params.get("cohort", "")
        if not (cohort.isascii() and cohort.isdigit()):
            return PlainTextResponse("The address names no cohort.", status_code=404)
        return await answer(
            request, lambda token: _prepare_pack(reports(), accounts(), token, int(cohort))
        )

    return [
        Route(AUDIT_PACK_PATH, audit_pack, methods=["GET"]),
        Route(EXPORTS_PATH + "/{kind}.csv", download, methods=["GET"]),
    ]
