"""Bank browser: content authors read every question as learners will be marked on it."""

from __future__ import annotations

import streamlit as st

from quiz_app import session, ui


def render() -> None:
    session.require_instructor()
    st.title("Question banks", anchor=False)
    course = ui.course()
    questions = course.questions
    reserved = sum(q.reserved for q in questions)
    st.caption(
        f"{len(questions)} questions in {len(course.banks)} topics, "
        f"citing {len(course.sources)} source documents; {reserved} reserved for the "
        "post-test (never in practice)."
    )

    topic = st.selectbox(
        "Topic",
        course.topics,
        format_func=lambda t: f"{course.bank(t).title} ({len(course.bank(t).questions)})",
        key="browser_topic",
    )
    bank = course.bank(topic)
    types = st.multiselect(
        "Question types",
        list(ui.TYPE_LABELS),
        format_func=ui.TYPE_LABELS.get,
        placeholder="All types",
        key="browser_types",
    )

    listed = 0
    for objective_id, objective in bank.objectives.items():
        shown = [
            q
            for q in bank.questions
            if q.objective == objective_id and (not types or q.type in types)
        ]
        if not shown:  # an objective the filter leaves empty is not listed
            continue
        listed += len(shown)
        st.subheader(ui.safe(objective), anchor=False)
        st.caption(f"Objective `{objective_id}` · {ui.plural(len(shown), 'question')}")
        for question in shown:
            label = (
                f"{ui.safe(ui.stem_start(question.stem))} · {ui.TYPE_LABELS[question.type]} · "
                f"{question.level} · {question.id}"
            )
            if question.reserved:
                label += " · post-test only"
            with st.expander(label):
                enemies = sorted(course.enemies.get(question.id, ()))
                if enemies:
                    st.caption("Never on one form with: " + ", ".join(f"`{e}`" for e in enemies))
                st.markdown(ui.safe(question.stem))
                st.markdown(ui.answer_markdown(question))
                st.markdown(f"**Explanation.** {ui.safe(question.explanation)}")
                ui.show_sources(question, course)
    if not listed:
        st.info("No question in this topic is of the types chosen.")


if __name__ == "__main__":
    render()
