"""Recurrence rules for periodic tasks: a small, strict subset of iCalendar RRULE.

``FREQ=DAILY|WEEKLY|MONTHLY|YEARLY`` with an optional ``INTERVAL=n`` (default 1) and
``COUNT=n`` (occurrences in all). Months step by calendar month, keeping the day where it exists
(31 Jan + 1 month = 28/29 Feb), which is what "call every quarter" means to a person.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["Recurrence", "parse_recurrence"]

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")


@dataclass(frozen=True)
class Recurrence:
    frequency: str
    interval: int = 1
    count: int | None = None

    def next_after(self, moment: datetime) -> datetime:
        if self.frequency == "DAILY":
            return moment + timedelta(days=self.interval)
        if self.frequency == "WEEKLY":
            return moment + timedelta(weeks=self.interval)
        months = self.interval * (12 if self.frequency == "YEARLY" else 1)
        month_index = moment.month - 1 + months
        year, month = moment.year + month_index // 12, month_index % 12 + 1
        day = min(moment.day, calendar.monthrange(year, month)[1])
        return moment.replace(year=year, month=month, day=day)

    def as_rule(self) -> str:
        parts = [f"FREQ={self.frequency}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        return ";".join(parts)


def parse_recurrence(rule: str) -> Recurrence:
    """Parse a rule; ValueError with the reason when it is not one we support."""
    values: dict[str, str] = {}
    for part in rule.strip().upper().split(";"):
        key, sep, value = part.partition("=")
        if not sep or not value:
            raise ValueError(f"{part!r} is not KEY=VALUE")
        if key not in ("FREQ", "INTERVAL", "COUNT"):
            raise ValueError(f"{key} is not supported (FREQ, INTERVAL, COUNT are)")
        values[key] = value
    frequency = values.get("FREQ")
    if frequency not in FREQUENCIES:
        raise ValueError(f"FREQ must be one of {', '.join(FREQUENCIES)}")
    try:
        interval = int(values.get("INTERVAL", "1"))
        count = int(values["COUNT"]) if "COUNT" in values else None
    except ValueError as exc:
        raise ValueError("INTERVAL and COUNT are whole numbers") from exc
    if not 1 <= interval <= 1000:
        raise ValueError("INTERVAL must be between 1 and 1000")
    if count is not None and count < 1:
        raise ValueError("COUNT must be at least 1")
    return Recurrence(frequency, interval, count)
