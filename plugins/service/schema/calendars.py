"""Business calendars in GraphQL: weekly hours, holidays and exceptions."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay

from rapport.plugins.service.models import BusinessCalendar as CalendarRow
from rapport.plugins.service.models import CalendarDay as CalendarDayRow
from rapport.plugins.service.schema.common import MANAGE, READ, DeclaredRow
from rapport.plugins.service.services import calendars as service
from rapport.schema import (
    JSON,
    Connection,
    Filterable,
    Info,
    ModelNode,
    OrderDirection,
    StringFilter,
    ToMany,
    UserError,
    columns,
    connection,
    filter_input,
    filtered_listing,
    list_order,
    mutate,
    order_input,
    read_many,
    reads,
    row_id_of,
    to_service_fields,
)

__all__ = ["BusinessCalendar", "CalendarMutations", "CalendarQueries"]


@strawberry.enum
class Weekday(Enum):
    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"


@strawberry.type(description="A holiday (no windows) or a day with other hours, or a range.")
class CalendarDay(DeclaredRow):
    __model__ = CalendarDayRow
    __permission__ = READ
    __columns__ = columns("first_day", "last_day", "windows", "name", id="id")

    id: strawberry.ID
    first_day: date
    last_day: date
    windows: JSON = strawberry.field(description='[["10:00", "14:00"]]; empty: closed.')
    name: str | None
    row: strawberry.Private[CalendarDayRow]


CALENDAR_DAYS = ToMany(
    target=lambda: CalendarDay,
    link=lambda scope: scope.row.calendar_id == scope.parent_row.id,
    order=lambda scope: list_order(scope.row, None, [("first_day", OrderDirection.ASC)]),
)


@strawberry.type(description="When business time counts, in an IANA time zone.")
class BusinessCalendar(ModelNode):
    __model__ = CalendarRow
    __permission__ = READ
    __columns__ = columns(
        "name",
        "time_zone",
        "weekly_hours",
        "holiday_country",
        "holiday_subdivision",
        "is_default",
    )

    id: relay.NodeID[str]
    name: str
    time_zone: str
    weekly_hours: JSON = strawberry.field(
        description='Windows per weekday, Monday "0": {"0": [["09:00", "17:00"]]}.'
    )
    holiday_country: str | None = strawberry.field(description="Public holidays of this country.")
    holiday_subdivision: str | None
    is_default: bool
    row: strawberry.Private[CalendarRow]

    @strawberry.field(metadata=reads(CALENDAR_DAYS), description="Own holidays and exceptions.")
    async def days(self, info: Info) -> list[CalendarDay]:
        return await read_many(info, CALENDAR_DAYS, self)


CALENDAR_FILTERS = {"name": Filterable(StringFilter, CalendarRow.name)}


@filter_input(CALENDAR_FILTERS, description="Conditions on calendars.")
class BusinessCalendarFilter: ...


@order_input({"NAME": "name"})
class BusinessCalendarOrder: ...


CALENDARS = filtered_listing(
    lambda: BusinessCalendar, CALENDAR_FILTERS, [("name", OrderDirection.ASC)]
)


@strawberry.input(description='A window: "09:00" to "17:00"; an end before the start: next day.')
class WeeklyWindowInput:
    day: Weekday
    start: str
    end: str


@strawberry.input(
    description="The fields to change: a field left out is kept, an explicit null clears it "
    "(refused for `name`, `timeZone`, `weeklyHours` and `isDefault`; a null `holidayCountry` "
    "also clears the subdivision)."
)
class UpdateBusinessCalendarInput:
    name: str | None = strawberry.UNSET
    time_zone: str | None = strawberry.UNSET
    weekly_hours: list[WeeklyWindowInput] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces every window; a day not listed is closed."
    )
    holiday_country: str | None = strawberry.UNSET
    holiday_subdivision: str | None = strawberry.UNSET
    is_default: bool | None = strawberry.UNSET

    def to_fields(self) -> service.CalendarFields:
        fields = to_service_fields(self, service.CalendarFields)
        if self.weekly_hours:
            weekly: dict[str, list[tuple[str, str]]] = {}
            for window in self.weekly_hours:
                weekly.setdefault(window.day.value, []).append((window.start, window.end))
            fields.weekly_hours = weekly
        elif self.weekly_hours == []:
            fields.weekly_hours = {}
        return fields


@strawberry.input(description="A new calendar: its name and time zone.")
class CreateBusinessCalendarInput(UpdateBusinessCalendarInput):
    name: str
    time_zone: str


@strawberry.input
class TimeWindowInput:
    start: str
    end: str


@strawberry.input
class CalendarDayInput:
    first_day: date
    last_day: date | None = None
    windows: list[TimeWindowInput] = strawberry.field(
        default_factory=list, description="Other hours that day; none: closed."
    )
    name: str | None = None


@strawberry.type
class BusinessCalendarPayload:
    calendar: BusinessCalendar | None
    errors: list[UserError]


def _payload(result: tuple[Any, list[UserError]]) -> BusinessCalendarPayload:
    row, errors = result
    return BusinessCalendarPayload(
        calendar=BusinessCalendar.from_model(row) if row else None, errors=errors
    )


@strawberry.type
class CalendarQueries:
    business_calendars: Connection[BusinessCalendar] = connection(
        CALENDARS, filter=BusinessCalendarFilter, order=BusinessCalendarOrder
    )


@strawberry.type
class CalendarMutations:
    @strawberry.mutation(description="A calendar; timers on it are recomputed when it changes.")
    async def create_business_calendar(
        self, info: Info, input: CreateBusinessCalendarInput
    ) -> BusinessCalendarPayload:
        async def work(op: Any) -> CalendarRow:
            return await service.create_calendar(op, input.to_fields())

        return _payload(await mutate(info, MANAGE, work))

    @strawberry.mutation(description="Change a calendar: open cases' timers are recomputed.")
    async def update_business_calendar(
        self, info: Info, id: relay.GlobalID, input: UpdateBusinessCalendarInput
    ) -> BusinessCalendarPayload:
        async def work(op: Any) -> CalendarRow:
            return await service.update_calendar(
                op, row_id_of(id, "BusinessCalendar", "id"), input.to_fields()
            )

        return _payload(await mutate(info, MANAGE, work))

    @strawberry.mutation(description="Add a holiday, a range of them, or a day with other hours.")
    async def add_calendar_day(
        self, info: Info, calendar_id: relay.GlobalID, input: CalendarDayInput
    ) -> BusinessCalendarPayload:
        async def work(op: Any) -> CalendarRow:
            row_id = row_id_of(calendar_id, "BusinessCalendar", "calendarId")
            await service.add_calendar_day(
                op,
                row_id,
                service.DayFields(
                    first_day=input.first_day,
                    last_day=input.last_day,
                    windows=[(w.start, w.end) for w in input.windows],
                    name=input.name,
                ),
            )
            return await service.get_row(op, CalendarRow, row_id, "calendarId", "calendar")

        return _payload(await mutate(info, MANAGE, work))

    @strawberry.mutation(description="Remove a holiday or an exception (by its id in `days`).")
    async def remove_calendar_day(self, info: Info, id: strawberry.ID) -> BusinessCalendarPayload:
        async def work(op: Any) -> CalendarRow:
            day = await service.remove_calendar_day(op, service.parse_uuid(str(id), "id"))
            return await service.get_row(op, CalendarRow, day.calendar_id, "id", "calendar")

        return _payload(await mutate(info, MANAGE, work))
