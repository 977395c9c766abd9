"""Reporting periods written as ``2026``, ``2026-Q3`` or ``2026-07``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from rapport.core import ValidationFailed
from rapport.plugins.banking.error_codes import BankingErrorCode

__all__ = ["Period", "parse_period"]

_PATTERN = re.compile(r"^(\d{4})(?:-(Q[1-4]|\d{2}))?$")


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    # Exclusive.
    end: date


def _month_start(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def parse_period(label: str, field: str = "period") -> Period:
    found = _PATTERN.match(label.strip().upper())
    if found is None:
        raise ValidationFailed.one(
            field, "a period is YYYY, YYYY-Qn or YYYY-MM", BankingErrorCode.PERIOD_INVALID
        )
    year, part = int(found.group(1)), found.group(2)
    if part is None:
        return Period(f"{year}", date(year, 1, 1), date(year + 1, 1, 1))
    if part.startswith("Q"):
        quarter = int(part[1])
        first = 3 * (quarter - 1) + 1
        return Period(f"{year}-Q{quarter}", date(year, first, 1), _month_start(year, first + 3))
    month = int(part)
    if not 1 <= month <= 12:
        raise ValidationFailed.one(field, "a month is 01 to 12")
    return Period(f"{year}-{month:02d}", date(year, month, 1), _month_start(year, month + 1))
