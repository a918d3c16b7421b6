"""The download route: the cohort's owner gets the CSV `quiz-app report` prints, streamed;
anyone else gets a plain refusal."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from click.testing import CliRunner

from quiz_app import downloads, session
from quiz_app.accounts import Accounts, User
from quiz_app.cli import cli
from quiz_app.cookies import SESSION_COOKIE
from quiz_app.downloads import Download
from quiz_app.store import reports as store_module
from quiz_app.writer import StoreBusy
from tests.asgi import Answer, call

pytestmark = pytest.mark.usefixtures("env")


def token_of(accounts: Accounts, user: User) -> str:
    """A session cookie of `user`, as the browser holds it after signing in."""
    cookies = accounts.claim_session(accounts.start_session(user).handoff)
    assert cookies is not None
    return cookies.session_token


def get(url: str, token: str | None = None, **headers: str) -> Answer:
    jar = {SESSION_COOKIE: token} if token else None
    routes = downloads.routes(session.accounts, session.reports)
    return call(routes, "GET", url, browser_cookies=jar, headers=headers)


@pytest.fixture
def owner(cohort_world) -> str:
    return token_of(cohort_world["accounts"], cohort_world["teacher"])


def report(db_path, code: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["report", "--db", str(db_path), "--cohort", code, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize(
    ("ask", "args", "name"),
    [
        (dict(kind="gradebook", quiz_id="post-test"), [], "gradebook-{code}-{day}.csv"),
        (dict(kind="items", quiz_id="post-test", which="all"), ["--items", "--attempts", "all"],
         "items-{code}-post-test-all-{day}.csv"),
        (dict(kind="responses", quiz_id="post-test"), ["--responses", "--quiz", "post-test"],
         "responses-{code}-post-test-{day}.csv"),
        (dict(kind="responses"), ["--responses"], "responses-{code}-{day}.csv"),
    ],
    ids=["gradebook", "items", "responses", "responses-every-quiz"],
)  # fmt: skip
def test_the_owner_gets_what_the_report_prints(
    cohort_world, owner, db_path, clock, tiny_course, ask, args, name
) -> None:
    cohort = cohort_world["cohort"]
    printed = report(db_path, cohort["join_code"], *args)  # reads only: Dia's stays open
    answer = get(Download(cohort_id=cohort["id"], **ask).url, owner)
    assert (answer.status, answer.complete) == (200, True), answer.body
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    day = tiny_course.local_time.today(clock.now()).isoformat()
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="{name.format(code=cohort["join_code"], day=day)}"'
    )
    assert answer.body.decode() == printed


def test_formula_like_names_are_neutralised(cohort_world, owner) -> None:
    answer = get(Download("gradebook", cohort_world["cohort"]["id"], "post-test").url, owner)
    rows = list(csv.DictReader(io.StringIO(answer.body.decode())))
    assert {r["display_name"] for r in rows if r["username"] == "eve"} == {
        '\'=HYPERLINK("http://evil")'
    }


def test_the_gradebook_follows_the_dashboard_s_filters(cohort_world, owner, clock) -> None:
    today = clock.now().date()
    url = Download("gradebook", cohort_world["cohort"]["id"], None, today, today).url
    assert url.endswith(f"gradebook.csv?cohort=1&since={today}&until={today}")
    rows = list(csv.DictReader(io.StringIO(get(url, owner).body.decode())))
    assert {r["username"]: r["attempts"] for r in rows}["bob"] == "1"  # his first was yesterday


@pytest.mark.parametrize("who", ["other", "ana", "nobody", "forged", "signed-out"])
def test_anyone_but_the_owner_is_refused(cohort_world, who: str) -> None:
    accounts = cohort_world["accounts"]
    if who in ("other", "ana"):
        user = cohort_world["other"] if who == "other" else cohort_world["people"]["ana"]
        token = token_of(accounts, user)
    elif who == "signed-out":
        token = token_of(accounts, cohort_world["teacher"])
        accounts.end_session_of_token(token)
    else:
        token = {"nobody": None, "forged": "A" * 43}[who]
    for kind in downloads.KINDS:
        answer = get(Download(kind, cohort_world["cohort"]["id"], "post-test").url, token)
        assert answer.status == 403
        assert answer.headers["content-type"].startswith("text/plain")
        assert b"eve" not in answer.body and b"ana" not in answer.body
        assert answer.body.decode() in (
            downloads.SIGN_IN_FIRST,
            "That cohort does not exist or is not yours.",
        )


def test_a_cohort_that_is_not_there_is_refused_as_not_yours(owner) -> None:
    answer = get(Download("gradebook", 999).url, owner)
    assert (answer.status, answer.body) == (403, b"That cohort does not exist or is not yours.")


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_a_request_another_site_started_is_refused(cohort_world, owner, site: str) -> None:
    url = Download("responses", cohort_world["cohort"]["id"]).url
    answer = get(url, owner, **{"sec-fetch-site": site})
    assert (answer.status, answer.body) == (403, b"Cross-site requests are refused.")
    assert get(url, owner, **{"sec-fetch-site": "same-origin"}).status == 200


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/exports/secrets.csv?cohort=1", 'There is no "secrets" download.'),
        ("/exports/gradebook.csv?cohort=one", "The address names no cohort."),
        ("/exports/gradebook.csv", "The address names no cohort."),
        ("/exports/items.csv?cohort=1&quiz=nope", 'There is no quiz "nope".'),
        ("/exports/items.csv?cohort=1&attempts=most", '"attempts" is one of first, best,'),
        ("/exports/gradebook.csv?cohort=1&since=yesterday", '"since" is a day such as'),
    ],
    ids=["kind", "cohort", "no-cohort", "quiz", "attempts", "day"],
)
def test_an_address_that_names_no_download_gets_404(owner, url: str, message: str) -> None:
    answer = get(url, owner)
    assert answer.status == 404 and answer.body.decode().startswith(message)


def test_a_busy_database_gets_a_plain_answer(
    cohort_world, owner, monkeypatch: pytest.MonkeyPatch
) -> None:
    def busy(*_: object) -> None:
        raise StoreBusy("The database is busy; try again in a moment.")

    monkeypatch.setattr(session.store(), "response_export_lines", busy)
    answer = get(Download("responses", cohort_world["cohort"]["id"]).url, owner)
    assert (answer.status, answer.body) == (503, b"The database is busy; try again in a moment.")


def test_a_failure_midway_drops_the_download_instead_of_ending_it(
    cohort_world, owner, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The browser then reports a failed download instead of keeping a cut-off file."""
    real = session.store().response_export_lines

    def fails_midway(*args: object):
        yield from list(real(*args))[:1]
        raise StoreBusy("The database is busy; try again in a moment.")

    monkeypatch.setattr(session.store(), "response_export_lines", fails_midway)
    monkeypatch.setattr(store_module, "STREAM_BATCH", 1)
    answer = get(Download("responses", cohort_world["cohort"]["id"]).url, owner)
    assert answer.status == 200 and not answer.complete
    assert answer.body.decode().count("\n") == 2  # the header and the one row read
    assert "The download of responses-" in caplog.text and "Traceback" not in caplog.text


def test_a_download_address_round_trips() -> None:
    ask = Download("gradebook", 7, "post-test", date(2026, 1, 2), date(2026, 3, 4))
    path, _, query = ask.url.partition("?")
    parsed = dict(pair.split("=") for pair in query.split("&"))
    assert path == "/exports/gradebook.csv"
    assert Download.from_address("gradebook", parsed) == ask
