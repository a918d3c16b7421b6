"""Question widgets: answering each type, and reviewing an answer against the key.

Every widget key starts with the caller's `key` (attempt and question), so no answer
ever carries over from one question to another. Parts are shown in the order the
attempt's slot recorded, so a resumed or reviewed attempt looks as it did.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import streamlit as st

from quiz_app import certificate_pdf, ui
from quiz_app.accounts import MIN_PASSWORD, User
from quiz_app.addresses import app_address
from quiz_app.attempts import Attempts
from quiz_app.bank import Question
from quiz_app.certificates import Certificates, LicenceMissing
from quiz_app.course import Course
from quiz_app.errors import QuizError
from quiz_app.evaluations import Evaluations
from quiz_app.problem_reports import COMMENT_MAX, REASONS, ProblemReports
from quiz_app.progress import TopicScore, objective_breakdown, topic_breakdown
from quiz_app.quiz import Slot, shown_order
from quiz_app.quizdef import REVIEW_PARTS
from quiz_app.records import Attempt, Certificate
from quiz_app.reviews import TopicRetention
from quiz_app.scoring import Answer, correct_answer


def widget_values(question: Question, key: str, answer: Answer | None) -> dict[str, Any]:
    """The value of each widget of `answer_input` that shows `answer` (None: no answer),
    by widget key: the inverse of `collected_answer`."""
    if question.type == "single":
        return {f"{key}-single": answer if isinstance(answer, int) else None}
    if question.type == "true_false":
        return {f"{key}-tf": answer if isinstance(answer, bool) else None}
    if question.type == "multiple":
        ticked = answer if isinstance(answer, list) else []
        return {f"{key}-multi-{i}": i in ticked for i in range(len(question.choices))}
    if question.type == "matching":
        matches = answer if isinstance(answer, list) else []
        return {
            f"{key}-match-{i}": matches[i] if i < len(matches) else None
            for i in range(len(question.pairs))
        }
    order = answer if isinstance(answer, list) else []
    return {
        f"{key}-place-{i}": order.index(i) if i in order else None
        for i in range(len(question.items))
    }


def show_answer(question: Question, key: str, answer: Answer | None) -> None:
    """Make the widgets of `answer_input` show `answer` at their next run (from a
    callback: the browser is told the new values too)."""
    for name, value in widget_values(question, key, answer).items():
        st.session_state[name] = value


def answer_input(
    question: Question,
    slot: Slot,
    key: str,
    previous: Answer | None,
    on_change: Callable[[], None] | None = None,
) -> None:
    """Render the widgets for one question, filled with `previous` when there is one.

    Each widget takes its value from the session state, seeded from `previous` when it
    has none (`widget_values`), so `show_answer` can redraw them from a callback. Read
    what the learner chose with `collected_answer` (in a form's submit callback) or
    `shown_answer`. With `on_change` (outside a form: the post-test saves each change)
    every change calls it, and an ordering question's places are swapped, never
    doubled: giving an item a place another item holds moves that item to the place the
    first one left.
    """
    state = st.session_state
    for name, value in widget_values(question, key, previous).items():
        state.setdefault(name, value)
    order = list(shown_order(question, slot))
    if question.type == "single":
        st.radio(
            "Choose one answer",
            order,
            format_func=lambda i: ui.safe(question.choices[i].text),
            key=f"{key}-single",
            on_change=on_change,
        )
    elif question.type == "multiple":
        if "select all that apply" not in question.stem.casefold():  # said once, not twice
            st.caption("Select all that apply.")
        for i in order:
            st.checkbox(
                ui.safe(question.choices[i].text), key=f"{key}-multi-{i}", on_change=on_change
            )
    elif question.type == "true_false":
        st.radio(
            "True or false?",
            [True, False],
            format_func=lambda v: "True" if v else "False",
            horizontal=True,
            key=f"{key}-tf",
            on_change=on_change,
        )
    elif question.type == "matching":
        rights = question.rights
        st.caption(
            "Choose the match for each item."
            + (" Some options match nothing." if question.spares else "")
        )
        for left_index, (left, _) in enumerate(question.pairs):
            st.selectbox(
                ui.safe(left),
                order,
                format_func=lambda j: rights[j],
                placeholder="Choose a match",
                key=f"{key}-match-{left_index}",
                on_change=on_change,
            )
    else:
        st.caption("Give each item its place in the order, 1st to last.")
        places = list(range(len(question.items)))
        placed = {i: state[f"{key}-place-{i}"] for i in order}
        for i in order:
            st.selectbox(
                ui.safe(question.items[i]),
                places,
                format_func=ordinal,
                placeholder="Choose its place",
                key=f"{key}-place-{i}",
                on_change=_swap_places if on_change else None,  # a form allows no callback
                args=(key, i, placed, on_change) if on_change else None,
            )


def _swap_places(
    key: str, item: int, placed: dict[int, int | None], then: Callable[[], None] | None
) -> None:
    """Item `item` took a place: the item that held it, if any, gets the place `item` had."""
    state = st.session_state
    taken = state[f"{key}-place-{item}"]
    for other, place in placed.items():
        if other != item and taken is not None and place == taken:
            state[f"{key}-place-{other}"] = placed[item]
    if then is not None:
        then()


def ordinal(index: int) -> str:
    """0 -> 1st, 1 -> 2nd, 2 -> 3rd, 3 -> 4th ..."""
    n = index + 1
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def collected_answer(question: Question, key: str) -> tuple[Answer | None, str | None]:
    """What the widgets of `answer_input` hold: (answer, problem).

    `answer` is in canonical form (bank indexes); `problem` says what is missing when
    the widgets do not yet make a whole answer.
    """
    state = st.session_state
    if question.type == "single":
        chosen = state.get(f"{key}-single")
        return chosen, None if chosen is not None else "Choose an answer first."
    if question.type == "multiple":
        ticked = [i for i in range(len(question.choices)) if state.get(f"{key}-multi-{i}")]
        return ticked, None if ticked else "Tick at least one choice first."
    if question.type == "true_false":
        chosen = state.get(f"{key}-tf")
        return chosen, None if chosen is not None else "Choose true or false first."
    if question.type == "matching":
        matches = [state.get(f"{key}-match-{i}") for i in range(len(question.pairs))]
        missing = any(choice is None for choice in matches)
        return matches, "Choose a match for every item first." if missing else None
    places = {i: state.get(f"{key}-place-{i}") for i in range(len(question.items))}
    if any(place is None for place in places.values()):
        return None, "Give every item a place first."
    if len(set(places.values())) < len(places):
        return None, "Each place can be given to one item only."
    return sorted(places, key=lambda i: places[i]), None


def shown_answer(question: Question, key: str) -> Answer | None:
    """The answer the widgets of `answer_input` show as they stand, or None when they
    show none: nothing chosen or ticked, or an order with an item not yet placed. A
    matching question with some items matched is an answer (the rest match nothing)."""
    answer, problem = collected_answer(question, key)
    if question.type == "matching":
        return answer if any(choice is not None for choice in answer) else None
    return None if problem else answer


def verdict(mark: Fraction | None) -> None:
    """Right, partly right, wrong or unanswered, as a coloured banner."""
    if mark is None:
        st.info("Not answered.", icon=":material/radio_button_unchecked:")
    elif mark >= 1:
        st.success("Correct.", icon=":material/check_circle:")
    elif mark > 0:
        st.warning(f"Partly right: {ui.marks(mark)} of 1 mark.", icon=":material/contrast:")
    else:
        st.error("Not right.", icon=":material/cancel:")


def review(
    question: Question,
    slot: Slot,
    answer: Any,
    mark: Fraction | None,
    course: Course,
    parts: frozenset[str] = REVIEW_PARTS,
) -> None:
    """The learner's answer, with what `parts` allows of the question's review: whether
    it was right, the key, the choices' feedback, the explanation and the source."""
    if "correctness" in parts:
        verdict(mark)
    st.markdown(_review_markdown(question, slot, answer, parts))
    if "explanation" in parts:
        st.markdown(f"**Why.** {ui.safe(question.explanation)}")
    if "source" in parts:
        st.caption("Source")
        ui.show_sources(question, course)


def _review_markdown(question: Question, slot: Slot, answer: Any, parts: frozenset[str]) -> str:
    key = correct_answer(question)
    show_key, show_right = "key" in parts, "correctness" in parts
    if question.type in ("single", "multiple"):
        picked = {answer} if isinstance(answer, int) else set(answer or [])
        lines = []
        for i in shown_order(question, slot):
            choice = question.choices[i]
            if choice.correct and (show_key or (show_right and i in picked)):
                mark = ui.RIGHT
            elif i in picked and show_right:
                mark = ui.WRONG
            else:
                mark = ui.NEUTRAL
            note = " **(your answer)**" if i in picked else ""
            if choice.correct and i not in picked and question.type == "multiple" and show_key:
                # "also" only beside a right choice the learner did pick.
                found_one = any(question.choices[p].correct for p in picked)
                note = " *(also right)*" if found_one else " *(right, not ticked)*"
            lines.append(f"- {mark} {ui.safe(choice.text)}{note}")
            if choice.feedback and "feedback" in parts:
                lines.append(f"    - *{ui.safe(choice.feedback)}*")
        return "\n".join(lines)
    if question.type == "true_false":
        given = "not answered" if answer is None else ("True" if answer else "False")
        told = f"Your answer: **{given}**."
        if show_key:
            told += f" The statement is **{'true' if key else 'false'}**."
        elif show_right and answer is not None:
            told += " It is right." if answer == key else " It is not right."
        return told
    if question.type == "matching":
        head = "| Item | Your match | Right match |" if show_key else "| Item | Your match |"
        lines = [head, "|---|---|---|" if show_key else "|---|---|"]
        for left_index, (left, right) in enumerate(question.pairs):
            chosen = answer[left_index] if isinstance(answer, list) else None
            if chosen is None:
                mine = "*(blank)*"
            else:
                sign = (ui.RIGHT if chosen == left_index else ui.WRONG) if show_right else ""
                mine = f"{sign} {ui.safe(question.rights[chosen])}".strip()
            row = f"| {ui.safe(left)} | {mine} |"
            lines.append(f"{row} {ui.safe(right)} |" if show_key else row)
        p = len(question.pairs)
        spares = [ui.safe(question.rights[i]) for i in shown_order(question, slot) if i >= p]
        if spares and show_key:
            lines.append(f"\n*Also offered, matching nothing:* {'; '.join(spares)}")
        return "\n".join(lines)
    mine = answer if isinstance(answer, list) else []
    yours = [
        f"{position}. "
        + (f"{ui.RIGHT if item == position - 1 else ui.WRONG} " if show_right else "")
        + ui.safe(question.items[item])
        for position, item in enumerate(mine, start=1)
    ]
    shown = "**Your order**\n\n" + ("\n".join(yours) if yours else "*(not answered)*")
    if show_key:
        right = [f"{n}. {ui.safe(item)}" for n, item in enumerate(question.items, start=1)]
        shown += "\n\n**Right order**\n\n" + "\n".join(right)
    return shown


EVALUATION_ATTEMPT = "evaluation_attempt"  # st.session_state: the attempt to evaluate


def evaluation_offer(evaluations: Evaluations, attempt_id: int) -> bool:
    """Point the learner to the course evaluation of a passed attempt while it is due;
    returns True when the certificate waits for it (the evaluation is required)."""
    if not evaluations.is_due(attempt_id):
        return False
    withheld = evaluations.withholds_certificate(attempt_id)
    if withheld:
        st.info(
            "One step left: fill in the course evaluation. Your certificate is ready as "
            "soon as you submit it.",
            icon=":material/rate_review:",
        )
    else:
        st.caption("Tell us what you thought of the course: the evaluation is optional.")
    if st.button(
        "Fill in the course evaluation",
        key=f"evaluate-{attempt_id}",
        type="primary" if withheld else "secondary",
        icon=":material/rate_review:",
    ):
        st.session_state[EVALUATION_ATTEMPT] = attempt_id
        st.switch_page("views/evaluation.py")
    return withheld


def certificate_button(
    certificates: Certificates, attempt_id: int, evaluations: Evaluations | None = None
) -> None:
    """Download the certificate of a passed post-test attempt (issued if need be), or
    why it cannot be printed (a name with characters no installed font has), or what it
    waits for (a licence on the profile). With `evaluations`, the course evaluation is
    offered first, and while it is required and not submitted the certificate (its code
    and PDF) is not shown."""
    if evaluations is not None and evaluation_offer(evaluations, attempt_id):
        return
    try:
        certificate = certificates.issue(attempt_id)
    except LicenceMissing as exc:
        st.warning(ui.literal(str(exc)), icon=":material/badge:")
        st.page_link("views/profile.py", label="Add it on your profile", icon=":material/person:")
        return
    problem = certificate_pdf.printing_problem(certificate)
    if problem:
        st.error(ui.literal(problem), icon=":material/error:")
    else:
        address = app_address(st.context.url)  # read now: the PDF is drawn on download
        st.download_button(
            "Download your certificate (PDF)",
            data=lambda: certificate_pdf.render(certificate, address),
            file_name=f"certificate-{certificate.code}.pdf",
            mime="application/pdf",
            type="primary",
            icon=":material/workspace_premium:",
            on_click="ignore",
            key=f"certificate-{attempt_id}",
        )
    st.caption(f"Certificate code {certificate.code}: anyone can check it on the "
               "Verify a certificate page.")  # fmt: skip
    with st.container(border=True):
        certificate_details(certificate)


def certificate_details(certificate: Certificate) -> None:
    """What a certificate records beyond name, course and score, as issued: contact
    hours and CEUs, the licence, the course's numbers and format, and the attestation."""
    st.markdown(
        "| Completed | Score | Pass mark | Contact hours | CEUs |\n|---|---|---|---|---|\n"
        f"| {certificate.completed_on} | {ui.percent(certificate.score_pct)} "
        f"| {certificate.pass_mark:g}% | {certificate.hours_text} | {certificate.ceus:.2f} |"
    )
    facts = [("Licence", certificate.licence_text), *certificate.course_numbers,
             ("Delivery", certificate.delivery_text)]  # fmt: skip
    lines = [f"**{label}:** {ui.literal(value)}" for label, value in facts if value]
    if certificate.attestation is not None and certificate.attested_at is not None:
        lines.append(
            f"**Attested** {certificate.attested_on()}: “{ui.safe(certificate.attestation)}”"
        )
    elif certificate.attestation is not None:
        lines.append("**Not attested:** the post-test was submitted by its deadline, without "
                     "the learner's attestation.")  # fmt: skip
    st.markdown("  \n".join(lines))


def attempt_summary(
    attempt: Attempt,
    course: Course,
    certificates: Certificates | None = None,
    evaluations: Evaluations | None = None,
) -> None:
    """Score, pass or fail, and the marks by topic of a submitted attempt; with
    `certificates`, a passed post-test offers its certificate (after the course
    evaluation, with `evaluations`: see `certificate_button`)."""
    if attempt.timed_out:
        st.info(
            "Time ran out: the attempt was submitted at the deadline with the answers "
            "saved before it.",
            icon=":material/timer_off:",
        )
    if attempt.is_post_test and attempt.passed is not None:
        if attempt.passed:
            st.success(
                f"Passed with {ui.percent(attempt.percent)} (pass mark {attempt.pass_mark:g}%).",
                icon=":material/verified:",
            )
            if certificates is not None:
                certificate_button(certificates, attempt.id, evaluations)
        else:
            st.error(
                f"Not passed: {ui.percent(attempt.percent)}; "
                f"the pass mark is {attempt.pass_mark:g}%.",
                icon=":material/cancel:",
            )
    st.caption(timing(attempt, course))
    left, middle, right = st.columns(3)
    left.metric("Score", ui.percent(attempt.percent))
    middle.metric(
        "Marks",
        f"{ui.marks(attempt.score or 0)} of {ui.marks(attempt.max_score or len(attempt.slots))}",
    )
    right.metric("Answered", f"{attempt.answered} of {len(attempt.slots)}")
    _marks_table("Topic", topic_breakdown(attempt, course))
    if attempt.is_post_test:
        st.caption("Marks by learning objective")
        _marks_table("Learning objective", objective_breakdown(attempt, course))


def timing(attempt: Attempt, course: Course) -> str:
    """When a submitted attempt started and ended, in the course's time zone (named), and
    how long it took: "Started 2 Dec 2026, 09:30 · finished 09:52 · took 22 min 5 s (times in
    Europe/London)"."""
    local = course.local_time
    submitted = attempt.submitted_at or attempt.started_at  # a summary is of a submitted one
    started, finished = local.at(attempt.started_at), local.at(submitted)
    took = max(0, int((finished - started).total_seconds()))
    same_day = started.date() == finished.date()
    ended = finished.strftime("%H:%M") if same_day else local.moment_text(submitted)
    minutes, seconds = divmod(took, 60)
    length = f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
    return (
        f"Started {local.moment_text(attempt.started_at)} · finished {ended} · took {length} "
        f"(times in {local.name})"
    )


def _marks_table(label: str, scores: list[TopicScore]) -> None:
    """Marks per topic or objective as a table: questions, marks and score."""
    rows = [
        {label: s.title, "Questions": s.possible, "Marks": ui.mark_value(s.earned),
         "Score %": s.percent}
        for s in scores
    ]  # fmt: skip
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        column_config={"Score %": st.column_config.NumberColumn(format=ui.PERCENT_COLUMN)},
    )


def attempt_review(
    attempt: Attempt,
    attempts: Attempts,
    course: Course,
    full: bool = False,
    problems: ProblemReports | None = None,
    learner: User | None = None,
) -> None:
    """Every question of an attempt as the learner saw it, with their answer and what
    the course's review options allow after how the attempt ended (`full`: everything,
    for instructors). With `problems` and the signed-in `learner` (their own review),
    each question offers "Report a problem" (`problem_report`)."""
    parts = REVIEW_PARTS if full else attempts.review_parts(attempt)
    if not parts:
        st.info(
            "The questions, your answers and the right answers are shown once you pass or "
            "have used your last attempt, so that a retake tests what you know rather than "
            "what you remember of this one. Your marks by topic and by learning objective "
            "are above.",
            icon=":material/visibility_off:",
        )
        return
    for number, slot in enumerate(attempt.slots, start=1):
        question = attempts.question_as_shown(attempt, slot.question_id)
        response = attempt.responses.get(slot.question_id)
        mark = response.mark if response else None
        if "correctness" not in parts:
            icon = ""
        elif mark is None:
            icon = ":gray[:material/radio_button_unchecked:] "
        elif mark >= 1:
            icon = ui.RIGHT + " "
        elif mark > 0:
            icon = ":orange[:material/contrast:] "
        else:
            icon = ui.WRONG + " "
        with st.expander(f"{icon}{number}. {ui.safe(ui.stem_start(question.stem, 90))}"):
            st.markdown(ui.safe(question.stem))
            answer = response.answer if response else None
            review(question, slot, answer, mark, course, parts)
            if problems is not None and learner is not None:
                problem_report(problems, learner, attempt, slot.question_id)


def problem_report(
    problems: ProblemReports, learner: User, attempt: Attempt, question_id: str
) -> None:
    """The "Report a problem with this question" control: a reason and a plain-text
    comment, sent for the version this attempt showed; beside it, the reasons the
    learner has reported it for already (still open). Shows nothing where no report may
    be made (an open post-test, a review that hides the questions). The comment is only
    ever stored, and the instructor's queue shows it as typed (ui.literal), never as
    Markdown."""
    if not problems.may_report(attempt):
        return
    key = f"problem-{attempt.id}-{question_id}"
    said = st.session_state.pop(f"{key}-said", None)

    def send() -> None:
        try:
            stored = problems.report(
                learner,
                attempt,
                question_id,
                st.session_state.get(f"{key}-reason"),
                st.session_state.get(f"{key}-comment", ""),
            )
        except QuizError as exc:
            st.session_state[f"{key}-said"] = ("warning", str(exc))
            return
        st.session_state[f"{key}-said"] = (
            ("success", "Thank you: your report is with your instructor.")
            if stored
            else ("info", "You have reported this problem already; your instructor has it.")
        )

    with st.popover("Report a problem with this question", icon=":material/report:"):
        with st.form(f"{key}-form", border=False, clear_on_submit=True):
            st.radio(
                "What is wrong?", list(REASONS), format_func=REASONS.__getitem__,
                index=None, key=f"{key}-reason",
            )  # fmt: skip
            st.text_area(
                "Comment (optional; needed for Something else)",
                max_chars=COMMENT_MAX,
                key=f"{key}-comment",
                help="Plain text: what is wrong, and where you read otherwise if you know.",
            )
            st.form_submit_button("Send report", on_click=send)
        if said is not None:  # in the popover, which stays open after sending
            kind, message = said
            {"success": st.success, "info": st.info}.get(kind, st.warning)(message)
    reported = problems.open_reasons(learner, attempt, question_id)
    if reported:
        st.caption("You reported: " + "; ".join(REASONS[r] for r in reported) + " (open).")


def new_password_inputs(key: str) -> tuple[str, str]:
    """The new password and its repeat, as the profile and reset-link forms ask for them
    (keys `{key}-new` and `{key}-repeat`); `accounts.check_new_password` judges them."""
    new = st.text_input(
        "New password",
        type="password",
        help=f"At least {MIN_PASSWORD} characters.",
        key=f"{key}-new",
    )
    repeat = st.text_input("New password again", type="password", key=f"{key}-repeat")
    return new, repeat


def retention_table(topics: Sequence[TopicRetention], count: str) -> None:
    """FSRS's estimated retention per topic (quiz_app.reviews.retention_by_topic) as a
    table of bars, with how many cards each holds under the heading `count`."""
    topic_bars(
        "Estimated retention",
        [(t.title, t.retention, {count: t.cards}) for t in topics],
    )


def topic_bars(bar: str, rows: Sequence[tuple[str, float | None, dict[str, Any]]]) -> None:
    """A table of topics with a share (0..1, None for none yet) drawn as a percent bar in
    the column `bar`, then each row's other columns."""
    st.dataframe(
        [
            {
                "Topic": title,
                bar: ui.percent_value(100 * share if share is not None else None),
                **others,
            }
            for title, share, others in rows
        ],
        column_config={
            bar: st.column_config.ProgressColumn(
                bar, min_value=0, max_value=100, format=ui.PERCENT_COLUMN
            ),
        },
        hide_index=True,
        width="stretch",
    )
