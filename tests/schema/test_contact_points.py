"""Contact points: add, update, remove, primaries, and the customer fields that show them."""

from __future__ import annotations

from tests.conftest import Client
from tests.schema.factories import errors_of, person, run

ADD = """
mutation($customer: ID!, $input: AddContactPointInput!) {
  addContactPoint(customerId: $customer, input: $input) {
    contactPoint { id kind value normalizedValue isPrimary }
    errors { field code message }
  }
}
"""
UPDATE = """
mutation($id: ID!, $input: UpdateContactPointInput!) {
  updateContactPoint(id: $id, input: $input) {
    contactPoint { id value isPrimary } errors { field code message }
  }
}
"""
REMOVE = """
mutation($id: ID!) { removeContactPoint(id: $id) { contactPoint { id } errors { field code message } } }
"""
SHOW = """
query($id: ID!) {
  customer(id: $id) {
    primaryEmail primaryPhone
    contactPoints { kind value isPrimary }
    emails: contactPoints(kinds: [EMAIL]) { value }
  }
}
"""


async def test_add_update_remove_and_primaries(client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace")
    first = await run(
        client, ADD, {"customer": ada, "input": {"kind": "EMAIL", "value": " Ada@Example.org "}}
    )
    assert first["contactPoint"]["normalizedValue"] == "ada@example.org"
    assert first["contactPoint"]["value"] == "Ada@Example.org"
    second = await run(
        client,
        ADD,
        {"customer": ada, "input": {"kind": "EMAIL", "value": "a@work.org", "isPrimary": True}},
    )
    await run(
        client,
        ADD,
        {
            "customer": ada,
            "input": {"kind": "PHONE", "value": "+44 20 7946 0958", "isPrimary": True},
        },
    )
    shown = (await client.query(SHOW, {"id": ada}))["customer"]
    assert shown["primaryEmail"] == "a@work.org"
    assert shown["primaryPhone"] == "+44 20 7946 0958"
    assert shown["contactPoints"][0]["isPrimary"] is True
    assert [e["value"] for e in shown["emails"]] == ["a@work.org", "Ada@Example.org"]

    # Making the first email primary demotes the second.
    await run(client, UPDATE, {"id": first["contactPoint"]["id"], "input": {"isPrimary": True}})
    shown = (await client.query(SHOW, {"id": ada}))["customer"]
    assert shown["primaryEmail"] == "Ada@Example.org"
    assert sum(1 for p in shown["contactPoints"] if p["isPrimary"]) == 2

    await run(client, REMOVE, {"id": second["contactPoint"]["id"]})
    shown = (await client.query(SHOW, {"id": ada}))["customer"]
    assert [e["value"] for e in shown["emails"]] == ["Ada@Example.org"]


async def test_bad_values_are_refused_and_nothing_is_written(client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace")
    assert await errors_of(
        client, ADD, {"customer": ada, "input": {"kind": "EMAIL", "value": "not-an-email"}}
    ) == [("input.value", "INVALID")]
    assert await errors_of(
        client, ADD, {"customer": ada, "input": {"kind": "PHONE", "value": "12"}}
    ) == [("input.value", "INVALID")]
    # The input type itself requires a value: a typed client cannot leave it out.
    missing = await client.post(ADD, {"customer": ada, "input": {"kind": "EMAIL"}})
    assert "required field 'value'" in missing["errors"][0]["message"]
    point = await run(client, ADD, {"customer": ada, "input": {"kind": "EMAIL", "value": "x@y.co"}})
    assert await errors_of(
        client, UPDATE, {"id": point["contactPoint"]["id"], "input": {"value": None}}
    ) == [("input.value", "REQUIRED")]
    await run(client, REMOVE, {"id": point["contactPoint"]["id"]})
    shown = (await client.query(SHOW, {"id": ada}))["customer"]
    assert shown["contactPoints"] == []
    point = await run(client, ADD, {"customer": ada, "input": {"kind": "EMAIL", "value": "a@b.co"}})
    assert await errors_of(
        client, UPDATE, {"id": point["contactPoint"]["id"], "input": {"value": "nope"}}
    ) == [("input.value", "INVALID")]
    shown = (await client.query(SHOW, {"id": ada}))["customer"]
    assert [p["value"] for p in shown["contactPoints"]] == ["a@b.co"]


async def test_wrong_kind_of_id_is_invalid(client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace")
    point = await run(client, ADD, {"customer": ada, "input": {"kind": "EMAIL", "value": "a@b.co"}})
    assert await errors_of(client, REMOVE, {"id": ada}) == [("id", "INVALID")]
    assert await errors_of(
        client,
        ADD,
        {"customer": point["contactPoint"]["id"], "input": {"kind": "EMAIL", "value": "x@y.z"}},
    ) == [("customerId", "INVALID")]


async def test_other_workspaces_cannot_touch_contact_points(
    client: Client, other_client: Client
) -> None:
    ada = await person(client, "Ada", "Lovelace")
    point = await run(client, ADD, {"customer": ada, "input": {"kind": "EMAIL", "value": "a@b.co"}})
    point_id = point["contactPoint"]["id"]
    assert await errors_of(
        other_client, ADD, {"customer": ada, "input": {"kind": "EMAIL", "value": "x@y.z"}}
    ) == [("customerId", "NOT_FOUND")]
    assert await errors_of(other_client, UPDATE, {"id": point_id, "input": {"value": "x@y.z"}}) == [
        ("id", "NOT_FOUND")
    ]
    assert await errors_of(other_client, REMOVE, {"id": point_id}) == [("id", "NOT_FOUND")]
    data = await other_client.query("query($id: ID!) { node(id: $id) { id } }", {"id": point_id})
    assert data["node"] is None
    shown = (await client.query(SHOW, {"id": ada}))["customer"]
    assert [p["value"] for p in shown["contactPoints"]] == ["a@b.co"]
