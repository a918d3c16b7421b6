"""Certificates and course evaluations."""

from __future__ import annotations

import sqlite3

from quiz_app.records import Row
from quiz_app.store.base import (
    Engine,
    EvaluationSubmitted,
    _one,
)

_CURRENT_OF_ATTEMPT = "SELECT * FROM certificates WHERE attempt_id = ? AND superseded_by IS NULL"


class CertificateRows(Engine):
    # -- certificates -------------------------------------------------------------------

    def issue_certificate(self, fields: Row) -> Row:
        """Store a certificate unless its attempt has one already; returns the one stored.

        Issuing twice, even at once from two sessions, leaves the first code in place.
        """
        columns = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)

        def insert(conn: sqlite3.Connection) -> Row:
            conn.execute(
                f"INSERT INTO certificates ({columns}) VALUES ({marks})"
                " ON CONFLICT (attempt_id) WHERE superseded_by IS NULL DO NOTHING",
                tuple(fields.values()),
            )
            row = _one(conn.execute(_CURRENT_OF_ATTEMPT, (fields["attempt_id"],)))
            assert row is not None
            return row

        return self.write(insert)

    def certificate(self, code: str) -> Row | None:
        return self.first("SELECT * FROM certificates WHERE code = ?", (code,))

    def certificate_for_attempt(self, attempt_id: int) -> Row | None:
        """The attempt's current certificate (not superseded), or None."""
        return self.first(_CURRENT_OF_ATTEMPT, (attempt_id,))

    def reissue_certificate(self, old_code: str, fields: Row, log: Row) -> Row | None:
        """Supersede the current certificate `old_code` by a new one (`fields`), set the
        learner's name to the new one's, and log it (`log`: reissued_by, reissued_at,
        reason, old_name), in one write; returns the new certificate, or None when
        `old_code` is not current (superseded meanwhile, or unknown)."""
        columns = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)

        def reissue(conn: sqlite3.Connection) -> Row | None:
            superseded = conn.execute(
                "UPDATE certificates SET superseded_by = ?, superseded_at = ?"
                " WHERE code = ? AND superseded_by IS NULL",
                (fields["code"], fields["issued_at"], old_code),
            ).rowcount
            if not superseded:
                return None
            conn.execute(
                f"INSERT INTO certificates ({columns}) VALUES ({marks})", tuple(fields.values())
            )
            conn.execute(
                "INSERT INTO certificate_reissues (old_code, new_code, reissued_by, reissued_at,"
                " reason, old_name, new_name) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (old_code, fields["code"], log["reissued_by"], log["reissued_at"],
                 log["reason"], log["old_name"], fields["learner_name"]),
            )  # fmt: skip
            conn.execute(
                "UPDATE users SET display_name = ? WHERE id = ?",
                (fields["learner_name"], fields["user_id"]),
            )
            return _one(
                conn.execute("SELECT * FROM certificates WHERE code = ?", (fields["code"],))
            )

        return self.write(reissue)

    def cohort_certificates_all(self, cohort_id: int) -> list[Row]:
        """Every certificate of the cohort's attempts, superseded ones included, in the
        order issued."""
        return self.query(
            "SELECT c.* FROM certificates c JOIN attempts a ON a.id = c.attempt_id"
            " WHERE a.cohort_id = ? ORDER BY c.issued_at, c.code",
            (cohort_id,),
        )

    def cohort_reissues(self, cohort_id: int | None) -> list[Row]:
        """The reissue log of the cohort's certificates, oldest first, with the name of
        the instructor who reissued each."""
        return self.query(
            "SELECT r.*, c.attempt_id, u.display_name AS reissued_by_name"
            " FROM certificate_reissues r"
            " JOIN certificates c ON c.code = r.old_code JOIN attempts a ON a.id = c.attempt_id"
            " JOIN users u ON u.id = r.reissued_by WHERE a.cohort_id IS ?"
            " ORDER BY r.reissued_at, r.id",
            (cohort_id,),
        )

    def cohort_attestations(self, cohort_id: int | None) -> list[Row]:
        """Every submitted post-test attempt of the cohort with its attestation (NULL when
        not attested) and whether it was submitted by its deadline."""
        return self.query(
            "SELECT a.id AS attempt_id, a.user_id, u.username, u.display_name, a.quiz_id,"
            " a.submitted_at, a.deadline IS NOT NULL AND a.submitted_at = a.deadline"
            " AS timed_out, a.attested_at, a.attestation"
            " FROM attempts a JOIN users u ON u.id = a.user_id"
            " WHERE a.cohort_id IS ? AND a.mode = 'post_test' AND a.submitted_at IS NOT NULL"
            " ORDER BY a.submitted_at, a.id",
            (cohort_id,),
        )

    def has_certificate(self, user_id: int) -> bool:
        return (
            self.first("SELECT 1 FROM certificates WHERE user_id = ? LIMIT 1", (user_id,))
            is not None
        )

    def cohort_certificates(self, cohort_id: int) -> dict[int, Row]:
        """Each learner's first certificate earned in this cohort, by user id."""
        first: dict[int, Row] = {}
        for row in self.query(
            "SELECT c.* FROM certificates c JOIN attempts a ON a.id = c.attempt_id"
            " WHERE a.cohort_id = ? AND c.superseded_by IS NULL ORDER BY c.completed_at, c.code",
            (cohort_id,),
        ):
            first.setdefault(row["user_id"], row)
        return first

    # -- course evaluations (m018) --------------------------------------------------------

    def submit_evaluation(
        self, attempt_id: int, user_id: int, submitted_at: str, items: str, answers: str
    ) -> Row:
        """Store the evaluation of `attempt_id` (items and answers as JSON) and delete its
        draft, in one write; returns the row stored.

        Raises EvaluationSubmitted when the attempt has one already, however many
        submissions race: the attempt is the table's primary key.
        """

        def insert(conn: sqlite3.Connection) -> Row:
            try:
                conn.execute(
                    "INSERT INTO evaluations (attempt_id, user_id, submitted_at, items, answers)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (attempt_id, user_id, submitted_at, items, answers),
                )
            except sqlite3.IntegrityError as exc:
                if getattr(exc, "sqlite_errorname", None) == "SQLITE_CONSTRAINT_PRIMARYKEY":
                    raise EvaluationSubmitted() from None
                raise
            conn.execute("DELETE FROM evaluation_drafts WHERE attempt_id = ?", (attempt_id,))
            row = _one(
                conn.execute("SELECT * FROM evaluations WHERE attempt_id = ?", (attempt_id,))
            )
            assert row is not None
            return row

        return self.write(insert)

    def evaluation(self, attempt_id: int) -> Row | None:
        return self.first("SELECT * FROM evaluations WHERE attempt_id = ?", (attempt_id,))

    def save_evaluation_draft(self, attempt_id: int, answers: str, saved_at: str) -> None:
        """Keep the unsubmitted answers (JSON) of an attempt's evaluation, replacing the
        draft before. Raises EvaluationSubmitted once the evaluation is submitted (checked
        inside the write, so a draft never outlives its submission)."""

        def upsert(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "INSERT INTO evaluation_drafts (attempt_id, answers, saved_at)"
                " SELECT ?, ?, ? WHERE NOT EXISTS"
                " (SELECT 1 FROM evaluations WHERE attempt_id = ?)"
                " ON CONFLICT (attempt_id) DO UPDATE SET answers = excluded.answers,"
                " saved_at = excluded.saved_at",
                (attempt_id, answers, saved_at, attempt_id),
            )
            return cursor.rowcount > 0

        if not self.write(upsert):
            raise EvaluationSubmitted()

    def evaluation_draft(self, attempt_id: int) -> Row | None:
        return self.first("SELECT * FROM evaluation_drafts WHERE attempt_id = ?", (attempt_id,))

    def cohort_evaluations(self, cohort_id: int | None) -> list[Row]:
        """The evaluations of the cohort's attempts, oldest first, each with the learner's
        username and name."""
        return self.query(
            "SELECT e.*, u.username, u.display_name FROM evaluations e"
            " JOIN attempts a ON a.id = e.attempt_id JOIN users u ON u.id = e.user_id"
            " WHERE a.cohort_id IS ? ORDER BY e.submitted_at, e.attempt_id",
            (cohort_id,),
        )
