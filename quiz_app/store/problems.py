"""Learners' problem reports on questions."""

from __future__ import annotations

import sqlite3

from quiz_app.records import Row
from quiz_app.store.base import (
    Engine,
)


class ProblemReportRows(Engine):
    # -- problem reports (quiz_app.problem_reports) --------------------------------------

    def add_question_report(
        self,
        user_id: int,
        attempt_id: int,
        question_id: str,
        content_hash: str,
        reason: str,
        comment: str,
        now: str,
    ) -> int | None:
        """Store a learner's problem report on a question version shown in one of their
        attempts, in that attempt's cohort. Returns its id, or None when the learner has
        an open report of this version for this reason already (the partial UNIQUE index
        decides, in the insert itself) or the attempt is not theirs."""

        def insert(conn: sqlite3.Connection) -> int | None:
            made = conn.execute(
                "INSERT INTO question_reports (user_id, cohort_id, attempt_id, question_id,"
                " content_hash, reason, comment, reported_at)"
                " SELECT user_id, cohort_id, id, ?, ?, ?, ?, ? FROM attempts"
                " WHERE id = ? AND user_id = ?"
                " ON CONFLICT (user_id, content_hash, reason) WHERE resolved_at IS NULL"
                " DO NOTHING RETURNING id",
                (question_id, content_hash, reason, comment, now, attempt_id, user_id),
            ).fetchall()
            return int(made[0][0]) if made else None

        return self.write(insert)

    def open_report_reasons(self, user_id: int, content_hash: str) -> list[Row]:
        """A learner's open reports of one question version: reason and when, oldest first."""
        return self.query(
            "SELECT reason, reported_at FROM question_reports WHERE user_id = ?"
            " AND content_hash = ? AND resolved_at IS NULL ORDER BY reported_at, id",
            (user_id, content_hash),
        )

    def question_report(self, report_id: int) -> Row | None:
        return self.first("SELECT * FROM question_reports WHERE id = ?", (report_id,))

    def cohort_question_reports(
        self, cohort_id: int | None, resolved: bool | None = None
    ) -> list[Row]:
        """A cohort's problem reports (open ones, resolved ones, or with None all), oldest
        first, each with its learner's username and name, its attempt's quiz, the
        content of the version reported, and the resolver's name."""
        status = {
            None: "",
            False: " AND r.resolved_at IS NULL",
            True: " AND r.resolved_at IS NOT NULL",
        }
        return self.query(
            "SELECT r.*, u.username, u.display_name, a.quiz_id, a.quiz_title, v.content,"
            " s.display_name AS resolved_by_name FROM question_reports r"
            " JOIN users u ON u.id = r.user_id"
            " JOIN question_versions v ON v.content_hash = r.content_hash"
            " LEFT JOIN attempts a ON a.id = r.attempt_id"
            " LEFT JOIN users s ON s.id = r.resolved_by"
            f" WHERE r.cohort_id IS ?{status[resolved]} ORDER BY r.reported_at, r.id",
            (cohort_id,),
        )

    def open_report_counts(self, cohort_id: int) -> dict[str, int]:
        """How many open problem reports each question of a cohort has (none: absent)."""
        return {
            row["question_id"]: row["n"]
            for row in self.query(
                "SELECT question_id, count(*) AS n FROM question_reports"
                " WHERE cohort_id = ? AND resolved_at IS NULL GROUP BY question_id",
                (cohort_id,),
            )
        }

    def resolve_question_report(
        self, report_id: int, cohort_id: int, resolved_by: int, note: str, now: str
    ) -> bool:
        """Mark an open report of the cohort resolved, by whom, when and with what note.
        False when it is not open (resolved meanwhile) or not the cohort's."""
        return (
            self.execute(
                "UPDATE question_reports SET resolved_at = ?, resolved_by = ?, resolution = ?"
                " WHERE id = ? AND cohort_id = ? AND resolved_at IS NULL",
                (now, resolved_by, note, report_id, cohort_id),
            )
            == 1
        )
