"""The instructor's reports and exports: read-only, in SQL where SQL is the tool."""

from __future__ import annotations

import functools
import itertools
import json
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from quiz_app.records import Row
from quiz_app.store.base import (
    Engine,
)

STREAM_BATCH = 1_000  # rows a streamed read fetches at a time
EXPORT_SAMPLE = 5_000  # attempts whose distinct answers the responses export writes first


# a report window's bound as stored text, on a quarter hour (UTC): what m023's sums count by
_ON_QUARTER = re.compile(r"\d{4}-\d\d-\d\dT\d\d:(00|15|30|45):00\+00:00")

# the responses export's username: the user id as text for someone not (or no longer) in
# the cohort, whose membership (m) and user (u) these joins of an attempt (a) find
_EXPORT_USERNAME = "coalesce(u.username, CAST(a.user_id AS TEXT))"

_EXPORT_MEMBER = (
    " LEFT JOIN memberships m ON m.cohort_id = a.cohort_id AND m.user_id = a.user_id"
    " LEFT JOIN users u ON u.id = m.user_id"
)

# Per learner, which of their attempts item analysis counts (analytics.choose_attempts):
# the rank 1 of each learner's attempts in this order, or every attempt.
_CHOOSE = {
    "first": "row_number() OVER (PARTITION BY a.user_id ORDER BY a.started_at, a.id)",
    "best": "row_number() OVER (PARTITION BY a.user_id"
    " ORDER BY a.score / a.max_score DESC, a.started_at, a.id)",
    "last": "row_number() OVER (PARTITION BY a.user_id ORDER BY a.started_at DESC, a.id DESC)",
    "all": "1",
}

# Whether slot `s` (a row of attempt_slots) showed the current version of its question,
# given :current, a JSON list of [question id, content hash]. The IN list does not depend on
# the row, so SQLite builds it once.
_IS_CURRENT = (
    "(s.question_id, coalesce(s.content_hash, ''))"
    " IN (SELECT value ->> 0, value ->> 1 FROM json_each(:current))"
)


def _pairs(current: Iterable[tuple[str, str]]) -> str:
    return json.dumps([list(pair) for pair in current])


def _batches(rows: Iterable[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    """`rows` in lists of up to STREAM_BATCH."""
    rows = iter(rows)
    return iter(lambda: list(itertools.islice(rows, STREAM_BATCH)), [])


class ReportRows(Engine):
    # -- reports ------------------------------------------------------------------------
    #
    # Reports aggregate in SQL: what comes back is one row per member, per question, per
    # quarter hour or per distinct answer, never one per response. Every query starts from
    # the cohort's attempts (idx_attempts_cohort_id_quiz_id_started_at), so a cohort's
    # report costs what that cohort holds, however large the database.

    def report_version(self, cohort_id: int, quiz_id: str | None = None) -> int:
        """A number that grows whenever anything a report of this cohort reads changes;
        with `quiz_id`, only what that quiz's item analysis reads (m010)."""
        sql = "SELECT total(version) AS v FROM report_versions WHERE cohort_id = ?"
        params: list[Any] = [cohort_id]
        if quiz_id is not None:
            sql += " AND quiz_id = ?"
            params.append(quiz_id)
        row = self.first(sql, params)
        return int(row["v"]) if row else 0

    @staticmethod
    def _window(
        quiz_id: str | None,
        since: str | None,
        until: str | None,
        quiz: str = "a.quiz_id",
        start: str = "a.started_at",
    ) -> tuple[str, list[Any]]:
        """SQL conditions for a quiz and a start-time window [since, until), on the columns
        `quiz` and `start` (by default those of `a.`, attempts), and their parameters."""
        sql, params = "", []
        for clause, value in (
            (f" AND {quiz} = ?", quiz_id),
            (f" AND {start} >= ?", since),
            (f" AND {start} < ?", until),
        ):
            if value is not None:
                sql += clause
                params.append(value)
        return sql, params

    def cohort_attempts(
        self,
        cohort_id: int,
        quiz_id: str | None = None,
        since: str | None = None,
        until: str | None = None,
        with_slots: bool = False,
    ) -> list[Row]:
        """A cohort's attempts, optionally of one quiz, started within [since, until)."""
        window, params = self._window(quiz_id, since, until)
        columns = (
            "a.id, a.user_id, a.quiz_id, a.quiz_title, a.mode, a.started_at, a.deadline,"
            " a.submitted_at, a.score, a.score_exact, a.max_score, a.pass_mark, a.passed"
            + (", a.slots" if with_slots else "")
        )
        return self.query(
            f"SELECT {columns} FROM attempts a WHERE a.cohort_id = ?{window}"
            " ORDER BY a.started_at, a.id",
            [cohort_id, *params],
        )

    def _submitted(
        self, cohort_id: int, quiz_id: str | None, since: str | None, until: str | None
    ) -> tuple[str, list[Any]]:
        """The WHERE clause, on `a.` (attempts), of a cohort's submitted attempts of a quiz
        started in a window, and its parameters."""
        window, params = self._window(quiz_id, since, until)
        where = f" WHERE a.cohort_id = ? AND a.submitted_at IS NOT NULL{window}"
        return where, [cohort_id, *params]

    def cohort_responses(
        self,
        cohort_id: int,
        quiz_id: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> list[Row]:
        """Answers of a cohort's submitted attempts (of one quiz, started in a window)."""
        where, params = self._submitted(cohort_id, quiz_id, since, until)
        return self.query(
            "SELECT r.attempt_id, r.question_id, r.answer, r.mark, r.content_hash, r.answered_at"
            " FROM attempts a JOIN responses r ON r.attempt_id = a.id" + where,
            params,
        )

    def response_export_sql(
        self,
        cohort_id: int,
        quiz_id: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> tuple[str, list[Any]]:
        """The SELECT `response_export` runs, and its parameters (benchmarks run the same
        text in the sqlite3 shell)."""
        where, params = self._submitted(cohort_id, quiz_id, since, until)
        sql = (
            f"SELECT r.attempt_id, {_EXPORT_USERNAME} AS username,"
            " a.quiz_id, r.question_id, r.answer, r.mark, r.content_hash, a.submitted_at"
            " FROM attempts a JOIN responses r ON r.attempt_id = a.id"
            + _EXPORT_MEMBER
            + where
            + " ORDER BY a.id, r.question_id"
        )
        return sql, params

    def response_export(
        self,
        cohort_id: int,
        quiz_id: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """Answers of a cohort's submitted attempts (of one quiz, started in a window), in
        attempt then question order, as tuples (attempt_id, username, quiz_id,
        question_id, answer, mark, content_hash, submitted_at) read as they are needed;
        username is the user id as text for someone who is not a member of the cohort.

        A generator over one read (one consistent snapshot) on one borrowed connection,
        which goes back to the pool when it is exhausted or closed, or raises; nothing is
        borrowed until the first row is asked for.
        """
        return self.stream(
            *self.response_export_sql(cohort_id, quiz_id, since, until), STREAM_BATCH
        )

    def response_export_lines(
        self,
        cohort_id: int,
        quiz_id: str | None,
        since: str | None,
        until: str | None,
        attempt_texts: Callable[[list[tuple[Any, ...]]], Iterable[tuple[int, str, str]]],
        answer_text: Callable[[str, str, str, float], str],
    ) -> Iterator[str]:
        """The rows of `response_export` as lines of text that SQLite puts together, in
        pieces of up to STREAM_BATCH lines (each line ending with a line break), so that
        Python handles one text per row, not eight values.

        `attempt_texts` gets batches of the export's attempts as (attempt_id, username,
        quiz_id, submitted_at) and gives (attempt_id, head, tail) for each; `answer_text`
        gives the text of a (question_id, content_hash, answer, mark). A line is
        `head,answer text,tail`. The attempts' texts, and those of the distinct answers
        of the first EXPORT_SAMPLE attempts, are kept in TEMP tables of the read's own
        connection for the read alone; an answer not among those is asked of
        `answer_text` as its line is built.

        A generator over one read transaction (one consistent snapshot, the TEMP tables
        filled within it) on one borrowed connection, which goes back to the pool when it
        is exhausted or closed, or raises; nothing is borrowed until the first piece is
        asked for.
        """
        where, params = self._submitted(cohort_id, quiz_id, since, until)
        if self.dialect == "postgresql":
            yield from self._export_lines_in_python(where, params, attempt_texts, answer_text)
            return
        with self.borrow() as conn:
            conn.execute("BEGIN")  # the TEMP tables are dropped by the ROLLBACK that ends it
            conn.create_function("export_answer_text", 4, answer_text, deterministic=True)
            try:
                conn.execute(
                    "CREATE TEMP TABLE export_attempts"
                    " (id INTEGER PRIMARY KEY, head TEXT NOT NULL, tail TEXT NOT NULL)"
                )
                attempts = conn.execute(
                    f"SELECT a.id, {_EXPORT_USERNAME}, a.quiz_id, a.submitted_at FROM attempts a"
                    + _EXPORT_MEMBER
                    + where,
                    params,
                )
                while batch := attempts.fetchmany(STREAM_BATCH):
                    conn.executemany(
                        "INSERT INTO temp.export_attempts VALUES (?, ?, ?)", attempt_texts(batch)
                    )
                # what the first attempts answered covers nearly every row (a full pass for
                # the distinct answers would cost half as much as the export itself)
                conn.execute(
                    "CREATE TEMP TABLE export_answers AS"
                    " SELECT question_id, content_hash, answer, mark,"
                    " export_answer_text(question_id, content_hash, answer, mark) AS text"
                    " FROM (SELECT DISTINCT r.question_id, r.content_hash, r.answer, r.mark"
                    " FROM (SELECT id FROM temp.export_attempts ORDER BY id LIMIT ?) t"
                    " CROSS JOIN responses r ON r.attempt_id = t.id)",
                    (EXPORT_SAMPLE,),
                )
                lines = conn.execute(
                    "SELECT t.head || ',' || coalesce(w.text, export_answer_text(r.question_id,"
                    " r.content_hash, r.answer, r.mark)) || ',' || t.tail"
                    " FROM temp.export_attempts t JOIN responses r ON r.attempt_id = t.id"
                    " LEFT JOIN temp.export_answers w ON w.question_id = r.question_id"
                    " AND w.content_hash = r.content_hash AND w.answer = r.answer"
                    " AND w.mark = r.mark ORDER BY t.id, r.question_id"
                )
                try:
                    while batch := lines.fetchmany(STREAM_BATCH):
                        yield "\n".join(map(operator.itemgetter(0), batch)) + "\n"
                finally:
                    lines.close()
            finally:
                conn.execute("ROLLBACK")
                conn.create_function("export_answer_text", 4, None)

    def _export_lines_in_python(
        self,
        where: str,
        params: Any,
        attempt_texts: Callable[[list[tuple[Any, ...]]], Iterable[tuple[int, str, str]]],
        answer_text: Callable[[str, str, str, float], str],
    ) -> Iterator[str]:
        """`response_export_lines` where the database cannot call Python (PostgreSQL): the
        same lines, put together here from two streamed reads (attempts, then answers in
        the same order), each distinct answer's text worked out once."""
        texts: dict[int, tuple[str, str]] = {}
        for batch in _batches(
            self.stream(
                f"SELECT a.id, {_EXPORT_USERNAME}, a.quiz_id, a.submitted_at FROM attempts a"
                + _EXPORT_MEMBER
                + where
                + " ORDER BY a.id",
                params,
                STREAM_BATCH,
            )
        ):
            texts.update((attempt, (head, tail)) for attempt, head, tail in attempt_texts(batch))
        known = functools.lru_cache(maxsize=65_536)(answer_text)
        rows = self.stream(
            "SELECT r.attempt_id, r.question_id, r.content_hash, r.answer, r.mark"
            " FROM attempts a JOIN responses r ON r.attempt_id = a.id"
            + where
            + " ORDER BY a.id, r.question_id",
            params,
            STREAM_BATCH,
        )
        for batch in _batches(rows):
            yield "".join(
                f"{texts[attempt][0]},{known(question, version, answer, mark)},"
                f"{texts[attempt][1]}\n"
                for attempt, question, version, answer, mark in batch
            )

    @staticmethod
    def _quarters(
        quiz_id: str | None, since: str | None, until: str | None
    ) -> tuple[str, list[Any]]:
        """SQL conditions on a table of sums per quarter hour (m023: `quarter`, `quiz_id`) for
        a quiz and a window [since, until) whose bounds fall on quarter hours (UTC)."""
        for bound in (since, until):
            if bound is not None and not _ON_QUARTER.fullmatch(bound):
                raise ValueError(f"a report window starts and ends on a quarter hour: {bound}")
        return ReportRows._window(quiz_id, since, until, quiz="quiz_id", start="quarter")

    def cohort_question_marks(
        self,
        cohort_id: int,
        quiz_id: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> list[Row]:
        """Per question of a cohort's submitted attempts (of one quiz, started in a window
        on quarter hours): how many attempts showed it (`shown`) and the total mark they
        earned on it (`marks`, a blank adding 0), from the sums m023 keeps."""
        table = "question_totals" if since is None and until is None else "question_quarters"
        where, params = self._quarters(quiz_id, since, until)
        return self.query(
            f"SELECT question_id, sum(shown) AS shown, total(marks) AS marks FROM {table}"
            f" WHERE cohort_id = ?{where} GROUP BY 1 HAVING sum(shown) > 0",
            [cohort_id, *params],
        )

    def cohort_learners(
        self,
        cohort_id: int,
        quiz_id: str | None,
        since: str | None,
        until: str | None,
        post_test_id: str | None,
    ) -> list[Row]:
        """One row per member of the cohort, by display name, over the cohort's attempts
        started in [since, until): who (`id`, `username`, `display_name`, `joined_at`);
        `started` (any attempt), `open` (one not submitted), `passed` (a passed attempt of
        the post-test `post_test_id`), `completed_at` (when the first such attempt was
        submitted), `last_activity` (the latest start or submit);
        `attempts` of the quiz (every quiz when None), and the exact score and maximum of
        the best (`best_exact`, `best_max`, by score over maximum) and of the last
        (`last_exact`, `last_max`, by start) of those that are finished; and the code of
        the member's first certificate earned in this cohort (`certificate_code`)."""
        named = {"cohort": cohort_id, "quiz": quiz_id, "since": since, "until": until,
                 "post": post_test_id}  # fmt: skip
        in_window = (
            "a.cohort_id = :cohort AND (:since IS NULL OR a.started_at >= :since)"
            " AND (:until IS NULL OR a.started_at < :until)"
        )
        # one pass over the cohort's attempts each (attempts_by_learner, in learner order):
        # with a single max() SQLite takes the other columns from the row holding it;
        # the last attempt is the latest start, then the highest id. PostgreSQL has no
        # such columns: DISTINCT ON takes each learner's first row in the same order.
        finished = (
            f"FROM attempts a WHERE {in_window} AND (:quiz IS NULL OR a.quiz_id = :quiz)"
            " AND a.submitted_at IS NOT NULL AND a.max_score <> 0"
        )
        score = "a.score_exact || ' ' || a.max_score AS score"
        if self.dialect == "postgresql":
            best, last = (
                f"SELECT DISTINCT ON (a.user_id) a.user_id, {score} {finished}"
                f" ORDER BY a.user_id, {order}"
                for order in (
                    "a.score / a.max_score DESC, a.started_at, a.id",
                    "a.started_at DESC, a.id DESC",
                )
            )
        else:
            best = f"SELECT a.user_id, max(a.score / a.max_score), {score} {finished}"
            last = (
                f"SELECT a.user_id, max(a.started_at || printf(' %020d', a.id)), {score} {finished}"
            )
            best, last = (f"{part} GROUP BY a.user_id" for part in (best, last))
        rows = self.query(
            f"""
            SELECT u.id, u.username, u.display_name, m.joined_at,
                p.user_id IS NOT NULL AS started, coalesce(p.open, 0) AS open,
                coalesce(p.passed, 0) AS passed, p.completed_at, p.last_activity,
                coalesce(p.attempts, 0) AS attempts, b.score AS best, l.score AS last,
                (SELECT c.code FROM certificates c CROSS JOIN attempts a ON a.id = c.attempt_id
                 WHERE c.user_id = m.user_id AND a.cohort_id = m.cohort_id
                 AND c.superseded_by IS NULL
                 ORDER BY c.completed_at, c.code LIMIT 1) AS certificate_code
            FROM memberships m JOIN users u ON u.id = m.user_id
            LEFT JOIN (
                SELECT a.user_id, max(CASE WHEN a.submitted_at IS NULL THEN 1 ELSE 0 END)
                        AS open,
                    max(CASE WHEN a.quiz_id IS :post AND a.passed = 1 THEN 1 ELSE 0 END)
                        AS passed,
                    min(CASE WHEN a.quiz_id IS :post AND a.passed = 1 THEN a.submitted_at END)
                        AS completed_at,
                    max(coalesce(a.submitted_at, a.started_at)) AS last_activity,
                    total(CASE WHEN :quiz IS NULL OR a.quiz_id = :quiz THEN 1 ELSE 0 END)
                        AS attempts
                FROM attempts a WHERE {in_window}
                GROUP BY a.user_id
            ) p ON p.user_id = m.user_id
            LEFT JOIN ({best}) b ON b.user_id = m.user_id
            LEFT JOIN ({last}) l ON l.user_id = m.user_id
            WHERE m.cohort_id = :cohort
            ORDER BY u.display_name, u.id
            """,
            named,
        )
        for row in rows:  # score and maximum travel as one text: "31/12 25.0"
            for name in ("best", "last"):
                exact, _, maximum = (row.pop(name) or "").partition(" ")
                row[f"{name}_exact"] = exact or None
                row[f"{name}_max"] = float(maximum) if maximum else None
            row["attempts"] = int(row["attempts"])
        return rows

    def cohort_starts(
        self, cohort_id: int, quiz_id: str | None, since: str | None, until: str | None
    ) -> list[Row]:
        """How many of a cohort's attempts (of one quiz, started in a window on quarter
        hours) started in each quarter hour (UTC), from the counts m023 keeps: `quarter`
        is its start as stored text ("...T09:45:00+00:00"), `started` the count. Every
        time zone's offset and daylight-saving change falls on a quarter hour, so each
        quarter lies within one local day of any zone."""
        where, params = self._quarters(quiz_id, since, until)
        return self.query(
            "SELECT quarter, sum(started) AS started FROM attempt_starts"
            f" WHERE cohort_id = ?{where} GROUP BY 1 HAVING sum(started) > 0 ORDER BY 1",
            [cohort_id, *params],
        )

    def cohort_item_sums(
        self, cohort_id: int, quiz_id: str, which: str, current: Iterable[tuple[str, str]]
    ) -> list[Row]:
        """Sums for item analysis over a cohort's finished attempts of a quiz, per learner
        the first, best (by score over maximum; the earliest of equals) or last of them
        (by start, then id), or all (`which`, analytics.ATTEMPT_CHOICES).

        A question an attempt showed counts only when the version it showed (the slot's
        hash) is the one in `current` (question id, content hash); a question shown and
        left blank counts with mark 0. Each attempt's total T is its score, or, when it
        showed questions left out, the sum of its marks on those counted, and its maximum
        likewise. Returns rows of four kinds (`kind`): `test`, one row over the attempts
        counting a question (`n`; `items`, the questions they count; of the percent
        100 T / maximum the sums `x`, `xx` and extremes, of T the sums `r`, `rr` and
        extremes); `item`, per question (`n`; of the mark x and of the rest of the test
        X = T - x the sums `x`, `xx`, `r`, `rr`, `xr` and extremes); `sorted`, per question,
        `sorted_xr`, the sum of x_(i) X_(i) with x and X each sorted ascending; `answer`,
        per question and stored answer text, how many counted attempts gave it (`n`).

        It reads the attempts and their slots alone (m021 keeps each slot's answer and mark
        beside it). An attempt's T and maximum are its score and maximum unless it showed
        a question left out (`stale`). Marks take few values, so `sorted_xr` needs X sorted
        only: with runs of equal marks x_1 < x_2 < ... (x_(i) is x_u for ranks in run u),
        H_u the ranks up to the end of run u and C(k) the sum of the k smallest X, it is the
        sum over runs of (x_u - x_(u+1)) C(H_u), x after the last run being 0.

        Rest scores take few values too, so the counted (x, answer, X) are sorted once,
        into groups of equal ones (`groups`, a fifth of the rows at 10,000 learners), and
        everything else is read from those: per answer (`by_answer`), and per X in order
        (`by_r`: the ranks `upto` and sum `below` up to the end of each X), where C(k) for
        a rank k within the group of X is below - (upto - k) X.
        """
        if which not in _CHOOSE:
            raise ValueError(f"attempts must be one of {', '.join(_CHOOSE)}")
        named = {"cohort": cohort_id, "quiz": quiz_id, "current": _pairs(current)}
        rows = self.query(
            f"""
            WITH chosen AS MATERIALIZED (
                SELECT id, score, max_score FROM (
                    SELECT a.id, a.score, a.max_score, {_CHOOSE[which]} AS pick FROM attempts a
                    WHERE a.cohort_id = :cohort AND a.quiz_id = :quiz
                        AND a.submitted_at IS NOT NULL AND a.max_score <> 0
                ) AS picked
                WHERE pick = 1
            ),
            shown AS MATERIALIZED (
                SELECT c.id AS attempt_id, c.score, s.question_id, s.answer,
                    coalesce(s.mark, 0.0) AS x, {_IS_CURRENT} AS kept
                FROM chosen c JOIN attempt_slots s ON s.attempt_id = c.id
            ),
            stale AS MATERIALIZED (
                SELECT attempt_id, total(CASE WHEN kept THEN x END) AS t,
                    sum(CASE WHEN kept THEN 1 ELSE 0 END) AS counted
                FROM shown WHERE attempt_id IN (SELECT attempt_id FROM shown WHERE NOT kept)
                GROUP BY attempt_id
            ),
            attempt_totals AS (
                SELECT coalesce(st.counted, (SELECT max(position) + 1 FROM attempt_slots
                        WHERE attempt_id = c.id)) AS counted,
                    coalesce(st.t, c.score) AS t, coalesce(st.counted, c.max_score) AS maximum
                FROM chosen c LEFT JOIN stale st ON st.attempt_id = c.id
            ),
            pairs AS (
                SELECT k.question_id, k.answer, k.x, coalesce(st.t, k.score) - k.x AS r
                FROM shown k LEFT JOIN stale st ON st.attempt_id = k.attempt_id WHERE k.kept
            ),
            groups AS MATERIALIZED (
                SELECT question_id, x, answer, r, count(*) AS n
                FROM pairs GROUP BY question_id, x, answer, r
            ),
            by_answer AS MATERIALIZED (
                SELECT question_id, x, answer, sum(n) AS n, total(r * n) AS r,
                    total(r * r * n) AS rr, min(r) AS r_min, max(r) AS r_max
                FROM groups GROUP BY question_id, x, answer
            ),
            by_r AS MATERIALIZED (
                SELECT question_id, r, sum(n) AS n, sum(sum(n)) OVER w AS upto,
                    sum(r * sum(n)) OVER w AS below
                FROM groups GROUP BY question_id, r
                WINDOW w AS (PARTITION BY question_id ORDER BY r ROWS UNBOUNDED PRECEDING)
            ),
            x_runs AS MATERIALIZED (
                SELECT question_id, x - coalesce(lead(x) OVER w, 0.0) AS step,
                    sum(sum(n)) OVER w AS hi
                FROM by_answer GROUP BY question_id, x
                WINDOW w AS (PARTITION BY question_id ORDER BY x)
            )
            SELECT 'test' AS kind, NULL AS question_id, NULL AS answer, count(*) AS n,
                total(counted) AS items, total(f) AS x, total(f * f) AS xx, min(f) AS x_min,
                max(f) AS x_max, total(t) AS r, total(t * t) AS rr, min(t) AS r_min,
                max(t) AS r_max, NULL AS xr, CAST(NULL AS DOUBLE PRECISION) AS sorted_xr
            FROM (SELECT counted, t, t / maximum * 100 AS f FROM attempt_totals WHERE counted > 0)
                AS scored
            UNION ALL
            SELECT 'item', question_id, NULL, sum(n), NULL, total(x * n), total(x * x * n),
                min(x), max(x), total(r), total(rr), min(r_min), max(r_max), total(x * r), NULL
            FROM by_answer GROUP BY question_id
            UNION ALL
            SELECT 'sorted', k.question_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                NULL, NULL, NULL, NULL, NULL, total(k.step * (g.below - (g.upto - k.hi) * g.r))
            FROM x_runs k JOIN by_r g ON g.question_id = k.question_id
                AND g.upto - g.n < k.hi AND k.hi <= g.upto
            GROUP BY k.question_id
            UNION ALL
            SELECT 'answer', question_id, answer, sum(n), NULL, NULL, NULL, NULL, NULL,
                NULL, NULL, NULL, NULL, NULL, NULL
            FROM by_answer WHERE answer IS NOT NULL GROUP BY question_id, answer
            """,
            named,
        )
        return rows

    def cohort_left_out(
        self, cohort_id: int, quiz_id: str, current: Iterable[tuple[str, str]]
    ) -> int:
        """How many questions a cohort's finished attempts of a quiz showed in a version
        other than the one in `current` (question id, content hash), blanks too, from the
        sums m023 keeps per version shown (an attempt showing questions has a maximum)."""
        row = self.first(
            "SELECT total(s.shown) AS n FROM question_totals s"
            f" WHERE s.cohort_id = :cohort AND s.quiz_id = :quiz AND NOT {_IS_CURRENT}",
            {"cohort": cohort_id, "quiz": quiz_id, "current": _pairs(current)},
        )
        return int(row["n"]) if row else 0
