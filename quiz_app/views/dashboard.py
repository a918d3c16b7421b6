"""The cohort dashboard: who started and passed, scores, topics, activity, learners."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pyarrow as pa
import streamlit as st

from quiz_app import charts, session, ui, widgets
from quiz_app.clock import LocalTime
from quiz_app.downloads import Download
from quiz_app.reports import NOT_STARTED, Filters, LearnerRow, Reports
from quiz_app.store import Row

STATUS_LABELS = {
    "passed": "Passed",
    "not passed": "Not passed",
    "in progress": "In progress",
    NOT_STARTED: "Not started",
}


def quiz_filter(key: str) -> str | None:
    """A selectbox of quizzes (the post-test first); None means every quiz."""
    course = ui.course()
    options: list[str | None] = [q.id for q in course.quizzes if q.is_post_test]
    options += [None] + [q.id for q in course.practice_quizzes]
    titles = {q.id: q.title for q in course.quizzes}
    return st.selectbox("Quiz", options, format_func=lambda q: titles.get(q, "Every quiz"), key=key)


def date_filter(key: str) -> tuple[date | None, date | None]:
    """A date range of the course's days; empty means all time, one date means that day."""
    zone = ui.course().local_time.name
    chosen = st.date_input(
        "Attempts started between",
        value=(),
        key=key,
        help=f"Days in the course's time zone ({zone}). Leave empty for all time.",
    )
    if isinstance(chosen, tuple | list) and chosen:
        return chosen[0], chosen[-1]
    return None, None


NO_CERTIFICATE = "not yet"


def attempts_label(quiz_id: str | None) -> str:
    """What the learner table's count of attempts counts: the chosen quiz's attempts."""
    if quiz_id is None:
        return "Attempts (every quiz)"
    quiz = next(q for q in ui.course().quizzes if q.id == quiz_id)
    return "Post-test attempts" if quiz.is_post_test else "Attempts at this quiz"


def learner_table(rows: Sequence[LearnerRow], local: LocalTime, attempts: str) -> pa.Table:
    """The learner table's columns, as Arrow (what st.dataframe sends anyway); the last
    activity in the course's time zone (`local`), which the table shows it in; `attempts`
    names the count of attempts (see `attempts_label`)."""
    return pa.table(
        {
            "Name": [ui.literal(r.display_name, markdown=False) for r in rows],
            "Username": [ui.literal(r.username, markdown=False) for r in rows],
            attempts: pa.array([r.attempts for r in rows], pa.int32()),
            "Best %": pa.array([r.best_pct for r in rows], pa.float64()),
            "Last %": pa.array([r.last_pct for r in rows], pa.float64()),
            "Status": [STATUS_LABELS[r.status] for r in rows],
            "Certificate": [r.certificate_code or NO_CERTIFICATE for r in rows],
            "Accommodation": [r.accommodation for r in rows],
            "Last activity": pa.array(
                [local.at(r.last_activity) if r.last_activity else None for r in rows],
                pa.timestamp("s", tz=local.name),
            ),
        }
    )


def render() -> None:
    page = session.cohort_page("Cohort dashboard", "dashboard")
    if page is None:
        return
    _, cohort = page
    first, second = st.columns(2)
    with first:
        quiz_id = quiz_filter("dashboard-quiz")
    with second:
        since, until = date_filter("dashboard-dates")
    reports = session.reports()
    local = ui.course().local_time
    filters = Filters(quiz_id, since, until)
    board = reports.dashboard(cohort, filters)

    columns = st.columns(5)
    columns[0].metric("Enrolled", board.enrolled)
    columns[1].metric("Started", board.started)
    columns[2].metric("Passed", board.passed)
    columns[3].metric("Not started", board.not_started)
    columns[4].metric(
        "Pass rate",
        ui.ratio_percent(board.passed, board.enrolled),
        help="Learners who passed the post-test, of those enrolled.",
    )

    left, right = st.columns(2)
    with left:
        st.subheader("Best scores", anchor=False)
        if board.best_scores:
            table = reports.memo(
                board, "histogram", lambda: charts.histogram_table(board.best_scores)
            )
            tallest = max(table["learners"].to_pylist())
            st.vega_lite_chart(
                table, charts.histogram_spec(board.pass_mark, tallest), width="stretch"
            )
        else:
            st.caption("No finished attempts in this selection.")
    with right:
        st.subheader("Average by topic", anchor=False)
        weakest = board.weakest
        if weakest is not None:
            table = reports.memo(
                board,
                "topics",
                lambda: charts.topic_table(
                    [(t.title, t.mean) for t in board.topics], weakest.title
                ),
            )
            st.vega_lite_chart(table, charts.topic_spec(), width="stretch")
            st.markdown(
                f"Weakest topic: **{ui.safe(weakest.title)}**, "
                f"{ui.percent(100 * weakest.mean)} average mark."
            )
        else:
            st.caption("No answers in this selection.")

    st.subheader("Attempts over time", anchor=False)
    if board.activity:
        table = reports.memo(board, "activity", lambda: charts.activity_table(board.activity))
        st.vega_lite_chart(table, charts.activity_spec(), width="stretch")
    else:
        st.caption("No attempts in this selection.")

    st.subheader("Learners", anchor=False)
    search, statuses = st.columns([3, 2])
    needle = (
        search.text_input("Find a learner", placeholder="Name or username", key="dashboard-search")
        .strip()
        .casefold()
    )
    shown_status = statuses.multiselect(
        "Status",
        list(STATUS_LABELS),
        format_func=STATUS_LABELS.get,
        key="dashboard-status",
        placeholder="Every status",
    )
    rows = [
        r
        for r in board.learners
        if (not needle or needle in r.display_name.casefold() or needle in r.username)
        and (not shown_status or r.status in shown_status)
    ]
    attempts = attempts_label(quiz_id)
    table = (
        learner_table(rows, local, attempts)
        if needle or shown_status
        else reports.memo(board, "learners", lambda: learner_table(board.learners, local, attempts))
    )
    picked = st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="dashboard-learners",
        column_config={
            "Best %": st.column_config.NumberColumn(format=ui.PERCENT_COLUMN),
            "Last %": st.column_config.NumberColumn(format=ui.PERCENT_COLUMN),
            "Accommodation": st.column_config.TextColumn(
                help="The post-test's time limit and attempts for a learner granted an "
                "accommodation (theirs or their cohort's: the most lenient applies)."
            ),
            "Last activity": st.column_config.DatetimeColumn(
                f"Last activity ({local.name})", format="D MMM YYYY, HH:mm"
            ),
        },
    )
    st.caption(
        f"{len(rows)} of {board.enrolled} learners. Click a column to sort; pick a row "
        "to open the learner."
    )
    selected = picked.selection.rows if picked is not None else []
    if selected:
        learner = rows[selected[0]]
        if st.button(
            f"Open {ui.literal(learner.display_name)}",
            type="primary",
            key="open-learner",
            icon=":material/person_search:",
        ):
            st.session_state["learner_choice"] = learner.user_id
            st.switch_page("views/learners.py")
    ui.csv_download(
        "Download the gradebook (CSV)",
        Download("gradebook", cohort["id"], quiz_id, since, until),
        "download-gradebook",
    )
    if ui.course().info.evaluation is not None:
        st.page_link(
            "views/evaluations.py",
            label="The cohort's course evaluations: ratings, open answers and CSV",
            icon=":material/rate_review:",
        )

    spaced_review(reports, cohort)


def spaced_review(reports: Reports, cohort: Row) -> None:
    """How many of the cohort's learners review, and the retention FSRS estimates per
    topic from their answers: the whole cohort, whatever the filters above, so it comes
    after the learner table they filter."""
    st.subheader("Spaced review", anchor=False)
    review = reports.cohort_reviews(cohort)
    if not review.with_cards:
        st.caption("No learner of this cohort has answered a question for review yet.")
        return
    first, second = st.columns(2)
    first.metric(
        "Learners with reviews",
        f"{review.with_cards} of {review.learners}",
        help="Learners with at least one question scheduled for spaced review.",
    )
    second.metric("Reviewed in the last 7 days", review.reviewed_this_week)
    st.caption(
        "Estimated retention: the chance, as the scheduler estimates it from the learners' "
        "answers, that a question of the topic would be answered right today (questions "
        "reserved for the post-test are never reviewed)."
    )
    widgets.retention_table(review.topics, "Cards")


if __name__ == "__main__":
    render()
