"""Ages and age bands, in Python and in SQL, with the same birthday rule in both."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, case

from rapport.core.sql import age_on

__all__ = ["AGE_BANDS", "age_band_of", "age_band_sql", "age_of"]

# (key, lowest age, highest age); None is open-ended.
AGE_BANDS: tuple[tuple[str, int | None, int | None], ...] = (
    ("under_18", None, 17),
    ("18_24", 18, 24),
    ("25_34", 25, 34),
    ("35_44", 35, 44),
    ("45_54", 45, 54),
    ("55_64", 55, 64),
    ("65_plus", 65, None),
)


def ages_today() -> date:
    """The day ages are counted to: UTC, like every stored timestamp."""
    return datetime.now(UTC).date()


def age_of(birth_date: date, today: date) -> int:
    """Whole years; someone born on 29 February turns a year older on 1 March in common years."""
    ahead = (birth_date.month, birth_date.day) > (today.month, today.day)
    return today.year - birth_date.year - int(ahead)


def age_band_of(age: int) -> str:
    for key, low, high in AGE_BANDS:
        if (low is None or age >= low) and (high is None or age <= high):
            return key
    raise AssertionError("the bands cover every age")


def age_band_sql(birth_date: Any, today: date) -> ColumnElement[str | None]:
    """The band key of ``birth_date`` on ``today`` (NULL without a birth date)."""
    age = age_on(birth_date, today)
    whens = [(age <= high, key) for key, _low, high in AGE_BANDS if high is not None]
    return case((birth_date.is_(None), None), *whens, else_=AGE_BANDS[-1][0])
