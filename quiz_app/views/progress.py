"""My progress: attempts over time, best post-test, mastery by topic, objectives missed."""

from __future__ import annotations

from datetime import UTC

import pandas as pd
import streamlit as st

from quiz_app import charts, progress, session, ui, widgets


def render() -> None:
    user = session.require_learner()
    course = ui.course()
    service = session.attempts()

    st.title("My progress", anchor=False)
    session.start_offer(user)
    answers = service.released_answers(user.id)
    done = [a for a in service.of_learner(user.id) if not a.is_open and a.max_score]
    if not done and not answers:
        st.info(
            "Nothing here yet: finish a practice quiz or the post-test and your progress "
            "will show up."
        )
        st.page_link("views/home.py", label="Choose a quiz", icon=":material/play_arrow:")
        st.stop()

    best = progress.best_post_test(done)
    met = len(progress.latest_answers(answers, course))
    first, second, third = st.columns(3)
    first.metric("Quizzes finished", len(done))
    second.metric(
        "Best post-test",
        ui.percent(best.percent if best else None),
        delta=("passed" if best.passed else "not passed") if best else None,
        delta_color="normal" if best and best.passed else "inverse",
        delta_arrow="off",
    )
    third.metric("Questions met", f"{met} of {len(course.questions)}")

    if done:
        st.subheader("Scores over time", anchor=False)
        local = course.local_time
        finished = [a.submitted_at or a.started_at for a in done]
        # The course's wall-clock times, drawn on a UTC scale: the browser shows them as
        # they are, whatever its own time zone.
        when = [local.at(t).replace(tzinfo=UTC) for t in finished]
        frame = pd.DataFrame(
            {
                "When": when,
                "Finished": [local.moment_text(t) for t in finished],
                "Score %": [a.percent for a in done],
                "Quiz": [a.quiz_title for a in done],
                "Kind": ["Post-test" if a.is_post_test else "Practice" for a in done],
            }
        )
        pass_mark = course.post_test.pass_mark if course.post_test else None
        spec = charts.scores_spec(min(when), max(when), pass_mark)
        st.vega_lite_chart(frame, spec, width="stretch")

    st.subheader("Mastery by topic", anchor=False)
    st.caption("Your latest answer to each question you have met, averaged per topic.")
    mastery = progress.topic_mastery(answers, course)
    widgets.topic_bars(
        "Mastery",
        [(m.title, m.mastery, {"Questions met": f"{m.answered} of {m.total}"}) for m in mastery],
    )

    spaced_review(user.id)

    missed = progress.missed_objectives(answers, course)
    st.subheader("Objectives missed most often", anchor=False)
    if missed:
        st.dataframe(
            [
                {
                    "Missed": f"{m.misses} of {m.answers}",
                    "Learning objective": m.text,
                    "Topic": course.bank(m.topic).title,
                }
                for m in missed
            ],
            # The count first and pinned: on a phone the long objectives scroll sideways
            # past it instead of pushing it out of view.
            column_config={"Missed": st.column_config.TextColumn("Missed", pinned=True)},
            hide_index=True,
            width="stretch",
        )
    else:
        st.caption("None: every answer so far was fully right.")

    session.weak_spots_offer(user, progress.weak_spots(answers, course))


def spaced_review(user_id: int) -> None:
    """The learner's review forecast (cards due per day, 30 days) and the retention FSRS
    estimates per topic; nothing before their first card."""
    service = session.spaced()
    retention = service.retention(user_id)
    if not any(t.cards for t in retention):
        return
    st.subheader("Spaced review", anchor=False)
    st.caption("Questions due for review on each of the next 30 days (today includes any overdue).")
    forecast = service.forecast(user_id)
    st.vega_lite_chart(charts.forecast_table(forecast), charts.forecast_spec(), width="stretch")
    st.caption(
        "Estimated retention: the chance, as the scheduler estimates it from your answers "
        "so far, that you would get a topic's questions right today."
    )
    widgets.retention_table(retention, "Questions")


if __name__ == "__main__":
    render()
