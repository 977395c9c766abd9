"""Relationships: types, edges between customers, and how each end sees them."""

from __future__ import annotations

from rapport.core.runtime import Runtime
from tests.conftest import Client
from tests.schema.factories import (
    CREATE_RELATIONSHIP,
    errors_of,
    organization,
    person,
    relate,
    run,
)

EDGES = """
query($id: ID!, $direction: RelationshipDirection!, $types: [String!]) {
  customer(id: $id) {
    relationships(direction: $direction, types: $types) {
      type label direction role startDate other { displayName }
    }
  }
}
"""
DEFINE = """
mutation($input: RelationshipTypeInput!) {
  defineRelationshipType(input: $input) {
    relationshipType { key label inverseLabel symmetric source } errors { field code message }
  }
}
"""
UPDATE = """
mutation($id: ID!, $input: UpdateRelationshipInput!) {
  updateRelationship(id: $id, input: $input) {
    relationship { id role endDate } errors { field code message }
  }
}
"""
DELETE = """
mutation($id: ID!) { deleteRelationship(id: $id) { relationship { id } errors { field code } } }
"""


async def edges(
    client: Client, customer: str, direction: str = "BOTH", types: list[str] | None = None
) -> list[dict]:
    data = await client.query(EDGES, {"id": customer, "direction": direction, "types": types})
    return list(data["customer"]["relationships"])


async def test_labels_from_each_side(client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace")
    acme = await organization(client, "Acme")
    await relate(client, ada, "employee_of", acme, role="Engineer", startDate="2020-01-01")

    [outgoing] = await edges(client, ada)
    assert outgoing == {
        "type": "employee_of",
        "label": "employee of",
        "direction": "OUTGOING",
        "role": "Engineer",
        "startDate": "2020-01-01",
        "other": {"displayName": "Acme"},
    }
    [incoming] = await edges(client, acme)
    assert incoming["label"] == "employer of"
    assert incoming["direction"] == "INCOMING"
    assert incoming["other"] == {"displayName": "Ada Lovelace"}
    assert await edges(client, acme, "OUTGOING") == []
    assert len(await edges(client, acme, "INCOMING")) == 1
    assert await edges(client, ada, types=["household_member"]) == []


async def test_workspace_types_join_the_registry(client: Client, runtime: Runtime) -> None:
    payload = await run(
        client,
        DEFINE,
        {"input": {"key": "mentor_of", "label": "mentor of", "inverseLabel": "mentee of"}},
    )
    assert payload["relationshipType"]["source"] == "workspace"
    data = await client.query("{ relationshipTypes { key label inverseLabel source } }")
    keys = {t["key"]: t for t in data["relationshipTypes"]}
    assert keys["employee_of"]["source"] == "core"
    assert keys["mentor_of"]["inverseLabel"] == "mentee of"

    ada = await person(client, "Ada", "Lovelace")
    bob = await person(client, "Bob", "Byron")
    await relate(client, ada, "mentor_of", bob)
    [seen] = await edges(client, bob)
    assert seen["label"] == "mentee of"

    assert await errors_of(client, DEFINE, {"input": {"key": "mentor_of", "label": "x"}}) == [
        ("input.key", "CONFLICT")
    ]
    assert await errors_of(client, DEFINE, {"input": {"key": "employee_of", "label": "x"}}) == [
        ("input.key", "CONFLICT")
    ]
    assert await errors_of(client, DEFINE, {"input": {"key": "Bad Key", "label": " "}}) == [
        ("input.key", "INVALID"),
        ("input.label", "REQUIRED"),
    ]


async def test_defining_types_needs_settings_permission(client: Client, runtime: Runtime) -> None:
    member = await client.as_role(runtime, "member")
    body = await member.post(DEFINE, {"input": {"key": "x_of", "label": "x of"}})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_bad_relationships_are_refused(client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace")
    acme = await organization(client, "Acme")

    async def refused(**given: object) -> list:
        return await errors_of(
            client,
            CREATE_RELATIONSHIP,
            {"input": {"type": "employee_of", "fromId": ada, "toId": acme, **given}},
        )

    assert await refused(type="nemesis_of") == [("input.type", "INVALID")]
    assert await refused(toId=ada) == [("input.toId", "INVALID")]
    assert await refused(startDate="2021-01-01", endDate="2020-01-01") == [
        ("input.endDate", "INVALID")
    ]
    await client.query(
        "mutation($id: ID!) { deleteCustomer(id: $id) { errors { code } } }", {"id": acme}
    )
    assert await refused() == [("input.toId", "NOT_FOUND")]
    assert await edges(client, ada) == []


async def test_update_and_delete(client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace")
    acme = await organization(client, "Acme")
    edge = await relate(client, ada, "employee_of", acme, startDate="2020-01-01")
    payload = await run(
        client, UPDATE, {"id": edge, "input": {"role": "CTO", "endDate": "2024-06-30"}}
    )
    assert payload["relationship"] == {"id": edge, "role": "CTO", "endDate": "2024-06-30"}
    assert await errors_of(client, UPDATE, {"id": edge, "input": {"endDate": "2019-01-01"}}) == [
        ("input.endDate", "INVALID")
    ]
    assert await errors_of(client, UPDATE, {"id": edge, "input": {"type": "nope"}}) == [
        ("input.type", "INVALID")
    ]
    await run(client, DELETE, {"id": edge})
    assert await edges(client, ada) == []
    assert await errors_of(client, DELETE, {"id": edge}) == [("id", "NOT_FOUND")]


async def test_other_workspaces_see_and_change_nothing(
    client: Client, other_client: Client
) -> None:
    ada = await person(client, "Ada", "Lovelace")
    acme = await organization(client, "Acme")
    edge = await relate(client, ada, "employee_of", acme)
    theirs = await person(other_client, "Eve", "Other")
    await run(other_client, DEFINE, {"input": {"key": "rival_of", "label": "rival of"}})

    assert await errors_of(
        other_client,
        CREATE_RELATIONSHIP,
        {"input": {"type": "employee_of", "fromId": theirs, "toId": acme}},
    ) == [("input.toId", "NOT_FOUND")]
    assert await errors_of(other_client, UPDATE, {"id": edge, "input": {"role": "x"}}) == [
        ("id", "NOT_FOUND")
    ]
    assert await errors_of(other_client, DELETE, {"id": edge}) == [("id", "NOT_FOUND")]
    data = await other_client.query("query($id: ID!) { node(id: $id) { id } }", {"id": edge})
    assert data["node"] is None
    mine = await client.query("{ relationshipTypes { key } }")
    assert "rival_of" not in {t["key"] for t in mine["relationshipTypes"]}
    assert len(await edges(client, ada)) == 1


async def test_edges_to_deleted_customers_are_not_listed(client: Client) -> None:
    ada = await person(client, "Ada", "Live")
    gone = await person(client, "Bob", "Gone")
    await relate(client, ada, "spouse_of", gone)
    listed = "query($id: ID!) { customer(id: $id) { relationships { other { displayName } } } }"
    before = await client.query(listed, {"id": ada})
    assert before["customer"]["relationships"] == [{"other": {"displayName": "Bob Gone"}}]
    await client.query(
        "mutation($id: ID!) { deleteCustomer(id: $id) { errors { code } } }", {"id": gone}
    )
    after = await client.query(listed, {"id": ada})
    assert after["customer"]["relationships"] == []


async def test_own_relationship_types_are_removed_only_when_unused(
    client: Client, other_client: Client
) -> None:
    await client.query(
        'mutation { defineRelationshipType(input: {key: "mentor_of", label: "mentor of",'
        ' inverseLabel: "mentee of"}) { errors { code } } }'
    )
    remove = "mutation($k: String!) { deleteRelationshipType(key: $k) { errors { field code } } }"
    builtin = await client.query(remove, {"k": "employee_of"})
    assert builtin["deleteRelationshipType"]["errors"] == [{"field": "key", "code": "INVALID"}]
    theirs = await other_client.query(remove, {"k": "mentor_of"})
    assert theirs["deleteRelationshipType"]["errors"] == [{"field": "key", "code": "NOT_FOUND"}]
    mentor, mentee = await person(client, "Ann", "Mentor"), await person(client, "Bo", "Mentee")
    edge = await relate(client, mentor, "mentor_of", mentee)
    in_use = await client.query(remove, {"k": "mentor_of"})
    assert in_use["deleteRelationshipType"]["errors"] == [{"field": "key", "code": "CONFLICT"}]
    await client.query(
        "mutation($id: ID!) { deleteRelationship(id: $id) { errors { code } } }", {"id": edge}
    )
    assert (await client.query(remove, {"k": "mentor_of"}))["deleteRelationshipType"][
        "errors"
    ] == []
    keys = [
        t["key"] for t in (await client.query("{ relationshipTypes { key } }"))["relationshipTypes"]
    ]
    assert "mentor_of" not in keys
