"""Updates change what they name: a field left out is kept, an explicit null clears it (or is
refused for a field the record needs), custom attributes merge; create inputs say what a new
record needs."""

from __future__ import annotations

from typing import Any

from tests.conftest import Client
from tests.schema.factories import errors_of, person, run

DEFINE = """
mutation($input: CustomFieldInput!) { defineCustomField(input: $input) { errors { field code } } }
"""
UPDATE = """
mutation($id: ID!, $input: UpdateCustomerInput!) {
  updateCustomer(id: $id, input: $input) {
    customer {
      id displayName kind lifecycleStatus tags industry birthDate region attributes version
      owner { id }
    }
    errors { field code message reason }
  }
}
"""
SHOW = """
query($id: ID!) {
  customer(id: $id) {
    displayName kind lifecycleStatus tags industry birthDate region attributes version
    owner { id }
  }
}
"""
AUDIT = """
query($id: ID!) { auditLog(entityId: $id, first: 1) { edges { node { action changes } } } }
"""


async def _define(client: Client, key: str, field_type: str, **extra: Any) -> None:
    await run(
        client, DEFINE, {"input": {"key": key, "label": key, "fieldType": field_type, **extra}}
    )


async def _viewer(client: Client) -> str:
    return str((await client.query("{ viewer { user { id } } }"))["viewer"]["user"]["id"])


async def _update(client: Client, customer: str, **fields: Any) -> dict[str, Any]:
    return dict(await run(client, UPDATE, {"id": customer, "input": fields}))


async def _last_changes(client: Client, customer: str) -> dict[str, Any]:
    edges = (await client.query(AUDIT, {"id": customer}))["auditLog"]["edges"]
    return dict(edges[0]["node"]["changes"])


async def test_attributes_merge_and_a_null_removes_one(client: Client) -> None:
    await _define(client, "tier", "SELECT", options=["gold", "silver"])
    await _define(client, "shoe_size", "INTEGER")
    await _define(client, "nickname", "TEXT")
    ada = await person(client, "Ada", "Lovelace", attributes={"shoe_size": 44, "tier": "gold"})

    updated = await _update(client, ada, attributes={"tier": "silver", "nickname": "Countess"})
    assert updated["customer"]["attributes"] == {
        "shoe_size": 44,
        "tier": "silver",
        "nickname": "Countess",
    }
    # The audit shows the values that changed, not every value the customer holds.
    assert await _last_changes(client, ada) == {
        "attributes": [
            {"nickname": None, "tier": "gold"},
            {"nickname": "Countess", "tier": "silver"},
        ]
    }

    removed = await _update(client, ada, attributes={"nickname": None})
    assert removed["customer"]["attributes"] == {"shoe_size": 44, "tier": "silver"}
    assert await _last_changes(client, ada) == {
        "attributes": [{"nickname": "Countess"}, {"nickname": None}]
    }
    shown = (await client.query(SHOW, {"id": ada}))["customer"]
    assert shown["attributes"] == {"shoe_size": 44, "tier": "silver"}


async def test_explicit_null_clears_nullable_fields(client: Client) -> None:
    owner = await _viewer(client)
    ada = await person(
        client, "Ada", "Lovelace", birthDate="1815-12-10", industry="Maths", ownerId=owner
    )
    cleared = await _update(client, ada, birthDate=None, industry=None, ownerId=None)
    assert cleared["customer"]["birthDate"] is None
    assert cleared["customer"]["industry"] is None
    assert cleared["customer"]["owner"] is None
    shown = (await client.query(SHOW, {"id": ada}))["customer"]
    assert (shown["birthDate"], shown["industry"], shown["owner"]) == (None, None, None)
    changes = await _last_changes(client, ada)
    assert changes["birthDate"] == ["1815-12-10", None]
    assert changes["industry"] == ["Maths", None]
    assert changes["ownerId"][1] is None


async def test_absent_fields_are_left_as_they_are(client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace", industry="Maths", region="London", tags=["vip"])
    before = (await client.query(SHOW, {"id": ada}))["customer"]
    updated = await _update(client, ada, birthDate="1815-12-10")
    shown = (await client.query(SHOW, {"id": ada}))["customer"]
    assert updated["customer"]["birthDate"] == "1815-12-10"
    assert {k: v for k, v in shown.items() if k not in ("birthDate", "version")} == {
        k: v for k, v in before.items() if k not in ("birthDate", "version")
    }
    assert await _last_changes(client, ada) == {"birthDate": [None, "1815-12-10"]}


async def test_null_for_a_required_field_is_refused_and_changes_nothing(client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace", industry="Maths")
    before = (await client.query(SHOW, {"id": ada}))["customer"]
    data = await client.query(
        UPDATE,
        {
            "id": ada,
            "input": {"industry": None, "kind": None, "lifecycleStatus": None, "tags": None},
        },
    )
    payload = data["updateCustomer"]
    assert payload["customer"] is None
    assert sorted((e["field"], e["code"], e["reason"]) for e in payload["errors"]) == [
        ("input.kind", "REQUIRED", "CORE_CANNOT_CLEAR"),
        ("input.lifecycleStatus", "REQUIRED", "CORE_CANNOT_CLEAR"),
        ("input.tags", "REQUIRED", "CORE_CANNOT_CLEAR"),
    ]
    # Nothing changed: not even the nullable field given with them.
    assert (await client.query(SHOW, {"id": ada}))["customer"] == before


async def test_create_input_requires_kind(client: Client) -> None:
    body = await client.post(
        'mutation { createCustomer(input: {lastName: "Lovelace"}) { errors { code } } }'
    )
    assert "required field 'kind'" in body["errors"][0]["message"]
    schema = await client.query(
        '{ create: __type(name: "CreateCustomerInput") { inputFields { name type { kind } } }'
        ' update: __type(name: "UpdateCustomerInput") { inputFields { name type { kind } } } }'
    )
    kinds = {f["name"]: f["type"]["kind"] for f in schema["create"]["inputFields"]}
    assert kinds["kind"] == "NON_NULL"
    assert kinds["lastName"] != "NON_NULL"
    assert all(f["type"]["kind"] != "NON_NULL" for f in schema["update"]["inputFields"])


async def test_task_and_relationship_fields_clear_with_null(client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace")
    king = await person(client, "William", "King")
    task = await run(
        client,
        'mutation($c: ID!) { createTask(input: {title: "Call", customerId: $c, '
        'description: "about the engine"}) { task { id } errors { field code } } }',
        {"c": ada},
    )
    task_id = task["task"]["id"]
    update_task = """mutation($id: ID!, $input: UpdateTaskInput!) {
      updateTask(id: $id, input: $input) {
        task { title description customer { id } } errors { field code }
      }
    }"""
    cleared = await run(client, update_task, {"id": task_id, "input": {"description": None}})
    assert cleared["task"] == {"title": "Call", "description": None, "customer": {"id": ada}}
    assert await errors_of(client, update_task, {"id": task_id, "input": {"title": None}}) == [
        ("input.title", "REQUIRED")
    ]
    edge = await run(
        client,
        'mutation($a: ID!, $b: ID!) { createRelationship(input: {type: "spouse_of", fromId: $a, '
        'toId: $b, role: "wife", notes: "married 1835"}) { relationship { id } errors { code } } }',
        {"a": ada, "b": king},
    )
    update_edge = """mutation($id: ID!, $input: UpdateRelationshipInput!) {
      updateRelationship(id: $id, input: $input) { relationship { role notes } errors { field code } }
    }"""
    edge_id = edge["relationship"]["id"]
    done = await run(client, update_edge, {"id": edge_id, "input": {"role": None}})
    assert done["relationship"] == {"role": None, "notes": "married 1835"}
    assert await errors_of(client, update_edge, {"id": edge_id, "input": {"type": None}}) == [
        ("input.type", "REQUIRED")
    ]
