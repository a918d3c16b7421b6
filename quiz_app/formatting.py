"""How numbers are written for people, each in one place (pure: no I/O, no Streamlit).

- Marks keep at most two decimals, trailing zeros dropped: 2, 0.5, 13.33 (of 18).
- A percent is rounded down to one decimal place (`grading.shown_digits`, the rule that
  keeps a shown pass mark honest) and written without a trailing ".0": 31.3%, 80%.
- A count names its noun in the singular for exactly one: 1 question, 2 questions.
"""

from __future__ import annotations

from fractions import Fraction

from quiz_app import grading

NO_VALUE = "–"
# A table's percent column, as st.column_config.NumberColumn formats it (printf style):
# the value is already rounded down by `grading`; %g drops the trailing ".0".
PERCENT_COLUMN = "%g%%"


def mark_value(value: Fraction | float) -> float:
    """Marks as a number for a table: rounded to two decimals."""
    return round(float(value), 2)


def marks(value: Fraction | float) -> str:
    """Marks as text: 2, 0.5, 13.33 (two decimals at most)."""
    return f"{mark_value(value):.2f}".rstrip("0").rstrip(".")


def percent_value(value: Fraction | float | None) -> float | None:
    """A percent as a number for a table (shown with PERCENT_COLUMN): rounded down to one
    decimal, as `percent` writes it; None stays None."""
    return None if value is None else grading.shown_digits(value)


def percent(value: Fraction | float | None) -> str:
    """A percent as text: rounded down to one decimal (31.3%, 79.9%, 80%); "–" for None.

    `value` is a percent (0 to 100), exact or already rounded by grading.shown_percent.
    """
    if value is None:
        return NO_VALUE
    return f"{grading.shown_digits(value):.1f}".removesuffix(".0") + "%"


def ratio_percent(part: float, whole: float) -> str:
    """`part` of `whole` as a percent, as `percent` writes it; "–" when `whole` is 0."""
    return percent(grading.percent(Fraction(part), whole)) if whole else NO_VALUE


def plural(count: float, noun: str) -> str:
    """A count with its noun: `1 question`, `3 questions`, `1.5 CE hours`."""
    return f"{count:g} {noun}{'' if count == 1 else 's'}"
