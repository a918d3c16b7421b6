"""The learner's start page: resume an attempt, practise by topic, or sit the post-test."""

from __future__ import annotations

import streamlit as st

from quiz_app import progress, session, ui, widgets
from quiz_app.limits import duration


def render() -> None:
    user = session.require_learner()
    ui.show_flash()
    course = ui.course()
    store = session.store()
    service = session.attempts()

    st.title(f"Welcome, {ui.literal(user.display_name)}", anchor=False)
    cohorts = session.accounts().cohorts_joined(user)
    if cohorts:
        st.caption("Cohort: " + ", ".join(ui.literal(c["name"]) for c in cohorts))
    else:
        st.caption(
            "Self-study: you are not in a cohort. Join one under **My cohorts** if your "
            "instructor gave you a code."
        )
    st.markdown(f"**{ui.safe(course.info.title)}**")
    if course.info.scope:
        st.caption(ui.safe(course.info.scope))

    session.start_offer(user)
    service.finalize_expired(user.id)
    open_attempts = [service.load(row["id"], user.id) for row in store.open_attempts(user.id)]
    for attempt in open_attempts:
        with st.container(border=True):
            st.markdown(f"**In progress: {ui.safe(attempt.quiz_title)}**")
            status = f"{attempt.answered} of {len(attempt.slots)} answered"
            left = attempt.remaining(session.clock().now())
            if left is not None:
                status += f" · {ui.minutes(left.total_seconds())} left"
            st.caption(status)
            if st.button("Resume", key=f"resume-{attempt.id}", type="primary"):
                session.open_attempt(attempt.id)

    session.review_offer(user)

    post_test = course.post_test
    if post_test is not None:
        st.subheader("Graded post-test", anchor=False)
        used = store.count_attempts(user.id, post_test.id)
        limits = service.limits(user.id, post_test)
        allowed = limits.attempts or 0
        st.markdown(
            f"{ui.plural(post_test.length, 'question')} from every topic · "
            f"{duration(limits.seconds or 0)} · "
            f"pass mark {post_test.pass_mark:g}% · "
            f"{ui.plural(post_test.ce_hours, 'CE hour')}"
        )
        st.caption(
            f"Attempts used: {used} of {allowed}. Feedback comes at the end; the timer "
            "starts when you begin, after a page of the rules."
            + (
                " Your time and attempts include the accommodation your instructor granted."
                if limits.accommodated
                else ""
            )
        )
        if course.info.scope:
            # Shown in full under the course title; here folded, beside what passing earns.
            with st.expander("What passing certifies, and what it does not"):
                st.markdown(ui.safe(course.info.scope))
        mine = service.of_learner(user.id, post_test.id)  # newest first
        best = progress.best_post_test(mine)
        last = next((a for a in mine if not a.is_open and a.percent is not None), None)
        if best is not None and best.passed:
            withheld = service.evaluations.withholds_certificate(best.id)
            st.success(
                f"You passed with {ui.percent(best.percent)}: nothing more to sit."
                + ("" if withheld else " Your certificate:"),
                icon=":material/verified:",
            )
            widgets.certificate_button(service.certificates, best.id, service.evaluations)
        else:
            if last is not None:
                st.warning(
                    f"Your last attempt: {ui.percent(last.percent)}, not passed (the pass mark is "
                    f"{post_test.pass_mark:g}%).",
                    icon=":material/history:",
                )
            if not limits.may_start(used) and not any(
                a.quiz_id == post_test.id for a in open_attempts
            ):
                st.info("You have used every attempt this post-test allows.")
            elif st.button("Start the post-test", key="start-post-test"):
                st.switch_page("views/before_post_test.py")  # its rules first; no clock yet

    st.subheader("Practice", anchor=False)
    st.caption(
        "Feedback after every answer, with the source passage. Practise as often as you like."
    )
    with st.form("practice"):
        topics = st.multiselect(
            "Topics",
            course.topics,
            default=course.topics[:1],
            format_func=lambda t: course.bank(t).title,
            key="practice-topics",
        )
        length = st.slider("Questions", 3, 25, 10, key="practice-length")
        if st.form_submit_button("Start practice", type="primary"):
            if not topics:
                st.warning("Choose at least one topic.")
            else:
                session.start_quiz(user, course.practice_quiz(topics, length))

    weak = progress.weak_spots(service.released_answers(user.id), course)
    if weak:
        st.subheader("Weak spots", anchor=False)
        session.weak_spots_offer(user, weak)


if __name__ == "__main__":
    render()
