"""`customerDuplicates` and `mergeCustomers` over GraphQL."""

from __future__ import annotations

import base64
import uuid

from rapport.core.runtime import Runtime
from tests.conftest import Client
from tests.schema.test_auth import create_person
from tests.support import contact, operation, workspace_named

DUPLICATES = """
query($id: ID!) {
  customerDuplicates(id: $id) { score customer { id displayName } reasons { kind detail } }
}
"""
MERGE = """
mutation($survivor: ID!, $merged: [ID!]!, $dry: Boolean! = false) {
  mergeCustomers(survivorId: $survivor, mergedIds: $merged, dryRun: $dry) {
    dryRun
    survivor { id displayName region tags }
    merged { id deletedAt }
    counts { contactPoints contactPointsDropped relationships interactions participants tasks }
    errors { field code message }
  }
}
"""
COUNT = "{ customers { totalCount } }"


def pk(global_id: str) -> uuid.UUID:
    return uuid.UUID(base64.b64decode(global_id).decode().split(":", 1)[1])


async def test_duplicates_by_email_phone_and_name(
    client: Client, other_client: Client, runtime: Runtime
) -> None:
    ada = await create_person(client, "Ada", "Lovelace", birthDate="1815-12-10")
    twin = await create_person(client, "ada", "LOVELACE", birthDate="1815-12-10")
    by_mail = await create_person(client, "Augusta", "King")
    by_phone = await create_person(client, "A.", "Byron")
    await create_person(client, "Charles", "Babbage")
    foreign = await create_person(other_client, "Ada", "Lovelace")
    workspace = await workspace_named(runtime, client.workspace)
    async with operation(runtime, workspace) as op:
        await contact(op, pk(ada["id"]), "email", "ada@example.com")
        await contact(op, pk(ada["id"]), "phone", "+44 20 7946 0000")
        await contact(op, pk(by_mail["id"]), "email", "ADA@Example.com")
        await contact(op, pk(by_phone["id"]), "phone", "+44 (20) 7946-0000")
    theirs = await workspace_named(runtime, other_client.workspace)
    async with operation(runtime, theirs) as op:
        await contact(op, pk(foreign["id"]), "email", "ada@example.com")

    found = (await client.query(DUPLICATES, {"id": ada["id"]}))["customerDuplicates"]
    by_id = {item["customer"]["id"]: item for item in found}
    assert set(by_id) == {twin["id"], by_mail["id"], by_phone["id"]}
    assert {r["kind"] for r in by_id[twin["id"]]["reasons"]} == {"NAME", "BIRTH_DATE"}
    assert by_id[by_mail["id"]]["reasons"] == [{"kind": "EMAIL", "detail": "ADA@Example.com"}]
    assert by_id[by_phone["id"]]["reasons"][0]["kind"] == "PHONE"
    assert found[0]["customer"]["id"] == twin["id"]
    assert [item["score"] for item in found] == sorted((i["score"] for i in found), reverse=True)

    # Another workspace's id is simply unknown.
    assert (await other_client.query(DUPLICATES, {"id": ada["id"]}))["customerDuplicates"] == []


async def test_merge_dry_run_then_merge(client: Client) -> None:
    ada = await create_person(client, "Ada", "Lovelace", tags=["vip"])
    king = await create_person(client, "Ada", "King", region="London", tags=["maths"])
    variables = {"survivor": ada["id"], "merged": [king["id"]]}

    preview = (await client.query(MERGE, {**variables, "dry": True}))["mergeCustomers"]
    assert preview["errors"] == []
    assert preview["dryRun"] is True
    assert preview["survivor"]["region"] == "London"
    assert preview["merged"][0]["deletedAt"] is not None  # as the merge would leave it
    assert (await client.query(COUNT))["customers"]["totalCount"] == 2

    done = (await client.query(MERGE, variables))["mergeCustomers"]
    assert done["errors"] == []
    assert done["survivor"] == {
        "id": ada["id"],
        "displayName": "Ada Lovelace",
        "region": "London",
        "tags": ["maths", "vip"],
    }
    assert done["merged"][0]["deletedAt"] is not None
    assert (await client.query(COUNT))["customers"]["totalCount"] == 1
    again = (await client.query(MERGE, variables))["mergeCustomers"]
    assert again["errors"][0] == {
        "field": "mergedIds.0",
        "code": "NOT_FOUND",
        "message": "customer not found",
    }


async def test_merge_errors(client: Client, other_client: Client, runtime: Runtime) -> None:
    ada = await create_person(client, "Ada", "Lovelace")
    foreign = await create_person(other_client, "Ada", "Byron")
    user = (await client.query("{ viewer { user { id } } }"))["viewer"]["user"]["id"]
    cases = [
        ({"survivor": ada["id"], "merged": [ada["id"]]}, "mergedIds", "INVALID"),
        ({"survivor": ada["id"], "merged": []}, "mergedIds", "REQUIRED"),
        ({"survivor": ada["id"], "merged": [foreign["id"]]}, "mergedIds.0", "NOT_FOUND"),
        ({"survivor": foreign["id"], "merged": [ada["id"]]}, "survivorId", "NOT_FOUND"),
        ({"survivor": ada["id"], "merged": [user]}, "mergedIds.0", "INVALID"),
    ]
    for variables, field, code in cases:
        payload = (await client.query(MERGE, variables))["mergeCustomers"]
        assert (payload["errors"][0]["field"], payload["errors"][0]["code"]) == (field, code)
        assert payload["survivor"] is None
    assert (await client.query(COUNT))["customers"]["totalCount"] == 1
    assert (await other_client.query(COUNT))["customers"]["totalCount"] == 1

    member = await client.as_role(runtime, "member")
    king = await create_person(client, "Ada", "King")
    body = await member.post(MERGE, {"survivor": ada["id"], "merged": [king["id"]]})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_merged_customer_leads_to_its_survivor(client: Client) -> None:
    survivor = (await create_person(client, "Sam", "Keep"))["id"]
    merged = (await create_person(client, "Sam", "Gone"))["id"]
    await client.query(
        "mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) { errors { code } } }",
        {"s": survivor, "m": [merged]},
    )
    query = """query($id: ID!) { hidden: customer(id: $id) { id }
      shown: customer(id: $id, includeDeleted: true) { deletedAt mergedInto { id } } }"""
    data = await client.query(query, {"id": merged})
    assert data["hidden"] is None
    assert data["shown"]["deletedAt"] is not None
    assert data["shown"]["mergedInto"] == {"id": survivor}


PREVIEW = """
mutation($survivor: ID!, $merged: [ID!]!) {
  mergeCustomers(survivorId: $survivor, mergedIds: $merged, dryRun: true) {
    survivor {
      id displayName region industry birthDate tags attributes version owner { id }
      contactPoints { value }
    }
    errors { field code message }
  }
}
"""
SURVIVOR = """
query($id: ID!) {
  customer(id: $id) {
    id displayName region industry birthDate tags attributes version owner { id }
    contactPoints { value }
  }
}
"""
MERGE_AUDIT = """
query($id: ID!) {
  auditLog(entityId: $id, first: 1) { edges { node { action changes note } } }
}
"""


async def _merge_fixture(client: Client, runtime: Runtime) -> tuple[str, str, str]:
    await client.query(
        'mutation { defineCustomField(input: {key: "tier", label: "Tier", fieldType: TEXT})'
        " { errors { code } } }"
    )
    owner = (await client.query("{ viewer { user { id } } }"))["viewer"]["user"]["id"]
    ada = await create_person(client, "Ada", "Lovelace", tags=["vip"])
    king = await create_person(
        client,
        "Ada",
        "King",
        region="London",
        industry="Maths",
        birthDate="1815-12-10",
        tags=["maths"],
        ownerId=owner,
        attributes={"tier": "gold"},
    )
    workspace = await workspace_named(runtime, client.workspace)
    async with operation(runtime, workspace) as op:
        await contact(op, pk(king["id"]), "email", "ada@example.com")
    return ada["id"], king["id"], owner


async def test_dry_run_shows_the_survivor_as_the_merge_would_leave_it(
    client: Client, runtime: Runtime
) -> None:
    ada, king, owner = await _merge_fixture(client, runtime)
    before = (await client.query(SURVIVOR, {"id": ada}))["customer"]

    preview = (await client.query(PREVIEW, {"survivor": ada, "merged": [king]}))["mergeCustomers"]
    assert preview["errors"] == []
    shown = preview["survivor"]
    assert shown["region"] == "London"
    assert shown["industry"] == "Maths"
    assert shown["birthDate"] == "1815-12-10"
    assert shown["tags"] == ["maths", "vip"]
    assert shown["attributes"] == {"tier": "gold"}
    assert shown["owner"] == {"id": owner}
    assert [p["value"] for p in shown["contactPoints"]] == ["ada@example.com"]
    # Nothing was kept.
    assert (await client.query(SURVIVOR, {"id": ada}))["customer"] == before

    await client.query(MERGE, {"survivor": ada, "merged": [king]})
    after = (await client.query(SURVIVOR, {"id": ada}))["customer"]
    assert {k: v for k, v in after.items() if k != "version"} == {
        k: v for k, v in shown.items() if k != "version"
    }


async def test_merge_audit_lists_what_moved_and_what_changed(
    client: Client, runtime: Runtime
) -> None:
    ada, king, owner = await _merge_fixture(client, runtime)
    task = await client.query(
        'mutation($c: ID!) { createTask(input: {title: "Call", customerId: $c}) { task { id } } }',
        {"c": king},
    )
    points = (await client.query(SURVIVOR, {"id": king}))["customer"]["contactPoints"]
    assert len(points) == 1
    point_ids = (
        await client.query(
            "query($id: ID!) { customer(id: $id) { contactPoints { id } } }", {"id": king}
        )
    )["customer"]["contactPoints"]

    done = (await client.query(MERGE, {"survivor": ada, "merged": [king]}))["mergeCustomers"]
    assert done["errors"] == []
    entry = (await client.query(MERGE_AUDIT, {"id": ada}))["auditLog"]["edges"][0]["node"]
    assert entry["action"] == "merge"
    changes = entry["changes"]
    assert changes["mergedIds"] == [None, [king]]
    assert changes["moved"] == [
        None,
        {"ContactPoint": [point_ids[0]["id"]], "Task": [task["createTask"]["task"]["id"]]},
    ]
    assert changes["region"] == [None, "London"]
    assert changes["ownerId"] == [None, owner]
    assert changes["tags"] == [["vip"], ["maths", "vip"]]
    assert changes["attributes"] == [{"tier": None}, {"tier": "gold"}]


async def test_a_dry_run_is_rolled_back_before_the_next_mutation_of_the_document(
    client: Client, runtime: Runtime
) -> None:
    ada, king, _owner = await _merge_fixture(client, runtime)
    data = await client.query(
        """mutation($survivor: ID!, $merged: [ID!]!) {
          preview: mergeCustomers(survivorId: $survivor, mergedIds: $merged, dryRun: true) {
            survivor { region } errors { code }
          }
          edit: updateCustomer(id: $survivor, input: {industry: "Poetry"}) {
            customer { region industry } errors { code }
          }
        }""",
        {"survivor": ada, "merged": [king]},
    )
    assert data["preview"]["survivor"]["region"] == "London"
    assert data["edit"]["customer"] == {"region": None, "industry": "Poetry"}
    assert (await client.query(COUNT))["customers"]["totalCount"] == 2
    entries = (await client.query(MERGE_AUDIT, {"id": ada}))["auditLog"]["edges"]
    assert [e["node"]["action"] for e in entries] == ["update"]
