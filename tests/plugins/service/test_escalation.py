"""Escalation by the worker: on a warning, a breach or no update; levels one after another;
idempotent; every action on the case's history and as an event."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from rapport.core import Actor, JobContext, Operation
from rapport.core.auth import find_workspace
from rapport.core.runtime import Runtime
from rapport.core.tenancy import tenant_session, unscoped_session
from rapport.plugins.service import run_escalations
from rapport.plugins.service.services.escalation import escalate_due_cases
from tests.conftest import Client
from tests.plugins.service.helpers import (
    ALL_WEEK,
    ERRORS,
    calendar,
    customer,
    entry,
    me,
    ok,
    open_case,
    policy,
    row_id,
    target,
)

RULE = (
    "mutation($i: CreateEscalationRuleInput!) { createEscalationRule(input: $i) { rule { id level } "
    + ERRORS
    + " } }"
)
CASE = "query($id: ID!) { node(id: $id) { ... on Case { priority assigneeId watchers { userId } activities { action detail } timers { metric state warningAt } } } }"


async def _lead(client: Client, runtime: Runtime) -> str:
    lead = await client.as_role(runtime, "member", email=f"lead-{uuid.uuid4().hex[:6]}@example.com")
    return await me(lead)


async def _operation(client: Client, runtime: Runtime) -> tuple[Actor, Any]:
    async with unscoped_session(runtime.sessions) as session:
        workspace = await find_workspace(session, client.workspace)
    assert workspace is not None
    user = row_id(await me(client))
    actor = Actor(workspace.id, user, "admin", runtime.roles.permissions_of("admin"))
    return actor, workspace


async def _escalate(client: Client, runtime: Runtime, now: datetime) -> int:
    actor, workspace = await _operation(client, runtime)
    async with tenant_session(runtime.sessions, workspace.id) as session:
        op = Operation(session, actor, runtime.host)
        async with op.transaction():
            return await escalate_due_cases(op, now)


async def _story(client: Client, runtime: Runtime, hours_ago: float) -> tuple[str, str, datetime]:
    calendar_id = await calendar(client, "Always", hours=ALL_WEEK)
    await policy(client, "Standard", 1, [target("RESOLUTION", 8 * 60)], calendar_id=calendar_id)
    lead = await _lead(client, runtime)
    for rule in (
        {
            "name": "Warn: to the lead",
            "trigger": "WARNING",
            "metric": "RESOLUTION",
            "action": "REASSIGN",
            "userId": lead,
            "team": "Leads",
        },
        {
            "name": "Warn: tell the manager",
            "trigger": "WARNING",
            "level": 2,
            "action": "NOTIFY",
            "userId": lead,
        },
        {
            "name": "Breach: raise",
            "trigger": "BREACH",
            "metric": "RESOLUTION",
            "action": "RAISE_PRIORITY",
        },
    ):
        await ok(client, RULE, {"i": rule})
    acme = await customer(client)
    opened = datetime.now(UTC) - timedelta(hours=hours_ago)
    case = await open_case(client, acme, openedAt=opened.isoformat())
    return case["id"], lead, opened


async def test_the_worker_escalates_near_the_target_once(client: Client, runtime: Runtime) -> None:
    # Seven hours into an eight-hour target: past the 80 % warning, not yet breached.
    case_id, lead, _opened = await _story(client, runtime, 7)
    assert await run_escalations(JobContext(runtime)) >= 2
    seen = (await client.query(CASE, {"id": case_id}))["node"]
    assert seen["assigneeId"] == lead
    escalations = [a["detail"] for a in seen["activities"] if a["action"] == "escalated"]
    assert sorted((e["level"], e["action"]) for e in escalations) == [
        (1, "REASSIGN"),
        (2, "NOTIFY"),
    ]
    assert seen["priority"] == "NORMAL"
    # Again: nothing new.
    await run_escalations(JobContext(runtime))
    again = (await client.query(CASE, {"id": case_id}))["node"]
    assert len([a for a in again["activities"] if a["action"] == "escalated"]) == 2


async def test_a_breach_raises_priority_and_a_reply_is_never_escalated(
    client: Client, runtime: Runtime
) -> None:
    case_id, _lead_id, opened = await _story(client, runtime, 1)
    # An hour in: nothing is due.
    assert await _escalate(client, runtime, datetime.now(UTC)) == 0
    # Nine hours in, as the worker will see it: warning rules and the breach rule fire.
    later = opened + timedelta(hours=9)
    assert await _escalate(client, runtime, later) == 3
    seen = (await client.query(CASE, {"id": case_id}))["node"]
    assert seen["priority"] == "HIGH"
    assert await _escalate(client, runtime, later + timedelta(minutes=5)) == 0


async def test_no_update_rule_adds_a_watcher_and_a_reply_resets_it(
    client: Client, runtime: Runtime
) -> None:
    calendar_id = await calendar(client, "Always", hours=ALL_WEEK)
    await policy(
        client, "Standard", 1, [target("RESOLUTION", 10 * 24 * 60)], calendar_id=calendar_id
    )
    lead = await _lead(client, runtime)
    await ok(
        client,
        RULE,
        {
            "i": {
                "name": "Idle",
                "trigger": "NO_UPDATE",
                "idleMinutes": 120,
                "action": "ADD_WATCHER",
                "userId": lead,
            }
        },
    )
    acme = await customer(client)
    opened = datetime.now(UTC) - timedelta(hours=1)
    case = await open_case(client, acme, openedAt=opened.isoformat())
    assert await _escalate(client, runtime, opened + timedelta(minutes=90)) == 0
    assert await _escalate(client, runtime, opened + timedelta(hours=3)) == 1
    assert await _escalate(client, runtime, opened + timedelta(hours=4)) == 0
    seen = (await client.query(CASE, {"id": case["id"]}))["node"]
    assert seen["watchers"] == [{"userId": lead}]
    # A reply is an update: the next idle stretch counts from it and fires anew.
    await entry(client, case["id"], "PUBLIC_REPLY")
    assert await _escalate(client, runtime, datetime.now(UTC) + timedelta(minutes=30)) == 0
    assert await _escalate(client, runtime, datetime.now(UTC) + timedelta(hours=3)) == 1


async def test_rules_are_validated(client: Client) -> None:
    result = (
        await client.query(RULE, {"i": {"name": "x", "trigger": "NO_UPDATE", "action": "REASSIGN"}})
    )["createEscalationRule"]
    assert {e["field"] for e in result["errors"]} == {"input.idleMinutes", "input.userId"}


async def test_two_workers_at_once_fire_each_rule_once(client: Client, runtime: Runtime) -> None:
    import asyncio

    case_id, _lead_id, opened = await _story(client, runtime, 1)
    later = opened + timedelta(hours=9)
    fired = await asyncio.gather(
        _escalate(client, runtime, later), _escalate(client, runtime, later)
    )
    # Three rules in all (two warning levels and the breach), whichever worker fired them.
    assert sum(fired) == 3
    seen = (await client.query(CASE, {"id": case_id}))["node"]
    assert len([a for a in seen["activities"] if a["action"] == "escalated"]) == 3


async def test_the_first_reply_takes_the_first_response_timer_out_of_escalation(
    client: Client, runtime: Runtime
) -> None:
    calendar_id = await calendar(client, "Always", hours=ALL_WEEK)
    await policy(client, "Quick", 1, [target("FIRST_RESPONSE", 60)], calendar_id=calendar_id)
    lead = await _lead(client, runtime)
    await ok(
        client,
        RULE,
        {
            "i": {
                "name": "Answer now",
                "trigger": "WARNING",
                "metric": "FIRST_RESPONSE",
                "action": "NOTIFY",
                "userId": lead,
            }
        },
    )
    acme = await customer(client)
    opened = datetime.now(UTC) - timedelta(minutes=50)
    case = await open_case(client, acme, openedAt=opened.isoformat())
    # The warning (48 minutes) has passed, but the agent answers before the worker runs.
    replied = await entry(client, case["id"], "PUBLIC_REPLY")
    assert replied["case"]["timers"][0]["state"] == "MET"
    assert await _escalate(client, runtime, datetime.now(UTC) + timedelta(hours=2)) == 0
