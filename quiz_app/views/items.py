"""Item analysis: which questions work, by Moodle's quiz-statistics definitions."""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import streamlit as st

from quiz_app import charts, session, ui
from quiz_app.analytics import ATTEMPT_CHOICES, flag_name
from quiz_app.downloads import Download
from quiz_app.reports import ItemRow

# Short, so the four fit on one line of a phone (390 px) beside "Attempts counted".
WHICH_LABELS = {"first": "First", "best": "Best", "last": "Last", "all": "All"}


def figure(value: float | None, unit: str = "", digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}{unit}"


def with_report_counts(
    table: pa.Table, rows: Sequence[ItemRow], counts: dict[str, int]
) -> pa.Table:
    """The item table with each question's open problem reports (quiz_app.problem_reports)
    as a column after its flags: read at each run, so a new report shows at once."""
    column = pa.array([counts.get(r.stats.question_id, 0) for r in rows], pa.int32())
    return table.add_column(2, "Problem reports", column)


def item_table(rows: Sequence[ItemRow]) -> pa.Table:
    """The item table's columns, as Arrow."""

    def percent(value: float | None) -> float | None:
        return None if value is None else 100 * value

    return pa.table(
        {
            "Question": [r.stats.question_id for r in rows],
            "Flags": [", ".join(map(flag_name, r.stats.flags)) for r in rows],
            "Topic": [r.topic_title for r in rows],
            "n": pa.array([r.stats.n for r in rows], pa.int32()),
            "Facility %": pa.array([percent(r.stats.facility) for r in rows], pa.float64()),
            "SD %": pa.array([percent(r.stats.sd) for r in rows], pa.float64()),
            "Discrimination": pa.array([r.stats.discrimination for r in rows], pa.float64()),
            "Efficiency": pa.array([r.stats.efficiency for r in rows], pa.float64()),
        }
    )


def render() -> None:
    page = session.cohort_page("Item analysis", "items")
    if page is None:
        return
    instructor, cohort = page
    course = ui.course()
    quizzes = sorted(course.quizzes, key=lambda q: not q.is_post_test)
    titles = {q.id: q.title for q in quizzes}
    first, second = st.columns(2)
    quiz_id = first.selectbox("Quiz", list(titles), format_func=titles.get, key="items-quiz")
    which = (
        second.segmented_control(
            "Attempts counted",
            ATTEMPT_CHOICES,
            default="first",
            format_func=WHICH_LABELS.get,
            key="items-which",
        )
        or "first"
    )
    reports = session.reports()
    report = reports.item_analysis(cohort, quiz_id, which)
    test = report.test
    if not test.attempts:
        st.info("No finished attempts of this quiz in this cohort yet.")
        return

    columns = st.columns(6)
    columns[0].metric("Attempts", test.attempts)
    columns[1].metric("Mean score", figure(test.mean, "%"))
    columns[2].metric("SD", figure(test.sd, "%"))
    columns[3].metric(
        "Cronbach's alpha",
        figure(test.alpha, digits=2),
        help="Internal consistency (KR-20 for right/wrong items); 0.7 and up is "
        "usually wanted for a graded test.",
    )
    columns[4].metric(
        "Error ratio",
        figure(test.error_ratio, "%"),
        help="100 × √(1 − alpha): the share of score variation that is noise.",
    )
    columns[5].metric(
        "Standard error",
        figure(test.standard_error, "%"),
        help="Error ratio × SD: how far a score may be from the learner's true one.",
    )
    if report.earlier_versions:
        st.caption(f"{report.earlier_versions} answers to questions edited since are left out.")

    only_flagged = st.toggle("Only questions worth reviewing", key="items-flagged")
    rows = [r for r in report.items if r.stats.flags or not only_flagged]
    frame = (
        item_table(rows)
        if only_flagged
        else reports.memo(report, "table", lambda: item_table(report.items))
    )
    counts = session.problem_reports().open_counts(instructor, cohort["id"])
    frame = with_report_counts(frame, rows, counts)
    number = st.column_config.NumberColumn
    picked = st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="items-table",
        column_config={
            "Facility %": number(format="%.0f", help="Share of the marks earned"),
            "SD %": number(format="%.0f"),
            "Discrimination": number(
                format="%.0f",
                help="Correlation (×100) with the rest of "
                "the test; under 20 is weak, negative is wrong-way",
            ),
            "Efficiency": number(
                format="%.0f",
                help="Discrimination as a share of the most "
                "these marks could show; under 15 is low",
            ),
            "Problem reports": number(
                help="Open reports learners made of the question (the Problem reports page)"
            ),
            "Flags": st.column_config.TextColumn(
                width="large",
                help="Why a question is worth reviewing; pick its row for the details",
            ),
        },
    )
    flagged = sum(1 for r in report.items if r.stats.flags)
    st.caption(f"{len(report.items)} questions, {flagged} flagged. Pick a row for its answers.")
    selected = picked.selection.rows if picked is not None else []
    if selected:
        row = rows[selected[0]]
        with st.container(border=True):
            st.markdown(f"**{row.stats.question_id}** · {ui.safe(row.topic_title)}")
            st.markdown(ui.safe(row.stem))
            for flag in row.stats.flags:
                st.warning(flag, icon=":material/flag:")
            reported = counts.get(row.stats.question_id, 0)
            if reported:
                st.page_link(
                    "views/problem_reports.py",
                    label=f"{ui.plural(reported, 'open problem report')} from learners",
                    icon=":material/report:",
                )
            if row.shares:
                st.vega_lite_chart(
                    charts.share_table([(s.label, s.share, s.correct) for s in row.shares]),
                    charts.share_spec(),
                    width="stretch",
                )

    left, right = st.columns(2)
    with left:
        ui.csv_download(
            "Download item analysis (CSV)",
            Download("items", cohort["id"], quiz_id, which=which),
            "download-items",
        )
    with right:
        ui.csv_download(
            "Download responses (CSV)",
            Download("responses", cohort["id"], quiz_id),
            "download-responses",
        )


if __name__ == "__main__":
    render()
