"""The pure core imports neither SQLite nor Streamlit (DESIGN section 2)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

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


SPEAKS_SQL = {"migrations.py", "writer.py"}  # the schema, and the writer's transactions


def test_sql_is_spoken_only_inside_the_store_package() -> None:
    """Outside quiz_app/store/ (and the schema's and the writer's modules) no module
    imports a SQLite library or runs a statement: pages, services and the CLI ask the
    Store. (The PostgreSQL backend is to live beside SQLite inside the package.)"""
    root = Path(__file__).resolve().parent.parent / "quiz_app"
    speaking = re.compile(
        r"^\s*(import|from)\s+(sqlite3|sqlite_utils|psycopg)\b|\.execute(many)?\(", re.M
    )
    found = [
        str(path.relative_to(root))
        for path in sorted(root.rglob("*.py"))
        if path.parent.name != "store"
        and path.name not in SPEAKS_SQL
        and speaking.search(path.read_text(encoding="utf-8"))
    ]
    assert found == [], f"SQL outside quiz_app/store/: {found}"
    assert (root / "store" / "base.py").exists()
