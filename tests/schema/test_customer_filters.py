"""Customer filters that cross relations, tags and custom fields; strict filter inputs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import Client
from tests.schema.factories import interaction, organization, person, relate, run, task

NAMES = """
query($filter: CustomerFilter) {
  customers(filter: $filter, orderBy: [{field: DISPLAY_NAME}], first: 100) {
    totalCount edges { node { displayName } }
  }
}
"""
DEFINE_FIELD = """
mutation($input: CustomFieldInput!) {
  defineCustomField(input: $input) { customField { key fieldType } errors { field code } }
}
"""


async def names(client: Client, filter: dict[str, Any]) -> list[str]:
    data = await client.query(NAMES, {"filter": filter})
    found = [e["node"]["displayName"] for e in data["customers"]["edges"]]
    assert data["customers"]["totalCount"] == len(found)
    return found


async def test_relationship_filters(client: Client) -> None:
    acme = await organization(client, "Acme")
    globex = await organization(client, "Globex")
    ada = await person(client, "Ada", "Lovelace")
    bob = await person(client, "Bob", "Byron")
    await relate(client, ada, "employee_of", acme)
    await relate(client, bob, "employee_of", globex)
    await relate(client, ada, "household_member", bob)

    assert await names(client, {"hasRelationship": {"type": "employee_of"}}) == [
        "Acme",
        "Ada Lovelace",
        "Bob Byron",
        "Globex",
    ]
    assert await names(
        client, {"hasRelationship": {"type": "employee_of", "direction": "OUTGOING"}}
    ) == ["Ada Lovelace", "Bob Byron"]
    assert await names(
        client, {"hasRelationship": {"type": "employee_of", "to": acme, "direction": "OUTGOING"}}
    ) == ["Ada Lovelace"]
    assert await names(
        client, {"hasRelationship": {"type": "employee_of", "to": ada, "direction": "INCOMING"}}
    ) == ["Acme"]
    assert await names(client, {"not": {"hasRelationship": {"type": "household_member"}}}) == [
        "Acme",
        "Globex",
    ]


async def test_interaction_and_task_filters(client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace")
    bob = await person(client, "Bob", "Byron")
    await person(client, "Cy", "Never")
    now = datetime.now(UTC)
    recent = (now - timedelta(days=3)).isoformat()
    old = (now - timedelta(days=200)).isoformat()
    await interaction(client, ada, "call", recent)
    await interaction(client, bob, "email", old)
    await task(client, "open", customerId=bob)
    done = await task(client, "done", customerId=ada)
    await run(
        client,
        "mutation($id: ID!) { completeTask(id: $id) { errors { code } } }",
        {"id": done["id"]},
    )

    month_ago = (now - timedelta(days=30)).isoformat()
    assert await names(client, {"hasInteraction": {}}) == ["Ada Lovelace", "Bob Byron"]
    assert await names(client, {"hasInteraction": {"kinds": ["email"]}}) == ["Bob Byron"]
    assert await names(client, {"hasInteraction": {"since": month_ago}}) == ["Ada Lovelace"]
    assert await names(client, {"noInteractionSince": month_ago}) == ["Bob Byron", "Cy Never"]
    assert await names(client, {"hasOpenTask": True}) == ["Bob Byron"]
    assert await names(client, {"hasOpenTask": False}) == ["Ada Lovelace", "Cy Never"]
    assert await names(
        client, {"or": [{"hasOpenTask": True}, {"hasInteraction": {"kinds": ["call"]}}]}
    ) == ["Ada Lovelace", "Bob Byron"]


async def test_tag_filters(client: Client) -> None:
    await person(client, "Ada", "Lovelace", tags=["VIP", "newsletter"])
    await person(client, "Bob", "Byron", tags=["vip"])
    await person(client, "Cy", "Nobody")
    assert await names(client, {"tags": {"any": ["vip"]}}) == ["Ada Lovelace", "Bob Byron"]
    assert await names(client, {"tags": {"all": ["vip", " Newsletter "]}}) == ["Ada Lovelace"]
    assert await names(client, {"tags": {"any": ["newsletter", "other"]}}) == ["Ada Lovelace"]
    assert await names(client, {"tags": {"any": ["vip"], "all": ["vip", "vip"]}}) == [
        "Ada Lovelace",
        "Bob Byron",
    ]
    assert await names(client, {"tags": {"any": []}}) == []
    assert await names(client, {"not": {"tags": {"any": ["vip"]}}}) == ["Cy Nobody"]


async def test_attribute_filters(client: Client) -> None:
    for field in (
        {"key": "score", "label": "Score", "fieldType": "NUMBER"},
        {"key": "tier", "label": "Tier", "fieldType": "SELECT", "options": ["gold", "silver"]},
        {"key": "verified", "label": "Verified", "fieldType": "BOOLEAN"},
    ):
        await run(client, DEFINE_FIELD, {"input": field})
    await person(
        client, "Ada", "Lovelace", attributes={"score": 90, "tier": "gold", "verified": True}
    )
    await person(client, "Bob", "Byron", attributes={"score": 40.5, "tier": "silver"})
    await person(client, "Cy", "Nobody")
    assert await names(client, {"attribute": {"key": "score", "gt": 50}}) == ["Ada Lovelace"]
    assert await names(client, {"attribute": {"key": "score", "gte": 40.5, "lt": 100}}) == [
        "Ada Lovelace",
        "Bob Byron",
    ]
    assert await names(client, {"attribute": {"key": "tier", "eq": "silver"}}) == ["Bob Byron"]
    assert await names(client, {"attribute": {"key": "tier", "in": ["gold", "bronze"]}}) == [
        "Ada Lovelace"
    ]
    assert await names(client, {"attribute": {"key": "verified", "eq": True}}) == ["Ada Lovelace"]
    assert await names(client, {"attribute": {"key": "score", "isNull": True}}) == ["Cy Nobody"]
    # A value of another type never matches (and never errors).
    assert await names(client, {"attribute": {"key": "tier", "gt": 3}}) == []
    body = await client.post(NAMES, {"filter": {"attribute": {"key": "tier", "eq": ["gold"]}}})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_age_band_filter_counts_birthdays_exactly(client: Client) -> None:
    today = datetime.now(UTC).date()

    def born(years: int, days: int) -> str:
        # ``years`` ago, moved by ``days``; 29 February falls back to the 28th.
        try:
            anniversary = today.replace(year=today.year - years)
        except ValueError:
            anniversary = today.replace(year=today.year - years, day=28)
        return (anniversary + timedelta(days=days)).isoformat()

    await person(client, "Turns", "Eighteen Today", birthDate=born(18, 0))
    await person(client, "Turns", "Eighteen Tomorrow", birthDate=born(18, 1))
    await person(client, "Thirty", "Four", birthDate=born(34, -10))
    await person(client, "No", "Birthday")
    assert await names(client, {"ageBand": ["UNDER_18"]}) == ["Turns Eighteen Tomorrow"]
    assert await names(client, {"ageBand": ["AGE_18_24", "AGE_25_34"]}) == [
        "Thirty Four",
        "Turns Eighteen Today",
    ]


async def test_unknown_filter_fields_are_validation_errors(client: Client) -> None:
    body = await client.post('{ customers(filter: {favouriteColour: {eq: "red"}}) { totalCount } }')
    assert body["data"] is None
    assert "favouriteColour" in body["errors"][0]["message"]
    body = await client.post('{ customers(filter: {tags: {some: ["x"]}}) { totalCount } }')
    assert body["data"] is None


async def test_filters_do_not_reach_other_workspaces(client: Client, other_client: Client) -> None:
    acme = await organization(client, "Acme", tags=["vip"])
    ada = await person(client, "Ada", "Lovelace", tags=["vip"])
    await relate(client, ada, "employee_of", acme)
    await interaction(client, ada, "call", "2025-01-01T10:00:00Z")
    await task(client, "open", customerId=ada)
    await person(other_client, "Eve", "Other")
    filters: list[dict[str, Any]] = [
        {"hasRelationship": {"type": "employee_of"}},
        {"hasRelationship": {"type": "employee_of", "to": acme}},
        {"hasInteraction": {}},
        {"hasOpenTask": True},
        {"tags": {"any": ["vip"]}},
    ]
    for condition in filters:
        assert await names(other_client, condition) == [], condition
    assert await names(other_client, {"noInteractionSince": "2000-01-01T00:00:00Z"}) == [
        "Eve Other"
    ]
