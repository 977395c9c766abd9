"""Custom field definitions and the audit log."""

from __future__ import annotations

from rapport.core.runtime import Runtime
from tests.conftest import Client
from tests.schema.factories import errors_of, person, run

DEFINE = """
mutation($input: CustomFieldInput!) {
  defineCustomField(input: $input) {
    customField { id key label fieldType options required } errors { field code message }
  }
}
"""
AUDIT = """
query($entity: ID, $customer: ID, $first: Int, $after: String) {
  auditLog(entityId: $entity, customerId: $customer, first: $first, after: $after) {
    totalCount
    edges { node { entityType entityId action changes actor { email } customer { id } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def test_define_and_list_custom_fields(client: Client, other_client: Client) -> None:
    payload = await run(
        client,
        DEFINE,
        {
            "input": {
                "key": "tier",
                "label": "Tier",
                "fieldType": "SELECT",
                "options": ["gold", "gold", "silver"],
            }
        },
    )
    assert payload["customField"]["options"] == ["gold", "silver"]
    assert await errors_of(
        client, DEFINE, {"input": {"key": "tier", "label": "Again", "fieldType": "TEXT"}}
    ) == [("input.key", "CONFLICT")]
    assert await errors_of(
        client, DEFINE, {"input": {"key": "Bad", "label": "x", "fieldType": "SELECT"}}
    ) == [
        ("input.key", "INVALID"),
        ("input.options", "REQUIRED"),
    ]
    data = await client.query("{ customFields { key fieldType } }")
    assert data["customFields"] == [{"key": "tier", "fieldType": "SELECT"}]
    assert (await other_client.query("{ customFields { key } }"))["customFields"] == []
    # The definition validates customer values.
    body = await client.query(
        'mutation { createCustomer(input: {kind: PERSON, lastName: "X", attributes: {tier: "bronze"}}) { errors { field code } } }'
    )
    assert body["createCustomer"]["errors"] == [
        {"field": "input.attributes.tier", "code": "INVALID"}
    ]


async def test_defining_needs_settings_permission(client: Client, runtime: Runtime) -> None:
    member = await client.as_role(runtime, "member")
    body = await member.post(DEFINE, {"input": {"key": "x", "label": "x", "fieldType": "TEXT"}})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await client.query("{ customFields { key } }"))["customFields"] == []


async def test_audit_log_by_entity_and_customer(client: Client, other_client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace")
    await person(client, "Bob", "Byron")
    await client.query(
        'mutation($id: ID!) { updateCustomer(id: $id, input: {region: "North"}) { errors { code } } }',
        {"id": ada},
    )
    await run(
        client,
        'mutation($c: ID!) { addContactPoint(customerId: $c, input: {kind: EMAIL, value: "a@b.co"}) { errors { code } } }',
        {"c": ada},
    )
    by_entity = (await client.query(AUDIT, {"entity": ada}))["auditLog"]
    assert [e["node"]["action"] for e in by_entity["edges"]] == ["update", "create"]
    assert by_entity["edges"][0]["node"]["changes"] == {"region": [None, "North"]}
    assert by_entity["edges"][0]["node"]["entityId"] == ada

    by_customer = (await client.query(AUDIT, {"customer": ada}))["auditLog"]
    assert [(e["node"]["entityType"], e["node"]["action"]) for e in by_customer["edges"]] == [
        ("ContactPoint", "create"),
        ("Customer", "update"),
        ("Customer", "create"),
    ]
    everything = (await client.query(AUDIT, {"first": 2}))["auditLog"]
    assert everything["totalCount"] == 4
    assert everything["pageInfo"]["hasNextPage"] is True
    rest = (await client.query(AUDIT, {"after": everything["pageInfo"]["endCursor"]}))["auditLog"]
    assert len(rest["edges"]) == 2

    theirs = (await other_client.query(AUDIT, {"customer": ada}))["auditLog"]
    assert theirs["totalCount"] == 0
    assert (await other_client.query(AUDIT, {}))["auditLog"]["totalCount"] == 0
