"""The pure core imports neither SQLite nor Streamlit (DESIGN section 2)."""

from __future__ import annotations

import subprocess
import sys

import pytest

PURE = [
    "bank", "yamldoc", "validate", "sources", "course", "quizdef", "quiz", "scoring",
    "grading", "records", "progress", "analytics", "certificate_pdf", "exports", "charts",
    "clock", "errors", "auth", "forms", "lint", "usernames", "framing", "retention",
]  # fmt: skip


@pytest.mark.parametrize("module", PURE)
def test_pure_core_imports_neither_sqlite_nor_streamlit(module: str) -> None:
    probe = (
        f"import sys, quiz_app.{module}; "
        "print(sorted(m for m in ('sqlite3', 'sqlite_utils', 'streamlit', 'quiz_app.store')"
        " if m in sys.modules))"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert found == "[]", f"quiz_app.{module} pulls in {found}"
