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

Exports of any size take the same memory: `csv_chunks` and `json_chunks` write rows as
they come, a thousand at a time, for the command line to print and the app's download
route (quiz_app/downloads.py) to send.
"""

from __future__ import annotations

import csv
import io
import json
import numbers
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

FORMULA_STARTS = "=+-@\t\r＝＋－＠"
SEPARATORS = ",;\t\r\n|\"'"
_TRIGGER = f"[{re.escape(FORMULA_STARTS)}]"
_AT_START = re.compile(f"\\s*{_TRIGGER}")
_INSIDE = re.compile(f"([{re.escape(SEPARATORS)}][\\s\"']*)(?={_TRIGGER})")
ROWS_PER_CHUNK = 1_000
CELL_CACHE = 65_536


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


class _Cells:
    """The CSV text of cells and rows: each cell passed through `safe_cell`, then written
    by csv.writer with every text cell quoted (QUOTE_NONNUMERIC, which quotes each cell
    on its own, so a row is its cells joined by commas).

    Exports repeat the same values row after row (usernames, quiz and question ids,
    answers, times, marks), so each value's text is made once and kept, by type and value
    (1, 1.0 and True are written differently), for up to CELL_CACHE values.
    """

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="", quoting=csv.QUOTE_NONNUMERIC)
        self._texts: dict[tuple[type, Any], str] = {}

    def row(self, values: Sequence[Any]) -> str:
        texts = self._texts
        try:
            cells = [texts.get((type(v), v)) or self._remember(v) for v in values]
        except TypeError:  # an unhashable value (a list) is written, not kept
            cells = [self._text(v) for v in values]
        return ",".join(cells) + "\n"

    def _remember(self, value: Any) -> str:
        if len(self._texts) >= CELL_CACHE:
            self._texts.clear()
        text = self._texts[(type(value), value)] = self._text(value)
        return text

    def _text(self, value: Any) -> str:
        self._writer.writerow([safe_cell(value)])
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text


def csv_chunks(
    rows: Iterable[Mapping[str, Any]], columns: Sequence[str], rows_per_chunk: int = ROWS_PER_CHUNK
) -> Iterator[str]:
    """Rows as CSV text with a header, in pieces of `rows_per_chunk` rows, each row written
    as it comes: every cell passed through `safe_cell` and every text cell quoted. Holds
    one piece at a time, so any number of rows takes the same memory."""
    cells = _Cells()
    pieces = [cells.row(list(columns))]
    for row in rows:
        pieces.append(cells.row(list(map(row.get, columns))))
        if len(pieces) >= rows_per_chunk:
            yield "".join(pieces)
            pieces.clear()
    if pieces:
        yield "".join(pieces)


def to_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """Rows as CSV text with a header, as `csv_chunks` writes them, in one string."""
    return "".join(csv_chunks(rows, columns))


def json_chunks(rows: Iterable[Any], rows_per_chunk: int = ROWS_PER_CHUNK) -> Iterator[str]:
    """Rows as a JSON list, in pieces, each row encoded as it comes: the same text as
    `to_json(list(rows))`, holding one piece at a time."""
    pieces = ["["]
    separator = "\n  "
    for row in rows:
        pieces.append(separator + to_json(row).replace("\n", "\n  "))
        separator = ",\n  "
        if len(pieces) >= rows_per_chunk:
            yield "".join(pieces)
            pieces.clear()
    pieces.append("]" if separator == "\n  " else "\n]")
    yield "".join(pieces)


def to_json(payload: Any) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False, default=str)
