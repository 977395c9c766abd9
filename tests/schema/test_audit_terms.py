"""The audit log speaks the API's language: camelCase names, enum names and global ids."""

from __future__ import annotations

from typing import Any

from tests.conftest import Client
from tests.schema.factories import person, run

AUDIT = """
query($id: ID!) { auditLog(entityId: $id) { edges { node { action changes } } } }
"""


async def _changes(client: Client, entity: str) -> list[tuple[str, dict[str, Any]]]:
    edges = (await client.query(AUDIT, {"id": entity}))["auditLog"]["edges"]
    return [(e["node"]["action"], e["node"]["changes"]) for e in edges]


async def test_customer_changes_use_schema_names_enums_and_global_ids(client: Client) -> None:
    owner = (await client.query("{ viewer { user { id } } }"))["viewer"]["user"]["id"]
    ada = await person(client, "Ada", "Lovelace")
    await run(
        client,
        "mutation($id: ID!, $owner: ID!) { updateCustomer(id: $id, input: {lifecycleStatus: "
        'ACTIVE, ownerId: $owner, sourceChannel: "web"}) { errors { code } } }',
        {"id": ada, "owner": owner},
    )
    action, changes = (await _changes(client, ada))[0]
    assert action == "update"
    assert changes == {
        "lifecycleStatus": ["LEAD", "ACTIVE"],
        "ownerId": [None, owner],
        "sourceChannel": [None, "web"],
    }


async def test_task_and_interaction_changes_in_api_terms(client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace")
    king = await person(client, "William", "King")
    task = await run(
        client,
        'mutation { createTask(input: {title: "Call"}) { task { id } errors { code } } }',
    )
    task_id = task["task"]["id"]
    await run(
        client,
        "mutation($id: ID!, $c: ID!) { updateTask(id: $id, input: {priority: HIGH, "
        "customerId: $c}) { errors { code } } }",
        {"id": task_id, "c": ada},
    )
    action, changes = (await _changes(client, task_id))[0]
    assert (action, changes) == (
        "update",
        {"priority": ["NORMAL", "HIGH"], "customerId": [None, ada]},
    )

    logged = await run(
        client,
        'mutation($c: ID!) { logInteraction(input: {customerId: $c, kind: "call"}) '
        "{ interaction { id } errors { code } } }",
        {"c": ada},
    )
    interaction = logged["interaction"]["id"]
    await run(
        client,
        "mutation($id: ID!, $k: ID!) { updateInteraction(id: $id, input: {direction: INBOUND, "
        "participantCustomerIds: [$k]}) { errors { code } } }",
        {"id": interaction, "k": king},
    )
    action, changes = (await _changes(client, interaction))[0]
    assert changes == {
        "direction": ["OUTBOUND", "INBOUND"],
        "participants.customerId": [[], [king]],
    }


async def test_relationship_creation_names_the_other_end_by_global_id(client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace")
    king = await person(client, "William", "King")
    edge = await run(
        client,
        'mutation($a: ID!, $b: ID!) { createRelationship(input: {type: "spouse_of", fromId: $a,'
        " toId: $b}) { relationship { id } errors { code } } }",
        {"a": ada, "b": king},
    )
    assert await _changes(client, edge["relationship"]["id"]) == [
        ("create", {"type": [None, "spouse_of"], "toId": [None, king]})
    ]
