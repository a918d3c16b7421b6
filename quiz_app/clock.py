"""Time, injectable: the app asks a clock for "now" so tests can move it.

Timestamps are stored as ISO 8601 text in UTC (`2026-11-21T09:30:00+00:00`), which
sorts in time order as text.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime | None = None):
        self._now = start or datetime(2026, 11, 21, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        """Move forward by a timedelta's keywords (minutes=5, days=1, ...)."""
        self._now += timedelta(**delta)
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when


def iso(when: datetime) -> str:
    """A datetime as stored text: UTC, to the microsecond when there is one."""
    return when.astimezone(UTC).isoformat()


def parse(text: str) -> datetime:
    """Stored text back to an aware datetime."""
    return datetime.fromisoformat(text)
