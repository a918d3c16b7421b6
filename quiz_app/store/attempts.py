"""Attempts, their answers, and the spaced-review cards they make."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any

from quiz_app import grading
from quiz_app.errors import QuizError
from quiz_app.records import Row
from quiz_app.store.base import (
    AttemptClosed,
    DeadlinePassed,
    Engine,
    NotFound,
    Reviewer,
    _accommodations_of,
    _dicts,
    _locked,
    _one,
)
from quiz_app.writer import is_busy

_RESPONSES = "SELECT * FROM responses WHERE attempt_id = ? ORDER BY answered_at, question_id"


def _answer_outcome(attempt_id: int, outcome: str) -> bool:
    """True when an answer changed; raises for a write `_answers_refused` refused."""
    if outcome == "missing":
        raise NotFound(f"There is no attempt {attempt_id}.")
    if outcome == "closed":
        raise AttemptClosed("This attempt has been submitted; its answers can no longer change.")
    if outcome == "late":
        raise DeadlinePassed(
            "Time is up: the answer came after the deadline, so the attempt was submitted "
            "with the answers given before it."
        )
    return outcome == "changed"


def _review_answer(
    conn: sqlite3.Connection,
    reviewer: Reviewer,
    attempt_id: int,
    question_id: str,
    content_hash: str,
    mark: Fraction,
    at: str,
) -> None:
    """Inside the write that stores a new answer: a review of its question when the
    attempt releases feedback at each answer (practice); a post-test's wait for submit."""
    user_id, mode = conn.execute(
        "SELECT user_id, mode FROM attempts WHERE id = ?", (attempt_id,)
    ).fetchone()
    if grading.feedback_released(mode, submitted=False):
        _review(conn, reviewer, user_id, attempt_id, question_id, content_hash, mark, at)


def _answers_refused(
    conn: sqlite3.Connection, attempt_id: int, now: str, reviewer: Reviewer | None
) -> str | None:
    """Inside a write: why the attempt's answers can no longer change ("missing", "closed",
    or "late", in which case it is submitted as it stood at its deadline), or None."""
    row = _locked(
        conn, "SELECT submitted_at, deadline FROM attempts WHERE id = ?", (attempt_id,)
    ).fetchone()
    if row is None:
        return "missing"
    submitted_at, deadline = row
    if submitted_at is not None:
        return "closed"
    if grading.expired(deadline, now):
        _close(conn, attempt_id, deadline, reviewer)
        return "late"
    return None


def _review(
    conn: sqlite3.Connection,
    reviewer: Reviewer,
    user_id: int,
    attempt_id: int,
    question_id: str,
    content_hash: str,
    mark: Fraction,
    at: str,
) -> None:
    """Inside the write that stores (or releases) an answer: the learner's card of its
    question after it, as `reviewer` decides (None: not a review), and its log row.
    Once per answer: a review already logged for this attempt and question is kept."""
    card = _one(
        conn.execute(
            "SELECT * FROM cards WHERE user_id = ? AND question_id = ?", (user_id, question_id)
        )
    )
    change = reviewer(question_id, content_hash, mark, at, card)
    if change is None:
        return
    logged = conn.execute(
        "INSERT INTO review_logs (user_id, question_id, attempt_id, rating, reviewed_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (attempt_id, question_id) DO NOTHING",
        (user_id, question_id, attempt_id, change["rating"], at),
    )
    if logged.rowcount != 1:
        return
    conn.execute(
        "INSERT INTO cards (user_id, question_id, key_hash, card, due, stability, difficulty,"
        " last_review, card_before, last_attempt_id, reviews)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)"
        " ON CONFLICT (user_id, question_id) DO UPDATE SET key_hash = excluded.key_hash,"
        " card = excluded.card, due = excluded.due, stability = excluded.stability,"
        " difficulty = excluded.difficulty, last_review = excluded.last_review,"
        " card_before = excluded.card_before, last_attempt_id = excluded.last_attempt_id,"
        " reviews = CASE WHEN cards.key_hash = excluded.key_hash THEN cards.reviews + 1 ELSE 1 END",
        (user_id, question_id, change["key_hash"], change["card"], change["due"],
         change["stability"], change["difficulty"], change["last_review"],
         change["card_before"], attempt_id),
    )  # fmt: skip


def _close(
    conn: sqlite3.Connection, attempt_id: int, at: str, reviewer: Reviewer | None = None
) -> bool:
    """Submit an open attempt at `at` inside a write: its exact total and pass or fail,
    decided by quiz_app.grading. False when it was submitted already. A post-test's
    answers are reviews from now (their feedback is released): with `reviewer`, each
    updates its card in this same write."""
    row = _locked(
        conn,
        "SELECT slots, pass_mark, mode, user_id FROM attempts WHERE id = ?"
        " AND submitted_at IS NULL",
        (attempt_id,),
    ).fetchone()
    if row is None:
        return False
    max_score = float(len(json.loads(row[0])))
    score = grading.total(
        grading.exact(text) or Fraction(0)
        for (text,) in conn.execute(
            "SELECT mark_exact FROM responses WHERE attempt_id = ?", (attempt_id,)
        )
    )
    passed = None if row[1] is None else int(grading.passed(score, max_score, row[1]))
    conn.execute(
        "UPDATE attempts SET submitted_at = ?, score = ?, score_exact = ?, max_score = ?,"
        " passed = ? WHERE id = ?",
        (at, float(score), grading.stored(score), max_score, passed, attempt_id),
    )
    if reviewer is not None and not grading.feedback_released(row[2], submitted=False):
        answers = conn.execute(
            "SELECT question_id, content_hash, mark_exact FROM responses WHERE attempt_id = ?"
            " ORDER BY answered_at, question_id",
            (attempt_id,),
        ).fetchall()
        for question_id, content_hash, mark_text in answers:
            mark = grading.exact(mark_text) or Fraction(0)
            _review(conn, reviewer, row[3], attempt_id, question_id, content_hash, mark, at)
    return True


class AttemptRows(Engine):
    # -- attempts --------------------------------------------------------------------

    def save_question_versions(self, versions: Iterable[tuple[str, str, str]]) -> None:
        """Keep (content_hash, question_id, content JSON) of shown questions; idempotent.

        In the order of their hashes: starts that race insert shared versions in one order,
        so none waits for another that waits for it (a deadlock, on PostgreSQL)."""
        rows = sorted(set(versions))
        self.write(
            lambda conn: (
                conn.executemany(
                    "INSERT OR IGNORE INTO question_versions (content_hash, question_id, content)"
                    " VALUES (?, ?, ?)",
                    rows,
                ).rowcount
            )
        )

    def question_version(self, content_hash: str) -> Row | None:
        return self.first("SELECT * FROM question_versions WHERE content_hash = ?", (content_hash,))

    def create_attempt(
        self,
        fields: Row,
        allowed: int | None = None,
        reviewer: Reviewer | None = None,
        limits: Callable[[list[Row]], tuple[str | None, int | None]] | None = None,
    ) -> tuple[int, bool]:
        """Insert an attempt (the columns of `attempts` in `fields`), or find the open one.

        Returns (attempt id, True) when it was created, (id of the learner's open attempt
        of that quiz, False) when one is open, and (0, False) when `allowed` attempts of
        the quiz were used already (quiz_app.grading.may_start). With `limits`, the
        deadline and allowance are `limits(accommodation rows in force for the learner)`
        instead, read in the same write, so a grant at the same moment is never missed.
        All in one write, and the unique index on open attempts keeps one open attempt
        per learner and quiz however many starts race. An open attempt past its deadline
        is first submitted as it stood (`fields["started_at"]` is now).
        """
        user_id, quiz_id, now = fields["user_id"], fields["quiz_id"], fields["started_at"]
        columns = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)

        def insert(conn: sqlite3.Connection) -> tuple[int, bool]:
            # one start of this learner's at a time decides on their open and used attempts
            _locked(conn, "SELECT id FROM users WHERE id = ?", (user_id,))
            values, cap = dict(fields), allowed
            if limits is not None:
                values["deadline"], cap = limits(_accommodations_of(conn, user_id))
            found = conn.execute(
                "SELECT id, deadline FROM attempts WHERE user_id = ? AND quiz_id = ?"
                " AND submitted_at IS NULL",
                (user_id, quiz_id),
            ).fetchone()
            if found is not None:
                if not grading.expired(found[1], now):
                    return found[0], False
                _close(conn, found[0], found[1], reviewer)
            (used,) = conn.execute(
                "SELECT count(*) FROM attempts WHERE user_id = ? AND quiz_id = ?",
                (user_id, quiz_id),
            ).fetchone()
            if not grading.may_start(used, cap):
                return 0, False
            made = conn.execute(
                f"INSERT INTO attempts ({columns}) VALUES ({marks})"
                " ON CONFLICT (user_id, quiz_id) WHERE submitted_at IS NULL DO NOTHING"
                " RETURNING id",
                tuple(values.values()),
            ).fetchall()
            if not made:
                raise QuizError("Another attempt of this quiz opened at the same time.")
            return int(made[0][0]), True

        return self.write(insert)

    def attempt(self, attempt_id: int) -> Row | None:
        return self.first("SELECT * FROM attempts WHERE id = ?", (attempt_id,))

    def attempts_of(self, user_id: int, quiz_id: str | None = None) -> list[Row]:
        """A learner's attempts, newest first; of one quiz when `quiz_id` is given."""
        sql = "SELECT * FROM attempts WHERE user_id = ?"
        params: list[Any] = [user_id]
        if quiz_id is not None:
            sql += " AND quiz_id = ?"
            params.append(quiz_id)
        return self.query(sql + " ORDER BY started_at DESC, id DESC", params)

    def open_attempts(self, user_id: int) -> list[Row]:
        return self.query(
            "SELECT * FROM attempts WHERE user_id = ? AND submitted_at IS NULL"
            " ORDER BY started_at DESC, id DESC",
            (user_id,),
        )

    def count_attempts(self, user_id: int, quiz_id: str) -> int:
        row = self.first(
            "SELECT count(*) AS n FROM attempts WHERE user_id = ? AND quiz_id = ?",
            (user_id, quiz_id),
        )
        return int(row["n"]) if row else 0

    def set_position(self, attempt_id: int, position: int) -> None:
        """Remember the question a learner is on, without waiting for the disk.

        This is convenience state (a power cut costs one click), so it is written on a
        connection with `synchronous=NORMAL`; answers always go through `write`. A
        database busy for longer than the busy timeout skips the update.
        """
        with self.borrow("NORMAL") as conn:
            try:
                conn.execute(
                    "UPDATE attempts SET position = ? WHERE id = ? AND submitted_at IS NULL",
                    (position, attempt_id),
                )
            except sqlite3.OperationalError as exc:
                if not is_busy(exc):
                    raise

    def record_answer(
        self,
        attempt_id: int,
        question_id: str,
        answer: Any,
        mark: Fraction,
        content_hash: str,
        now: str,
        replace: bool = True,
        reviewer: Reviewer | None = None,
    ) -> bool:
        """Store one answer, idempotently; returns True when something changed.

        The same answer again changes nothing. A different answer replaces the old one
        when `replace` is set (else the first answer stands). Raises NotFound for an
        unknown attempt, AttemptClosed after submit, and DeadlinePassed after the
        deadline, in which case the attempt is submitted as it stood at its deadline.
        """
        encoded = json.dumps(answer, separators=(",", ":"))

        def upsert(conn: sqlite3.Connection) -> str:
            refused = _answers_refused(conn, attempt_id, now, reviewer)
            if refused:
                return refused
            update = (
                "DO UPDATE SET answer = excluded.answer, mark = excluded.mark,"
                " mark_exact = excluded.mark_exact, content_hash = excluded.content_hash,"
                " answered_at = excluded.answered_at WHERE responses.answer != excluded.answer"
                if replace
                else "DO NOTHING"
            )
            cursor = conn.execute(
                "INSERT INTO responses (attempt_id, question_id, answer, mark, mark_exact,"
                " max_mark, content_hash, answered_at) VALUES (?, ?, ?, ?, ?, 1.0, ?, ?)"
                f" ON CONFLICT (attempt_id, question_id) {update}",
                (attempt_id, question_id, encoded, float(mark), grading.stored(mark),
                 content_hash, now),
            )  # fmt: skip
            if cursor.rowcount != 1:
                return "same"
            if reviewer is not None:
                _review_answer(conn, reviewer, attempt_id, question_id, content_hash, mark, now)
            return "changed"

        return _answer_outcome(attempt_id, self.write(upsert))

    def clear_answer(
        self, attempt_id: int, question_id: str, now: str, reviewer: Reviewer | None = None
    ) -> bool:
        """Remove the answer to one question of an open attempt (its learner took every
        choice back); returns True when there was one. Raises as `record_answer` does."""

        def delete(conn: sqlite3.Connection) -> str:
            refused = _answers_refused(conn, attempt_id, now, reviewer)
            if refused:
                return refused
            cursor = conn.execute(
                "DELETE FROM responses WHERE attempt_id = ? AND question_id = ?",
                (attempt_id, question_id),
            )
            return "changed" if cursor.rowcount == 1 else "same"

        return _answer_outcome(attempt_id, self.write(delete))

    def set_flag(
        self,
        attempt_id: int,
        question_id: str,
        flagged: bool,
        now: str,
        reviewer: Reviewer | None = None,
    ) -> None:
        """Flag one question of an open attempt for review, or take the flag off. Raises
        as `record_answer` does (the same rule decides whether the attempt is open)."""

        def flag(conn: sqlite3.Connection) -> str:
            refused = _answers_refused(conn, attempt_id, now, reviewer)
            if refused:
                return refused
            if flagged:
                conn.execute(
                    "INSERT INTO flags (attempt_id, question_id, flagged_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (attempt_id, question_id) DO NOTHING",
                    (attempt_id, question_id, now),
                )
            else:
                conn.execute(
                    "DELETE FROM flags WHERE attempt_id = ? AND question_id = ?",
                    (attempt_id, question_id),
                )
            return "changed"

        _answer_outcome(attempt_id, self.write(flag))

    def flags(self, attempt_id: int) -> set[str]:
        """The questions of an attempt its learner has flagged for review."""
        return {
            row["question_id"]
            for row in self.query(
                "SELECT question_id FROM flags WHERE attempt_id = ?", [attempt_id]
            )
        }

    def submit_attempt(
        self,
        attempt_id: int,
        now: str,
        reviewer: Reviewer | None = None,
        attestation: str | None = None,
    ) -> None:
        """Submit: total the marks exactly and decide pass or fail, once; with
        `attestation` (the words the learner ticked), record it as attested now.

        An attempt past its deadline is submitted at its deadline, not attested. Raises
        NotFound for an unknown attempt and AttemptClosed when it was already submitted.
        """

        def submit(conn: sqlite3.Connection) -> str:
            row = _locked(
                conn, "SELECT submitted_at, deadline FROM attempts WHERE id = ?", (attempt_id,)
            ).fetchone()
            if row is None:
                return "missing"
            if row[0] is not None:
                return "closed"
            deadline = row[1]
            if grading.expired(deadline, now):
                _close(conn, attempt_id, deadline, reviewer)
                return "done"
            if attestation is not None:
                conn.execute(
                    "UPDATE attempts SET attested_at = ?, attestation = ? WHERE id = ?",
                    (now, attestation, attempt_id),
                )
            _close(conn, attempt_id, now, reviewer)
            return "done"

        outcome = self.write(submit)
        if outcome == "missing":
            raise NotFound(f"There is no attempt {attempt_id}.")
        if outcome == "closed":
            raise AttemptClosed("This attempt has already been submitted.")

    @staticmethod
    def _expired(now: str, user_id: int | None, attempt_id: int | None) -> tuple[str, list[Any]]:
        """The query of open attempts past their deadline (of one learner or attempt)."""
        sql = "SELECT id, deadline FROM attempts WHERE submitted_at IS NULL AND deadline < ?"
        params: list[Any] = [now]
        if user_id is not None:
            sql += " AND user_id = ?"
            params.append(user_id)
        if attempt_id is not None:
            sql += " AND id = ?"
            params.append(attempt_id)
        return sql, params

    def expired_attempts(self, now: str) -> list[int]:
        """Ids of the open attempts past their deadline, not yet submitted (a read)."""
        sql, params = self._expired(now, None, None)
        return [row["id"] for row in self.query(sql, params)]

    def finalize_expired(
        self,
        now: str,
        user_id: int | None = None,
        attempt_id: int | None = None,
        reviewer: Reviewer | None = None,
    ) -> list[int]:
        """Submit, as they stood at their deadline, the open attempts past it (of one
        learner, or one attempt, when given); returns the ids submitted now.

        Idempotent: an attempt someone else finalised meanwhile is simply not returned.
        """
        sql, params = self._expired(now, user_id, attempt_id)
        if not self.query(sql, params):  # the usual case: a read, no write
            return []

        def finalize(conn: sqlite3.Connection) -> list[int]:
            due = conn.execute(sql, params).fetchall()
            return [a for a, d in due if grading.expired(d, now) and _close(conn, a, d, reviewer)]

        return self.write(finalize)

    def response(self, attempt_id: int, question_id: str) -> Row | None:
        return self.first(
            "SELECT * FROM responses WHERE attempt_id = ? AND question_id = ?",
            (attempt_id, question_id),
        )

    def answers_of(self, user_id: int) -> list[Row]:
        """Every answer a learner has given: question, exact mark, when, and the mode and
        state of its attempt (whether its feedback is released is quiz_app.grading's)."""
        return self.query(
            "SELECT r.question_id, r.mark_exact, r.answered_at, a.mode,"
            " a.submitted_at IS NOT NULL AS submitted FROM attempts a"
            " JOIN responses r ON r.attempt_id = a.id WHERE a.user_id = ?",
            (user_id,),
        )

    def responses(self, attempt_id: int) -> list[Row]:
        return self.query(_RESPONSES, (attempt_id,))

    def attempt_and_responses(self, attempt_id: int) -> tuple[Row | None, list[Row]]:
        """An attempt's row and its responses, read together (one consistent snapshot)."""
        with self.borrow() as conn:
            conn.execute("BEGIN")
            attempt = _one(conn.execute("SELECT * FROM attempts WHERE id = ?", (attempt_id,)))
            responses = _dicts(conn.execute(_RESPONSES, (attempt_id,)))
            conn.execute("COMMIT")
        return attempt, responses

    # -- spaced review (quiz_app.reviews) ------------------------------------------------

    def cards_of(self, user_id: int) -> list[Row]:
        """A learner's cards: question, key hash, FSRS state, due time, reviews so far."""
        return self.query(
            "SELECT question_id, key_hash, card, due, stability, last_review, last_attempt_id,"
            " reviews FROM cards WHERE user_id = ?",
            (user_id,),
        )

    def card_dues(self, user_id: int, before: str | None = None) -> list[Row]:
        """A learner's cards as the due queue and forecast read them: question, key hash,
        due time (not the FSRS state, most of each row); with `before`, only those due
        before it (stored UTC text; the index on (user_id, due) finds them)."""
        if before is None:
            return self.query(
                "SELECT question_id, key_hash, due FROM cards WHERE user_id = ?", (user_id,)
            )
        return self.query(
            "SELECT question_id, key_hash, due FROM cards WHERE user_id = ? AND due < ?",
            (user_id, before),
        )

    def card_count(self, user_id: int) -> int:
        """How many cards a learner has (of any question, current or not)."""
        row = self.first("SELECT count(*) AS n FROM cards WHERE user_id = ?", (user_id,))
        return int(row["n"]) if row else 0

    def review_log(self, attempt_id: int, question_id: str) -> Row | None:
        """The review an attempt's answer to a question made, if it made one, with
        `latest`: whether it is still its card's latest review."""
        return self.first(
            "SELECT l.*, c.last_attempt_id IS l.attempt_id AS latest FROM review_logs l"
            " LEFT JOIN cards c ON c.user_id = l.user_id AND c.question_id = l.question_id"
            " WHERE l.attempt_id = ? AND l.question_id = ?",
            (attempt_id, question_id),
        )

    def rerate_review(
        self,
        attempt_id: int,
        question_id: str,
        rerate: Callable[[str | None, str], Row],
    ) -> bool:
        """Rate again the review an attempt's answer made (the learner said how sure they
        were): `rerate(card before it, when it was)` gives the card's columns after it.
        Only while that review is its card's latest (no later answer built on it); returns
        whether the card changed. One write, so two clicks at once cannot both apply."""

        def change(conn: sqlite3.Connection) -> bool:
            log = _one(
                conn.execute(
                    "SELECT l.user_id, c.card_before, l.reviewed_at FROM review_logs l"
                    " JOIN cards c ON c.user_id = l.user_id AND c.question_id = l.question_id"
                    " WHERE l.attempt_id = ? AND l.question_id = ? AND c.last_attempt_id = ?",
                    (attempt_id, question_id, attempt_id),
                )
            )
            if log is None:
                return False
            new = rerate(log["card_before"], log["reviewed_at"])
            conn.execute(
                "UPDATE cards SET card = ?, due = ?, stability = ?, difficulty = ?"
                " WHERE user_id = ? AND question_id = ?",
                (new["card"], new["due"], new["stability"], new["difficulty"], log["user_id"],
                 question_id),
            )  # fmt: skip
            conn.execute(
                "UPDATE review_logs SET rating = ? WHERE attempt_id = ? AND question_id = ?",
                (new["rating"], attempt_id, question_id),
            )
            return True

        return self.write(change)

    def set_review_settings(self, user_id: int, cap: int, paused_at: str | None) -> None:
        """A learner's review settings: cards per review quiz, and paused since when
        (None: not paused)."""
        self.execute(
            "UPDATE users SET review_cap = ?, reviews_paused_at = ? WHERE id = ?",
            (cap, paused_at, user_id),
        )

    def card_recall(
        self,
        now: str,
        curve: tuple[float, float],
        user_id: int | None = None,
        cohort_id: int | None = None,
    ) -> list[Row]:
        """The cards of a learner, or of a cohort's members, as estimated retention reads
        them: per question and key hash, how many `cards`, and `recall`, the sum over them
        of FSRS's forgetting curve at `now`, (1 + factor t / S) ** decay (`curve` is
        (decay, factor)), t the whole days from the card's last review to `now` as FSRS
        counts them (none before it), S its stability; a card without one counts 0.
        One row per question, however many cards: a cohort holds tens of thousands, read
        from an index of what this reads (m022), not from the cards' rows."""
        if (user_id is None) == (cohort_id is None):
            raise ValueError("card_recall needs a learner or a cohort")
        source, who = (
            ("cards c", "c.user_id = :who")
            if user_id is not None
            else ("memberships m JOIN cards c ON c.user_id = m.user_id", "m.cohort_id = :who")
        )
        decay, factor = curve
        return self.query(
            "SELECT c.question_id, c.key_hash, count(*) AS cards,"
            " total(pow(1 + :factor * max(0, (unixepoch(:now) - unixepoch(c.last_review))"
            " / 86400) / c.stability, :decay)) AS recall"
            f" FROM {source} WHERE {who} GROUP BY c.question_id, c.key_hash",
            {"now": now, "who": user_id if user_id is not None else cohort_id,
             "decay": decay, "factor": factor},
        )  # fmt: skip

    def cohort_card_holders(self, cohort_id: int) -> tuple[int, int]:
        """How many members a cohort has, and how many of them have at least one card."""
        row = self.first(
            "SELECT count(*) AS members,"
            " total(CASE WHEN EXISTS (SELECT 1 FROM cards c WHERE c.user_id = m.user_id)"
            " THEN 1 ELSE 0 END) AS holders"
            " FROM memberships m WHERE m.cohort_id = ?",
            (cohort_id,),
        )
        return (int(row["members"]), int(row["holders"])) if row else (0, 0)

    def cohort_reviewers_since(self, cohort_id: int, since: str) -> int:
        """How many of a cohort's members have reviewed a card since `since`."""
        row = self.first(
            "SELECT count(DISTINCT m.user_id) AS n FROM memberships m JOIN review_logs l"
            " ON l.user_id = m.user_id WHERE m.cohort_id = ? AND l.reviewed_at >= ?",
            (cohort_id, since),
        )
        return int(row["n"]) if row else 0

    def review_version(self, cohort_id: int) -> int:
        """A number that grows at every review by a member of the cohort (m015)."""
        row = self.first("SELECT version FROM review_versions WHERE cohort_id = ?", (cohort_id,))
        return int(row["version"]) if row else 0
