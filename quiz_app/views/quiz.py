"""Taking a quiz: one question at a time, then the results and a review of every answer.

Buttons act through callbacks, which run before the page is drawn again, so every
click costs one run and the page always shows what is stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import streamlit as st

from quiz_app import reviews, session, ui, widgets
from quiz_app.attempts import Attempts, NotAttested
from quiz_app.clock import parse
from quiz_app.errors import QuizError
from quiz_app.records import Attempt
from quiz_app.store import NotFound


def countdown(attempt_id: int, deadline: str) -> None:
    """Time left on the post-test, ticking in the browser; the server enforces the deadline.

    The server puts the seconds left by its own clock into the page, and a small script
    counts them down on the browser's monotonic clock (`performance.now()`), never its
    wall clock, so a browser whose clock is wrong still shows the server's time left.
    Each run draws it afresh. Only numbers go into the HTML (no bank or user text).

    It stays in view (sticky at the top of the page, on a phone too), turns red with 5
    minutes left, and tells screen readers, in a polite live region, when 5 minutes and
    1 minute are left and when the time is up (WCAG 4.1.3). At the deadline the page
    asks the server to run `_deadline_check` (a fragment timed to the deadline), which
    submits the attempt and shows the results.
    """
    left = max(0.0, (parse(deadline) - session.clock().now()).total_seconds())
    element = f"countdown-{attempt_id}"
    with st.container(key="countdown"):
        st.html(
            _COUNTDOWN_CSS
            + f'<p id="{element}" data-left-ms="{int(left * 1000)}" style="margin:0">'
            f"Time left <b>{ui.minutes(left)}</b></p>"
            f'<p id="{element}-said" class="quiz-said" aria-live="polite"></p>'
            f"<script>{_COUNTDOWN_JS.replace('ELEMENT', element)}</script>",
            unsafe_allow_javascript=True,
        )
    st.fragment(run_every=timedelta(seconds=left + 1))(_deadline_check)(attempt_id, deadline)


def _deadline_check(attempt_id: int, deadline: str) -> None:
    """Run with the page, and again when the deadline has come: loading the attempt then
    submits it (the server's clock decides), and the whole page runs to show the results;
    or, when an accommodation granted meanwhile moved the deadline, the new countdown."""
    user = session.require_learner()
    attempt = session.attempts().load(attempt_id, user.id)
    if not attempt.is_open or attempt.deadline != deadline:
        st.rerun(scope="app")


_COUNTDOWN_CSS = """
<style>
div:has(> .st-key-countdown) { position: sticky; top: 3.75rem; z-index: 3; }
.st-key-countdown { padding: 0.35rem 0; background-color: var(--background-color, #fff); }
.st-key-countdown .quiz-low b { color: #b3261e; }
.quiz-said { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
</style>
"""

_COUNTDOWN_JS = """
(() => {
  const el = document.getElementById("ELEMENT");
  const said = document.getElementById("ELEMENT-said");
  if (!el || el.dataset.ticking) return;
  el.dataset.ticking = "1";
  const ends = performance.now() + Number(el.dataset.leftMs);
  let before = Math.floor(Number(el.dataset.leftMs) / 1000);
  const warnings = [[300, "5 minutes left."], [60, "1 minute left."]];
  const tick = () => {
    if (!document.body.contains(el)) return clearInterval(timer);
    const left = Math.max(0, Math.floor((ends - performance.now()) / 1000));
    const text = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
    el.querySelector("b").textContent = text;
    el.classList.toggle("quiz-low", left <= 300);
    for (const [mark, words] of warnings) {
      if (before > mark && left <= mark) said.textContent = words;
    }
    if (left === 0) {
      el.firstChild.textContent = "Time is up: submitting your answers. ";
      if (before > 0) said.textContent = "Time is up. Your answers are being submitted.";
      clearInterval(timer);
    }
    before = left;
  };
  const timer = setInterval(tick, 1000);
  tick();
})();
"""


def question_heading(attempt_id: int, number: int, total: int, focus: bool) -> None:
    """The question's heading, "Question 3 of 25": an h2 that takes the keyboard focus
    when `focus` (another question was just opened: Next, Previous, the palette, "Next
    question"), so a screen reader goes on with the new question instead of the top of
    the page, and Tab goes on to its answers. Only numbers go into the HTML."""
    element = f"question-{attempt_id}-{number}"
    script = (
        f'<script>setTimeout(() => {{ const h = document.getElementById("{element}");'
        'h?.focus({preventScroll: true}); h?.scrollIntoView({block: "center"}); });</script>'
        if focus
        else ""
    )
    with st.container(key=element):  # a new element for each question: its script runs
        st.html(
            f'<h2 id="{element}" tabindex="-1" class="quiz-question">Question {number} of '
            f"{total}</h2>{script}",
            unsafe_allow_javascript=True,
        )


def _encoded(answer: object) -> str:
    """An answer as comparable text (what a view last showed against what is stored)."""
    return json.dumps(answer, sort_keys=True)


# The page keeps its scroll position across runs, so results reached from the foot of a
# long question would open half-way down: scroll the main area to its top.
_TO_TOP_JS = """
for (const area of [document.querySelector('[data-testid="stMain"]'), document.scrollingElement]) {
  if (area) area.scrollTo({top: 0});
}
"""


def palette(
    attempt: Attempt, flagged: set[str], index: int, go_to: Callable[[int], None], key: str
) -> None:
    """Go to any question: each number marked answered and/or flagged, by icons (which
    Streamlit hides from assistive tech) and in words that only assistive tech gets
    (emphasis, hidden by ui.PAGE_CSS): "3 answered, flagged". The current question is
    the checked radio of the group."""

    def label(i: int) -> str:
        question_id = attempt.slots[i].question_id
        answered, marked = question_id in attempt.responses, question_id in flagged
        icons = (" :material/check:" if answered else "") + (" :material/flag:" if marked else "")
        words = ("answered" if answered else "not answered") + (", flagged" if marked else "")
        return f"{i + 1}{icons} *{words}*"  # a leading icon would be named ("flag icon")

    st.session_state[key] = index
    st.pills(
        "Go to question",
        list(range(len(attempt.slots))),
        format_func=label,
        key=key,
        on_change=lambda: go_to(st.session_state[key] or 0),
    )


def summary(
    attempt: Attempt,
    flagged: set[str],
    go_to: Callable[[int], None],
    submit: Callable[[], None],
    set_confirm: Callable[[bool], None],
    attestation: str | None = None,
) -> None:
    """Before submitting, every question answered or not and flagged or not (as Moodle's
    summary page); any number goes back to its question. With the course's
    `attestation`, a box to tick with its words, without which the submit is refused."""
    total = len(attempt.slots)
    st.subheader("Summary of your attempt", anchor=False)
    missing = total - attempt.answered
    marked = sum(s.question_id in flagged for s in attempt.slots)
    st.warning(
        f"Submit now? {attempt.answered} of {total} answered"
        + (f"; {missing} unanswered will score 0" if missing else "")
        + (f"; {ui.plural(marked, 'question')} flagged" if marked else "")
        + ". Your answers cannot change afterwards."
    )
    if attestation is not None:
        st.checkbox(ui.safe(attestation), key=f"attest-{attempt.id}")
    choice = st.container(horizontal=True)
    choice.button("Yes, submit", type="primary", key=f"yes-{attempt.id}", on_click=submit)
    choice.button(
        "Back to the questions", key=f"no-{attempt.id}", on_click=set_confirm, args=(False,)
    )

    def back_to(i: int) -> None:
        set_confirm(False)
        go_to(i)

    key = f"summary-palette-{attempt.id}"
    st.session_state[key] = None
    st.pills(
        "Back to question",
        list(range(total)),
        format_func=lambda i: f"{i + 1}",
        key=key,
        on_change=lambda: back_to(st.session_state[key] or 0),
    )
    rows = ["| Question | Answer | Flagged |", "|---:|---|---|"]
    for number, slot in enumerate(attempt.slots, start=1):
        answered = "Answered" if slot.question_id in attempt.responses else "**Not answered**"
        mark = "Flagged" if slot.question_id in flagged else ""
        rows.append(f"| {number} | {answered} | {mark} |")
    st.markdown("\n".join(rows))


def confidence(service: Attempts, attempt: Attempt, question_id: str) -> None:
    """After a right practice answer's feedback: how sure was the learner? One click
    rates its spaced review Easy ("I knew it") or Hard ("I guessed"); none leaves it
    Good. Shown only while that answer is its question's latest review."""
    open_to_change, given = service.confidence(attempt, question_id)
    if not open_to_change:
        return  # no review to rate (a question reserved for the post-test), or a later one
    key = f"sure-{attempt.id}-{question_id}"

    def changed() -> None:
        current = service.load(attempt.id)
        if not service.set_confidence(current, question_id, st.session_state[key]):
            ui.flash("This answer's review can no longer be changed.", "warning")

    st.segmented_control(
        "How sure were you? (This sets when the question comes back for review.)",
        list(reviews.CONFIDENCE),
        format_func=reviews.CONFIDENCE.__getitem__,
        default=given,
        key=key,
        on_change=changed,
    )


def render() -> None:
    user = session.require_learner()
    course = ui.course()
    service = session.attempts()
    problems = session.problem_reports()

    attempt_id = st.session_state.get("attempt_id")
    if attempt_id is None:  # a new session (a reload): the address says which attempt
        named = st.query_params.get("attempt", "")
        attempt_id = int(named) if named.isascii() and named.isdigit() and len(named) < 19 else None
    if attempt_id is None:
        waiting = session.store().open_attempts(user.id)
        attempt_id = waiting[0]["id"] if waiting else None
    st.session_state["attempt_id"] = attempt_id
    if attempt_id is None:
        st.title("No quiz in progress", anchor=False)
        st.page_link("views/home.py", label="Choose a quiz", icon=":material/play_arrow:")
        st.stop()
    try:
        attempt = service.load(attempt_id, user.id)
    except NotFound:  # (also someone else's: the same words, so ids reveal nothing)
        st.session_state.pop("attempt_id", None)
        st.query_params.pop("attempt", None)
        st.error("That attempt does not exist.")
        st.page_link("views/home.py", label="Choose a quiz", icon=":material/play_arrow:")
        st.stop()
    st.query_params["attempt"] = str(attempt.id)  # so a reload shows this attempt again

    st.title(ui.safe(attempt.quiz_title), anchor=False)
    ui.show_flash()

    if not attempt.is_open:
        top = f"results-shown-{attempt.id}"
        if not st.session_state.get(top):  # the results open at their top, once
            st.session_state[top] = True
            st.html(f"<script>{_TO_TOP_JS}</script>", unsafe_allow_javascript=True)
        widgets.attempt_summary(attempt, course, service.certificates, service.evaluations)
        st.subheader("Review your answers", anchor=False)
        widgets.attempt_review(attempt, service, course, problems=problems, learner=user)
        left, right = st.columns(2)
        left.page_link("views/home.py", label="Back to start", icon=":material/home:")
        right.page_link("views/progress.py", label="My progress", icon=":material/insights:")
        st.stop()

    total = len(attempt.slots)
    position_key = f"position-{attempt.id}"
    if position_key not in st.session_state:
        st.session_state[position_key] = attempt.position
    index = max(0, min(st.session_state[position_key], total - 1))

    def go_to(target: int) -> None:
        """Show question `target` next, and remember it for a resume elsewhere."""
        st.session_state[position_key] = max(0, min(target, total - 1))
        service.move(attempt, st.session_state[position_key])

    def check(question_id: str, key: str) -> None:
        """Practice: store the answer the form holds (once), for its feedback."""
        current = service.load(attempt.id, user.id)
        question = service.question_as_shown(current, question_id)
        answer, problem = widgets.collected_answer(question, key)
        if problem:
            ui.flash(problem, "warning")
            return
        try:
            service.answer(current, question_id, answer)
        except QuizError as exc:
            ui.flash(str(exc), "warning")

    def autosave(question_id: str, key: str) -> None:
        """Post-test: store what the widgets show after each change (or take the answer
        back when they show none), so that leaving the question loses nothing.

        A change made in a view that is out of date (another tab or window saved another
        answer to this question since this page drew it) is not saved over the other
        one: the page says so and shows what is saved, and the next change saves as
        usual. The same answer from both is simply the answer."""
        current = service.load(attempt.id, user.id)
        stored = current.responses.get(question_id)
        question = service.question_as_shown(current, question_id)
        answer = widgets.shown_answer(question, key)
        saved = _encoded(stored.answer if stored else None)
        if saved not in (st.session_state.get(f"seen-{key}"), _encoded(answer)):
            widgets.show_answer(question, key, stored.answer if stored else None)
            ui.flash(
                "This question was answered in another tab or window since this page showed "
                "it; your change was not saved. It now shows the saved answer: change it "
                "again to replace it.",
                "warning",
            )
            return
        try:
            if answer is None:
                service.clear(current, question_id)
            else:
                service.answer(current, question_id, answer)
        except QuizError as exc:
            ui.flash(str(exc), "warning")
            return
        st.session_state[f"seen-{key}"] = _encoded(answer)  # another change in this run

    def flag(question_id: str, flagged: bool) -> None:
        try:
            service.flag(service.load(attempt.id, user.id), question_id, flagged)
        except QuizError as exc:
            ui.flash(str(exc), "warning")

    def submit() -> None:
        attested = bool(st.session_state.get(f"attest-{attempt.id}"))
        try:
            service.submit(service.load(attempt.id, user.id), attested=attested)
        except NotAttested as exc:
            ui.flash(str(exc), "warning")
            return  # the summary stays, with its box to tick
        except QuizError as exc:
            ui.flash(str(exc), "warning")
        st.session_state.pop(f"confirm-{attempt.id}", None)

    def set_confirm(value: bool) -> None:
        st.session_state[f"confirm-{attempt.id}"] = value

    st.progress(
        (index + 1) / total,
        text=f"Question {index + 1} of {total} · {attempt.answered} answered",
    )

    if attempt.deadline:
        countdown(attempt.id, attempt.deadline)

    flagged = service.flagged(attempt) if attempt.is_post_test else set()
    if attempt.is_post_test and st.session_state.get(f"confirm-{attempt.id}"):
        summary(attempt, flagged, go_to, submit, set_confirm, service.attestation)
        return

    slot = attempt.slots[index]
    question = service.question_as_shown(attempt, slot.question_id)
    response = attempt.responses.get(slot.question_id)
    key = f"a{attempt.id}-{slot.question_id}"

    shown = f"shown-{attempt.id}"
    moved = st.session_state.get(shown) != index  # a question other than the last run's
    st.session_state[shown] = index
    with st.container(border=True):
        question_heading(attempt.id, index + 1, total, focus=moved)
        st.markdown(ui.safe(question.stem))
        if attempt.feedback_released and response is not None:
            widgets.review(question, slot, response.answer, response.mark, course)
            if attempt.is_open and response.mark >= 1:
                confidence(service, attempt, slot.question_id)
            widgets.problem_report(problems, user, attempt, slot.question_id)
        elif attempt.is_post_test:
            st.session_state[f"seen-{key}"] = _encoded(response.answer if response else None)
            widgets.answer_input(
                question, slot, key, response.answer if response else None,
                on_change=lambda: autosave(slot.question_id, key),
            )  # fmt: skip
            st.caption(
                ":material/cloud_done: Saved: your answer counts as it is shown."
                if response is not None
                else "Not answered yet. Answers save as you choose them."
            )
        else:
            with st.form(f"{key}-form", border=False):
                widgets.answer_input(question, slot, key, response.answer if response else None)
                st.form_submit_button(
                    "Check answer", type="primary", on_click=check, args=(slot.question_id, key)
                )

    if attempt.is_post_test:
        flag_key = f"flag-{attempt.id}-{slot.question_id}"
        st.toggle(
            "Flag this question to come back to",
            value=slot.question_id in flagged,
            key=flag_key,
            on_change=lambda: flag(slot.question_id, st.session_state[flag_key]),
        )
        toolbar = st.container(horizontal=True)
        toolbar.button(
            "Previous",
            disabled=index == 0,
            key=f"prev-{attempt.id}",
            icon=":material/arrow_back:",
            on_click=go_to,
            args=(index - 1,),
        )
        toolbar.button(
            "Next",
            disabled=index == total - 1,
            key=f"next-{attempt.id}",
            icon=":material/arrow_forward:",
            on_click=go_to,
            args=(index + 1,),
        )
        toolbar.button(
            "Submit the post-test",
            key=f"submit-{attempt.id}",
            icon=":material/task_alt:",
            on_click=set_confirm,
            args=(True,),
        )
        palette(attempt, flagged, index, go_to, f"palette-{attempt.id}")
    elif response is not None:
        if index < total - 1:
            st.button(
                "Next question",
                type="primary",
                key=f"next-{attempt.id}",
                icon=":material/arrow_forward:",
                on_click=go_to,
                args=(index + 1,),
            )
        else:
            st.button(
                "Finish and see my score",
                type="primary",
                key=f"finish-{attempt.id}",
                on_click=submit,
            )


if __name__ == "__main__":
    render()
