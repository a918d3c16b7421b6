"""Verify a certificate: open to anyone, signed in or not, by the code on it."""

from __future__ import annotations

import streamlit as st

from quiz_app import session, ui, widgets
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
    if found.is_current:
        st.success("Valid certificate.", icon=":material/verified:")
    else:
        st.warning(
            f"Superseded: this certificate was replaced by {ui.literal(found.superseded_by)} "
            f"on {found.superseded_on()} (reissued with a corrected name). It was valid as "
            "issued; the new code is the one to check.",
            icon=":material/history:",
        )
        st.page_link("views/verify.py", label=f"Verify {found.superseded_by}",
                     query_params={"code": found.superseded_by})  # fmt: skip
    with st.container(border=True):
        st.markdown(f"### {ui.literal(found.learner_name)}")
        st.markdown(f"completed **{ui.safe(found.course_title)}**")
        widgets.certificate_details(found)
        st.caption(f"Issued by {ui.safe(found.provider)} · code {ui.literal(found.code)}")
        if found.scope:
            st.caption(ui.safe(found.scope))


if __name__ == "__main__":
    render()
