"""Business time: when a calendar is open, and how much open time lies between two instants.

Everything is computed on the instant timeline. A weekly window is wall-clock time in the
calendar's IANA zone; each occurrence is turned into two UTC instants through ``zoneinfo``
for that very date, so a window on a daylight-saving day is as long as it really is (an
open-all-day Sunday in March lasts 23 hours in Paris, in October 25) and no offset is ever
carried from one date to another.

A window belongs to the local date it starts on: a Friday 22:00-06:00 window is Friday's,
running into Saturday, and a holiday on Friday closes it while a holiday on Saturday does
not. ``00:00-24:00`` on consecutive days merges into one open stretch, so a 24/7 calendar
never loses a minute at midnight.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "ALWAYS_OPEN",
    "BusinessCalendar",
    "Clock",
    "WallClock",
    "Window",
    "parse_clock",
]

MINUTES_PER_DAY = 24 * 60
# How far ahead ``add`` looks for open time before it gives up (a calendar closed for good).
SEARCH_DAYS = 3 * 366


@dataclass(frozen=True, order=True)
class Window:
    """Open from ``start`` to ``end`` minutes after local midnight of the day it starts on.

    ``end`` may pass 1440 (24:00): a window that crosses midnight ends the next day.
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < MINUTES_PER_DAY:
            raise ValueError("a window starts between 00:00 and 23:59")
        if not self.start < self.end <= self.start + MINUTES_PER_DAY:
            raise ValueError("a window ends after it starts and lasts at most a day")

    @classmethod
    def between(cls, start: str, end: str) -> Window:
        """``"09:00", "17:00"``; an end at or before the start means the next day."""
        begin, finish = parse_clock(start), parse_clock(end)
        if begin == MINUTES_PER_DAY:
            raise ValueError("a window cannot start at 24:00")
        if finish <= begin:
            finish += MINUTES_PER_DAY
        return cls(begin, finish)

    def label(self) -> tuple[str, str]:
        return _clock(self.start), _clock(self.end % MINUTES_PER_DAY or self.end)


def parse_clock(text: str) -> int:
    """``"HH:MM"`` (``24:00`` allowed) as minutes after midnight; ValueError otherwise."""
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"{text!r} is not HH:MM")
    value = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or value > MINUTES_PER_DAY:
        raise ValueError(f"{text!r} is not a time of day")
    return value


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class Clock:
    """What SLA arithmetic needs from a calendar: open seconds between instants, and back."""

    def seconds_between(self, start: datetime, end: datetime) -> float:
        raise NotImplementedError

    def add(self, start: datetime, seconds: float) -> datetime | None:
        raise NotImplementedError


class WallClock(Clock):
    """Calendar time: every second counts."""

    def seconds_between(self, start: datetime, end: datetime) -> float:
        return max(0.0, (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds())

    def add(self, start: datetime, seconds: float) -> datetime:
        return start.astimezone(UTC) + timedelta(seconds=seconds)


@dataclass(frozen=True, eq=False)
class BusinessCalendar(Clock):
    """Weekly windows (Monday = 0) in a zone, closed dates, and dates with their own hours."""

    zone: str
    weekly: dict[int, tuple[Window, ...]]
    # Holidays: any container of dates (a ``holidays`` calendar answers ``in`` for any year).
    closed: Container[date] = frozenset()
    # A date listed here opens with these windows instead (none: closed), holiday or not.
    exceptions: dict[date, tuple[Window, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ZoneInfo(self.zone)  # an unknown zone fails here, not in the middle of a sum

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)  # zoneinfo keeps one instance per key

    def windows_on(self, day: date) -> tuple[Window, ...]:
        if day in self.exceptions:
            return self.exceptions[day]
        if day in self.closed:
            return ()
        return self.weekly.get(day.weekday(), ())

    def _local(self, day: date, minutes: int) -> datetime:
        # Wall-clock time of that date, read through the zone for that date: the offset is the
        # one in force then, never today's. A time that does not exist (skipped by a spring
        # transition) reads with the offset before it, i.e. just after the jump.
        wall = datetime.combine(day, time()) + timedelta(minutes=minutes)
        return wall.replace(tzinfo=self.tz).astimezone(UTC)

    def _day_intervals(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        for window in self.windows_on(day):
            start = self._local(day, window.start)
            end_day = day + timedelta(days=window.end // MINUTES_PER_DAY)
            end = self._local(end_day, window.end % MINUTES_PER_DAY)
            if end > start:
                yield start, end

    def open_intervals(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """The open stretches overlapping ``[start, end)``, merged and clipped, in UTC."""
        # In UTC before any arithmetic: Python subtracts two datetimes of the same zone as
        # wall-clock times, which would make a spring-forward day 24 hours long.
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        first = start.astimezone(self.tz).date() - timedelta(days=1)
        last = end.astimezone(self.tz).date()
        raw: list[tuple[datetime, datetime]] = []
        day = first
        while day <= last:
            raw.extend(self._day_intervals(day))
            day += timedelta(days=1)
        return [(max(a, start), min(b, end)) for a, b in _merge(raw) if b > start and a < end]

    def seconds_between(self, start: datetime, end: datetime) -> float:
        if end <= start:
            return 0.0
        return sum((b - a).total_seconds() for a, b in self.open_intervals(start, end))

    def add(self, start: datetime, seconds: float) -> datetime | None:
        """The instant at which ``seconds`` of open time have passed since ``start``.

        None when the calendar has no open time in the next three years.
        """
        remaining = timedelta(seconds=seconds)
        start = start.astimezone(UTC)
        if remaining <= timedelta(0):
            return start
        day = start.astimezone(self.tz).date() - timedelta(days=1)
        cursor = start
        # A week at a time, so that an interval crossing a day boundary is seen merged.
        for _ in range(SEARCH_DAYS // 7 + 1):
            horizon = self._local(day + timedelta(days=8), 0)
            for a, b in self.open_intervals(cursor, horizon):
                if b - a >= remaining:
                    return a + remaining
                remaining -= b - a
            cursor = max(cursor, horizon)
            day += timedelta(days=7)
        return None

    def is_open(self, moment: datetime) -> bool:
        return bool(self.open_intervals(moment, moment + timedelta(microseconds=1)))


def _merge(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for a, b in sorted(intervals):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


ALWAYS_OPEN = WallClock()
