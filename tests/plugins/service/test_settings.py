"""Calendars, policies and statuses: validation, first match by position, and the events a
case's life emits for webhooks and other plugins."""

from __future__ import annotations

import types
from collections.abc import AsyncIterator

import httpx
import pytest

from rapport.core import DomainEvent, PluginInfo, hookimpl
from rapport.core.app import create_app
from rapport.core.runtime import Runtime
from rapport.plugins.service.events import CaseOpened, SurveySent
from tests.conftest import Client, new_workspace_client
from tests.plugins.service.helpers import (
    ERRORS,
    calendar,
    customer,
    entry,
    moved,
    open_case,
    policy,
    target,
)

CALENDAR = (
    "mutation($i: CreateBusinessCalendarInput!) { createBusinessCalendar(input: $i) { calendar { id } "
    + ERRORS
    + " } }"
)
POLICY = (
    "mutation($i: CreateSlaPolicyInput!) { createSlaPolicy(input: $i) { policy { id } "
    + ERRORS
    + " } }"
)
STATUS = (
    "mutation($n: String!, $c: StatusCategory!) { createCaseStatus(name: $n, category: $c) { status { id name category } "
    + ERRORS
    + " } }"
)


async def test_calendar_inputs_are_checked(client: Client) -> None:
    bad = await client.query(
        CALENDAR,
        {
            "i": {
                "name": "X",
                "timeZone": "Mars/Olympus",
                "holidayCountry": "ZZ",
                "weeklyHours": [{"day": "MONDAY", "start": "25:00", "end": "10:00"}],
            }
        },
    )
    fields = {e["field"] for e in bad["createBusinessCalendar"]["errors"]}
    assert fields == {"input.timeZone", "input.holidayCountry", "input.weeklyHours.monday[0]"}
    await calendar(client, "Office")
    taken = await client.query(CALENDAR, {"i": {"name": "Office", "timeZone": "UTC"}})
    assert taken["createBusinessCalendar"]["errors"][0]["field"] == "input.name"


async def test_policy_inputs_are_checked(client: Client) -> None:
    bad = await client.query(
        POLICY,
        {
            "i": {
                "name": "P",
                "position": 1,
                "targets": [
                    {"metric": "RESOLUTION", "minutes": 0, "pauseOn": ["RESOLVED"]},
                    {"metric": "RESOLUTION", "minutes": 60, "warningPercent": 120},
                ],
            }
        },
    )
    fields = {e["field"] for e in bad["createSlaPolicy"]["errors"]}
    assert fields == {
        "input.targets[0].minutes",
        "input.targets[0].pauseOn",
        "input.targets[1].metric",
        "input.targets[1].warningPercent",
    }


async def test_first_matching_policy_by_position(client: Client) -> None:
    await calendar(client)
    general = await policy(client, "General", 5, [target("RESOLUTION", 600)])
    vip = await policy(
        client, "VIP", 1, [target("RESOLUTION", 60)], conditions={"segments": ["vip"]}
    )
    chat = await policy(
        client, "Chat", 2, [target("RESOLUTION", 120)], conditions={"channels": ["CHAT"]}
    )
    plain = await customer(client, "Plain")
    star = await customer(client, "Star", tags=["vip"])
    assert (await open_case(client, plain))["policyId"] == general
    assert (await open_case(client, plain, channel="CHAT"))["policyId"] == chat
    # Both VIP and Chat match: the lower position wins.
    assert (await open_case(client, star, channel="CHAT"))["policyId"] == vip


async def test_workspace_statuses_map_to_fixed_categories(client: Client) -> None:
    created = (await client.query(STATUS, {"n": "Awaiting parts", "c": "WAITING_ON_THIRD_PARTY"}))[
        "createCaseStatus"
    ]
    assert created["errors"] == []
    acme = await customer(client)
    case = await open_case(client, acme)
    await moved(client, "startCase", case["id"])
    moved_case = await client.query(
        "mutation($id: ID!, $s: ID!) { moveCase(id: $id, statusId: $s) { case { statusCategory status { name } } "
        + ERRORS
        + " } }",
        {"id": case["id"], "s": created["status"]["id"]},
    )
    assert moved_case["moveCase"]["case"] == {
        "statusCategory": "WAITING_ON_THIRD_PARTY",
        "status": {"name": "Awaiting parts"},
    }
    dup = await client.query(STATUS, {"n": "Awaiting parts", "c": "IN_PROGRESS"})
    assert dup["createCaseStatus"]["errors"][0]["field"] == "input.name"


def listener(seen: list[DomainEvent]) -> types.ModuleType:
    module = types.ModuleType("service_event_listener")
    module.plugin_info = PluginInfo(name="service-listener", version="1")  # type: ignore[attr-defined]

    @hookimpl
    def after_commit(event: DomainEvent) -> None:
        seen.append(event)

    module.after_commit = after_commit  # type: ignore[attr-defined]
    return module


@pytest.fixture
async def watched(runtime: Runtime) -> AsyncIterator[tuple[Client, list[DomainEvent]]]:
    seen: list[DomainEvent] = []
    own = Runtime.create(runtime.settings, extra_plugins=[listener(seen)])
    app = create_app(runtime.settings, runtime=own)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        yield await new_workspace_client(own, http), seen
    await own.dispose()


async def test_a_cases_life_is_told_in_events(watched: tuple[Client, list[DomainEvent]]) -> None:
    client, seen = watched
    acme = await customer(client)
    case = await open_case(client, acme)
    await entry(client, case["id"], "PUBLIC_REPLY")
    await moved(client, "startCase", case["id"])
    await moved(client, "resolveCase", case["id"])
    names = [event.name for event in seen]
    for name in (
        "case.opened",
        "interaction.logged",
        "case.replied",
        "case.status_changed",
        "case.resolved",
        "survey.sent",
    ):
        assert name in names, name
    opened = next(event.payload for event in seen if event.name == "case.opened")
    assert isinstance(opened, CaseOpened)
    assert (opened.kind, opened.channel, opened.policy_id) == ("REQUEST", "PHONE", None)
    offered = next(event.payload for event in seen if event.name == "survey.sent")
    assert isinstance(offered, SurveySent)
    assert len(offered.token) > 30
    assert (offered.case_id, offered.customer_id) == (opened.id, opened.customer_id)
    # A refused move emits nothing.
    before = len(seen)
    await client.query(
        "mutation($id: ID!) { rejectCase(id: $id) { errors { code } } }", {"id": case["id"]}
    )
    assert len(seen) == before


async def test_only_managers_change_calendars_policies_and_rules(
    client: Client, runtime: Runtime
) -> None:
    member = await client.as_role(runtime, "member")
    for query, variables in (
        (CALENDAR, {"i": {"name": "M", "timeZone": "UTC"}}),
        (POLICY, {"i": {"name": "M", "position": 1}}),
        (STATUS, {"n": "M", "c": "NEW"}),
    ):
        body = await member.post(query, variables)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # Members work cases all the same.
    acme = await customer(member)
    assert (await open_case(member, acme))["statusCategory"] == "NEW"
