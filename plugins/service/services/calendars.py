"""Business calendars: weekly hours in a zone, public and own holidays, exceptions.

Editing a calendar recomputes the timers of the cases that count on it, from their history:
the answer after an edit is the one a person computes with the edited calendar.
"""

from __future__ import annotations

import uuid
from collections.abc import Container
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from sqlalchemy import select, update

from rapport.core import FieldValues, Operation
from rapport.plugins.service import business_time
from rapport.plugins.service.error_codes import ServiceErrorCode
from rapport.plugins.service.models import BusinessCalendar, CalendarDay
from rapport.plugins.service.services.common import Problems, get_row, parse_uuid

__all__ = [
    "CalendarFields",
    "DayFields",
    "add_calendar_day",
    "clock_of",
    "create_calendar",
    "default_calendar",
    "get_row",
    "parse_uuid",
    "remove_calendar_day",
    "update_calendar",
]

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
# A range of own holidays longer than this is a typing mistake, not a closure.
MAX_RANGE_DAYS = 366


@dataclass
class CalendarFields(FieldValues):
    name: str | None = None
    time_zone: str | None = None
    # weekday name -> [(start, end), ...] as "HH:MM"; an end at or before the start: next day.
    weekly_hours: dict[str, list[tuple[str, str]]] | None = None
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    is_default: bool | None = None


@dataclass
class DayFields:
    first_day: date
    last_day: date | None = None
    windows: list[tuple[str, str]] = field(default_factory=list)
    name: str | None = None


@lru_cache(maxsize=1)
def _countries() -> dict[str, list[str]]:
    return {
        code: list(subdivisions)
        for code, subdivisions in holidays.list_supported_countries().items()
    }


def _windows(problems: Problems, path: str, pairs: list[tuple[str, str]]) -> list[list[str]]:
    stored = []
    for index, (start, end) in enumerate(pairs):
        try:
            business_time.Window.between(start, end)
        except ValueError as exc:
            problems.add(f"{path}[{index}]", str(exc))
            continue
        stored.append([start, end])
    return stored


def _check(problems: Problems, data: CalendarFields) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if data.name is not None:
        problems.required("name", data.name)
        problems.length("name", data.name, 100)
        values["name"] = data.name.strip()
    if data.time_zone is not None:
        try:
            ZoneInfo(data.time_zone)
            values["time_zone"] = data.time_zone
        except (ZoneInfoNotFoundError, ValueError):
            problems.add(
                "timeZone",
                "not an IANA time zone (such as Europe/Paris)",
                ServiceErrorCode.UNKNOWN_TIME_ZONE,
            )
    if data.weekly_hours is not None:
        weekly: dict[str, list[list[str]]] = {}
        for day_name, pairs in data.weekly_hours.items():
            if day_name not in WEEKDAYS:
                problems.add("weeklyHours", f"{day_name} is not a weekday")
                continue
            weekly[str(WEEKDAYS.index(day_name))] = _windows(
                problems, f"weeklyHours.{day_name.lower()}", pairs
            )
        values["weekly_hours"] = weekly
    if data.holiday_country is not None:
        subdivisions = _countries().get(data.holiday_country.upper())
        if subdivisions is None:
            problems.add(
                "holidayCountry",
                "no public holidays known for this country code",
                ServiceErrorCode.UNKNOWN_HOLIDAY_COUNTRY,
            )
        elif data.holiday_subdivision is not None and data.holiday_subdivision not in subdivisions:
            problems.add("holidaySubdivision", f"not a subdivision of {data.holiday_country}")
        values["holiday_country"] = data.holiday_country.upper()
        values["holiday_subdivision"] = data.holiday_subdivision
    if data.is_default is not None:
        values["is_default"] = data.is_default
    return values


async def _name_taken(op: Operation, name: str, other_than: uuid.UUID | None) -> bool:
    statement = select(BusinessCalendar.id).where(BusinessCalendar.name == name)
    if other_than is not None:
        statement = statement.where(BusinessCalendar.id != other_than)
    return (await op.session.execute(statement)).first() is not None


async def create_calendar(op: Operation, data: CalendarFields) -> BusinessCalendar:
    problems = Problems()
    problems.required("name", data.name)
    problems.required("timeZone", data.time_zone)
    values = _check(problems, data)
    if "name" in values and await _name_taken(op, values["name"], None):
        problems.add("name", "a calendar already has this name", ServiceErrorCode.NAME_TAKEN)
    problems.raise_if_any()
    values.setdefault("weekly_hours", {})
    if values.get("is_default"):
        await _clear_default(op)
    calendar = BusinessCalendar(workspace_id=op.workspace_id, **values)
    op.session.add(calendar)
    await op.session.flush()
    op.audit("BusinessCalendar", calendar.id, "create", {k: [None, v] for k, v in values.items()})
    return calendar


async def update_calendar(
    op: Operation, calendar_id: uuid.UUID, data: CalendarFields
) -> BusinessCalendar:
    calendar = await get_row(op, BusinessCalendar, calendar_id, "id", "calendar")
    patch = data.patch(BusinessCalendar)
    problems = Problems()
    values = _check(problems, data) | {name: None for name in data.cleared if name in patch}
    if "holiday_country" in data.cleared:
        # A subdivision means nothing without its country.
        values["holiday_subdivision"] = None
    if "name" in values and await _name_taken(op, values["name"], calendar.id):
        problems.add("name", "a calendar already has this name", ServiceErrorCode.NAME_TAKEN)
    problems.raise_if_any()
    if values.get("is_default"):
        await _clear_default(op)
    changes = {}
    for key, value in values.items():
        if getattr(calendar, key) != value:
            changes[key] = [getattr(calendar, key), value]
            setattr(calendar, key, value)
    await op.session.flush()
    if changes:
        op.audit("BusinessCalendar", calendar.id, "update", changes)
        await _recompute_after_edit(op, calendar.id)
    return calendar


async def _clear_default(op: Operation) -> None:
    await op.session.execute(
        update(BusinessCalendar).where(BusinessCalendar.is_default).values(is_default=False)
    )


async def add_calendar_day(op: Operation, calendar_id: uuid.UUID, data: DayFields) -> CalendarDay:
    await get_row(op, BusinessCalendar, calendar_id, "calendarId", "calendar")
    problems = Problems()
    last = data.last_day or data.first_day
    if last < data.first_day:
        problems.add("lastDay", "comes before the first day")
    elif (last - data.first_day).days >= MAX_RANGE_DAYS:
        problems.add("lastDay", f"a range covers at most {MAX_RANGE_DAYS} days")
    windows = _windows(problems, "windows", data.windows)
    problems.length("name", data.name, 100)
    problems.raise_if_any()
    day = CalendarDay(
        workspace_id=op.workspace_id,
        calendar_id=calendar_id,
        first_day=data.first_day,
        last_day=last,
        windows=windows,
        name=data.name,
    )
    op.session.add(day)
    await op.session.flush()
    op.audit(
        "BusinessCalendar",
        calendar_id,
        "add_day",
        {"day": [None, f"{data.first_day}..{last}"], "windows": [None, windows]},
    )
    await _recompute_after_edit(op, calendar_id)
    return day


async def remove_calendar_day(op: Operation, day_id: uuid.UUID) -> CalendarDay:
    day = await get_row(op, CalendarDay, day_id, "id", "calendar day")
    await op.session.delete(day)
    await op.session.flush()
    op.audit(
        "BusinessCalendar",
        day.calendar_id,
        "remove_day",
        {"day": [f"{day.first_day}..{day.last_day}", None]},
    )
    await _recompute_after_edit(op, day.calendar_id)
    return day


async def default_calendar(op: Operation) -> BusinessCalendar | None:
    found = await op.session.execute(
        select(BusinessCalendar).where(BusinessCalendar.is_default).limit(1)
    )
    return found.scalar_one_or_none()


class _Closed:
    """The dates a calendar is closed: the country's public holidays and its own ones."""

    def __init__(self, public: Container[date] | None, own: frozenset[date]) -> None:
        self.public, self.own = public, own

    def __contains__(self, day: object) -> bool:
        return day in self.own or (self.public is not None and day in self.public)


async def clock_of(op: Operation, calendar: BusinessCalendar) -> business_time.BusinessCalendar:
    """The arithmetic form of a stored calendar."""
    days = (
        (
            await op.session.execute(
                select(CalendarDay).where(CalendarDay.calendar_id == calendar.id)
            )
        )
        .scalars()
        .all()
    )
    own: set[date] = set()
    exceptions: dict[date, tuple[business_time.Window, ...]] = {}
    for row in days:
        windows = tuple(business_time.Window.between(a, b) for a, b in row.windows)
        day = row.first_day
        while day <= row.last_day:
            if windows:
                exceptions[day] = windows
            else:
                own.add(day)
            day += timedelta(days=1)
    public = (
        holidays.country_holidays(calendar.holiday_country, subdiv=calendar.holiday_subdivision)
        if calendar.holiday_country
        else None
    )
    weekly = {
        int(day): tuple(business_time.Window.between(a, b) for a, b in pairs)
        for day, pairs in calendar.weekly_hours.items()
    }
    return business_time.BusinessCalendar(
        calendar.time_zone, weekly, closed=_Closed(public, frozenset(own)), exceptions=exceptions
    )


async def _recompute_after_edit(op: Operation, calendar_id: uuid.UUID) -> None:
    from rapport.plugins.service.services.timers import recompute_for_calendar

    await recompute_for_calendar(op, calendar_id)
