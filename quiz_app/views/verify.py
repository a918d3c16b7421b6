"""Verify a certificate: open to anyone, signed in or not, by the code on it."""

from __future__ import annotations

import streamlit as st

from quiz_app import session, ui
from quiz_app.certificates import Certificates


def render() -> None:
    st.title("Verify a certificate", anchor=False)
    st.caption("Enter the code printed at the foot of a certificate of completion.")
    preset = st.query_params.get("code", "")
    with st.form("verify"):
        typed = st.text_input("Certificate code", value=preset, max_chars=40,
                              placeholder="XXXX-XXXX-XXXX-XXXX", key="verify-code")  # fmt: skip
        checked = st.form_submit_button("Verify", type="primary")
    code = typed if checked else preset
    if not code.strip():
        if checked:
            st.warning("Enter the code printed on the certificate, then press Verify.")
        return
    found = Certificates(session.store(), ui.course()).verify(code)
    if found is None:
        st.error(f"Not found: no certificate has the code “{ui.literal(code.strip())}”.",
                 icon=":material/gpp_bad:")  # fmt: skip
        return
    st.success("Valid certificate.", icon=":material/verified:")
    with st.container(border=True):
        st.markdown(f"### {ui.literal(found.learner_name)}")
        st.markdown(f"completed **{ui.safe(found.course_title)}**")
        st.markdown(
            "| Completed | Score | Pass mark | CE hours |\n|---|---|---|---|\n"
            f"| {found.completed_on} | {ui.percent(found.score_pct)} | {found.pass_mark:g}% "
            f"| {found.ce_hours:.1f} |"
        )
        st.caption(f"Issued by {ui.safe(found.provider)} · code {ui.literal(found.code)}")
        if found.scope:
            st.caption(ui.safe(found.scope))


if __name__ == "__main__":
    render()
