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

With `bom`, a CSV export starts with a UTF-8 byte-order mark (Excel's "CSV UTF-8"), so
Excel opened by a double-click reads accented names as written instead of guessing an old
code page; other readers skip it.

Exports of any size take the same memory: `csv_chunks` (rows as mappings),
`csv_value_chunks` (rows as tuples) and `json_chunks` write rows as they come, a
thousand at a time, for the command line to print and the app's download
route (quiz_app/downloads.py) to send.
"""

from __future__ import annotations

import csv
import io
import json
import numbers
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

FORMULA_STARTS = "=+-@\t\r＝＋－＠"
SEPARATORS = ",;\t\r\n|\"'"
_TRIGGER = f"[{re.escape(FORMULA_STARTS)}]"
_AT_START = re.compile(f"\\s*{_TRIGGER}")
_INSIDE = re.compile(f"([{re.escape(SEPARATORS)}][\\s\"']*)(?={_TRIGGER})")
ROWS_PER_CHUNK = 1_000
BOM = "\ufeff"  # the byte-order mark that tells Excel a CSV file is UTF-8
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


_NUMBER_TYPES = frozenset({int, float})  # written by csv.writer as their repr


class CsvWriter:
    """The CSV text of batches of rows, column by column, each cell the text csv.writer
    writes for `safe_cell(value)` with every text cell quoted (QUOTE_NONNUMERIC quotes
    each cell on its own, so a row is its cells joined by commas, and a cell's text
    depends on its value alone: an export may write some of a row's cells here and put
    them together elsewhere, as the responses export does in SQLite).

    Exports repeat the same values row after row (usernames, quiz and question ids,
    answers, times), so in a column of text only, each distinct text is neutralised and
    quoted once and kept, for up to CELL_CACHE texts; a column of numbers only is written
    as their repr; any other column, cell by cell through `safe_cell` and csv.writer.
    """

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="", quoting=csv.QUOTE_NONNUMERIC)
        self._quoted: dict[str, str] = {}

    def text(self, rows: Sequence[Sequence[Any]], width: int) -> str:
        """The lines of `rows`, each of `width` values, each line ending with a line break;
        raises ValueError for a row of another length."""
        return "\n".join(self.lines(rows, width)) + "\n"

    def lines(self, rows: Sequence[Sequence[Any]], width: int) -> list[str]:
        """The line of each of `rows` (each of `width` values), without its line break;
        raises ValueError for a row of another length."""
        if set(map(len, rows)) != {width}:
            raise ValueError(f"every row must have {width} values, one per column")
        if not width:
            return [""] * len(rows)
        if len(self._quoted) >= CELL_CACHE:
            self._quoted.clear()  # between batches: a batch's columns look texts up lazily
        cells = []
        for column in zip(*rows, strict=True):
            types = set(map(type, column))
            if types == {str}:
                cells.append(map(self._quoted_texts(column).__getitem__, column))
            elif types <= _NUMBER_TYPES:
                cells.append(map(repr, column))
            else:
                cells.append(map(self._cell, column))
        return list(map(",".join, zip(*cells, strict=True)))

    def _quoted_texts(self, column: tuple[str, ...]) -> dict[str, str]:
        quoted = self._quoted
        for text in set(column).difference(quoted):
            quoted[text] = '"' + neutralise(text).replace('"', '""') + '"'
        return quoted

    def _cell(self, value: Any) -> str:
        self._writer.writerow([safe_cell(value)])
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text


def csv_value_chunks(
    rows: Iterable[Sequence[Any]],
    columns: Sequence[str],
    rows_per_chunk: int = ROWS_PER_CHUNK,
    bom: bool = False,
) -> Iterator[str]:
    """Rows given as values in the order of `columns` as CSV text with a header (after a
    BOM, with `bom`), in pieces of up to `rows_per_chunk` rows (the first with the
    header), each piece written as its rows come: every cell as `safe_cell` makes it and
    every text cell quoted. Holds one piece at a time, so any number of rows takes the
    same memory. Closes `rows` (when it is a generator) when it ends, however it ends.
    Raises ValueError for a row without one value per column."""
    writer = CsvWriter()
    rows = iter(rows)
    try:
        header = (BOM if bom else "") + writer.text([columns], len(columns))
        while batch := list(islice(rows, rows_per_chunk)):
            yield header + writer.text(batch, len(columns))
            header = ""
        if header:
            yield header
    finally:
        _close(rows)


def csv_text_chunks(
    chunks: Iterable[str], columns: Sequence[str], bom: bool = False
) -> Iterator[str]:
    """CSV text written elsewhere with a CsvWriter's cells (`chunks` of whole lines, each
    ending with a line break) after the header of `columns` (and a BOM, with `bom`), the
    header in the first piece: the text `csv_value_chunks` writes for the same rows.
    Closes `chunks` (when it is a generator) when it ends, however it ends."""
    chunks = iter(chunks)
    try:
        header = (BOM if bom else "") + CsvWriter().text([columns], len(columns))
        for chunk in chunks:
            yield header + chunk
            header = ""
        if header:
            yield header
    finally:
        _close(chunks)


def csv_chunks(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    rows_per_chunk: int = ROWS_PER_CHUNK,
    bom: bool = False,
) -> Iterator[str]:
    """Rows given as mappings (a missing column is blank) as `csv_value_chunks` writes
    them."""
    return csv_value_chunks(_values(rows, columns), columns, rows_per_chunk, bom)


def _values(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> Iterator[list[Any]]:
    rows = iter(rows)
    try:
        for row in rows:
            yield list(map(row.get, columns))
    finally:
        _close(rows)


def _close(rows: Iterator[Any]) -> None:
    """Close a generator of rows (so a read it holds ends now, not when it is collected)."""
    close = getattr(rows, "close", None)
    if close is not None:
        close()


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
