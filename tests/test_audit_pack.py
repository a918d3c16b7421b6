"""The audit pack (quiz_app/audit.py): unzipped and held against the database, from the
command line, the download route and the Cohorts page."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz_app import audit, downloads, session
from quiz_app.accounts import Accounts, User
from quiz_app.audit import PARTS, PackInvalid, Scope, pack_chunks, verify_pack, write_pack
from quiz_app.cli import cli
from quiz_app.cookies import SESSION_COOKIE
from quiz_app.reports import Filters, Reports
from quiz_app.store import Store
from quiz_app.testing import open_app
from quiz_app.writer import StoreBusy
from tests.asgi import Answer, call
from tests.conftest import add_compliance_records


@pytest.fixture
def reports(cohort_world, store: Store, tiny_course, clock) -> Reports:
    return Reports(store, tiny_course, clock)


@pytest.fixture
def pack(reports: Reports, cohort_world, tmp_path: Path) -> zipfile.ZipFile:
    path = tmp_path / "pack.zip"
    write_pack(path, pack_chunks(reports, [Scope(cohort_world["cohort"])]))
    return zipfile.ZipFile(path)


def table(pack: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(pack.read(name).decode())))


def manifest_of(pack: zipfile.ZipFile) -> dict:
    return json.loads(pack.read(audit.MANIFEST))


def test_the_manifest_lists_every_file_with_its_sha256_size_and_rows(pack, clock) -> None:
    manifest = manifest_of(pack)
    assert manifest["exported_at"] == clock.now().isoformat()
    assert manifest["app_version"] == audit.app_version() != "unknown"
    assert [f["name"] for f in manifest["files"]] == [p.file_name for p in PARTS]
    assert sorted(pack.namelist()) == sorted([*(p.file_name for p in PARTS), audit.MANIFEST])
    for entry in manifest["files"]:
        data = pack.read(entry["name"])
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
        if entry["name"].endswith(".csv"):
            assert entry["rows"] == len(table(pack, entry["name"]))


def test_the_attempts_are_every_question_of_every_attempt_as_shown(
    pack, store: Store, cohort_world
) -> None:
    rows = table(pack, "attempts.csv")
    slots = store.first(
        "SELECT count(*) AS n FROM attempts a, json_each(a.slots) WHERE a.cohort_id = ?",
        (cohort_world["cohort"]["id"],),
    )
    assert len(rows) == slots["n"]  # blanks too, and Dia's open attempt
    answered = store.first(
        "SELECT count(*) AS n FROM responses r JOIN attempts a ON a.id = r.attempt_id"
        " WHERE a.cohort_id = ?",
        (cohort_world["cohort"]["id"],),
    )
    assert sum(1 for r in rows if r["answered_at"]) == answered["n"]
    ana = [r for r in rows if r["username"] == "ana"]
    assert {r["mark"] for r in ana} == {"1.0"} and {r["passed"] for r in ana} == {"yes"}
    single = next(r for r in ana if r["question_id"] == "q-single")
    assert (single["stem"], single["key"], single["answer"]) == ("Which one?", "Alpha", "Alpha")
    attempt = store.attempt(int(single["attempt_id"]))
    order = next(s["order"] for s in json.loads(attempt["slots"]) if s["id"] == "q-single")
    choices = ["Alpha", "Beta", "Gamma"]  # as the tiny bank lists them
    assert single["shown_as"] == " | ".join(f"{n}. {choices[i]}" for n, i in enumerate(order, 1))


def test_an_edited_question_is_shown_as_the_learner_saw_it(
    reports: Reports, cohort_world, tiny_course, tmp_path: Path
) -> None:
    from quiz_app.course import load_course

    bank = next(tiny_course.folder.glob("demo*.yaml"))
    bank.write_text(bank.read_text().replace("Which one?", "Which one is it now?"))
    edited = Reports(reports.store, load_course(tiny_course.folder), reports.attempts.clock)
    path = tmp_path / "edited.zip"
    write_pack(path, pack_chunks(edited, [Scope(cohort_world["cohort"])]))
    packed = zipfile.ZipFile(path)
    stems = {r["stem"] for r in table(packed, "attempts.csv") if r["question_id"] == "q-single"}
    assert stems == {"Which one?"}
    versions = {r["question_id"]: r for r in table(packed, "question_versions.csv")}
    assert versions["q-single"]["in_force_now"] == "no"
    assert versions["q-tf"]["in_force_now"] == "yes"


def test_question_versions_are_those_the_cohort_s_attempts_showed(pack, store, cohort_world):
    shown = store.query(
        "SELECT DISTINCT s.value ->> 'hash' AS h FROM attempts a, json_each(a.slots) s"
        " WHERE a.cohort_id = ?",
        (cohort_world["cohort"]["id"],),
    )
    rows = table(pack, "question_versions.csv")
    assert sorted(r["content_hash"] for r in rows) == sorted(r["h"] for r in shown)
    stored = store.question_version(rows[0]["content_hash"])
    assert json.loads(rows[0]["content"]) == json.loads(stored["content"])


def test_certificates_gradebook_and_item_analysis_match_the_reports(
    pack, reports: Reports, store: Store, cohort_world
) -> None:
    cohort = cohort_world["cohort"]
    issued = store.query(
        "SELECT c.code FROM certificates c JOIN attempts a ON a.id = c.attempt_id"
        " WHERE a.cohort_id = ? ORDER BY c.code",
        (cohort["id"],),
    )
    certificates = table(pack, "certificates.csv")
    assert sorted(r["code"] for r in certificates) == [r["code"] for r in issued]
    assert {r["username"] for r in certificates} == {"ana", "bob"}
    gradebook = table(pack, "gradebook.csv")
    expected = reports.gradebook(cohort, Filters("post-test"))
    assert [r["username"] for r in gradebook] == [r["username"] for r in expected]
    assert {r["username"]: r["certificate_code"] for r in gradebook}["ana"] in {
        r["code"] for r in certificates
    }
    items = table(pack, "item_analysis.csv")
    report = reports.item_analysis(cohort, "post-test", "first")
    assert [r["question_id"] for r in items] == [r.stats.question_id for r in report.items]
    course = json.loads(pack.read("course.json"))
    assert course["fingerprint"] == reports.course.fingerprint
    assert course["course"]["records_retention_years"] == 7
    assert [q["id"] for q in course["quizzes"]] == [q.id for q in reports.course.quizzes]


def test_the_compliance_records_are_in_the_pack_as_stored(
    reports: Reports, cohort_world, store: Store, tiny_course, clock, tmp_path: Path
) -> None:
    made = add_compliance_records(cohort_world, store, tiny_course, clock)
    path = tmp_path / "records.zip"
    write_pack(path, pack_chunks(reports, [Scope(cohort_world["cohort"])]))
    packed = zipfile.ZipFile(path)
    (reissue,) = table(packed, "certificate_reissues.csv")
    assert (reissue["old_code"], reissue["new_code"]) == (made["old_code"], made["new_code"])
    assert (reissue["old_name"], reissue["new_name"]) == ("Ana", "Ana Maria Lima")
    assert reissue["reason"] == "Her legal name was misspelt"
    assert reissue["reissued_by_name"] == "Teacher"
    superseded = {r["code"]: r["superseded_by"] for r in table(packed, "certificates.csv")}
    assert superseded[made["old_code"]] == made["new_code"] and not superseded[made["new_code"]]
    attested = table(packed, "attestations.csv")
    submitted = store.query(
        "SELECT id FROM attempts WHERE cohort_id = ? AND mode = 'post_test'"
        " AND submitted_at IS NOT NULL ORDER BY submitted_at, id",
        (cohort_world["cohort"]["id"],),
    )
    assert [int(r["attempt_id"]) for r in attested] == [r["id"] for r in submitted]
    evaluation = {r["item_id"]: r for r in table(packed, "evaluations.csv")}
    assert evaluation["objectives-met"]["rating"] == "4"
    assert evaluation["free-of-bias"]["rating_label"] == "Strongly agree"
    assert evaluation["improve"]["answer"] == "'=1+1"  # a formula, neutralised
    assert {int(r["attempt_id"]) for r in evaluation.values()} == {made["evaluated"]}
    (report,) = table(packed, "problem_reports.csv")
    assert (report["username"], report["reason"], report["comment"], report["status"]) == (
        "dia", "typo", "A typo in the stem", "open",
    )  # fmt: skip
    assert int(report["attempt_id"]) == made["reported"]
    (granted,) = table(packed, "accommodations.csv")
    assert (granted["username"], granted["time_multiplier"], granted["reason"]) == (
        "bob", "1.5", "On file",
    )  # fmt: skip


def test_hostile_text_is_neutralised_in_every_csv(pack) -> None:
    names = {r["display_name"] for r in table(pack, "attempts.csv") if r["username"] == "eve"}
    assert names == {'\'=HYPERLINK("http://evil")'}
    gradebook = table(pack, "gradebook.csv")
    assert {r["display_name"] for r in gradebook if r["username"] == "eve"} == names


def test_a_part_is_one_line_and_none_leaves_its_file_out(reports, cohort_world) -> None:
    parts = (
        audit.Part("notes", "notes.csv", lambda r, s: audit.Table(["a"], [{"a": "=1+1"}])),
        audit.Part("nothing", "nothing.csv", lambda r, s: None),
        audit.Part("raw", "raw.txt", lambda r, s: b"hello"),
    )
    data = b"".join(pack_chunks(reports, [Scope(cohort_world["cohort"])], parts=parts))
    packed = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(packed.namelist()) == ["manifest.json", "notes.csv", "raw.txt"]
    assert packed.read("notes.csv").decode() == '"a"\n"\'=1+1"\n'
    assert [f["rows"] for f in manifest_of(packed)["files"]] == [1, None]


def test_a_csv_member_is_written_as_its_rows_come(reports, cohort_world) -> None:
    """A thousand rows at a time: the ZIP has sent bytes before the last row is read."""
    read = []

    def rows():
        for n in range(3_000):
            read.append(n)
            yield {"n": n}

    parts = (audit.Part("many", "many.csv", lambda r, s: audit.Table(["n"], rows())),)
    chunks = pack_chunks(reports, [Scope(cohort_world["cohort"])], parts=parts)
    next(chunks)
    assert len(read) < 3_000
    rest = b"".join(chunks)
    assert len(read) == 3_000 and rest


def test_a_pack_that_does_not_match_its_manifest_is_refused(pack, tmp_path: Path) -> None:
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(tampered, "w") as out:
        for name in pack.namelist():
            data = pack.read(name)
            out.writestr(name, data + b"x" if name == "gradebook.csv" else data)
    with pytest.raises(PackInvalid, match=r"gradebook\.csv does not match its manifest"):
        verify_pack(tampered)
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    with pytest.raises(PackInvalid, match="not a readable audit pack"):
        verify_pack(tmp_path / "junk.zip")


# -- the command line ---------------------------------------------------------------------


def export(db_path: Path, *args: str):
    return CliRunner().invoke(cli, ["audit-export", "--db", str(db_path), *args])


def test_the_command_writes_the_pack(cli_world, db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "pack.zip"
    result = export(
        db_path, "--cohort", cli_world["cohort"]["join_code"].lower(), "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}: {len(PARTS)} files and a manifest" in result.stdout
    assert [f["name"] for f in verify_pack(out)["files"]] == [p.file_name for p in PARTS]
    assert not list(tmp_path.glob(".*partial"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cohort", "NOPE", "--out", "{tmp}/x.zip"], 'No cohort has the join code "NOPE".'),
        (["--cohort", "{code}", "--out", "{tmp}/missing/x.zip"], "{tmp}/missing: no such folder"),
        (["--cohort", "{code}", "--out", "/sys/x.zip"], "/sys/x.zip: Permission denied"),
        (["--cohort", "{code}", "--out", "{tmp}/exists.zip"], "{tmp}/exists.zip exists"),
    ],
    ids=["unknown-cohort", "no-folder", "unwritable", "exists"],
)
def test_command_errors_are_one_clean_line(
    cli_world, db_path: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "exists.zip").write_bytes(b"keep me")
    code = cli_world["cohort"]["join_code"]
    result = export(db_path, *(a.format(tmp=tmp_path, code=code) for a in args))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stderr.splitlines()[-1].startswith("Error: " + message.format(tmp=tmp_path))
    assert (tmp_path / "exists.zip").read_bytes() == b"keep me"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".zip") == ["exists.zip"]


# -- the download route and the Cohorts page ----------------------------------------------


def token_of(accounts: Accounts, user: User) -> str:
    cookies = accounts.claim_session(accounts.start_session(user).handoff)
    assert cookies is not None
    return cookies.session_token


def get(url: str, token: str | None = None) -> Answer:
    jar = {SESSION_COOKIE: token} if token else None
    return call(
        downloads.routes(session.accounts, session.reports), "GET", url, browser_cookies=jar
    )


@pytest.mark.usefixtures("env")
def test_the_owner_downloads_the_pack(cohort_world, clock, tiny_course) -> None:
    cohort = cohort_world["cohort"]
    owner = token_of(cohort_world["accounts"], cohort_world["teacher"])
    answer = get(downloads.audit_pack_url(cohort["id"]), owner)
    assert (answer.status, answer.complete) == (200, True)
    assert answer.headers["content-type"] == "application/zip"
    day = tiny_course.local_time.today(clock.now()).isoformat()
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="audit-pack-{cohort["join_code"]}-{day}.zip"'
    )
    packed = zipfile.ZipFile(io.BytesIO(answer.body))
    assert [f["name"] for f in manifest_of(packed)["files"]] == [p.file_name for p in PARTS]
    assert packed.testzip() is None


@pytest.mark.usefixtures("env")
@pytest.mark.parametrize("who", ["other", "ana", "nobody"])
def test_anyone_but_the_owner_is_refused_the_pack(cohort_world, who: str) -> None:
    accounts = cohort_world["accounts"]
    token = None if who == "nobody" else token_of(
        accounts, cohort_world["other"] if who == "other" else cohort_world["people"]["ana"]
    )  # fmt: skip
    answer = get(downloads.audit_pack_url(cohort_world["cohort"]["id"]), token)
    assert answer.status == 403 and b"ana" not in answer.body


@pytest.mark.usefixtures("env")
def test_a_busy_database_gets_a_plain_answer(cohort_world, monkeypatch) -> None:
    def busy(*_: object) -> None:
        raise StoreBusy("The database is busy; try again in a moment.")

    monkeypatch.setattr(session.store(), "cohort_learners", busy)
    owner = token_of(cohort_world["accounts"], cohort_world["teacher"])
    answer = get(downloads.audit_pack_url(cohort_world["cohort"]["id"]), owner)
    assert (answer.status, answer.body) == (503, b"The database is busy; try again in a moment.")
    assert get("/exports/audit-pack.zip?cohort=x", owner).status == 404


@pytest.mark.usefixtures("env")
def test_the_cohorts_page_links_each_cohort_to_its_pack(cohort_world) -> None:
    at = open_app(cohort_world["teacher"], "views/cohorts.py")
    assert not at.exception
    cohort_id = cohort_world["cohort"]["id"]
    (button,) = [b for b in at.link_button if b.proto.label == "Download the audit pack"]
    assert button.proto.url == f"/exports/audit-pack.zip?cohort={cohort_id}"
    assert any(e.label == "Audit pack" for e in at.expander)
    assert not at.get("download_button")  # nothing of the pack is built in the page
