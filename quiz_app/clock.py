"""Time, injectable: the app asks a clock for "now" so tests can move it.

Timestamps are stored as ISO 8601 text in UTC (`2026-11-21T09:30:00+00:00`), which
sorts in time order as text. People see them in the course's time zone (`LocalTime`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC_NAME = "UTC"


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


def quarter_hour(text: str) -> str:
    """Stored time text down to the start of its quarter hour (UTC), as stored text."""
    when = parse(text)
    return iso(when.replace(minute=when.minute // 15 * 15, second=0, microsecond=0))


def parse(text: str) -> datetime:
    """Stored text back to an aware datetime."""
    return datetime.fromisoformat(text)


def is_time_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone this machine knows (`Australia/Sydney`, `UTC`)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # ValueError: not even a key ("../x", "")
        return False
    return True


@dataclass(frozen=True)
class LocalTime:
    """Stored UTC text as people in one time zone (the course's) read it, and the local
    days they pick in filters as UTC bounds. `name` is an IANA name; an unknown one
    raises ZoneInfoNotFoundError when first used (quizzes.yaml validation refuses it)."""

    name: str = UTC_NAME

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.name)

    def at(self, text: str) -> datetime:
        """The stored moment as an aware datetime in this zone."""
        return parse(text).astimezone(self.zone)

    def day(self, text: str) -> date:
        """The local calendar day of the stored moment."""
        return self.at(text).date()

    def day_text(self, text: str) -> str:
        """The local day as people write it: 21 November 2026."""
        when = self.at(text)
        return f"{when.day} {when.strftime('%B %Y')}"

    def moment_text(self, text: str) -> str:
        """The local day and time, short, with the zone's abbreviation (never an
        unlabelled time): 21 Nov 2026, 09:30 AEDT; an offset where the zone has no
        abbreviation (Asia/Kathmandu: +0545)."""
        when = self.at(text)
        return f"{when.day} {when.strftime('%b %Y, %H:%M %Z')}"

    def iso(self, text: str) -> str:
        """ISO 8601 with this zone's offset, to the second: 2026-11-22T08:00:00+11:00."""
        return self.at(text).replace(microsecond=0).isoformat()

    def today(self, now: datetime) -> date:
        """The local date at the moment `now`."""
        return now.astimezone(self.zone).date()

    def day_bounds(self, day: date) -> tuple[str, str]:
        """The local day [00:00, next 00:00) as stored UTC text, to compare stored times
        with (`start <= stored < end`). A day that lost or gained an hour to daylight
        saving is 23 or 25 hours long."""
        start, end = (datetime.combine(d, time(), self.zone) for d in (day, day + timedelta(1)))
        return iso(start), iso(end)
