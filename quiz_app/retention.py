"""How long course records are kept (`course.records_retention_years`), as one rule.

Pure: no SQL, no Streamlit. `quiz-app prune --before DAY` deletes the records older than
DAY only when DAY lies at least the retention years in the past.
"""

from __future__ import annotations

from datetime import date

from quiz_app.errors import QuizError


class TooRecent(QuizError):
    """A prune that would delete records the course must still keep."""


def latest_prune_day(today: date, years: int) -> date:
    """The youngest day a prune may name: `today` less `years` years (a 29 February
    becomes the 28th in a year without one)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def check_prune_day(before: date, today: date, years: int) -> None:
    """Raise TooRecent, naming the latest day allowed, unless records older than `before`
    are all past the retention period."""
    latest = latest_prune_day(today, years)
    if before > latest:
        raise TooRecent(
            f"--before {before.isoformat()} is too recent: the course keeps records for "
            f"{years} year{'s' if years != 1 else ''} (course.records_retention_years in "
            f"quizzes.yaml), so the latest day allowed is {latest.isoformat()}."
        )
