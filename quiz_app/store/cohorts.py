"""Cohorts, who joined them, and accommodations."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from quiz_app.records import Row
from quiz_app.store.base import (
    _IN_FORCE,
    Engine,
    _accommodations_of,
    _dicts,
)

_MEMBER = (
    "SELECT u.id, u.username, u.display_name, m.joined_at FROM memberships m"
    " JOIN users u ON u.id = m.user_id"
)


class CohortRows(Engine):
    # -- cohorts ---------------------------------------------------------------------

    def create_cohort(
        self,
        name: str,
        join_code: str,
        instructor_id: int,
        starts_on: str | None,
        ends_on: str | None,
        now: str,
    ) -> int:
        def insert(conn: sqlite3.Connection) -> int:
            ((made,),) = conn.execute(
                "INSERT INTO cohorts (name, join_code, instructor_id, starts_on, ends_on,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (name, join_code, instructor_id, starts_on, ends_on, now),
            ).fetchall()
            return int(made)

        return self.write(insert)

    def cohort(self, cohort_id: int) -> Row | None:
        return self.first("SELECT * FROM cohorts WHERE id = ?", (cohort_id,))

    def cohort_by_code(self, join_code: str) -> Row | None:
        return self.first("SELECT * FROM cohorts WHERE join_code = ?", (join_code,))

    def cohorts_of(self, instructor_id: int) -> list[Row]:
        """An instructor's cohorts, archived ones too, newest first, with their `members`."""
        return self.query(
            "SELECT c.*, (SELECT count(*) FROM memberships m WHERE m.cohort_id = c.id) AS members"
            " FROM cohorts c WHERE c.instructor_id = ? ORDER BY c.created_at DESC, c.id DESC",
            (instructor_id,),
        )

    def rename_cohort(self, cohort_id: int, name: str) -> None:
        self.execute("UPDATE cohorts SET name = ? WHERE id = ?", (name, cohort_id))

    def set_cohort_archived(self, cohort_id: int, archived_at: str | None) -> None:
        """Archive a cohort at `archived_at`, or (None) take it out of the archive."""
        self.execute("UPDATE cohorts SET archived_at = ? WHERE id = ?", (archived_at, cohort_id))

    def set_join_code(self, cohort_id: int, join_code: str) -> None:
        self.execute("UPDATE cohorts SET join_code = ? WHERE id = ?", (join_code, cohort_id))

    def join_cohort(self, cohort_id: int, user_id: int, now: str, today: str) -> str:
        """Add a member, unless the cohort is archived or ended before `today` (a
        YYYY-MM-DD day), checked in the insert itself so that an archive or a new end
        date meanwhile is never missed. Returns "joined", "already" (a member before:
        nothing changes), "archived" or "ended"."""

        def insert(conn: sqlite3.Connection) -> str:
            if conn.execute(
                "SELECT 1 FROM memberships WHERE cohort_id = ? AND user_id = ?",
                (cohort_id, user_id),
            ).fetchone():
                return "already"
            cursor = conn.execute(
                "INSERT INTO memberships (cohort_id, user_id, joined_at)"
                " SELECT id, ?, ? FROM cohorts WHERE id = ? AND archived_at IS NULL"
                " AND (ends_on IS NULL OR ends_on >= ?)",
                (user_id, now, cohort_id, today),
            )
            if cursor.rowcount == 1:
                return "joined"
            (archived,) = conn.execute(
                "SELECT archived_at FROM cohorts WHERE id = ?", (cohort_id,)
            ).fetchone()
            return "archived" if archived else "ended"

        return self.write(insert)

    def cohorts_joined(self, user_id: int) -> list[Row]:
        return self.query(
            "SELECT c.*, m.joined_at FROM memberships m JOIN cohorts c ON c.id = m.cohort_id"
            " WHERE m.user_id = ? ORDER BY m.joined_at",
            (user_id,),
        )

    def teaches(self, instructor_id: int, user_id: int) -> bool:
        """Whether the user is a member of one of the instructor's cohorts."""
        return (
            self.first(
                "SELECT 1 FROM memberships m JOIN cohorts c ON c.id = m.cohort_id"
                " WHERE c.instructor_id = ? AND m.user_id = ? LIMIT 1",
                (instructor_id, user_id),
            )
            is not None
        )

    def members(self, cohort_id: int) -> list[Row]:
        return self.query(_MEMBER + " WHERE m.cohort_id = ? ORDER BY u.display_name", (cohort_id,))

    def member(self, cohort_id: int, user_id: int) -> Row | None:
        """One member of a cohort (as `members` gives them), or None for anyone else."""
        return self.first(
            _MEMBER + " WHERE m.cohort_id = ? AND m.user_id = ?", (cohort_id, user_id)
        )

    # -- accommodations --------------------------------------------------------------

    def record_accommodation(
        self, fields: Row, deadline_of: Callable[[Row, list[Row]], str | None]
    ) -> int:
        """Append a row to `accommodations` (its columns in `fields`); returns its id.

        A grant extends, in the same write, the deadline of each open attempt of the
        learners it applies to that has not passed it yet (at `fields["recorded_at"]`):
        `deadline_of(attempt row, accommodation rows then in force for its learner)`
        gives the new deadline, stored only when later. A revocation shortens none.
        """
        columns = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        now = fields["recorded_at"]

        def insert(conn: sqlite3.Connection) -> int:
            ((made,),) = conn.execute(
                f"INSERT INTO accommodations ({columns}) VALUES ({marks}) RETURNING id",
                tuple(fields.values()),
            ).fetchall()
            if fields["action"] == "grant":
                learners = (
                    "SELECT ?" if fields["user_id"] is not None
                    else "SELECT user_id FROM memberships WHERE cohort_id = ?"
                )  # fmt: skip
                subject = (
                    fields["user_id"] if fields["user_id"] is not None else fields["cohort_id"]
                )
                for attempt in _dicts(
                    conn.execute(
                        "SELECT * FROM attempts WHERE submitted_at IS NULL AND deadline >= ?"
                        f" AND user_id IN ({learners})",
                        (now, subject),
                    )
                ):
                    later = deadline_of(attempt, _accommodations_of(conn, attempt["user_id"]))
                    if later is not None and later > attempt["deadline"]:
                        conn.execute(
                            "UPDATE attempts SET deadline = ? WHERE id = ?", (later, attempt["id"])
                        )
            return int(made)

        return self.write(insert)

    def accommodations_of(self, user_id: int) -> list[Row]:
        """The accommodations in force for a learner: their own and their cohorts', in
        every cohort they are in."""
        with self.borrow() as conn:
            return _accommodations_of(conn, user_id)

    def member_accommodations(self, cohort_id: int) -> list[Row]:
        """The accommodations in force for each member of a cohort (from any cohort they
        are in), each row with its member's id as `learner_id`."""
        return self.query(
            "SELECT m.user_id AS learner_id, a.* FROM memberships m"
            f" {_IN_FORCE.format(learner='m.user_id')} WHERE m.cohort_id = ?",
            (cohort_id,),
        )

    def cohort_accommodations(self, cohort_id: int) -> list[Row]:
        """Every row a cohort's accommodations ever had, oldest first, with the learner's
        and the recorder's usernames and names (`username`, `display_name`: NULL for the
        whole cohort; `recorded_by_username`) and whether the row is in force now
        (`in_force`: the latest of its learner or cohort, and a grant)."""
        return self.query(
            "SELECT a.*, u.username, u.display_name, r.username AS recorded_by_username,"
            " (a.action = 'grant' AND a.id = (SELECT max(b.id) FROM accommodations b"
            " WHERE b.cohort_id = a.cohort_id AND b.user_id IS a.user_id)) AS in_force"
            " FROM accommodations a LEFT JOIN users u ON u.id = a.user_id"
            " JOIN users r ON r.id = a.recorded_by WHERE a.cohort_id = ? ORDER BY a.id",
            (cohort_id,),
        )
