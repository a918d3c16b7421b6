"""Course evaluations of a cohort: per statement the spread of ratings as a chart with
the count and mean, the open answers as a list, and the whole as CSV."""

from __future__ import annotations

import streamlit as st

from quiz_app import charts, session, ui
from quiz_app.downloads import Download
from quiz_app.quizdef import LIKERT_LABELS


def render() -> None:
    page = session.cohort_page("Course evaluations", "evaluations")
    if page is None:
        return
    _, cohort = page
    evaluations = session.evaluations()
    definition = evaluations.definition
    if definition is None:
        st.info("This course defines no course evaluation (`course.evaluation` in quizzes.yaml).")
        return
    summary = evaluations.cohort_summary(cohort["id"])
    st.metric(
        "Evaluations submitted",
        summary.submitted,
        help="One per passed post-test attempt; "
        + ("required before the certificate." if definition.required else "optional."),
    )
    if not summary.submitted:
        st.caption("No learner of this cohort has submitted the course evaluation yet.")
        return

    st.subheader("Ratings", anchor=False)
    tallest = max((max(item.counts) for item in summary.likert), default=1)
    for item in summary.likert:
        with st.container(border=True):
            st.markdown(f"**{ui.safe(item.text)}**")
            mean = f"{item.mean:.1f}" if item.mean is not None else "–"
            st.caption(f"{ui.plural(item.n, 'answer')} · mean {mean} (1 = strongly disagree, "
                       "5 = strongly agree)")  # fmt: skip
            st.vega_lite_chart(
                charts.likert_table(item.counts, LIKERT_LABELS),
                charts.likert_spec(tallest),
                width="stretch",
                key=f"likert-{item.item_id}",
            )

    st.subheader("Open answers", anchor=False)
    for item in summary.texts:
        st.markdown(f"**{ui.safe(item.text)}**")
        if item.answers:
            st.markdown("\n".join(f"- {ui.literal(' '.join(a.split()))}" for a in item.answers))
        else:
            st.caption("No answers.")

    ui.csv_download(
        "Download the evaluations (CSV)",
        Download("evaluations", cohort["id"]),
        "download-evaluations",
    )


if __name__ == "__main__":
    render()
