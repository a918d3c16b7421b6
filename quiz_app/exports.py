"""CSV and JSON exports, safe to open in a spreadsheet.

A text cell that starts with `=`, `+`, `-`, `@` (or a tab or carriage return, which
some spreadsheets skip before reading a formula) is prefixed with an apostrophe, so
a learner named `=HYPERLINK(...)` is shown as text and never run as a formula.
Numbers stay numbers, negative ones included.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A value ready for a spreadsheet cell: formula-like text neutralised."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return ""
    return value


def to_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    """Rows as CSV text with a header, every text cell passed through `safe_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(row.get(column)) for column in columns])
    return buffer.getvalue()


def to_json(payload: Any) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False, default=str)
