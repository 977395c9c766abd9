"""Every operation is authenticated, authorised and confined to the caller's workspace."""

from __future__ import annotations

import uuid

import httpx

from rapport.core.app import create_app
from rapport.core.runtime import Runtime
from tests.conftest import Client

CREATE = """
mutation($input: CreateCustomerInput!) {
  createCustomer(input: $input) { customer { id displayName version } errors { field code message } }
}
"""


async def create_person(client: Client, first: str, last: str, **extra: object) -> dict:
    data = await client.query(
        CREATE, {"input": {"kind": "PERSON", "firstName": first, "lastName": last, **extra}}
    )
    payload = data["createCustomer"]
    assert payload["errors"] == []
    return payload["customer"]


async def test_missing_key_is_unauthenticated(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": "{ viewer { role } }"})
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_bad_key_is_unauthenticated(http: httpx.AsyncClient) -> None:
    for header in ("Bearer rpk_not-a-real-key", "Bearer ", "Basic abc", "rpk_x"):
        response = await http.post(
            "/graphql", json={"query": "{ viewer { role } }"}, headers={"Authorization": header}
        )
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", header


async def test_unauthenticated_cannot_introspect_or_probe(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": "{ __schema { types { name } } }"})
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    response = await http.post("/graphql", json={"query": "{ customerz { id } }"})
    errors = response.json()["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["UNAUTHENTICATED"]


async def test_viewer_reports_role_and_permissions(client: Client) -> None:
    data = await client.query("{ viewer { workspaceName role permissions user { email } } }")
    assert data["viewer"]["role"] == "admin"
    assert data["viewer"]["workspaceName"] == client.workspace
    assert "customers:write" in data["viewer"]["permissions"]


async def test_viewer_role_cannot_write(client: Client, runtime: Runtime) -> None:
    viewer = await client.as_role(runtime, "viewer")
    body = await viewer.post(
        CREATE, {"input": {"kind": "PERSON", "firstName": "Ada", "lastName": "Lovelace"}}
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "customers:write" in body["errors"][0]["message"]
    data = await client.query("{ customers { totalCount } }")
    assert data["customers"]["totalCount"] == 0


async def test_viewer_role_can_read(client: Client, runtime: Runtime) -> None:
    await create_person(client, "Ada", "Lovelace")
    viewer = await client.as_role(runtime, "viewer")
    data = await viewer.query("{ customers { totalCount } }")
    assert data["customers"]["totalCount"] == 1


async def test_workspaces_see_nothing_of_each_other(client: Client, other_client: Client) -> None:
    mine = await create_person(client, "Grace", "Hopper", region="North", tags=["vip"])
    await create_person(other_client, "Alan", "Turing", region="North")

    # Lists and filters.
    for query in (
        "{ customers { totalCount edges { node { displayName } } } }",
        '{ customers(filter: {region: {eq: "North"}}) { totalCount edges { node { displayName } } } }',
        '{ customers(filter: {displayName: {startsWith: "Grace"}}) { totalCount edges { node { displayName } } } }',
    ):
        theirs = await other_client.query(query)
        names = [e["node"]["displayName"] for e in theirs["customers"]["edges"]]
        assert "Grace Hopper" not in names
        assert theirs["customers"]["totalCount"] == len(names)

    # node(id:), customer(id:) and nodes(ids:).
    data = await other_client.query(
        "query($id: ID!) { node(id: $id) { id } customer(id: $id) { id } nodes(ids: [$id]) { id } }",
        {"id": mine["id"]},
    )
    assert data == {"node": None, "customer": None, "nodes": [None]}

    # Mutations on a foreign id change nothing and say not found.
    for mutation in (
        'mutation($id: ID!) { updateCustomer(id: $id, input: {lastName: "X"}) { errors { code field } } }',
        "mutation($id: ID!) { deleteCustomer(id: $id) { errors { code field } } }",
        "mutation($id: ID!) { restoreCustomer(id: $id) { errors { code field } } }",
    ):
        data = await other_client.query(mutation, {"id": mine["id"]})
        payload = next(iter(data.values()))
        assert payload["errors"][0]["code"] == "NOT_FOUND", mutation
    data = await client.query(
        "query($id: ID!) { customer(id: $id) { displayName deletedAt } }", {"id": mine["id"]}
    )
    assert data["customer"] == {"displayName": "Grace Hopper", "deletedAt": None}


async def test_guessing_keys_is_throttled_per_address(runtime: Runtime) -> None:
    settings = runtime.settings.with_overrides(auth_failures_per_minute=5)
    limited = Runtime.create(settings)
    app = create_app(settings, runtime=limited)
    query = {"query": "{ viewer { role } }"}

    async def guess(address: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=(address, 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            headers = {"Authorization": f"Bearer rpk_guess{uuid.uuid4().hex}"}
            return await http.post("/graphql", json=query, headers=headers)

    answers = [await guess("203.0.113.7") for _ in range(7)]
    assert [a.status_code for a in answers[:5]] == [200] * 5
    assert answers[5].status_code == 429
    assert int(answers[5].headers["retry-after"]) >= 1
    assert answers[5].json()["errors"][0]["extensions"] == {
        "code": "RATE_LIMITED",
        "retryable": True,
    }
    # Another address is not held back by the first one's guesses.
    assert (await guess("203.0.113.8")).status_code == 200
    await limited.dispose()
