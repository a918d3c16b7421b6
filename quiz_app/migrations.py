"""The database schema as ordered, named migrations (sqlite-utils `Migrations`).

Never edit a migration that has shipped: add a new one. `Store` applies pending
migrations on start, so an old database opens in a new version without loss.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from fractions import Fraction

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from quiz_app import grading
from quiz_app.usernames import username_skeleton

migrations = Migrations("quiz_app")


@migrations()
def m001_core(db: Database) -> None:
    """Users, cohorts and who joined them, attempts and their responses."""
    db["users"].create(
        {
            "id": int,
            "username": str,
            "display_name": str,
            "role": str,
            "password_hash": str,
            "failed_signins": int,
            "locked_until": str,
            "created_at": str,
        },
        pk="id",
        not_null=[
            "username",
            "display_name",
            "role",
            "password_hash",
            "failed_signins",
            "created_at",
        ],
        defaults={"failed_signins": 0},
    )
    db["users"].create_index(["username"], unique=True)
    db["cohorts"].create(
        {
            "id": int,
            "name": str,
            "join_code": str,
            "instructor_id": int,
            "starts_on": str,
            "ends_on": str,
            "created_at": str,
        },
        pk="id",
        not_null=["name", "join_code", "instructor_id", "created_at"],
        foreign_keys=[("instructor_id", "users", "id")],
    )
    db["cohorts"].create_index(["join_code"], unique=True)
    db["cohorts"].create_index(["instructor_id"])
    db["memberships"].create(
        {"cohort_id": int, "user_id": int, "joined_at": str},
        pk=("cohort_id", "user_id"),
        not_null=["joined_at"],
        foreign_keys=[("cohort_id", "cohorts", "id"), ("user_id", "users", "id")],
    )
    db["memberships"].create_index(["user_id"])
    db["attempts"].create(
        {
            "id": int,
            "user_id": int,
            "cohort_id": int,
            "quiz_id": str,
            "quiz_title": str,
            "mode": str,
            "seed": int,
            "slots": str,
            "position": int,
            "started_at": str,
            "deadline": str,
            "submitted_at": str,
            "score": float,
            "max_score": float,
            "pass_mark": float,
            "passed": int,
        },
        pk="id",
        not_null=[
            "user_id",
            "quiz_id",
            "quiz_title",
            "mode",
            "seed",
            "slots",
            "position",
            "started_at",
        ],
        defaults={"position": 0},
        foreign_keys=[("user_id", "users", "id"), ("cohort_id", "cohorts", "id")],
    )
    db["attempts"].create_index(["user_id", "quiz_id", "started_at"])
    db["attempts"].create_index(["cohort_id", "quiz_id", "started_at"])
    db["responses"].create(
        {
            "attempt_id": int,
            "question_id": str,
            "answer": str,
            "mark": float,
            "max_mark": float,
            "content_hash": str,
            "answered_at": str,
        },
        pk=("attempt_id", "question_id"),
        not_null=["answer", "mark", "max_mark", "content_hash", "answered_at"],
        foreign_keys=[("attempt_id", "attempts", "id")],
    )
    db["responses"].create_index(["question_id", "content_hash"])


@migrations()
def m002_question_versions(db: Database) -> None:
    """Each version of a question an attempt showed, so review shows exactly what was seen."""
    db["question_versions"].create(
        {"content_hash": str, "question_id": str, "content": str},
        pk="content_hash",
        not_null=["question_id", "content"],
    )


@migrations()
def m003_sessions(db: Database) -> None:
    """Signed-in sessions, so a browser refresh keeps a learner signed in."""
    db["sessions"].create(
        {"token_hash": str, "user_id": int, "created_at": str, "expires_at": str},
        pk="token_hash",
        not_null=["user_id", "created_at", "expires_at"],
        foreign_keys=[("user_id", "users", "id")],
    )
    db["sessions"].create_index(["user_id"])


_VERSIONED = {
    "responses": ("INSERT", "DELETE", "UPDATE"),
    "attempts": (
        "INSERT",
        "DELETE",
        "UPDATE OF submitted_at, score, max_score, passed, cohort_id, user_id",
    ),
    "memberships": ("INSERT", "DELETE"),
    "users": ("INSERT", "DELETE", "UPDATE OF username, display_name"),
    "cohorts": ("INSERT", "DELETE", "UPDATE OF name, join_code, starts_on, ends_on"),
}


@migrations()
def m004_data_version(db: Database) -> None:
    """A counter that every change to what reports show increments, so cached reports
    know when they are stale. Moving between questions (attempts.position) does not count."""
    db.execute(
        "CREATE TABLE data_version (id INTEGER PRIMARY KEY CHECK (id = 1),"
        " version INTEGER NOT NULL)"
    )
    db.execute("INSERT INTO data_version (id, version) VALUES (1, 0)")
    for table, events in _VERSIONED.items():
        for number, event in enumerate(events):
            db.execute(
                f"CREATE TRIGGER {table}_version_{number} AFTER {event} ON {table}"
                " BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END"
            )


@migrations()
def m005_certificates(db: Database) -> None:
    """Certificates of completion: one per passed post-test attempt, with what it says
    fixed at issue, under an unguessable code that anyone can verify."""
    db["certificates"].create(
        {
            "code": str,
            "attempt_id": int,
            "user_id": int,
            "learner_name": str,
            "course_title": str,
            "objectives": str,
            "ce_hours": float,
            "provider": str,
            "score_pct": float,
            "pass_mark": float,
            "completed_at": str,
            "issued_at": str,
        },
        pk="code",
        not_null=["attempt_id", "user_id", "learner_name", "course_title", "objectives",
                  "ce_hours", "provider", "score_pct", "pass_mark", "completed_at",
                  "issued_at"],
        foreign_keys=[("attempt_id", "attempts", "id"), ("user_id", "users", "id")],
    )  # fmt: skip
    db["certificates"].create_index(["attempt_id"], unique=True)
    db["certificates"].create_index(["user_id"])
    db.execute(
        "CREATE TRIGGER certificates_version_0 AFTER INSERT ON certificates"
        " BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END"
    )


@migrations()
def m006_exact_marks_one_open_attempt(db: Database) -> None:
    """Exact marks, one open attempt per learner and quiz, and finding expired attempts.

    - `responses.mark_exact` and `attempts.score_exact` hold marks and totals as exact
      fractions ("2/3"); the REAL `mark` and `score` stay, for statistics in SQL. Old
      marks were rounded to 4 places, so each is the nearest fraction with a
      denominator up to 100; each submitted attempt's total and pass or fail are then
      recomputed from them exactly (an attempt exactly on the pass mark passes).
    - Learners who managed to open two attempts of one quiz at once keep the newest
      open; the others are submitted as they stood, at their deadline (or start).
    - A partial unique index allows one open attempt per learner and quiz; another one
      on the deadline of open attempts finds those that have timed out.
    """
    db["responses"].add_column("mark_exact", str)
    db["attempts"].add_column("score_exact", str)
    rows = db.execute("SELECT rowid, mark FROM responses").fetchall()
    db.conn.executemany(
        "UPDATE responses SET mark_exact = ? WHERE rowid = ?",
        [(grading.stored(Fraction(mark).limit_denominator(100)), rowid) for rowid, mark in rows],
    )
    duplicates = db.execute(
        "SELECT id, coalesce(deadline, started_at) FROM attempts a WHERE submitted_at IS NULL"
        " AND EXISTS (SELECT 1 FROM attempts b WHERE b.user_id = a.user_id"
        " AND b.quiz_id = a.quiz_id AND b.submitted_at IS NULL"
        " AND (b.started_at, b.id) > (a.started_at, a.id))"
    ).fetchall()
    db.conn.executemany(
        "UPDATE attempts SET submitted_at = ? WHERE id = ?", [(at, i) for i, at in duplicates]
    )
    submitted = db.execute(
        "SELECT id, max_score, pass_mark FROM attempts WHERE submitted_at IS NOT NULL"
    ).fetchall()
    marks: dict[int, list[Fraction]] = {}
    for attempt_id, text in db.execute(
        "SELECT attempt_id, mark_exact FROM responses WHERE attempt_id IN"
        " (SELECT id FROM attempts WHERE submitted_at IS NOT NULL)"
    ):
        marks.setdefault(attempt_id, []).append(Fraction(text))
    updates = []
    for attempt_id, max_score, pass_mark in submitted:
        top = max_score or float(
            len(json.loads(db.execute("SELECT slots FROM attempts WHERE id = ?", [attempt_id])
                           .fetchone()[0]))
        )  # fmt: skip
        score = grading.total(marks.get(attempt_id, []))
        decided = None if pass_mark is None else int(grading.passed(score, top, pass_mark))
        updates.append((float(score), grading.stored(score), top, decided, attempt_id))
    db.conn.executemany(
        "UPDATE attempts SET score = ?, score_exact = ?, max_score = ?, passed = ? WHERE id = ?",
        updates,
    )
    db.execute(
        "CREATE UNIQUE INDEX attempts_one_open ON attempts (user_id, quiz_id)"
        " WHERE submitted_at IS NULL"
    )
    db.execute(
        "CREATE INDEX attempts_open_deadline ON attempts (deadline) WHERE submitted_at IS NULL"
    )


@migrations()
def m007_signin_guard(db: Database) -> None:
    """Sign-in guards that hold under parallel guesses, recognised browsers, and sessions
    whose token is minted when the browser claims it.

    - `signin_guards`: password checks taken per username (hashed, existing or not) in
      the current lock window, replacing `users.failed_signins` and `users.locked_until`.
    - `devices`: browsers an account has signed in on (token hashes), with their own
      failure count.
    - `sessions` gets an integer `id` (what the server keeps for a signed-in page), a
      `token_hash` that is empty until the browser claims it, and the hash and expiry of
      the one-time hand-off code the browser claims it with. Existing sessions keep
      their tokens.
    """
    db["signin_guards"].create(
        {"key": str, "checks": int, "renews_at": str},
        pk="key",
        not_null=["checks", "renews_at"],
    )
    db["signin_guards"].create_index(["renews_at"])
    db["devices"].create(
        {"token_hash": str, "user_id": int, "failures": int, "created_at": str, "expires_at": str},
        pk="token_hash",
        not_null=["user_id", "failures", "created_at", "expires_at"],
        defaults={"failures": 0},
        foreign_keys=[("user_id", "users", "id")],
    )
    db["devices"].create_index(["user_id"])
    # DROP COLUMN rather than transform(): rebuilding `users` would drop its triggers.
    db.execute("ALTER TABLE users DROP COLUMN failed_signins")
    db.execute("ALTER TABLE users DROP COLUMN locked_until")
    db["sessions"].add_column("id", int)
    db["sessions"].add_column("handoff_hash", str)
    db["sessions"].add_column("handoff_expires_at", str)
    db["sessions"].transform(pk="id", column_order=["id", "token_hash"])
    db["sessions"].create_index(["token_hash"], unique=True)
    db["sessions"].create_index(["handoff_hash"], unique=True)


@migrations()
def m008_certificate_time_zone(db: Database) -> None:
    """Each certificate keeps the time zone its date of completion is read in: the
    course's when it was issued, so a later change of the course's zone moves no date.
    Certificates issued before time zones existed were dated by the UTC day: 'UTC'."""
    db["certificates"].add_column("time_zone", str, not_null_default="UTC")


@migrations()
def m009_certificate_scope(db: Database) -> None:
    """Each certificate keeps the course's scope statement (what it covers and does not,
    and what passing does not qualify for) as it stood at issue. Certificates issued
    before the statement existed have none (NULL) and print none."""
    db["certificates"].add_column("scope", str)


def _bump(select: str) -> str:
    """A trigger statement that adds 1 to the version of each (cohort, quiz) `select` gives
    (its third column is 1, the version of a pair seen for the first time)."""
    return (
        f"INSERT INTO report_versions (cohort_id, quiz_id, version) {select}"
        " ON CONFLICT (cohort_id, quiz_id) DO UPDATE SET version = version + 1;"
    )


def _of_attempt(row: str) -> str:
    """The bump for the cohort and quiz of attempt `row`.attempt_id, once it is submitted."""
    return _bump(
        f"SELECT cohort_id, quiz_id, 1 FROM attempts WHERE id = {row}.attempt_id"
        " AND submitted_at IS NOT NULL AND cohort_id IS NOT NULL"
    )


def _of_cohort(cohort: str) -> str:
    """The bump for a cohort as a whole (its members, their names, the cohort itself and
    its certificates): quiz_id ''."""
    return _bump(f"SELECT {cohort}, '', 1 WHERE {cohort} IS NOT NULL")


_ATTEMPT_COLUMNS = (
    "cohort_id, user_id, quiz_id, started_at, submitted_at, score, score_exact, max_score,"
    " passed, slots"
)
_REPORT_TRIGGERS = {
    "attempts_report_insert": (
        "AFTER INSERT ON attempts",
        _bump("SELECT NEW.cohort_id, NEW.quiz_id, 1 WHERE NEW.cohort_id IS NOT NULL"),
    ),
    "attempts_report_delete": (
        "AFTER DELETE ON attempts",
        _bump("SELECT OLD.cohort_id, OLD.quiz_id, 1 WHERE OLD.cohort_id IS NOT NULL"),
    ),
    "attempts_report_update": (
        f"AFTER UPDATE OF {_ATTEMPT_COLUMNS} ON attempts",
        _bump("SELECT NEW.cohort_id, NEW.quiz_id, 1 WHERE NEW.cohort_id IS NOT NULL")
        + _bump(
            "SELECT OLD.cohort_id, OLD.quiz_id, 1 WHERE OLD.cohort_id IS NOT NULL"
            " AND (OLD.cohort_id IS NOT NEW.cohort_id OR OLD.quiz_id IS NOT NEW.quiz_id)"
        ),
    ),
    "responses_report_insert": ("AFTER INSERT ON responses", _of_attempt("NEW")),
    "responses_report_delete": ("AFTER DELETE ON responses", _of_attempt("OLD")),
    "responses_report_update": (
        "AFTER UPDATE ON responses",
        _of_attempt("NEW")
        + _bump(
            "SELECT cohort_id, quiz_id, 1 FROM attempts WHERE id = OLD.attempt_id"
            " AND OLD.attempt_id IS NOT NEW.attempt_id"
            " AND submitted_at IS NOT NULL AND cohort_id IS NOT NULL"
        ),
    ),
    "memberships_report_insert": ("AFTER INSERT ON memberships", _of_cohort("NEW.cohort_id")),
    "memberships_report_delete": ("AFTER DELETE ON memberships", _of_cohort("OLD.cohort_id")),
    "memberships_report_update": (
        "AFTER UPDATE ON memberships",
        _of_cohort("NEW.cohort_id") + _of_cohort("OLD.cohort_id"),
    ),
    "users_report_update": (
        "AFTER UPDATE OF username, display_name ON users",
        _bump("SELECT cohort_id, '', 1 FROM memberships WHERE user_id = NEW.id"),
    ),
    "cohorts_report_insert": ("AFTER INSERT ON cohorts", _of_cohort("NEW.id")),
    "cohorts_report_delete": ("AFTER DELETE ON cohorts", _of_cohort("OLD.id")),
    "cohorts_report_update": (
        "AFTER UPDATE OF name, join_code, instructor_id, starts_on, ends_on ON cohorts",
        _of_cohort("NEW.id"),
    ),
    "certificates_report_insert": (
        "AFTER INSERT ON certificates",
        _bump(
            "SELECT cohort_id, '', 1 FROM attempts WHERE id = NEW.attempt_id"
            " AND cohort_id IS NOT NULL"
        ),
    ),
    "certificates_report_delete": (
        "AFTER DELETE ON certificates",
        _bump(
            "SELECT cohort_id, '', 1 FROM attempts WHERE id = OLD.attempt_id"
            " AND cohort_id IS NOT NULL"
        ),
    ),
    "certificates_report_update": (
        "AFTER UPDATE ON certificates",
        _bump(
            "SELECT cohort_id, '', 1 FROM attempts WHERE id IN (OLD.attempt_id, NEW.attempt_id)"
            " AND cohort_id IS NOT NULL"
        ),
    ),
}


@migrations()
def m010_report_versions(db: Database) -> None:
    """Versions per cohort and quiz in place of m004's one counter, so that a cached report
    goes stale only when something it reads changes, not at every write anywhere.

    `report_versions` holds a version per (cohort, quiz): an attempt's inserts, deletes
    and changes of what reports read (not `position`) count for its cohort and quiz, and
    so do its responses once it is submitted (reports read only submitted attempts, whose
    responses never change: the answers of open attempts, the most frequent write, count
    for nothing). Quiz '' stands for the cohort as a whole: its members, their names, the
    cohort's own row and certificates of its attempts. A dashboard reads every version of
    its cohort, an item analysis that of its cohort and quiz. Each trigger costs at most
    one indexed lookup and an upsert into this small table.

    `attempts_by_learner` holds everything the dashboard reads of a cohort's attempts, per
    learner, so it never reads the attempts' slots (most of each row).
    """
    for table, events in _VERSIONED.items():
        for number in range(len(events)):
            db.execute(f"DROP TRIGGER {table}_version_{number}")
    db.execute("DROP TRIGGER certificates_version_0")
    db.execute("DROP TABLE data_version")
    db.execute(
        "CREATE TABLE report_versions (cohort_id INTEGER NOT NULL, quiz_id TEXT NOT NULL,"
        " version INTEGER NOT NULL, PRIMARY KEY (cohort_id, quiz_id)) WITHOUT ROWID"
    )
    for name, (event, body) in _REPORT_TRIGGERS.items():
        db.execute(f"CREATE TRIGGER {name} {event} BEGIN {body} END")
    db.execute(
        "CREATE INDEX attempts_by_learner ON attempts (cohort_id, user_id, quiz_id, started_at,"
        " submitted_at, passed, score, score_exact, max_score)"
    )


@migrations()
def m011_username_skeletons(db: Database) -> None:
    """Each user's skeleton (`usernames.username_skeleton`: what the username looks like)
    under a UNIQUE index, so the insert itself refuses an account that would look like
    another, however many sign-ups run at once.

    Databases from before may hold accounts that already look alike (accepted before
    sign-up compared skeletons, or by a race between two sign-ups): the first of them
    (lowest id) keeps its skeleton, the later ones get NULL, which the index allows any
    number of. They all still sign in, and the first's skeleton keeps any new account
    from looking like any of them.
    """
    db["users"].add_column("skeleton", str)
    first: dict[str, int] = {}
    for user_id, username in db.execute("SELECT id, username FROM users ORDER BY id"):
        first.setdefault(username_skeleton(username), user_id)
    db.conn.executemany(
        "UPDATE users SET skeleton = ? WHERE id = ?", [(s, i) for s, i in first.items()]
    )
    db["users"].create_index(["skeleton"], unique=True)


@migrations()
def m012_question_flags(db: Database) -> None:
    """Questions a learner flagged for review in an open post-test (as Moodle's "flag
    question"): one row per flag, gone when taken off. Reports read none of it, so no
    report version counts it."""
    db.execute(
        "CREATE TABLE flags (attempt_id INTEGER NOT NULL REFERENCES attempts (id),"
        " question_id TEXT NOT NULL, flagged_at TEXT NOT NULL,"
        " PRIMARY KEY (attempt_id, question_id))"
    )


@migrations()
def m013_password_resets(db: Database) -> None:
    """One-time password-reset links: the SHA-256 of each link's token (never the token),
    whose account it resets, who issued it (an instructor; NULL for the command line),
    when it was made, when it expires and when it was used."""
    db["password_resets"].create(
        {
            "token_hash": str,
            "user_id": int,
            "issued_by": int,
            "created_at": str,
            "expires_at": str,
            "used_at": str,
        },
        pk="token_hash",
        not_null=["user_id", "created_at", "expires_at"],
        foreign_keys=[("user_id", "users", "id"), ("issued_by", "users", "id")],
    )
    db["password_resets"].create_index(["user_id"])


@migrations()
def m014_cohort_archive(db: Database) -> None:
    """When an instructor archived a cohort (NULL: not archived). An archived cohort is
    hidden from the instructor's default list and cannot be joined; its members, attempts
    and reports stay. Reports read none of it, so no report version counts it."""
    db["cohorts"].add_column("archived_at", str)


@migrations()
def m015_spaced_review(db: Database) -> None:
    """Spaced review (quiz_app.reviews): each learner's card of each question they have
    answered with feedback (FSRS's state as JSON, with its due time, stability and
    difficulty beside it for queries, and the key hash it was learned with), one log
    row per review (who, which question, which attempt's answer, the rating, when), and
    each learner's review settings. A card also keeps itself as it was before its latest
    review (`card_before`, NULL when that review made it), so that a confidence click
    can rate that review again; older states are not kept.

    `review_versions` holds one version per cohort that grows at each review by one of
    its members, so the dashboard's review figures are cached apart from the results."""
    db.execute(
        "CREATE TABLE cards (user_id INTEGER NOT NULL REFERENCES users (id),"
        " question_id TEXT NOT NULL, key_hash TEXT NOT NULL, card TEXT NOT NULL,"
        " due TEXT NOT NULL, stability REAL, difficulty REAL, last_review TEXT NOT NULL,"
        " card_before TEXT, last_attempt_id INTEGER, reviews INTEGER NOT NULL DEFAULT 0,"
        " PRIMARY KEY (user_id, question_id))"
    )
    db.execute("CREATE INDEX cards_due ON cards (user_id, due)")
    db.execute(
        "CREATE TABLE review_logs (id INTEGER PRIMARY KEY,"
        " user_id INTEGER NOT NULL REFERENCES users (id), question_id TEXT NOT NULL,"
        " attempt_id INTEGER NOT NULL REFERENCES attempts (id), rating INTEGER NOT NULL,"
        " reviewed_at TEXT NOT NULL, UNIQUE (attempt_id, question_id))"
    )
    db.execute("CREATE INDEX review_logs_by_learner ON review_logs (user_id, reviewed_at)")
    db["users"].add_column("review_cap", int)
    db["users"].add_column("reviews_paused_at", str)
    db.execute(
        "CREATE TABLE review_versions (cohort_id INTEGER PRIMARY KEY, version INTEGER NOT NULL)"
    )
    bump = (
        "INSERT INTO review_versions (cohort_id, version)"
        " SELECT cohort_id, 1 FROM memberships WHERE user_id = {row}.user_id AND true"
        " ON CONFLICT (cohort_id) DO UPDATE SET version = version + 1;"
    )
    for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        db.execute(
            f"CREATE TRIGGER cards_review_{event.lower()} AFTER {event} ON cards"
            f" BEGIN {bump.format(row=row)} END"
        )


@migrations()
def m016_question_reports(db: Database) -> None:
    """Problems learners report with a question from a feedback or review screen (not to
    be confused with m012's `flags`, a post-test's "flag for review" toggle): who, which
    question and the version of it they saw, the attempt it was shown in and that
    attempt's cohort (whose instructor sees the report), a reason, a plain-text comment,
    when; and who resolved it, when, with what note. A partial UNIQUE index keeps one
    open report per learner, question version and reason, however many clicks race.
    Reports read none of it, so no report version counts it."""
    db.execute(
        "CREATE TABLE question_reports (id INTEGER PRIMARY KEY,"
        " user_id INTEGER NOT NULL REFERENCES users (id),"
        " cohort_id INTEGER REFERENCES cohorts (id),"
        " attempt_id INTEGER REFERENCES attempts (id),"
        " question_id TEXT NOT NULL,"
        " content_hash TEXT NOT NULL REFERENCES question_versions (content_hash),"
        " reason TEXT NOT NULL, comment TEXT NOT NULL DEFAULT '', reported_at TEXT NOT NULL,"
        " resolved_at TEXT, resolved_by INTEGER REFERENCES users (id), resolution TEXT)"
    )
    db.execute(
        "CREATE UNIQUE INDEX question_reports_one_open"
        " ON question_reports (user_id, content_hash, reason) WHERE resolved_at IS NULL"
    )
    db.execute(
        "CREATE INDEX question_reports_by_cohort ON question_reports (cohort_id, question_id)"
    )


@migrations()
def m017_accommodations(db: Database) -> None:
    """Accommodations (quiz_app.accommodations): extra time and extra attempts an
    instructor grants a learner of their cohort, or the whole cohort (`user_id` NULL).

    Append-only, an audit trail: each grant, change and revocation is a new row (`action`
    'grant' or 'revoke') saying who recorded it (`recorded_by`) and when; what is in force
    for a learner or a cohort is its latest row, when that is a grant. A grant gives a
    time multiplier (exact decimal text, "1.5") or extra minutes, or neither, and extra
    attempts.

    The dashboard marks each learner's accommodation, and a learner's accommodations are
    those of every cohort they are in: a row counts as a change of the dashboard of every
    cohort its learners are in (quiz '' of report_versions), and so does joining a cohort
    that has accommodations, for the joiner's other cohorts.
    """
    db.execute(
        "CREATE TABLE accommodations (id INTEGER PRIMARY KEY,"
        " cohort_id INTEGER NOT NULL REFERENCES cohorts (id),"
        " user_id INTEGER REFERENCES users (id),"
        " action TEXT NOT NULL CHECK (action IN ('grant', 'revoke')),"
        " time_multiplier TEXT, extra_minutes INTEGER,"
        " extra_attempts INTEGER NOT NULL DEFAULT 0, reason TEXT,"
        " recorded_by INTEGER NOT NULL REFERENCES users (id), recorded_at TEXT NOT NULL,"
        " CHECK (time_multiplier IS NULL OR extra_minutes IS NULL))"
    )
    db.execute("CREATE INDEX accommodations_current ON accommodations (cohort_id, user_id, id)")
    db.execute("CREATE INDEX accommodations_of_learner ON accommodations (user_id)")
    of_learners = (
        "SELECT DISTINCT other.cohort_id, '', 1 FROM memberships other"
        " WHERE other.user_id = NEW.user_id"
        " OR (NEW.user_id IS NULL AND other.user_id IN"
        " (SELECT user_id FROM memberships WHERE cohort_id = NEW.cohort_id))"
    )
    db.execute(
        f"CREATE TRIGGER accommodations_report_insert AFTER INSERT ON accommodations"
        f" BEGIN {_bump(of_learners)} END"
    )
    joined = (
        "SELECT cohort_id, '', 1 FROM memberships WHERE user_id = NEW.user_id"
        " AND cohort_id != NEW.cohort_id"
        " AND EXISTS (SELECT 1 FROM accommodations WHERE cohort_id = NEW.cohort_id)"
    )
    db.execute(
        "CREATE TRIGGER memberships_accommodations_insert AFTER INSERT ON memberships"
        f" BEGIN {_bump(joined)} END"
    )


@migrations()
def m018_course_evaluations(db: Database) -> None:
    """Course evaluations (quiz_app.evaluations): one per passed post-test attempt (its
    primary key, so a second submission is refused by the insert itself), with who
    submitted it and when, the items as they were asked and the answers, both as JSON.
    A trigger refuses every UPDATE: a submitted evaluation is never edited.

    `evaluation_drafts` keeps a learner's unsubmitted answers per attempt, so an
    evaluation left half done can be finished later, on any device; submitting deletes
    the draft in the same write. Reports read neither, so no report version counts them."""
    db.execute(
        "CREATE TABLE evaluations (attempt_id INTEGER PRIMARY KEY REFERENCES attempts (id),"
        " user_id INTEGER NOT NULL REFERENCES users (id), submitted_at TEXT NOT NULL,"
        " items TEXT NOT NULL, answers TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX evaluations_by_learner ON evaluations (user_id)")
    db.execute(
        "CREATE TRIGGER evaluations_never_edited BEFORE UPDATE ON evaluations"
        " BEGIN SELECT RAISE(ABORT, 'a submitted evaluation cannot be changed'); END"
    )
    db.execute(
        "CREATE TABLE evaluation_drafts (attempt_id INTEGER PRIMARY KEY"
        " REFERENCES attempts (id), answers TEXT NOT NULL, saved_at TEXT NOT NULL)"
    )


@migrations()
def m019_attestation_certificate_fields(db: Database) -> None:
    """Attestation, licences, the course's certificate fields, and reissue.

    - `attempts.attested_at` and `attempts.attestation`: when the learner ticked the
      course's attestation before submitting, and its words as shown (NULL: not attested,
      e.g. submitted by the deadline).
    - `users.licence_number` and `users.licence_jurisdiction`, from the profile.
    - Each certificate keeps, as at issue: the learner's licence, the course's provider
      and approval numbers, delivery format and minutes per contact hour, and the
      attempt's attestation. Certificates issued before these existed have NULL, and
      print none of them (a contact hour of 60 minutes).
    - A reissue (a corrected name) supersedes a certificate: `superseded_by` names the
      new code, `superseded_at` when. One certificate per attempt is current (a partial
      unique index replaces m005's); `certificate_reissues` logs who, when, why, and the
      old and new name.
    """
    db["attempts"].add_column("attested_at", str)
    db["attempts"].add_column("attestation", str)
    db["users"].add_column("licence_number", str)
    db["users"].add_column("licence_jurisdiction", str)
    for column, kind in (
        ("licence_number", str),
        ("licence_jurisdiction", str),
        ("provider_number", str),
        ("approval_number", str),
        ("delivery_format", str),
        ("minutes_per_hour", int),
        ("attested_at", str),
        ("attestation", str),
        ("superseded_by", str),
        ("superseded_at", str),
    ):
        db["certificates"].add_column(column, kind)
    db.execute("DROP INDEX idx_certificates_attempt_id")
    db.execute(
        "CREATE UNIQUE INDEX certificates_current_of_attempt ON certificates (attempt_id)"
        " WHERE superseded_by IS NULL"
    )
    db.execute("CREATE INDEX certificates_of_attempt ON certificates (attempt_id)")
    db.execute(
        "CREATE TABLE certificate_reissues (id INTEGER PRIMARY KEY,"
        " old_code TEXT NOT NULL REFERENCES certificates (code),"
        " new_code TEXT NOT NULL REFERENCES certificates (code),"
        " reissued_by INTEGER NOT NULL REFERENCES users (id), reissued_at TEXT NOT NULL,"
        " reason TEXT NOT NULL, old_name TEXT NOT NULL, new_name TEXT NOT NULL)"
    )


def _slots_of(row: str, source: str) -> str:
    """The statement that stores the slots of attempt `row` (NEW; `a` of `source`, the
    FROM clause) as rows of attempt_slots, from its slots JSON."""
    return (
        "INSERT INTO attempt_slots (attempt_id, position, question_id, content_hash)"
        f" SELECT {row}.id, s.key, s.value ->> 'id', s.value ->> 'hash' FROM {source};"
    )


@migrations()
def m020_attempt_slots(db: Database) -> None:
    """Each attempt's slots as rows, one per question shown, so reports read a narrow
    indexed table instead of every attempt's slots JSON (most of each row).

    `attempt_slots` holds, per attempt and slot (`position`, from 0), the question's id
    and the content hash of the version shown (NULL for slots recorded without one),
    exactly as in `attempts.slots`, which stays the record. Triggers keep the two the
    same in the write that stores the slots, however the attempt is written (a start,
    a bulk load); deleting an attempt deletes its slots (ON DELETE CASCADE). Reports
    read the slots only of submitted attempts, whose versions the attempts' own
    triggers count, so no report version counts these rows.
    """
    db.execute(
        "CREATE TABLE attempt_slots ("
        " attempt_id INTEGER NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,"
        " position INTEGER NOT NULL, question_id TEXT, content_hash TEXT,"
        " PRIMARY KEY (attempt_id, position)) WITHOUT ROWID"
    )
    db.execute(
        "CREATE TRIGGER attempts_slots_insert AFTER INSERT ON attempts"
        f" BEGIN {_slots_of('NEW', 'json_each(NEW.slots) s')} END"
    )
    db.execute(
        "CREATE TRIGGER attempts_slots_update AFTER UPDATE OF id, slots ON attempts"
        " BEGIN DELETE FROM attempt_slots WHERE attempt_id = OLD.id;"
        f" {_slots_of('NEW', 'json_each(NEW.slots) s')} END"
    )
    db.execute(_slots_of("a", "attempts a, json_each(a.slots) s ORDER BY a.id, s.key"))


def _slot_answer(row: str, mark: str, answer: str) -> str:
    """The statement that sets the answer and mark stored in the slot of response `row`
    (NEW or OLD) to `answer` and `mark` (column values or NULL)."""
    return (
        f"UPDATE attempt_slots SET answer = {answer}, mark = {mark}"
        f" WHERE attempt_id = {row}.attempt_id AND question_id = {row}.question_id;"
    )


@migrations()
def m021_slot_answers(db: Database) -> None:
    """Each slot's stored answer and mark beside it in attempt_slots, so reports over a
    cohort's attempts read one narrow table, in attempt order, instead of looking up
    each slot's response in the table of every answer ever given.

    `answer` and `mark` are the slot's response's (NULL while it has none), kept by
    triggers in the write that stores, changes or deletes the response. A question
    appears once in an attempt, so a response has one slot. When an attempt's slots
    change (m020's update trigger) the new rows take the responses the attempt holds;
    a new attempt has none yet, so m020's insert trigger stays as it is. `responses`
    stays the record.
    """
    db.execute("ALTER TABLE attempt_slots ADD COLUMN answer TEXT")
    db.execute("ALTER TABLE attempt_slots ADD COLUMN mark REAL")
    db.execute(
        "CREATE TRIGGER responses_slot_insert AFTER INSERT ON responses"
        f" BEGIN {_slot_answer('NEW', 'NEW.mark', 'NEW.answer')} END"
    )
    db.execute(
        "CREATE TRIGGER responses_slot_update"
        " AFTER UPDATE OF attempt_id, question_id, answer, mark ON responses"
        f" BEGIN {_slot_answer('OLD', 'NULL', 'NULL')}"
        f" {_slot_answer('NEW', 'NEW.mark', 'NEW.answer')} END"
    )
    db.execute(
        "CREATE TRIGGER responses_slot_delete AFTER DELETE ON responses"
        f" BEGIN {_slot_answer('OLD', 'NULL', 'NULL')} END"
    )
    db.execute("DROP TRIGGER attempts_slots_update")
    db.execute(
        "CREATE TRIGGER attempts_slots_update AFTER UPDATE OF id, slots ON attempts"
        " BEGIN DELETE FROM attempt_slots WHERE attempt_id = OLD.id;"
        " INSERT INTO attempt_slots (attempt_id, position, question_id, content_hash, answer,"
        " mark) SELECT NEW.id, s.key, s.value ->> 'id', s.value ->> 'hash', r.answer, r.mark"
        " FROM json_each(NEW.slots) s LEFT JOIN responses r"
        " ON r.attempt_id = NEW.id AND r.question_id = s.value ->> 'id'; END"
    )
    db.execute(
        "UPDATE attempt_slots AS s SET answer = r.answer, mark = r.mark FROM responses r"
        " WHERE r.attempt_id = s.attempt_id AND r.question_id = s.question_id"
    )


@migrations()
def m022_card_recall_index(db: Database) -> None:
    """An index of what estimated retention reads of each card (Store.card_recall), so a
    cohort's tens of thousands of cards are read from it, not from their rows, most of
    which is the card's state as JSON, twice."""
    db.execute(
        "CREATE INDEX cards_recall ON cards (user_id, question_id, key_hash, stability,"
        " last_review)"
    )


def _quarter(started_at: str) -> str:
    """The quarter hour (UTC) a stored start time falls in, as stored text
    ("...T09:45:00+00:00"): every time zone's day begins on one."""
    return (
        f"substr({started_at}, 1, 14) || printf('%02d:00+00:00',"
        f" CAST(substr({started_at}, 15, 2) AS INTEGER) / 15 * 15)"
    )


def _add_marks(sign: int, attempt: str, source: str) -> str:
    """The statements that add `sign` (1 or -1) times the slots `s` of `source` (a FROM
    clause with its conditions) to the question sums of attempt `attempt` (NEW, OLD or
    `a` of `source`), if it is submitted and in a cohort: per question, how often it was
    shown (`shown`) and the marks earned (`marks`, a blank adding 0), in all per version
    shown and per quarter hour of the attempt's start."""
    counted = (
        f" FROM {source} AND {attempt}.submitted_at IS NOT NULL"
        f" AND {attempt}.cohort_id IS NOT NULL AND s.question_id IS NOT NULL GROUP BY"
    )
    sums = f"{sign} * count(*), {sign} * total(s.mark)"
    add = " DO UPDATE SET shown = shown + excluded.shown, marks = marks + excluded.marks;"
    return (
        "INSERT INTO question_totals (cohort_id, quiz_id, question_id, content_hash, shown,"
        f" marks) SELECT {attempt}.cohort_id, {attempt}.quiz_id, s.question_id,"
        f" coalesce(s.content_hash, ''), {sums}{counted} 3, 4"
        f" ON CONFLICT (cohort_id, quiz_id, question_id, content_hash){add}"
        " INSERT INTO question_quarters (cohort_id, quarter, quiz_id, question_id, shown, marks)"
        f" SELECT {attempt}.cohort_id, {_quarter(f'{attempt}.started_at')}, {attempt}.quiz_id,"
        f" s.question_id, {sums}{counted} 4"
        f" ON CONFLICT (cohort_id, quarter, quiz_id, question_id){add}"
    )


def _add_start(sign: int, attempt: str) -> str:
    """The statement that adds `sign` (1 or -1) to the starts counted for attempt
    `attempt` (NEW or OLD), if it is in a cohort."""
    return (
        "INSERT INTO attempt_starts (cohort_id, quarter, quiz_id, started)"
        f" SELECT {attempt}.cohort_id, {_quarter(f'{attempt}.started_at')}, {attempt}.quiz_id,"
        f" {sign} WHERE {attempt}.cohort_id IS NOT NULL"
        " ON CONFLICT (cohort_id, quarter, quiz_id)"
        " DO UPDATE SET started = started + excluded.started;"
    )


# the FROM clauses of `_add_marks`: the slots of attempt NEW or OLD; the attempt `a` and the
# one slot `s` that a slot row (NEW or OLD) was
_OF_ATTEMPT = "attempt_slots s WHERE s.attempt_id = {}.id"
_SLOT_OF = (
    "attempts a, (SELECT {0}.question_id AS question_id, {0}.content_hash AS content_hash,"
    " {0}.mark AS mark) s WHERE a.id = {0}.attempt_id"
)


@migrations()
def m023_report_sums(db: Database) -> None:
    """Sums kept at write time for the dashboard, so its first load reads a few rows per
    question and quarter hour instead of every slot and attempt of the cohort.

    `question_totals` holds, per cohort, quiz, question and version shown (the slot's
    content hash, '' for none), how many times the cohort's submitted attempts showed it
    (`shown`) and the marks they earned on it (`marks`, a blank adding 0): what
    `attempt_slots` joined to `attempts` gives, summed.
    `question_quarters` holds the same per quarter hour (UTC) of the attempts' start, for
    windows of days; `attempt_starts` counts every attempt of a cohort (open ones too) per
    quarter hour of its start and quiz. A count may fall to 0: readers skip those rows.

    Triggers keep them in the write that changes what they sum, whatever the order
    SQLite fires triggers of one event in: m020's slot triggers are re-created to count
    the slots they replace (under the attempt as it is after the change); a change of an
    attempt's cohort, quiz, start or submission moves its slots' sums BEFORE the row
    changes, while its slots are still the old ones; deleting an attempt takes its slots'
    sums away before ON DELETE CASCADE removes them; a slot's answer changing (m021)
    moves its mark. Marks are floats added and taken away, so a sum may differ from the
    slots' own in the last bits.
    """
    db.execute(
        "CREATE TABLE question_totals (cohort_id INTEGER NOT NULL, quiz_id TEXT NOT NULL,"
        " question_id TEXT NOT NULL, content_hash TEXT NOT NULL, shown INTEGER NOT NULL,"
        " marks REAL NOT NULL, PRIMARY KEY (cohort_id, quiz_id, question_id, content_hash))"
        " WITHOUT ROWID"
    )
    db.execute(
        "CREATE TABLE question_quarters (cohort_id INTEGER NOT NULL, quarter TEXT NOT NULL,"
        " quiz_id TEXT NOT NULL, question_id TEXT NOT NULL, shown INTEGER NOT NULL,"
        " marks REAL NOT NULL, PRIMARY KEY (cohort_id, quarter, quiz_id, question_id))"
        " WITHOUT ROWID"
    )
    db.execute(
        "CREATE TABLE attempt_starts (cohort_id INTEGER NOT NULL, quarter TEXT NOT NULL,"
        " quiz_id TEXT NOT NULL, started INTEGER NOT NULL,"
        " PRIMARY KEY (cohort_id, quarter, quiz_id)) WITHOUT ROWID"
    )
    for name, definition in _SUM_TRIGGERS.items():
        if name in _SUM_TRIGGERS_REPLACING:
            db.execute(f"DROP TRIGGER {name}")
        db.execute(f"CREATE TRIGGER {name} {definition}")
    for statement in _rebuild_sums("a.cohort_id IS NOT NULL"):
        db.execute(statement)


def set_report_sums_aside(conn: sqlite3.Connection) -> None:
    """Within a write that only inserts (a bulk load): stop m023's triggers that keep the
    report sums as attempts and answers go in, leaving attempts' slots to m020's trigger;
    `restore_report_sums` must follow in the same transaction."""
    for name in _SET_ASIDE:
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute(f"CREATE TRIGGER attempts_slots_insert {_SLOTS_INSERT}")


def restore_report_sums(conn: sqlite3.Connection, cohort_ids: Iterable[int]) -> None:
    """Put back what `set_report_sums_aside` took away, and work out again, from their
    attempts and slots, the report sums of every cohort in `cohort_ids` (those the
    inserts touched): one pass per table instead of a trigger per row."""
    conn.execute("DROP TRIGGER attempts_slots_insert")
    for name in _SET_ASIDE:
        conn.execute(f"CREATE TRIGGER {name} {_SUM_TRIGGERS[name]}")
    cohorts = json.dumps(sorted(set(cohort_ids)))
    chosen = "cohort_id IN (SELECT value FROM json_each(?))"
    for table in ("question_totals", "question_quarters", "attempt_starts"):
        conn.execute(f"DELETE FROM {table} WHERE {chosen}", (cohorts,))
    for statement in _rebuild_sums(f"a.{chosen}"):
        conn.execute(statement, (cohorts,))


def _rebuild_sums(cohorts: str) -> list[str]:
    """The statements that fill m023's sums for the attempts `a` meeting `cohorts`."""
    counted = (
        " FROM attempts a JOIN attempt_slots s ON s.attempt_id = a.id"
        f" WHERE a.submitted_at IS NOT NULL AND {cohorts} AND s.question_id IS NOT NULL"
    )
    return [
        "INSERT INTO question_totals SELECT a.cohort_id, a.quiz_id, s.question_id,"
        f" coalesce(s.content_hash, ''), count(*), total(s.mark){counted} GROUP BY 1, 2, 3, 4",
        f"INSERT INTO question_quarters SELECT a.cohort_id, {_quarter('a.started_at')},"
        f" a.quiz_id, s.question_id, count(*), total(s.mark){counted} GROUP BY 1, 2, 3, 4",
        f"INSERT INTO attempt_starts SELECT a.cohort_id, {_quarter('a.started_at')},"
        f" a.quiz_id, count(*) FROM attempts a WHERE {cohorts} GROUP BY 1, 2, 3",
    ]


# m023's triggers (see its docstring), by name: the first two replace m020's and m021's.
_SUM_TRIGGERS_REPLACING = ("attempts_slots_insert", "attempts_slots_update")
_SUM_TRIGGERS = {
    "attempts_slots_insert": (
        "AFTER INSERT ON attempts BEGIN"
        f" {_slots_of('NEW', 'json_each(NEW.slots) s')}"
        f" {_add_marks(1, 'NEW', _OF_ATTEMPT.format('NEW'))} {_add_start(1, 'NEW')} END"
    ),
    "attempts_slots_update": (
        "AFTER UPDATE OF id, slots ON attempts BEGIN"
        f" {_add_marks(-1, 'NEW', _OF_ATTEMPT.format('OLD'))}"
        " DELETE FROM attempt_slots WHERE attempt_id = OLD.id;"
        " INSERT INTO attempt_slots (attempt_id, position, question_id, content_hash, answer,"
        " mark) SELECT NEW.id, s.key, s.value ->> 'id', s.value ->> 'hash', r.answer, r.mark"
        " FROM json_each(NEW.slots) s LEFT JOIN responses r"
        " ON r.attempt_id = NEW.id AND r.question_id = s.value ->> 'id';"
        f" {_add_marks(1, 'NEW', _OF_ATTEMPT.format('NEW'))} END"
    ),
    "attempts_sums_update": (
        "BEFORE UPDATE OF id, cohort_id, quiz_id, started_at, submitted_at ON attempts"
        " WHEN OLD.id IS NOT NEW.id OR OLD.cohort_id IS NOT NEW.cohort_id"
        " OR OLD.quiz_id IS NOT NEW.quiz_id OR OLD.started_at IS NOT NEW.started_at"
        " OR (OLD.submitted_at IS NULL) <> (NEW.submitted_at IS NULL) BEGIN"
        f" {_add_marks(-1, 'OLD', _OF_ATTEMPT.format('OLD'))}"
        f" {_add_marks(1, 'NEW', _OF_ATTEMPT.format('OLD'))}"
        f" {_add_start(-1, 'OLD')} {_add_start(1, 'NEW')} END"
    ),
    "attempts_sums_delete": (
        "BEFORE DELETE ON attempts BEGIN"
        f" {_add_marks(-1, 'OLD', _OF_ATTEMPT.format('OLD'))} {_add_start(-1, 'OLD')} END"
    ),
    "attempt_slots_sums_update": (
        "AFTER UPDATE OF attempt_id, question_id, content_hash, mark ON attempt_slots"
        # an answer to an open attempt, the most frequent write, costs one lookup here
        " WHEN EXISTS (SELECT 1 FROM attempts WHERE id = NEW.attempt_id"
        " AND submitted_at IS NOT NULL AND cohort_id IS NOT NULL)"
        " OR (OLD.attempt_id IS NOT NEW.attempt_id AND EXISTS (SELECT 1 FROM attempts"
        " WHERE id = OLD.attempt_id AND submitted_at IS NOT NULL AND cohort_id IS NOT NULL))"
        " BEGIN"
        f" {_add_marks(-1, 'a', _SLOT_OF.format('OLD'))}"
        f" {_add_marks(1, 'a', _SLOT_OF.format('NEW'))} END"
    ),
}
# what a bulk load sets aside: the triggers an insert fires (the others fire on changes
# and deletes); m020's trigger stores the attempts' slots meanwhile
_SET_ASIDE = ("attempts_slots_insert", "attempt_slots_sums_update")
_SLOTS_INSERT = f"AFTER INSERT ON attempts BEGIN {_slots_of('NEW', 'json_each(NEW.slots) s')} END"
