"""Updates of policies, escalation rules and calendars: a field left out is kept, an explicit
null clears a field that may be empty and is refused, naming it, for one the record needs."""

from __future__ import annotations

from tests.conftest import Client
from tests.plugins.service.helpers import REASONS, calendar, me, ok, policy, target
from tests.plugins.updates import cannot_clear, read_node, refused_nulls, update_mutation

POLICY = "id name position active conditions calendarId targets { metric minutes }"
RULE = "id name trigger metric idleMinutes level action userId team active"
CALENDAR = "id name timeZone weeklyHours holidayCountry holidaySubdivision isDefault"


UPDATE_POLICY = update_mutation("updateSlaPolicy", "UpdateSlaPolicyInput", "policy", POLICY)
UPDATE_RULE = update_mutation("updateEscalationRule", "UpdateEscalationRuleInput", "rule", RULE)
UPDATE_CALENDAR = update_mutation(
    "updateBusinessCalendar", "UpdateBusinessCalendarInput", "calendar", CALENDAR
)


async def test_sla_policy_update_keeps_clears_and_refuses(client: Client) -> None:
    office = await calendar(client, "Office")
    policy_id = await policy(
        client,
        "Gold",
        1,
        [target("RESOLUTION", 480)],
        conditions={"priorities": ["HIGH"]},
        calendar_id=office,
    )

    kept = (await ok(client, UPDATE_POLICY, {"id": policy_id, "i": {"position": 2}}))["policy"]
    assert (kept["name"], kept["position"], kept["calendarId"]) == ("Gold", 2, office)
    assert kept["conditions"] == {"priorities": ["HIGH"]}
    assert kept["targets"] == [{"metric": "RESOLUTION", "minutes": 480}]

    cleared = await ok(client, UPDATE_POLICY, {"id": policy_id, "i": {"calendarId": None}})
    assert cleared["policy"]["calendarId"] is None
    assert (await read_node(client, policy_id, "SlaPolicy", POLICY))["calendarId"] is None

    nulls = {"name": None, "position": None, "conditions": None, "targets": None}
    errors = await refused_nulls(client, UPDATE_POLICY, policy_id, "SlaPolicy", POLICY, nulls)
    assert errors == cannot_clear("conditions", "name", "position", "targets")


async def test_escalation_rule_update_keeps_clears_and_refuses(client: Client) -> None:
    lead = await me(client)
    created = await ok(
        client,
        "mutation($i: CreateEscalationRuleInput!) { createEscalationRule(input: $i) { rule { "
        + RULE
        + " } "
        + REASONS
        + " } }",
        {
            "i": {
                "name": "Tell the lead",
                "trigger": "WARNING",
                "metric": "RESOLUTION",
                "action": "NOTIFY",
                "userId": lead,
                "team": "Leads",
            }
        },
    )
    rule_id = created["rule"]["id"]

    kept = (await ok(client, UPDATE_RULE, {"id": rule_id, "i": {"level": 2}}))["rule"]
    assert (kept["level"], kept["team"], kept["userId"], kept["metric"]) == (
        2,
        "Leads",
        lead,
        "RESOLUTION",
    )

    cleared = await ok(client, UPDATE_RULE, {"id": rule_id, "i": {"team": None, "userId": None}})
    assert (cleared["rule"]["team"], cleared["rule"]["userId"]) == (None, None)
    shown = await read_node(client, rule_id, "EscalationRule", RULE)
    assert (shown["team"], shown["userId"], shown["level"]) == (None, None, 2)

    nulls = {"name": None, "trigger": None, "action": None, "metric": None}
    errors = await refused_nulls(client, UPDATE_RULE, rule_id, "EscalationRule", RULE, nulls)
    assert errors == cannot_clear("action", "name", "trigger")


async def test_calendar_update_keeps_clears_and_refuses(client: Client) -> None:
    calendar_id = await calendar(client, "Office", country="DE")
    await ok(
        client,
        UPDATE_CALENDAR,
        {"id": calendar_id, "i": {"holidayCountry": "DE", "holidaySubdivision": "BY"}},
    )

    kept = await ok(client, UPDATE_CALENDAR, {"id": calendar_id, "i": {"name": "Munich"}})
    shown = kept["calendar"]
    assert (shown["name"], shown["timeZone"], shown["holidayCountry"]) == (
        "Munich",
        "Europe/Paris",
        "DE",
    )
    assert shown["holidaySubdivision"] == "BY"
    assert shown["weeklyHours"]["0"] == [["09:00", "12:00"], ["13:00", "17:00"]]

    cleared = await ok(client, UPDATE_CALENDAR, {"id": calendar_id, "i": {"holidayCountry": None}})
    assert cleared["calendar"]["holidayCountry"] is None
    assert cleared["calendar"]["holidaySubdivision"] is None
    assert (await read_node(client, calendar_id, "BusinessCalendar", CALENDAR))[
        "holidayCountry"
    ] is None

    nulls = {"name": None, "timeZone": None, "weeklyHours": None, "holidaySubdivision": None}
    errors = await refused_nulls(
        client, UPDATE_CALENDAR, calendar_id, "BusinessCalendar", CALENDAR, nulls
    )
    assert errors == cannot_clear("name", "timeZone", "weeklyHours")
