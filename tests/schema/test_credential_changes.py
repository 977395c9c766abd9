"""A revoked key or a deactivated user stops working in every server process at once,
although each process caches the actors of the keys it has seen."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import event, text

from rapport.core.app import create_app
from rapport.core.credentials import CHANNEL
from rapport.core.runtime import Runtime
from tests.conftest import Client

CREATE_KEY = """mutation($input: ApiKeyInput!) {
  createApiKey(input: $input) { key apiKey { id } errors { code } } }"""
CREATE_USER = """mutation($input: UserInput!) {
  createUser(input: $input) { user { id } errors { code } } }"""
REVOKE = "mutation($id: ID!) { revokeApiKey(id: $id) { errors { code } } }"
UPDATE_USER = """mutation($id: ID!, $input: UserChanges!) {
  updateUser(id: $id, input: $input) { errors { code } } }"""
VIEWER = "{ viewer { role } }"
# How long a notification may take to reach another process over a local connection.
DELIVERY_SECONDS = 2.0


@pytest.fixture
async def other_process(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """A second server on the same database: its own engine, pool and key cache."""
    second = Runtime.create(runtime.settings)
    app = create_app(second.settings, runtime=second)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://other") as http:
        yield http
    await second.dispose()


async def _refused_after(caller: Client) -> tuple[int, float] | None:
    """Requests and seconds until ``caller`` is refused (None: still accepted after the
    delivery time)."""
    started = time.monotonic()
    attempts = 0
    while time.monotonic() - started < DELIVERY_SECONDS:
        attempts += 1
        body = await caller.post(VIEWER)
        if body.get("errors") and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED":
            return attempts, time.monotonic() - started
        await asyncio.sleep(0.005)
    return None


async def _cached_member_key(client: Client, other: httpx.AsyncClient) -> tuple[str, Client]:
    data = await client.query(CREATE_KEY, {"input": {"name": "temp", "role": "member"}})
    created = data["createApiKey"]
    elsewhere = Client(other, created["key"], client.workspace)
    # Used twice in the other process, so its actor is cached there.
    for _ in range(2):
        assert (await elsewhere.query(VIEWER))["viewer"]["role"] == "member"
    return created["apiKey"]["id"], elsewhere


async def _expect_refused_at_once(caller: Client, backend: str) -> None:
    refused = await _refused_after(caller)
    assert refused is not None, "still accepted in the other process"
    attempts, waited = refused
    if backend == "sqlite":
        assert attempts == 1  # the first request after the change
    else:
        assert waited < 0.5


async def test_revocation_reaches_another_process(
    client: Client, other_process: httpx.AsyncClient, backend: str
) -> None:
    key_id, elsewhere = await _cached_member_key(client, other_process)
    revoked = await client.query(REVOKE, {"id": key_id})
    assert revoked["revokeApiKey"]["errors"] == []
    await _expect_refused_at_once(elsewhere, backend)


async def test_deactivation_reaches_another_process(
    client: Client, other_process: httpx.AsyncClient, backend: str
) -> None:
    user = await client.query(
        CREATE_USER, {"input": {"email": "kim@example.com", "role": "member"}}
    )
    user_id = user["createUser"]["user"]["id"]
    data = await client.query(CREATE_KEY, {"input": {"name": "kim", "userId": user_id}})
    elsewhere = Client(other_process, data["createApiKey"]["key"], client.workspace)
    await elsewhere.query(VIEWER)
    changed = await client.query(UPDATE_USER, {"id": user_id, "input": {"isActive": False}})
    assert changed["updateUser"]["errors"] == []
    await _expect_refused_at_once(elsewhere, backend)
    # Reactivated, the key works again in that process as well.
    await client.query(UPDATE_USER, {"id": user_id, "input": {"isActive": True}})
    assert (await elsewhere.query(VIEWER))["viewer"]["role"] == "member"


async def test_other_workspaces_keep_their_cached_keys(
    client: Client, other_client: Client, other_process: httpx.AsyncClient
) -> None:
    key_id, _ = await _cached_member_key(client, other_process)
    theirs = Client(other_process, other_client.key, other_client.workspace)
    await theirs.query(VIEWER)
    await client.query(REVOKE, {"id": key_id})
    assert (await theirs.query(VIEWER))["viewer"]["role"] == "admin"


async def test_revocation_holds_while_the_listening_connection_is_down(
    client: Client, other_process: httpx.AsyncClient, runtime: Runtime, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("only PostgreSQL listens for changes; SQLite always checks the epoch")
    key_id, elsewhere = await _cached_member_key(client, other_process)
    async with runtime.engine.begin() as connection:
        # End every listening connection: no notification can reach anyone now.
        await connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE pid <> pg_backend_pid() AND query LIKE :listen"
            ),
            {"listen": f'LISTEN "{CHANNEL}"%'},
        )
    await asyncio.sleep(0.1)  # the other process notices the lost connection
    await client.query(REVOKE, {"id": key_id})
    body = await elsewhere.post(VIEWER)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_cached_keys_cost_no_query_while_listening(
    client: Client, runtime: Runtime, backend: str
) -> None:
    second = Runtime.create(runtime.settings)
    statements: list[str] = []
    event.listen(
        second.engine.sync_engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_: statements.append(statement),
    )
    app = create_app(second.settings, runtime=second)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://o"
    ) as http:
        elsewhere = Client(http, client.key, client.workspace)
        await elsewhere.query(VIEWER)
        await asyncio.sleep(0.2)  # the listening connection is up
        await elsewhere.query(VIEWER)
        statements.clear()
        await elsewhere.query(VIEWER)
    await second.dispose()
    epoch_checks = [s for s in statements if s.startswith("SELECT workspaces.credentials_epoch")]
    assert len(epoch_checks) == (0 if backend == "postgresql" else 1)


async def test_a_null_in_a_user_change_is_refused_and_changes_nothing(client: Client) -> None:
    created = await client.query(
        CREATE_USER, {"input": {"email": "n@x.example", "displayName": "N", "role": "member"}}
    )
    user_id = created["createUser"]["user"]["id"]
    changes = """mutation($id: ID!, $input: UserChanges!) {
      updateUser(id: $id, input: $input) { user { role isActive } errors { field code } } }"""
    for name in ("role", "isActive", "displayName"):
        refused = await client.query(changes, {"id": user_id, "input": {name: None}})
        assert refused["updateUser"] == {
            "user": None,
            "errors": [{"field": f"input.{name}", "code": "REQUIRED"}],
        }
    kept = await client.query(changes, {"id": user_id, "input": {}})
    assert kept["updateUser"]["user"] == {"role": "member", "isActive": True}
