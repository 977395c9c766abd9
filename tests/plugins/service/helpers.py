"""Shared GraphQL snippets and builders for the service tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from strawberry import relay

from tests.conftest import Client

ERRORS = "errors { field code message }"
REASONS = "errors { field code reason message }"
PARIS = ZoneInfo("Europe/Paris")
CASE_FIELDS = """id kind subject statusCategory priority policyId assigneeId team rootCause
resolutionSummary openedAt firstResponseAt resolvedAt closedAt reopenCount inWarranty
duplicateOfId timers { metric state startedAt targetAt warningAt elapsedSeconds pausedSeconds
breachedAt completedAt }"""
OFFICE_HOURS = [
    {"day": day, "start": start, "end": end}
    for day in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")
    for start, end in (("09:00", "12:00"), ("13:00", "17:00"))
]
ALL_WEEK = [
    {"day": day, "start": "00:00", "end": "24:00"}
    for day in ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
]


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> str:
    """An instant given in Paris wall-clock time, as the API's UTC ISO text."""
    moment = datetime(year, month, day, hour, minute, tzinfo=PARIS).astimezone(UTC)
    return moment.isoformat()


def instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).astimezone(UTC)


def row_id(global_id: str) -> uuid.UUID:
    return uuid.UUID(relay.GlobalID.from_id(global_id).node_id)


def payload(data: dict[str, Any]) -> dict[str, Any]:
    return next(iter(data.values()))


async def ok(client: Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    result = payload(await client.query(query, variables))
    assert result["errors"] == [], result["errors"]
    return result


async def errors(
    client: Client, query: str, variables: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    result = payload(await client.query(query, variables))
    assert result["errors"], result
    return list(result["errors"])


async def me(client: Client) -> str:
    return (await client.query("{ viewer { user { id } } }"))["viewer"]["user"]["id"]


async def customer(client: Client, name: str = "Acme", **fields: Any) -> str:
    result = await ok(
        client,
        "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } "
        + ERRORS
        + " } }",
        {"i": {"kind": "ORGANIZATION", "organizationName": name, **fields}},
    )
    return result["customer"]["id"]


async def calendar(
    client: Client,
    name: str = "Office",
    hours: list[dict[str, str]] | None = None,
    country: str | None = None,
    default: bool = True,
) -> str:
    result = await ok(
        client,
        "mutation($i: CreateBusinessCalendarInput!) { createBusinessCalendar(input: $i) { calendar { id } "
        + ERRORS
        + " } }",
        {
            "i": {
                "name": name,
                "timeZone": "Europe/Paris",
                "weeklyHours": OFFICE_HOURS if hours is None else hours,
                "holidayCountry": country,
                "isDefault": default,
            }
        },
    )
    return result["calendar"]["id"]


WAITING = ["WAITING_ON_CUSTOMER", "WAITING_ON_THIRD_PARTY"]


async def policy(
    client: Client,
    name: str,
    position: int,
    targets: list[dict[str, Any]],
    conditions: dict[str, Any] | None = None,
    calendar_id: str | None = None,
) -> str:
    result = await ok(
        client,
        "mutation($i: CreateSlaPolicyInput!) { createSlaPolicy(input: $i) { policy { id } "
        + ERRORS
        + " } }",
        {
            "i": {
                "name": name,
                "position": position,
                "targets": targets,
                "conditions": conditions,
                "calendarId": calendar_id,
            }
        },
    )
    return result["policy"]["id"]


def target(metric: str, minutes: int, **more: Any) -> dict[str, Any]:
    return {"metric": metric, "minutes": minutes, "pauseOn": WAITING, **more}


OPEN = (
    "mutation($i: OpenCaseInput!) { openCase(input: $i) { case { "
    + CASE_FIELDS
    + " } "
    + ERRORS
    + " } }"
)


async def open_case(client: Client, customer_id: str, **fields: Any) -> dict[str, Any]:
    result = await ok(
        client,
        OPEN,
        {"i": {"customerId": customer_id, "subject": "It broke", "channel": "PHONE", **fields}},
    )
    return result["case"]


def move(mutation: str, extra: str = "", errors: str = ERRORS) -> str:
    return (
        f"mutation($id: ID!, $i: CaseMoveInput{extra and ', ' + extra}) {{ {mutation}(id: $id, input: $i"
        + (", duplicateOfId: $original" if "original" in extra else "")
        + ") { case { "
        + CASE_FIELDS
        + " } "
        + errors
        + " } }"
    )


async def moved(client: Client, mutation: str, case_id: str, **details: Any) -> dict[str, Any]:
    result = await ok(client, move(mutation), {"id": case_id, "i": details})
    return result["case"]


def timer(case: dict[str, Any], metric: str) -> dict[str, Any]:
    return next(t for t in case["timers"] if t["metric"] == metric)


REPLY = (
    "mutation($id: ID!, $t: CaseEntryType!, $b: String!, $at: DateTime) { addCaseEntry(caseId: $id, "
    "type: $t, body: $b, at: $at) { case { "
    + CASE_FIELDS
    + " } entry { id kind direction } "
    + ERRORS
    + " } }"
)


async def entry(
    client: Client, case_id: str, kind: str, at: str | None = None, body: str = "..."
) -> dict[str, Any]:
    return await ok(client, REPLY, {"id": case_id, "t": kind, "b": body, "at": at})
