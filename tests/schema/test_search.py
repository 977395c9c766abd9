"""`search` over GraphQL: hits, kinds, permissions and the workspace boundary."""

from __future__ import annotations

import base64
import uuid

from rapport.core.runtime import Runtime
from tests.conftest import Client
from tests.schema.test_auth import create_person
from tests.support import contact, interaction, operation, workspace_named

SEARCH = """
query($q: String!, $types: [SearchKind!], $first: Int! = 20) {
  search(query: $q, types: $types, first: $first) {
    score kind snippet nodeId
    customer { id displayName }
    node { id ... on Customer { displayName } }
  }
}
"""


async def test_hits_of_every_kind(client: Client, runtime: Runtime) -> None:
    ada = await create_person(client, "Ada", "Lovelace", notes="Countess of Lovelace")
    await create_person(client, "Charles", "Babbage")
    workspace = await workspace_named(runtime, client.workspace)
    ada_pk = uuid.UUID(base64.b64decode(ada["id"]).decode().split(":")[1])
    async with operation(runtime, workspace) as op:
        await contact(op, ada_pk, "email", "ada@lovelace.example")
        await interaction(op, ada_pk, "Lovelace estate visit")

    data = await client.query(SEARCH, {"q": "lovelace"})
    hits = data["search"]
    assert {hit["kind"] for hit in hits} == {"CUSTOMER", "CONTACT_POINT", "INTERACTION"}
    by_kind = {hit["kind"]: hit for hit in hits}
    assert by_kind["CUSTOMER"]["node"] == {"id": ada["id"], "displayName": "Ada Lovelace"}
    assert all(hit["customer"]["id"] == ada["id"] for hit in hits)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    kinds = {kind: base64.b64decode(hit["nodeId"]).decode() for kind, hit in by_kind.items()}
    assert kinds["CONTACT_POINT"].startswith("ContactPoint:")
    assert kinds["INTERACTION"].startswith("Interaction:")

    only = await client.query(SEARCH, {"q": "lovelace", "types": ["CONTACT_POINT"]})
    assert [hit["kind"] for hit in only["search"]] == ["CONTACT_POINT"]
    assert only["search"][0]["snippet"] == "ada@lovelace.example"
    one = await client.query(SEARCH, {"q": "lovelace", "first": 1})
    assert len(one["search"]) == 1
    none = await client.query(SEARCH, {"q": "lovelace", "types": []})
    assert none["search"] == []


async def test_hostile_queries_and_limits(client: Client) -> None:
    await create_person(client, "Ada", "Lovelace")
    for query in ("'\"*:()&|!", "ada' OR 1=1 --", "ada:*", "\\x00", "ä" * 1000):
        data = await client.query(SEARCH, {"q": query})
        assert all(hit["customer"]["displayName"] == "Ada Lovelace" for hit in data["search"])
    body = await client.post(SEARCH, {"q": "ada", "first": 1000})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_deleted_and_foreign_customers_are_not_found(
    client: Client, other_client: Client
) -> None:
    ada = await create_person(client, "Ada", "Lovelace")
    await create_person(other_client, "Ada", "Byron")
    data = await client.query(SEARCH, {"q": "ada"})
    assert [hit["customer"]["displayName"] for hit in data["search"]] == ["Ada Lovelace"]
    await client.query(
        "mutation($id: ID!) { deleteCustomer(id: $id) { errors { code } } }", {"id": ada["id"]}
    )
    assert (await client.query(SEARCH, {"q": "ada"}))["search"] == []


async def test_needs_read_permission(client: Client, runtime: Runtime) -> None:
    await create_person(client, "Ada", "Lovelace")
    viewer = await client.as_role(runtime, "viewer")
    data = await viewer.query(SEARCH, {"q": "ada"})
    assert len(data["search"]) == 1
