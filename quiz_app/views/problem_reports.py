"""Problem reports: the questions a cohort's learners reported, each as they saw it, with
its cited passage, its item statistics and every report; resolve a report with a note."""

from __future__ import annotations

import streamlit as st

from quiz_app import session, ui
from quiz_app.analytics import flag_name
from quiz_app.course import Course
from quiz_app.errors import QuizError
from quiz_app.problem_reports import (
    NOTE_MAX,
    OPEN,
    RESOLVED,
    ProblemReport,
    ProblemReports,
    ReportedQuestion,
    ReportedVersion,
)

STATUS_LABELS = {OPEN: "Open", RESOLVED: "Resolved"}


def item_stats(question: ReportedQuestion) -> None:
    """The question's item statistics in each quiz of the cohort that counted it."""
    if not question.stats:
        st.caption("No item statistics yet: no finished attempt in this cohort counted it.")
        return

    def figure(value: float | None, scale: float = 1) -> float | None:
        return None if value is None else round(value * scale)

    st.dataframe(
        [
            {
                "Quiz": figures.quiz_title,
                "n": figures.item.stats.n,
                "Facility %": figure(figures.item.stats.facility, 100),
                "Discrimination": figure(figures.item.stats.discrimination),
                "Efficiency": figure(figures.item.stats.efficiency),
                "Worth reviewing": ", ".join(map(flag_name, figures.item.stats.flags)),
            }
            for figures in question.stats
        ],
        hide_index=True,
        width="stretch",
    )


def version_shown(version: ReportedVersion, course: Course) -> None:
    """The version as learners saw it: stem, choices with the key, explanation, sources."""
    question = version.question
    st.caption(
        ("The version in the banks now" if version.current else "An earlier version (edited since)")
        + f" · {ui.TYPE_LABELS.get(question.type, question.type)}"
    )
    st.markdown(ui.safe(question.stem))
    st.markdown(ui.answer_markdown(question))
    st.markdown(f"**Why.** {ui.safe(question.explanation)}")
    st.caption("Cited source")
    ui.show_sources(question, course)


def report_card(service: ProblemReports, report: ProblemReport) -> None:
    """One report: who, why, when, their comment as typed; resolve it, or how it was."""
    local = ui.course().local_time
    with st.container(border=True):
        st.markdown(
            f"**{ui.safe(report.reason_text)}** · {ui.literal(report.display_name)} "
            f"({ui.literal(report.username)}) · {local.moment_text(report.reported_at)}"
            + (f" · in {ui.safe(report.quiz_title)}" if report.quiz_title else "")
        )
        if report.comment:
            st.markdown(ui.literal(report.comment))
        else:
            st.caption("No comment.")
        if not report.is_open:
            assert report.resolved_at is not None
            st.success(
                f"Resolved by {ui.literal(report.resolved_by or 'an instructor')} on "
                f"{local.moment_text(report.resolved_at)}: {ui.literal(report.resolution or '')}",
                icon=":material/task_alt:",
            )
            return
        key = f"resolve-{report.id}"
        with st.form(key, border=False, clear_on_submit=True):
            st.text_input(
                "Resolution note", max_chars=NOTE_MAX, key=f"{key}-note",
                placeholder="What was done, or why nothing needs doing",
            )  # fmt: skip
            st.form_submit_button("Mark resolved", on_click=_resolve, args=(service, report.id))


def _resolve(service: ProblemReports, report_id: int) -> None:
    note = st.session_state.get(f"resolve-{report_id}-note", "")
    try:
        done = service.resolve(session.require_instructor(), report_id, note)
    except QuizError as exc:
        ui.flash(str(exc), "warning")
        return
    if done:
        ui.flash("Report resolved.", "success")
    else:
        ui.flash("That report was resolved already.", "info")


def render() -> None:
    page = session.cohort_page("Problem reports", "problem-reports")
    if page is None:
        return
    instructor, cohort = page
    course = ui.course()
    service = session.problem_reports()
    ui.show_flash()
    status = (
        st.segmented_control(
            "Show",
            list(STATUS_LABELS),
            format_func=STATUS_LABELS.get,
            default=OPEN,
            key="problem-reports-status",
        )
        or OPEN
    )
    questions = service.queue(instructor, cohort["id"], status)
    if not questions:
        st.info(
            "No open problem reports from this cohort."
            if status == OPEN
            else "No resolved problem reports in this cohort yet."
        )
        return
    total = sum(q.reports for q in questions)
    st.caption(
        f"{ui.plural(total, f'{STATUS_LABELS[status].lower()} report')} on "
        f"{ui.plural(len(questions), 'question')}, the most reported first. Learners report "
        "from feedback and review screens; their comments are shown as typed."
    )
    for question in questions:
        with st.container(border=True, key=f"reported-{question.question_id}"):
            topic = f" · {ui.safe(question.topic_title)}" if question.topic_title else ""
            st.subheader(
                f"{ui.safe(question.question_id)}{topic} · {ui.plural(question.reports, 'report')}",
                anchor=False,
            )
            st.caption("Item statistics in this cohort (first attempts)")
            item_stats(question)
            for version in question.versions:
                version_shown(version, course)
                for report in version.reports:
                    report_card(service, report)


if __name__ == "__main__":
    render()
