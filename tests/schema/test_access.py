"""Users and API keys managed through the API, by admins only."""

from __future__ import annotations

from rapport.core.runtime import Runtime
from tests.conftest import Client

CREATE_USER = """mutation($input: UserInput!) {
  createUser(input: $input) { user { id email role isActive } errors { field code message } }
}"""
CREATE_KEY = """mutation($input: ApiKeyInput!) {
  createApiKey(input: $input) { key apiKey { id name role prefix user { email } } errors { field code message } }
}"""


async def test_admin_creates_a_user_and_a_key_that_works(client: Client) -> None:
    data = await client.query(
        CREATE_USER, {"input": {"email": "Sam@Example.com", "role": "viewer"}}
    )
    user = data["createUser"]["user"]
    assert user["email"] == "sam@example.com"
    data = await client.query(CREATE_KEY, {"input": {"name": "reporting", "userId": user["id"]}})
    payload = data["createApiKey"]
    assert payload["apiKey"]["role"] == "viewer"
    assert payload["key"].startswith(payload["apiKey"]["prefix"])
    as_sam = Client(client.http, payload["key"], client.workspace)
    viewer = await as_sam.query("{ viewer { role user { email } } }")
    assert viewer["viewer"] == {"role": "viewer", "user": {"email": "sam@example.com"}}
    listed = await client.query("{ apiKeys { edges { node { name } } } users { totalCount } }")
    assert "reporting" in [e["node"]["name"] for e in listed["apiKeys"]["edges"]]
    assert listed["users"]["totalCount"] == 2


async def test_bad_user_and_key_input(client: Client) -> None:
    data = await client.query(CREATE_USER, {"input": {"email": "nope", "role": "wizard"}})
    assert {e["field"] for e in data["createUser"]["errors"]} == {"input.email", "input.role"}
    await client.query(CREATE_USER, {"input": {"email": "a@b.co", "role": "member"}})
    again = await client.query(CREATE_USER, {"input": {"email": "A@b.co", "role": "member"}})
    assert again["createUser"]["errors"][0]["code"] == "CONFLICT"
    data = await client.query(CREATE_KEY, {"input": {"name": " ", "role": "wizard"}})
    assert {e["field"] for e in data["createApiKey"]["errors"]} == {"input.name", "input.role"}


async def test_revoked_key_stops_working(client: Client, runtime: Runtime) -> None:
    data = await client.query(CREATE_KEY, {"input": {"name": "temp", "role": "member"}})
    key_id, secret = data["createApiKey"]["apiKey"]["id"], data["createApiKey"]["key"]
    revoked = await client.query(
        "mutation($id: ID!) { revokeApiKey(id: $id) { apiKey { revokedAt } errors { code } } }",
        {"id": key_id},
    )
    assert revoked["revokeApiKey"]["apiKey"]["revokedAt"] is not None
    # A fresh app has no cached actors: the revoked key is refused at once.
    import httpx

    from rapport.core.app import create_app

    app = create_app(runtime.settings, runtime=runtime)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        body = await Client(http, secret, client.workspace).post("{ viewer { role } }")
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_admin_cannot_lock_themselves_out(client: Client) -> None:
    me = (await client.query("{ viewer { user { id } } }"))["viewer"]["user"]["id"]
    data = await client.query(
        "mutation($id: ID!) { updateUser(id: $id, input: {isActive: false}) { errors { code } } }",
        {"id": me},
    )
    assert data["updateUser"]["errors"][0]["code"] == "FORBIDDEN"


async def test_members_cannot_manage_access(client: Client, runtime: Runtime) -> None:
    member = await client.as_role(runtime, "member")
    for query in (
        "{ apiKeys { totalCount } }",
        'mutation { createUser(input: {email: "x@y.zz", role: "admin"}) { errors { code } } }',
        'mutation { createApiKey(input: {name: "escalate", role: "admin"}) { key } }',
    ):
        body = await member.post(query)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", query
    assert (await member.query("{ users { totalCount } }"))["users"]["totalCount"] >= 1


async def test_keys_of_another_workspace_cannot_be_revoked(
    client: Client, other_client: Client
) -> None:
    data = await client.query(CREATE_KEY, {"input": {"name": "mine"}})
    key_id = data["createApiKey"]["apiKey"]["id"]
    theirs = await other_client.query(
        "mutation($id: ID!) { revokeApiKey(id: $id) { errors { code } } }", {"id": key_id}
    )
    assert theirs["revokeApiKey"]["errors"][0]["code"] == "NOT_FOUND"
