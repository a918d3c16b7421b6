"""Before the post-test: its rules, on a page of their own, before the clock starts.

"Start the post-test" on the Start page comes here and starts nothing: the timer runs
and an attempt is used only when the learner presses "Begin the post-test".
"""

from __future__ import annotations

import streamlit as st

from quiz_app import progress, session, ui
from quiz_app.limits import duration
from quiz_app.quizdef import REVIEW_PARTS

# What a review can show of each question, in words, in the order a sentence lists them.
PART_WORDS = {
    "correctness": "which answers were right",
    "key": "the right answers",
    "feedback": "the feedback on each choice",
    "explanation": "the explanations",
    "source": "the source passages",
}
assert set(PART_WORDS) == REVIEW_PARTS


def review_words(parts: frozenset[str] | tuple[str, ...]) -> str:
    """What a review with `parts` shows, as the end of a sentence."""
    shown = [words for part, words in PART_WORDS.items() if part in parts]
    if not shown:
        return "your score and your marks by topic and by learning objective"
    listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    return f"your score, your marks by topic and objective, and {listed}"


def render() -> None:
    user = session.require_learner()
    course = ui.course()
    quiz = course.post_test
    st.title("Before you begin the post-test", anchor=False)
    if quiz is None:
        st.info("This course has no post-test.")
        st.page_link("views/home.py", label="Back to start", icon=":material/home:")
        st.stop()
    store = session.store()
    service = session.attempts()
    service.finalize_expired(user.id)
    waiting = [a for a in store.open_attempts(user.id) if a["quiz_id"] == quiz.id]
    if waiting:
        st.info("You have this post-test in progress; its clock is running.")
        if st.button("Resume the post-test", type="primary", key="resume-post-test"):
            session.open_attempt(waiting[0]["id"])
        st.stop()
    best = progress.best_post_test(service.of_learner(user.id, quiz.id))
    if best is not None and best.passed:
        st.success(
            f"You passed this post-test with {ui.percent(best.percent)}: nothing more to sit.",
            icon=":material/verified:",
        )
        st.page_link("views/home.py", label="Back to start", icon=":material/home:")
        st.stop()
    used = store.count_attempts(user.id, quiz.id)
    limits = service.limits(user.id, quiz)
    if not limits.may_start(used):
        st.info("You have used every attempt this post-test allows.")
        st.page_link("views/home.py", label="Back to start", icon=":material/home:")
        st.stop()

    seconds = limits.seconds or 0  # a post-test has a time limit and an allowance (QuizDef)
    allowed = limits.attempts or 0
    this_attempt = f"This is attempt {used + 1} of {allowed}; your best attempt counts."
    if limits.extra_attempts:
        this_attempt += (
            f" With the extra attempts you were granted you have {allowed} (the post-test "
            f"allows {quiz.attempts_allowed})."
        )
    review = quiz.review
    last = used + 1 >= allowed
    afterwards = [f"if you pass: {review_words(review.passed)};"]
    if last:
        afterwards.append(f"if you do not pass: {review_words(review.last_attempt)}.")
    else:
        afterwards += [
            f"if you do not pass and have attempts left: "
            f"{review_words(review.failed_with_attempts_left)};",
            f"after your last attempt: {review_words(review.last_attempt)}.",
        ]
    rules = [
        f"**{ui.plural(quiz.length, 'question')}** from every topic, in an order drawn for you.",
        (
            f"**{duration(seconds)}**, with the extra time you were granted (the "
            f"post-test's own limit is {ui.plural(quiz.time_limit_minutes or 0, 'minute')})."
            if limits.extra_time
            else f"**{duration(seconds)}.**"
        )
        + " The clock starts when you press *Begin* and keeps running if you leave the "
        "page, close the tab or lose your connection.",
        f"**Pass mark {quiz.pass_mark or 0:g}%.** Passing earns a certificate of completion "
        f"({ui.plural(quiz.ce_hours or 0, 'CE hour')}).",
        f"**Attempts.** {this_attempt}",
        "**Answers save as you choose them**; there is no Save button. Move between the "
        "questions and change your answers as often as you like until you submit.",
        "**Feedback waits until the end**: nothing tells you during the test whether an "
        "answer is right.",
        "**When the time is up** the post-test is submitted with the answers you chose, "
        "and your results are shown.",
        "**Afterwards you see**\n" + "\n".join(f"    - {line}" for line in afterwards),
    ]
    st.markdown("\n".join(f"- {rule}" for rule in rules))
    if course.info.scope:
        st.caption("What passing certifies, and what it does not")
        st.markdown(ui.safe(course.info.scope))
    buttons = st.container(horizontal=True)
    if buttons.button(
        "Begin the post-test", type="primary", key="begin-post-test", icon=":material/timer:"
    ):
        session.start_quiz(user, quiz)
    buttons.page_link("views/home.py", label="Not now", icon=":material/arrow_back:")


if __name__ == "__main__":
    render()
