"""The audit pack and retention, bulk loads and backups."""

from __future__ import annotations

import json
import operator
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from quiz_app import files
from quiz_app.migrations import restore_report_sums, set_report_sums_aside
from quiz_app.records import Row
from quiz_app.store import pg_schema
from quiz_app.store.base import (
    DATA_TABLES,
    Engine,
    _plain_errors,
    _quick_check,
)
from quiz_app.writer import StoreError

# The reissues of the certificates of the attempts `{}` selects (by id).
_REISSUE_OF = (
    "old_code IN (SELECT code FROM certificates WHERE attempt_id IN ({0}))"
    " OR new_code IN (SELECT code FROM certificates WHERE attempt_id IN ({0}))"
)

_OLDER = (
    "(:before IS NULL OR (a.started_at < :before"
    " AND coalesce(a.submitted_at, a.started_at) < :before"
    " AND NOT EXISTS (SELECT 1 FROM responses o WHERE o.attempt_id = a.id"
    " AND o.answered_at >= :before)))"
)


def _cohorts_of(conn: sqlite3.Connection, table: str, rows: list[Row]) -> set[int]:
    """The cohorts whose report sums inserting `rows` into `table` changes: those of new
    attempts, and of the attempts of new answers."""
    if table == "attempts":
        return {row["cohort_id"] for row in rows if row.get("cohort_id") is not None}
    if table == "responses":
        ids = json.dumps(sorted({row["attempt_id"] for row in rows}))
        return {
            cohort
            for (cohort,) in conn.execute(
                "SELECT DISTINCT cohort_id FROM attempts WHERE id IN"
                " (SELECT value FROM json_each(?)) AND cohort_id IS NOT NULL",
                (ids,),
            )
        }
    return set()


def _insert_rows(conn: sqlite3.Connection, table: str, rows: list[Row]) -> None:
    """Insert rows that share their first row's columns into a data table."""
    columns = tuple(rows[0])
    if table not in DATA_TABLES or not all(c.isidentifier() for c in columns):
        raise ValueError(f"cannot bulk-load {table} {columns}")
    width = len(columns)
    if any(len(row) != width for row in rows):
        raise ValueError(f"the rows for {table} do not all have the columns {columns}")
    values = operator.itemgetter(*columns) if width > 1 else lambda row: (row[columns[0]],)
    try:
        conn.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * width)})",
            map(values, rows),
        )
    except KeyError as exc:
        raise ValueError(f"the rows for {table} do not all have the columns {columns}") from exc


# Whether attempt `a` is older than :before (stored UTC text; NULL: every attempt is):
# started and submitted before it, with no answer given at or after it.
# The tables whose rows are an attempt's records (they name it in `attempt_id`), in the
# order a prune deletes them: every one an audit pack holds, so a prune packs them first.
ATTEMPT_RECORD_TABLES = (
    "review_logs", "flags", "evaluations", "evaluation_drafts", "question_reports",
    "certificates", "responses",
)  # fmt: skip


class UpkeepRows(Engine):
    # -- audit pack and retention (quiz_app.audit) --------------------------------------
    #
    # The records of an attempt: its row, its responses and in-attempt flags (m012), its
    # certificate, and the review logs of its answers (m015). `before` (stored UTC text)
    # narrows a cohort's attempts to those older than it (`_OLDER`); None keeps them all.

    def audit_attempt_slots(self, cohort_id: int | None, before: str | None) -> Iterator[Row]:
        """Every question of every attempt of the cohort (None: attempts in no cohort),
        in attempt then slot order, blanks too, as they are read: the attempt's columns,
        the learner's `username` and `display_name`, `slot` (1, 2, ...), the slot's
        `question_id`, `content_hash` and shown `part_order` (JSON), and the response's
        `answer` (JSON), `mark_exact` and `answered_at` (None when left blank). A generator
        over one read, as `response_export` is."""
        columns = (
            "attempt_id", "user_id", "username", "display_name", "quiz_id", "quiz_title", "mode",
            "started_at", "deadline", "submitted_at", "score_exact", "max_score", "pass_mark",
            "passed", "slot", "question_id", "content_hash", "part_order", "answer",
            "mark_exact", "answered_at",
        )  # fmt: skip
        sql = (
            "SELECT a.id, a.user_id, u.username, u.display_name, a.quiz_id, a.quiz_title, a.mode,"
            " a.started_at, a.deadline, a.submitted_at, a.score_exact, a.max_score, a.pass_mark,"
            " a.passed, s.key + 1, s.value ->> 'id',"
            " coalesce(nullif(s.value ->> 'hash', ''), r.content_hash, ''),"
            " coalesce(s.value -> 'order', '[]'), r.answer, r.mark_exact, r.answered_at"
            " FROM attempts a JOIN json_each(a.slots) s LEFT JOIN users u ON u.id = a.user_id"
            " LEFT JOIN responses r ON r.attempt_id = a.id AND r.question_id = s.value ->> 'id'"
            f" WHERE a.cohort_id IS :cohort AND {_OLDER} ORDER BY a.id, s.key"
        )
        rows = self.stream(sql, {"cohort": cohort_id, "before": before})
        try:
            for row in rows:
                yield dict(zip(columns, row, strict=True))
        finally:
            rows.close()

    def audit_attempt_ids(self, cohort_id: int | None, before: str | None) -> set[int]:
        """The ids of the cohort's attempts (older than `before`)."""
        return {
            row["id"]
            for row in self.query(
                f"SELECT a.id FROM attempts a WHERE a.cohort_id IS :cohort AND {_OLDER}",
                {"cohort": cohort_id, "before": before},
            )
        }

    def audit_certificates(self, cohort_id: int | None, before: str | None) -> list[Row]:
        """Every certificate issued for the cohort's attempts (older than `before`), by
        issue, with the learner's `username`."""
        return self.query(
            "SELECT c.*, u.username FROM certificates c JOIN attempts a ON a.id = c.attempt_id"
            " LEFT JOIN users u ON u.id = c.user_id"
            f" WHERE a.cohort_id IS :cohort AND {_OLDER} ORDER BY c.issued_at, c.code",
            {"cohort": cohort_id, "before": before},
        )

    def audit_question_versions(self, cohort_id: int | None, before: str | None) -> list[Row]:
        """The stored versions (m002) of the questions the cohort's attempts (older than
        `before`) showed, each once, by question id and hash."""
        return self.query(
            "SELECT v.content_hash, v.question_id, v.content FROM question_versions v"
            " WHERE v.content_hash IN (SELECT coalesce(nullif(s.value ->> 'hash', ''),"
            " r.content_hash) FROM attempts a JOIN json_each(a.slots) s"
            " LEFT JOIN responses r ON r.attempt_id = a.id AND r.question_id = s.value ->> 'id'"
            f" WHERE a.cohort_id IS :cohort AND {_OLDER})"
            " ORDER BY v.question_id, v.content_hash",
            {"cohort": cohort_id, "before": before},
        )

    def cohorts_with_records_before(self, before: str) -> list[int | None]:
        """The cohorts (None: no cohort) that hold attempts older than `before`."""
        return [
            row["cohort_id"]
            for row in self.query(
                f"SELECT a.cohort_id FROM attempts a WHERE {_OLDER}"
                " GROUP BY a.cohort_id ORDER BY a.cohort_id IS NULL, a.cohort_id",
                {"before": before},
            )
        ]

    def count_records_before(self, before: str) -> dict[str, int]:
        """How many rows `delete_records_before` would delete from each table."""
        older = f"SELECT a.id FROM attempts a WHERE {_OLDER}"
        row = self.first(
            f"SELECT (SELECT count(*) FROM ({older})) AS attempts,"
            + ", ".join(
                f" (SELECT count(*) FROM {t} WHERE attempt_id IN ({older})) AS {t}"
                for t in ATTEMPT_RECORD_TABLES
            )
            + f", (SELECT count(*) FROM certificate_reissues WHERE {_REISSUE_OF.format(older)})"
            " AS certificate_reissues",
            {"before": before},
        )
        return dict(row or {})

    def delete_records_before(self, before: str) -> dict[str, int]:
        """Delete, in one write, every attempt older than `before` with its records (the
        rows of ATTEMPT_RECORD_TABLES that name it, and the reissue log of its
        certificates); cards that name it as their last
        attempt keep their state and forget the attempt. Returns how many rows went from
        each table (and `cards` forgetting one)."""

        def delete(conn: sqlite3.Connection) -> dict[str, int]:
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS pruned (id INTEGER PRIMARY KEY)")
            conn.execute("DELETE FROM temp.pruned")
            conn.execute(
                f"INSERT INTO temp.pruned SELECT a.id FROM attempts a WHERE {_OLDER}",
                {"before": before},
            )
            counts = {
                "certificate_reissues": conn.execute(
                    "DELETE FROM certificate_reissues"
                    f" WHERE {_REISSUE_OF.format('SELECT id FROM temp.pruned')}"
                ).rowcount
            }
            for table in ATTEMPT_RECORD_TABLES:
                counts[table] = conn.execute(
                    f"DELETE FROM {table} WHERE attempt_id IN (SELECT id FROM temp.pruned)"
                ).rowcount
            counts["cards"] = conn.execute(
                "UPDATE cards SET last_attempt_id = NULL"
                " WHERE last_attempt_id IN (SELECT id FROM temp.pruned)"
            ).rowcount
            counts["attempts"] = conn.execute(
                "DELETE FROM attempts WHERE id IN (SELECT id FROM temp.pruned)"
            ).rowcount
            conn.execute("DELETE FROM temp.pruned")
            return counts

        return self.write(delete)

    def consistency_problems(self) -> list[str]:
        """What SQLite's integrity_check and foreign_key_check find wrong (empty: none). On
        PostgreSQL, which keeps its own pages sound, the rows whose foreign keys name
        nothing, found by one query per foreign key of the schema."""
        if self.dialect == "postgresql":
            problems = []
            for table, shape in pg_schema.current().tables.items():
                for column, parent, key, _ in shape.foreign_keys:
                    row = self.first(
                        f"SELECT count(*) AS n FROM {table} c WHERE c.{column} IS NOT NULL"
                        f" AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{key} = c.{column})"
                    )
                    if row and row["n"]:
                        problems.append(f"{row['n']} {table} rows name a missing {parent}")
            return problems
        with self.borrow() as conn:
            found = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
            problems = [] if found == ["ok"] else found
            problems += [
                f"{table} row {rowid} names a missing {parent}"
                for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check")
            ]
        return problems

    # -- bulk load and backup ----------------------------------------------------------

    def next_ids(self, tables: Iterable[str]) -> dict[str, int]:
        """The next free integer id of each table (for bulk loads that set ids)."""
        result = {}
        for table in tables:
            if table not in DATA_TABLES:
                raise ValueError(f"unknown table {table}")
            row = self.first(f"SELECT max(id) AS top FROM {table}")
            result[table] = ((row or {}).get("top") or 0) + 1
        return result

    def table_rows(self, table: str) -> list[Row]:
        """Every row of one data table, in its primary key's order (exports, comparisons:
        the same on both backends, whatever order the rows went in)."""
        if table not in DATA_TABLES:
            raise ValueError(f"unknown table {table}")
        order = ", ".join(pg_schema.current().tables[table].key)
        return self.query(f"SELECT * FROM {table} ORDER BY {order}")

    def bulk_insert(self, tables: dict[str, list[Row]]) -> None:
        """Insert many rows into several tables in one transaction (see `bulk_load`)."""
        self.bulk_load([tables])

    def bulk_load(self, batches: Iterable[dict[str, list[Row]]]) -> None:
        """Insert every batch's rows, table by table, in one transaction: all of them are
        stored, or none (an error, or an exception raised by `batches`, undoes them all).

        The writer thread draws the batches one at a time, so a generator can feed
        millions of rows while only one batch is in memory; it must not use the store.
        Every other write, from any process, waits until the load commits.
        The rows of one table in a batch all have the columns of its first row; each goes
        in through one prepared INSERT (executemany), triggers firing as for any insert,
        except those keeping the report sums (m023): the sums of every cohort the load
        touched are worked out again once at the end, in the same transaction.
        Raises ValueError for a table that is not a data table or a row with other
        columns.
        """

        # PostgreSQL keeps the sums by its triggers row by row (no set-aside yet), and
        # moves each identity sequence past the ids the rows brought
        sqlite = self.dialect == "sqlite"

        def load(conn: sqlite3.Connection) -> None:
            touched: set[int] = set()
            loaded: set[str] = set()
            if sqlite:
                set_report_sums_aside(conn)
            for batch in batches:
                for table, rows in batch.items():
                    if rows:
                        _insert_rows(conn, table, rows)
                        touched.update(_cohorts_of(conn, table, rows))
                        loaded.add(table)
            if sqlite:
                restore_report_sums(conn, touched)
                return
            for table in sorted(loaded & pg_schema.identity_tables()):
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT max(id) FROM {table}))"
                )

        self.write(load)

    def backup(self, destination: str | Path) -> None:
        """Copy the database to `destination`, a new file, with SQLite's online backup API.

        The source is checked first (`PRAGMA quick_check`): a damaged database raises
        StoreError and nothing is written. The copy is a consistent snapshot even while
        other connections keep writing; it is written under a temporary name beside
        `destination`, checked, and only then given its name (never replacing a file that
        appeared there meanwhile: FileExistsError). On any failure (a full disk, say) the
        temporary file is removed, so no partial or damaged copy passes for a backup.
        """
        destination = Path(destination)
        with self.borrow() as conn:
            _quick_check(conn)
        partial = files.partial_name(destination)
        try:
            try:
                target = sqlite3.connect(str(partial))
                target.execute("PRAGMA user_version")  # creates the file, or fails here
            except sqlite3.Error as exc:
                raise StoreError(
                    "The copy cannot be written in that folder.", f"{destination.parent}: {exc}"
                ) from None
            try:
                with self.borrow() as conn, _plain_errors():
                    conn.backup(target)
                _quick_check(target)
            finally:
                target.close()
            files.give_name(partial, destination)
        finally:
            partial.unlink(missing_ok=True)
