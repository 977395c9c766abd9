"""Customers through the API: create, read, page, filter, order, update, delete, restore."""

from __future__ import annotations

from tests.conftest import Client

CREATE = """mutation($input: CreateCustomerInput!) {
  createCustomer(input: $input) {
    customer { id displayName kind lifecycleStatus tags version attributes }
    errors { field code message }
  }
}"""
UPDATE = """mutation($id: ID!, $input: UpdateCustomerInput!, $version: Int) {
  updateCustomer(id: $id, input: $input, version: $version) {
    customer { id displayName version lifecycleStatus }
    errors { field code message }
  }
}"""
PAGE = """query($first: Int, $after: String, $last: Int, $before: String, $order: [CustomerOrder!]) {
  customers(first: $first, after: $after, last: $last, before: $before, orderBy: $order) {
    totalCount
    edges { cursor node { displayName } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


async def create(client: Client, **fields: object) -> dict:
    data = await client.query(CREATE, {"input": fields})
    assert data["createCustomer"]["errors"] == [], data
    return data["createCustomer"]["customer"]


async def test_create_person_and_organization(client: Client) -> None:
    person = await create(
        client,
        kind="PERSON",
        firstName="  Marie ",
        lastName="Curie",
        tags=["VIP", "vip", " science "],
    )
    assert person["displayName"] == "Marie Curie"
    assert person["lifecycleStatus"] == "LEAD"
    assert person["tags"] == ["science", "vip"]
    org = await create(client, kind="ORGANIZATION", organizationName="Acme Ltd")
    assert org["displayName"] == "Acme Ltd"


async def test_create_reports_every_bad_field_and_writes_nothing(client: Client) -> None:
    data = await client.query(
        CREATE,
        {
            "input": {
                "kind": "PERSON",
                "birthDate": "2999-01-01",
            }
        },
    )
    errors = {e["field"]: e["code"] for e in data["createCustomer"]["errors"]}
    assert errors == {
        "input.lastName": "REQUIRED",
        "input.birthDate": "INVALID",
    }
    assert data["createCustomer"]["customer"] is None
    assert (await client.query("{ customers { totalCount } }"))["customers"]["totalCount"] == 0


async def test_unknown_input_field_is_a_graphql_error(client: Client) -> None:
    body = await client.post(CREATE, {"input": {"kind": "PERSON", "lastName": "X", "shoeSize": 9}})
    assert "shoeSize" in body["errors"][0]["message"]


async def test_unknown_filter_field_is_a_graphql_error(client: Client) -> None:
    body = await client.post('{ customers(filter: {shoeSize: {eq: "9"}}) { totalCount } }')
    assert "shoeSize" in body["errors"][0]["message"]


async def test_update_with_stale_version_is_a_conflict_and_changes_nothing(client: Client) -> None:
    customer = await create(client, kind="PERSON", firstName="Ada", lastName="Byron")
    first = await client.query(
        UPDATE,
        {"id": customer["id"], "input": {"lastName": "Lovelace"}, "version": customer["version"]},
    )
    assert first["updateCustomer"]["customer"]["displayName"] == "Ada Lovelace"
    assert first["updateCustomer"]["customer"]["version"] == customer["version"] + 1
    stale = await client.query(
        UPDATE,
        {"id": customer["id"], "input": {"lastName": "King"}, "version": customer["version"]},
    )
    assert stale["updateCustomer"]["errors"][0]["code"] == "CONFLICT"
    assert stale["updateCustomer"]["errors"][0]["field"] == "input.version"
    data = await client.query(
        "query($id: ID!) { customer(id: $id) { displayName } }", {"id": customer["id"]}
    )
    assert data["customer"]["displayName"] == "Ada Lovelace"


async def test_soft_delete_and_restore(client: Client) -> None:
    customer = await create(client, kind="PERSON", lastName="Gone")
    deleted = await client.query(
        "mutation($id: ID!) { deleteCustomer(id: $id) { customer { deletedAt } errors { code } } }",
        {"id": customer["id"]},
    )
    assert deleted["deleteCustomer"]["customer"]["deletedAt"] is not None
    listed = await client.query(
        "{ customers { totalCount } all: customers(includeDeleted: true) { totalCount } }"
    )
    assert (listed["customers"]["totalCount"], listed["all"]["totalCount"]) == (0, 1)
    again = await client.query(
        "mutation($id: ID!) { deleteCustomer(id: $id) { errors { code } } }", {"id": customer["id"]}
    )
    assert again["deleteCustomer"]["errors"][0]["code"] == "NOT_FOUND"
    restored = await client.query(
        "mutation($id: ID!) { restoreCustomer(id: $id) { customer { deletedAt } errors { code } } }",
        {"id": customer["id"]},
    )
    assert restored["restoreCustomer"]["customer"]["deletedAt"] is None
    twice = await client.query(
        "mutation($id: ID!) { restoreCustomer(id: $id) { errors { code } } }",
        {"id": customer["id"]},
    )
    assert twice["restoreCustomer"]["errors"][0]["code"] == "CONFLICT"


async def test_ids_of_the_wrong_type_are_rejected(client: Client) -> None:
    data = await client.query("{ viewer { user { id } } }")
    user_id = data["viewer"]["user"]["id"]
    result = await client.query(
        "mutation($id: ID!) { deleteCustomer(id: $id) { errors { field code message } } }",
        {"id": user_id},
    )
    assert result["deleteCustomer"]["errors"] == [
        {"field": "id", "code": "INVALID", "message": "not an id of a Customer"}
    ]
    body = await client.post('mutation { deleteCustomer(id: "garbage") { errors { code } } }')
    assert body["errors"]


async def test_keyset_pages_forward_and_backward(client: Client) -> None:
    names = [f"Name {i:02d}" for i in range(7)]
    for name in reversed(names):
        await create(client, kind="ORGANIZATION", organizationName=name)
    order = [{"field": "DISPLAY_NAME", "direction": "ASC"}]
    seen: list[str] = []
    after = None
    while True:
        page = (await client.query(PAGE, {"first": 3, "after": after, "order": order}))["customers"]
        seen += [e["node"]["displayName"] for e in page["edges"]]
        assert page["totalCount"] == 7
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == names
    last = (await client.query(PAGE, {"last": 2, "order": order}))["customers"]
    assert [e["node"]["displayName"] for e in last["edges"]] == names[-2:]
    assert last["pageInfo"]["hasPreviousPage"] is True
    before = await client.query(
        PAGE, {"last": 2, "before": last["pageInfo"]["startCursor"], "order": order}
    )
    assert [e["node"]["displayName"] for e in before["customers"]["edges"]] == names[-4:-2]
    desc = await client.query(
        PAGE, {"first": 2, "order": [{"field": "DISPLAY_NAME", "direction": "DESC"}]}
    )
    assert [e["node"]["displayName"] for e in desc["customers"]["edges"]] == names[::-1][:2]


async def test_a_cursor_from_another_ordering_is_refused(client: Client) -> None:
    await create(client, kind="ORGANIZATION", organizationName="A")
    await create(client, kind="ORGANIZATION", organizationName="B")
    page = (await client.query(PAGE, {"first": 1}))["customers"]
    body = await client.post(PAGE, {"first": 1, "after": "not-a-cursor"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = await client.post(
        PAGE,
        {
            "first": 1,
            "after": page["pageInfo"]["endCursor"],
            "order": [{"field": "DISPLAY_NAME"}, {"field": "UPDATED_AT"}],
        },
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_filters_combine_with_and_or_not(client: Client) -> None:
    await create(
        client,
        kind="PERSON",
        firstName="Ann",
        lastName="North",
        region="North",
        industry="Banking",
        lifecycleStatus="ACTIVE",
    )
    await create(
        client,
        kind="PERSON",
        firstName="Bob",
        lastName="South",
        region="South",
        industry="Banking",
        lifecycleStatus="PROSPECT",
    )
    await create(
        client,
        kind="ORGANIZATION",
        organizationName="Cat Co",
        region="North",
        industry="Retail",
        lifecycleStatus="ACTIVE",
    )

    async def names(filter_: str) -> list[str]:
        data = await client.query(
            f"{{ customers(filter: {filter_}, orderBy: [{{field: DISPLAY_NAME}}]) {{ edges {{ node {{ displayName }} }} }} }}"
        )
        return [e["node"]["displayName"] for e in data["customers"]["edges"]]

    assert await names('{region: {eq: "North"}}') == ["Ann North", "Cat Co"]
    assert await names('{region: {eq: "North"}, industry: {eq: "Banking"}}') == ["Ann North"]
    assert await names('{or: [{region: {eq: "South"}}, {kind: ORGANIZATION}]}') == [
        "Bob South",
        "Cat Co",
    ]
    assert await names('{not: {industry: {eq: "Banking"}}}') == ["Cat Co"]
    assert await names("{lifecycleStatus: [PROSPECT]}") == ["Bob South"]
    assert await names('{displayName: {contains: "o"}}') == ["Ann North", "Bob South", "Cat Co"]
    assert await names('{displayName: {startsWith: "%"}}') == []
    assert await names('{industry: {in: ["Retail", "Banking"]}, region: {neq: "North"}}') == [
        "Bob South"
    ]
