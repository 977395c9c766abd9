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
    nodes {
      score kind snippet nodeId
      customer { id displayName }
      node { id ... on Customer { displayName } }
    }
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
    hits = data["search"]["nodes"]
    assert {hit["kind"] for hit in hits} == {"CUSTOMER", "CONTACT_POINT", "INTERACTION"}
    by_kind = {hit["kind"]: hit for hit in hits}
    assert by_kind["CUSTOMER"]["node"] == {"id": ada["id"], "displayName": "Ada Lovelace"}
    assert all(hit["customer"]["id"] == ada["id"] for hit in hits)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    kinds = {kind: base64.b64decode(hit["nodeId"]).decode() for kind, hit in by_kind.items()}
    assert kinds["CONTACT_POINT"].startswith("ContactPoint:")
    assert kinds["INTERACTION"].startswith("Interaction:")

    only = await client.query(SEARCH, {"q": "lovelace", "types": ["CONTACT_POINT"]})
    assert [hit["kind"] for hit in only["search"]["nodes"]] == ["CONTACT_POINT"]
    assert only["search"]["nodes"][0]["snippet"] == "ada@lovelace.example"
    one = await client.query(SEARCH, {"q": "lovelace", "first": 1})
    assert len(one["search"]["nodes"]) == 1
    none = await client.query(SEARCH, {"q": "lovelace", "types": []})
    assert none["search"]["nodes"] == []


async def test_hostile_queries_and_limits(client: Client) -> None:
    await create_person(client, "Ada", "Lovelace")
    for query in ("'\"*:()&|!", "ada' OR 1=1 --", "ada:*", "\\x00", "ä" * 1000):
        data = await client.query(SEARCH, {"q": query})
        assert all(
            hit["customer"]["displayName"] == "Ada Lovelace" for hit in data["search"]["nodes"]
        )
    body = await client.post(SEARCH, {"q": "ada", "first": 1000})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_deleted_and_foreign_customers_are_not_found(
    client: Client, other_client: Client
) -> None:
    ada = await create_person(client, "Ada", "Lovelace")
    await create_person(other_client, "Ada", "Byron")
    data = await client.query(SEARCH, {"q": "ada"})
    assert [hit["customer"]["displayName"] for hit in data["search"]["nodes"]] == ["Ada Lovelace"]
    await client.query(
        "mutation($id: ID!) { deleteCustomer(id: $id) { errors { code } } }", {"id": ada["id"]}
    )
    assert (await client.query(SEARCH, {"q": "ada"}))["search"]["nodes"] == []


async def test_needs_read_permission(client: Client, runtime: Runtime) -> None:
    await create_person(client, "Ada", "Lovelace")
    viewer = await client.as_role(runtime, "viewer")
    data = await viewer.query(SEARCH, {"q": "ada"})
    assert len(data["search"]["nodes"]) == 1


PAGE = """
query($q: String!, $first: Int!, $after: String) {
  search(query: $q, first: $first, after: $after, types: [CUSTOMER]) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { customer { displayName } } }
  }
}
"""


async def test_pages_follow_the_ranking_and_count_every_hit(client: Client) -> None:
    for first_name in ("Ada", "Anne", "Alan", "Alice", "Amos"):
        await create_person(client, first_name, "Turing")
    everything = await client.query(PAGE, {"q": "turing", "first": 5})
    ranked = [e["node"]["customer"]["displayName"] for e in everything["search"]["edges"]]
    assert len(ranked) == 5
    assert everything["search"]["totalCount"] == 5

    seen: list[str] = []
    after = None
    while True:
        page = (await client.query(PAGE, {"q": "turing", "first": 2, "after": after}))["search"]
        assert page["totalCount"] == 5
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        seen += [e["node"]["customer"]["displayName"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ranked


async def test_a_foreign_cursor_is_a_bad_request(client: Client) -> None:
    await create_person(client, "Ada", "Lovelace")
    customers = await client.query("{ customers(first: 1) { pageInfo { endCursor } } }")
    foreign = customers["customers"]["pageInfo"]["endCursor"]
    for cursor in (foreign, "not a cursor", base64.b64encode(b'["search", -4]').decode()):
        body = await client.post(PAGE, {"q": "ada", "first": 1, "after": cursor})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "after" in body["errors"][0]["message"]
