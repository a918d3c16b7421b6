"""The course evaluation of a passed post-test: rate each statement, answer the open
questions if you like, and submit it once. Every change is saved as a draft, so the
learner can leave and finish it later; once submitted it is shown, never edited."""

from __future__ import annotations

from typing import Any

import streamlit as st

from quiz_app import progress, session, ui, widgets
from quiz_app.evaluations import EvaluationSubmitted, IncompleteEvaluation
from quiz_app.quizdef import ANSWER_MAX, LIKERT, LIKERT_LABELS, Evaluation


def _key(attempt_id: int, item_id: str) -> str:
    return f"eval-{attempt_id}-{item_id}"


def _answers(evaluation: Evaluation, attempt_id: int) -> dict[str, Any]:
    """The answers the page's widgets hold now, by item id."""
    return {item.id: st.session_state.get(_key(attempt_id, item.id)) for item in evaluation.items}


def _passed_attempt(user_id: int) -> int | None:
    """The attempt to evaluate: the one a Start or result page pointed to, if it is this
    learner's passed post-test, else their best passed post-test (None when none)."""
    service = session.attempts()
    post_test = ui.course().post_test
    if post_test is None:
        return None
    mine = service.of_learner(user_id, post_test.id)
    passed = {a.id for a in mine if a.passed}
    pointed = st.session_state.get(widgets.EVALUATION_ATTEMPT)
    if pointed in passed:
        return pointed
    best = progress.best_post_test(mine)
    return best.id if best is not None and best.passed else None


def render() -> None:
    user = session.require_learner()
    ui.show_flash()
    service = session.attempts()
    evaluations = service.evaluations
    st.title("Course evaluation", anchor=False)
    evaluation = evaluations.definition
    if evaluation is None:
        st.info("This course has no course evaluation.")
        return
    attempt_id = _passed_attempt(user.id)
    if attempt_id is None:
        st.info("The course evaluation opens once you have passed the post-test.")
        st.page_link("views/home.py", label="Start", icon=":material/play_arrow:")
        return
    done = evaluations.submitted(attempt_id)
    if done is not None:
        when = ui.local_time().moment_text(done.submitted_at)
        st.success(
            f"Thank you: you submitted the course evaluation on {when}. Answers cannot be "
            "changed once submitted.",
            icon=":material/task_alt:",
        )
        widgets.certificate_button(service.certificates, attempt_id, evaluations)
        return

    st.caption(
        "Rate each statement; the open questions are optional. Your answers are saved as "
        "you give them, so you can leave and finish later. Once you submit, they cannot "
        "be changed."
        + (" Your certificate is ready when you submit." if evaluation.required else "")
    )
    draft = evaluations.draft(attempt_id)

    def save() -> None:
        evaluations.save_draft(attempt_id, user.id, _answers(evaluation, attempt_id))

    for item in evaluation.items:
        key = _key(attempt_id, item.id)
        saved = draft.get(item.id)
        if item.kind == LIKERT:
            st.radio(
                ui.safe(item.text),
                [1, 2, 3, 4, 5],
                index=saved - 1 if isinstance(saved, int) else None,
                format_func=lambda point: LIKERT_LABELS[point - 1],
                horizontal=True,
                key=key,
                on_change=save,
            )
        else:
            st.text_area(
                ui.safe(item.text) + " (optional)",
                value=saved if isinstance(saved, str) else "",
                max_chars=ANSWER_MAX,
                key=key,
                on_change=save,
            )
    if st.button("Submit the evaluation", type="primary", key="submit-evaluation"):
        try:
            evaluations.submit(attempt_id, user.id, _answers(evaluation, attempt_id))
        except IncompleteEvaluation as exc:
            st.warning(ui.safe(str(exc)), icon=":material/warning:")
        except EvaluationSubmitted as exc:
            ui.flash(str(exc))
            st.rerun()
        else:
            st.rerun()  # the next run thanks the learner and shows the certificate


if __name__ == "__main__":
    render()
