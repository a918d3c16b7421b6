"""CSV and JSON exports, safe to open in a spreadsheet.

CSV follows OWASP's CSV-injection guidance in full, for every cell of every export
(headers included):

- every text cell is wrapped in double quotes and its double quotes doubled, so a
  comma, quote or line break inside it never starts a new cell for a reader that splits
  on commas (numbers are left unquoted, so they stay numbers);
- a text cell that a spreadsheet could read as a formula is prefixed with an apostrophe:
  one that starts, after any spaces, with `=`, `+`, `-`, `@`, a tab or a carriage
  return (or their full-width forms);
- inside a cell, such a character right after a separator, a quote or a line break
  (after any spaces or quotes: `x;=1+1`, `x\n@cmd`, `x;"=1+1"`) gets an apostrophe
  before it. A spreadsheet that splits on `;` or a tab ignores the quotes of a cell
  that does not start its own cell, so there that text starts a cell of its own:
  quoting alone (or an apostrophe at the front, as in OWASP's examples) does not
  protect it.

So a learner named `=HYPERLINK(...)` is shown as text and never run as a formula.
Numbers stay numbers, unquoted, negative ones included; exact fractions are written as
decimals.
"""

from __future__ import annotations

import csv
import io
import json
import numbers
import re
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = "=+-@\t\r＝＋－＠"
SEPARATORS = ",;\t\r\n|\"'"
_TRIGGER = f"[{re.escape(FORMULA_STARTS)}]"
_AT_START = re.compile(f"\\s*{_TRIGGER}")
_INSIDE = re.compile(f"([{re.escape(SEPARATORS)}][\\s\"']*)(?={_TRIGGER})")


def neutralise(text: str) -> str:
    """`text` as no spreadsheet reads as a formula, whichever separator it splits on."""
    text = _INSIDE.sub(r"\1'", text)
    return "'" + text if _AT_START.match(text) else text


def safe_cell(value: Any) -> Any:
    """A value ready for a spreadsheet cell: numbers as numbers, yes/no for booleans,
    "" for None, and everything else as text, neutralised when formula-like."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    if isinstance(value, numbers.Real):
        return float(value)  # a Fraction would be written 1/3, which reads as a date
    return neutralise(str(value))


def to_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    """Rows as CSV text with a header, every cell passed through `safe_cell` and every
    text cell quoted."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow([safe_cell(column) for column in columns])
    for row in rows:
        writer.writerow([safe_cell(row.get(column)) for column in columns])
    return buffer.getvalue()


def to_json(payload: Any) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False, default=str)
