"""One learner of a cohort: their accommodation, their attempts, and any attempt as they
saw it."""

from __future__ import annotations

import streamlit as st

from quiz_app import session, ui, widgets
from quiz_app.accommodation_form import accommodation_expander
from quiz_app.accounts import User
from quiz_app.addresses import app_address
from quiz_app.certificates import Certificates
from quiz_app.errors import QuizError
from quiz_app.resets import RESET_MINUTES

ASKED = "_reset_link_asked"  # st.session_state key: the learner a link is being confirmed for
MADE = "_reset_link_made"  # st.session_state key: (learner id, link, expiry) just made


def render() -> None:
    page = session.cohort_page("Learners", "learners")
    if page is None:
        return
    instructor, cohort = page
    ui.show_flash()
    reports = session.reports()
    members = session.store().members(cohort["id"])
    if not members:
        st.info("Nobody has joined this cohort yet.")
        return
    names = {
        m["id"]: ui.literal(f"{m['display_name']} ({m['username']})", markdown=False)
        for m in members
    }
    user_id = ui.remembered_choice("Learner", names, "learner_choice", "learner-pick")
    chosen = next(m for m in members if m["id"] == user_id)
    who = f"{chosen['display_name']} ({chosen['username']})"
    _reset_link(instructor, user_id, who)
    accommodation_expander(instructor, cohort["id"], user_id, who, "Accommodation")
    service = session.attempts()
    _reissue(instructor, service.certificates, cohort["id"], user_id)
    local = ui.course().local_time
    attempts = reports.learner_attempts(cohort, user_id)
    if not attempts:
        st.caption("No attempts in this cohort yet.")
        return

    def label(attempt) -> str:
        when = local.moment_text(attempt.started_at)
        if attempt.is_open:
            state = f"in progress, {attempt.answered} of {len(attempt.slots)} answered"
        else:
            state = ui.percent(attempt.percent)
            if attempt.passed is not None:
                state += ", passed" if attempt.passed else ", not passed"
        return f"{when} · {attempt.quiz_title} · {state}"

    post_tests = [a for a in attempts if a.is_post_test and not a.is_open]
    first, second, third = st.columns(3)
    first.metric("Quizzes taken", len(attempts), help="Attempts at every quiz, practice included.")
    best = max((a.percent or 0 for a in post_tests), default=None)
    second.metric("Best post-test", ui.percent(best))
    third.metric("Passed", "yes" if any(a.passed for a in post_tests) else "no")
    by_id = {a.id: a for a in attempts}
    chosen = st.selectbox(
        "Attempt",
        list(by_id),
        format_func=lambda i: label(by_id[i]),
        key=f"learner-attempt-{user_id}",
    )
    attempt = by_id[chosen]
    if attempt.is_open:
        st.info("This attempt is still in progress; answers so far are shown.")
    else:
        widgets.attempt_summary(attempt, ui.course())
    st.subheader("As the learner saw it", anchor=False)
    widgets.attempt_review(attempt, service, ui.course(), full=True)


def _reset_link(instructor: User, user_id: int, name: str) -> None:
    """A "Password reset link" button for the learner chosen: after a confirmation, a
    one-time link (shown here, to pass on) that replaces any unused one."""
    made = st.session_state.get(MADE)
    if made is not None and made[0] == user_id:
        _, address, expires = made
        st.code(address, language=None, wrap_lines=True)
        st.caption(
            f"Expires {expires}. Pass it to the learner; it works once, for one hour. "
            "A newer link replaces it."
        )
    if st.session_state.get(ASKED) != user_id:
        if st.button("Password reset link", key="reset-link", icon=":material/lock_reset:"):
            st.session_state[ASKED] = user_id
            st.rerun()
        return
    with st.container(border=True):
        st.markdown(
            f"Make a one-time link with which {ui.literal(name)} sets a new password? It "
            f"works for {RESET_MINUTES} minutes, signs them out everywhere, and replaces "
            "any link made before that has not been used."
        )
        make, cancel = st.columns(2)
        if make.button("Make the link", key="reset-link-make", type="primary"):
            st.session_state.pop(ASKED, None)
            try:
                link = session.password_resets().issue_for_learner(instructor, user_id)
            except QuizError as exc:
                st.error(str(exc))
                return
            expires = ui.course().local_time.moment_text(link.expires_at)
            st.session_state[MADE] = (user_id, link.address(app_address(st.context.url)), expires)
            st.rerun()
        if cancel.button("Cancel", key="reset-link-cancel"):
            st.session_state.pop(ASKED, None)
            st.rerun()


def _reissue(instructor: User, certificates: Certificates, cohort_id: int, user_id: int) -> None:
    """The learner's certificates earned in this cohort, and a form that reissues the
    current one under a corrected name (logged; the old code then verifies as superseded)."""
    issued = [c for c in certificates.of_cohort(cohort_id) if c.user_id == user_id]
    if not issued:
        return
    current = [c for c in issued if c.is_current]
    st.subheader("Certificates", anchor=False)
    with st.container(border=True):
        for c in issued:
            state = ("valid" if c.is_current
                     else f"superseded by {c.superseded_by} on {c.superseded_on()}")  # fmt: skip
            st.markdown(f"- {ui.literal(c.code)} · {ui.literal(c.learner_name)} · {state}")
        if not current:
            return
        with st.form("reissue", clear_on_submit=True):
            code = st.selectbox("Certificate", [c.code for c in current], key="reissue-code")
            name = st.text_input("Corrected name, as it is to be printed", max_chars=100,
                                 key="reissue-name")  # fmt: skip
            reason = st.text_input("Why", max_chars=500, key="reissue-reason",
                                   placeholder="e.g. legal name misspelt")  # fmt: skip
            st.caption("The certificate gets a new code; the old code still verifies, as "
                       "superseded by the new one. The change is logged.")  # fmt: skip
            if st.form_submit_button("Reissue the certificate", type="primary"):
                try:
                    new = certificates.reissue(instructor, code, name, reason)
                except QuizError as exc:
                    st.error(ui.literal(str(exc)))
                else:
                    ui.flash(f"Reissued as {new.code} for {ui.literal(new.learner_name)}; "
                             f"{code} is superseded.", "success")  # fmt: skip
                    st.rerun()


if __name__ == "__main__":
    render()
