"""Interactions: logging, changing, removing, listing, participants and links."""

from __future__ import annotations

import uuid
from typing import Any

from rapport.core.runtime import Runtime
from tests.conftest import Client
from tests.schema.factories import (
    LOG_INTERACTION,
    errors_of,
    global_id,
    interaction,
    person,
    run,
)

UPDATE = """
mutation($id: ID!, $input: UpdateInteractionInput!) {
  updateInteraction(id: $id, input: $input) {
    interaction { id subject outcome } errors { field code message }
  }
}
"""
DELETE = """
mutation($id: ID!) { deleteInteraction(id: $id) { interaction { id } errors { field code } } }
"""


LIST = """
query($filter: InteractionFilter, $order: [InteractionOrder!], $first: Int, $after: String) {
  interactions(filter: $filter, orderBy: $order, first: $first, after: $after) {
    totalCount
    edges { cursor node { subject kind customer { displayName } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def subjects(client: Client, **variables: object) -> list[str]:
    data = await client.query(LIST, variables)
    return [e["node"]["subject"] for e in data["interactions"]["edges"]]


async def test_log_with_participants_and_link(client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace")
    bob = await person(client, "Bob", "Byron")
    viewer = await client.query("{ viewer { user { id } } }")
    me = viewer["viewer"]["user"]["id"]
    earlier = await interaction(client, ada, "call", "2025-01-01T10:00:00Z", subject="first call")
    payload = await run(
        client,
        LOG_INTERACTION,
        {
            "input": {
                "customerId": ada,
                "kind": "meeting",
                "direction": "INBOUND",
                "occurredAt": "2025-02-01T10:00:00Z",
                "subject": "follow-up",
                "participantCustomerIds": [bob],
                "participantUserIds": [me],
                "link": earlier,
            }
        },
    )
    data = await client.query(
        """query($id: ID!) { node(id: $id) { ... on Interaction {
            kind direction user { id }
            participants { customer { displayName } user { id } }
            linkedRecord { id ... on Interaction { subject } }
        } } }""",
        {"id": payload["interaction"]["id"]},
    )
    node = data["node"]
    assert node["kind"] == "meeting"
    assert node["direction"] == "INBOUND"
    assert node["user"]["id"] == me
    assert {"customer": {"displayName": "Bob Byron"}, "user": None} in node["participants"]
    assert {"customer": None, "user": {"id": me}} in node["participants"]
    assert node["linkedRecord"] == {"id": earlier, "subject": "first call"}
    linked = await client.query(LIST, {"filter": {"linkedTo": earlier}})
    assert [e["node"]["subject"] for e in linked["interactions"]["edges"]] == ["follow-up"]


async def test_bad_inputs(client: Client, other_client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace")
    theirs = await person(other_client, "Eve", "Other")
    base = {"customerId": ada, "kind": "call"}
    cases: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [
        ({"kind": "telepathy"}, [("input.kind", "INVALID")]),
        ({"durationSeconds": -5}, [("input.durationSeconds", "INVALID")]),
        ({"customerId": theirs}, [("input.customerId", "NOT_FOUND")]),
        ({"participantCustomerIds": [theirs]}, [("input.participantCustomerIds.0", "NOT_FOUND")]),
        ({"link": theirs}, [("input.link", "NOT_FOUND")]),
        ({"link": global_id("Widget", str(uuid.uuid4()))}, [("input.link", "INVALID")]),
    ]
    for given, expected in cases:
        assert await errors_of(client, LOG_INTERACTION, {"input": {**base, **given}}) == expected
    assert await subjects(client) == []


async def test_update_delete_and_workspace_boundary(client: Client, other_client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace")
    call = await interaction(client, ada, "call", "2025-01-01T10:00:00Z", subject="call")
    payload = await run(client, UPDATE, {"id": call, "input": {"outcome": "interested"}})
    assert payload["interaction"]["outcome"] == "interested"
    assert await errors_of(client, UPDATE, {"id": call, "input": {"kind": "nope"}}) == [
        ("input.kind", "INVALID")
    ]

    assert await errors_of(other_client, UPDATE, {"id": call, "input": {"subject": "x"}}) == [
        ("id", "NOT_FOUND")
    ]
    assert await errors_of(other_client, DELETE, {"id": call}) == [("id", "NOT_FOUND")]
    assert await subjects(other_client) == []
    assert await subjects(client) == ["call"]

    await run(client, DELETE, {"id": call})
    assert await subjects(client) == []
    assert await errors_of(client, DELETE, {"id": call}) == [("id", "NOT_FOUND")]


async def test_filter_order_and_pages(client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace")
    bob = await person(client, "Bob", "Byron")
    for day in range(1, 6):
        await interaction(client, ada, "call", f"2025-03-0{day}T09:00:00Z", subject=f"ada {day}")
    await interaction(client, bob, "email", "2025-03-03T12:00:00Z", subject="bob")

    assert await subjects(client) == ["ada 5", "ada 4", "bob", "ada 3", "ada 2", "ada 1"]
    assert await subjects(client, filter={"customer": {"eq": bob}}) == ["bob"]
    assert await subjects(
        client, filter={"kind": {"eq": "call"}, "occurredAt": {"gte": "2025-03-04T00:00:00Z"}}
    ) == ["ada 5", "ada 4"]
    assert await subjects(
        client, order=[{"field": "OCCURRED_AT", "direction": "ASC"}], first=2
    ) == ["ada 1", "ada 2"]

    seen: list[str] = []
    after = None
    while True:
        data = await client.query(LIST, {"first": 4, "after": after})
        page = data["interactions"]
        seen += [e["node"]["subject"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["ada 5", "ada 4", "bob", "ada 3", "ada 2", "ada 1"]


async def test_reading_needs_the_permission(client: Client, runtime: Runtime) -> None:
    ada = await person(client, "Ada", "Lovelace")
    await interaction(client, ada, "call", "2025-01-01T10:00:00Z")
    limited = await client.as_role(runtime, "viewer")
    body = await limited.post(LOG_INTERACTION, {"input": {"customerId": ada, "kind": "call"}})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_update_replaces_participants_and_audits_it(client: Client) -> None:
    ada = await person(client, "Ada", "P")
    bob = await person(client, "Bob", "P")
    cy = await person(client, "Cy", "P")
    logged = await client.query(
        'mutation($c: ID!, $p: [ID!]) { logInteraction(input: {customerId: $c, kind: "meeting",'
        " participantCustomerIds: $p}) { interaction { id } errors { code } } }",
        {"c": ada, "p": [bob]},
    )
    meeting = logged["logInteraction"]["interaction"]["id"]
    names = """query($id: ID!) { node(id: $id) { ... on Interaction {
      participants { customer { displayName } } } } }"""
    update = """mutation($id: ID!, $p: [ID!]) { updateInteraction(id: $id,
      input: {participantCustomerIds: $p}) { errors { field code } } }"""

    async def participants() -> list[str]:
        data = await client.query(names, {"id": meeting})
        return sorted(p["customer"]["displayName"] for p in data["node"]["participants"])

    assert await participants() == ["Bob P"]
    assert (await client.query(update, {"id": meeting, "p": [cy, cy]}))["updateInteraction"][
        "errors"
    ] == []
    assert await participants() == ["Cy P"]
    # Leaving the list out keeps the participants.
    await client.query(
        'mutation($id: ID!) { updateInteraction(id: $id, input: {subject: "agenda"}) { errors { code } } }',
        {"id": meeting},
    )
    assert await participants() == ["Cy P"]
    bad = await client.query(update, {"id": meeting, "p": [meeting]})
    assert bad["updateInteraction"]["errors"][0]["field"] == "input.participantCustomerIds.0"
    assert await participants() == ["Cy P"]
    log = await client.query(
        "query($id: ID!) { auditLog(entityId: $id) { edges { node { action changes } } } }",
        {"id": meeting},
    )
    updates = [
        e["node"]["changes"] for e in log["auditLog"]["edges"] if e["node"]["action"] == "update"
    ]
    assert any("participants.customerId" in change for change in updates)
