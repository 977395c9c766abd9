"""Subscriptions end to end: real `rapport serve` processes, a WebSocket client and an SSE client.

On PostgreSQL two server processes share the database: what is written through one reaches a
subscriber of the other. On SQLite one process serves both. The background jobs run inside
`rapport serve` (no `rapport worker` is started here), so reminders fire too.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import Databases
from tests.test_e2e import RAPPORT, _cli, _free_port, _wait_until_ready

pytestmark = pytest.mark.e2e

DELIVERY_SECONDS = 1.0
CREATE = """mutation($name: String!) {
  createCustomer(input: {kind: ORGANIZATION, organizationName: $name}) {
    customer { id } errors { code } } }"""
UPDATE = """mutation($id: ID!, $name: String!) {
  updateCustomer(id: $id, input: {organizationName: $name}) { errors { code } } }"""


@dataclass
class Server:
    base: str
    process: subprocess.Popen[str]

    @property
    def ws(self) -> str:
        return self.base.replace("http://", "ws://") + "/graphql"


def _start(env: dict[str, str], log: Path, *args: str) -> tuple[Server, str | None]:
    port = _free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [*RAPPORT, "serve", "--port", str(port), *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    server = Server(f"http://127.0.0.1:{port}", process)
    if "--demo" in args:
        return server, _wait_until_ready(server.base, log, process)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{server.base}/readyz", timeout=2).status_code == 200:
                return server, None
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail(f"server not ready:\n{log.read_text()}")


@pytest.fixture(scope="module")
async def realtime_env(
    databases: Databases, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("RAPPORT_")}
    env["RAPPORT_DATABASE_URL"] = await databases.create()
    env["RAPPORT_CONFIG"] = str(tmp_path_factory.mktemp("cfg") / "absent.toml")
    env["RAPPORT_SUBSCRIPTION_INIT_SECONDS"] = "1"
    env["RAPPORT_SUBSCRIPTIONS_PER_CONNECTION"] = "3"
    return env


@pytest.fixture(scope="module")
def servers(
    realtime_env: dict[str, str], databases: Databases, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[list[Server], str]]:
    folder = tmp_path_factory.mktemp("servers")
    first, key = _start(realtime_env, folder / "first.log", "--demo")
    started = [first]
    try:
        if databases.backend == "postgresql":
            second, _ = _start(realtime_env, folder / "second.log", "--no-worker")
            started.append(second)
        assert key
        for server in started:
            asyncio.run(_warm_up(started[0], server, key))
        yield started, key
    finally:
        for server in started:
            server.process.terminate()
            server.process.wait(timeout=30)


def _post(server: Server, key: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = httpx.post(
        f"{server.base}/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def _customer(server: Server, key: str, name: str) -> str:
    return str(_post(server, key, CREATE, {"name": name})["createCustomer"]["customer"]["id"])


@asynccontextmanager
async def _socket(server: Server, key: str | None) -> AsyncIterator[ClientConnection]:
    async with connect(server.ws, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        if key is not None:
            await ws.send(
                json.dumps(
                    {"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}
                )
            )
            ack = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert ack["type"] == "connection_ack", ack
        yield ws


async def _subscribe(ws: ClientConnection, op_id: str, query: str, **variables: Any) -> None:
    message = {
        "id": op_id,
        "type": "subscribe",
        "payload": {"query": query, "variables": variables},
    }
    await ws.send(json.dumps(message))
    await asyncio.sleep(0.5)  # the server has registered the subscriber


async def _next(ws: ClientConnection, seconds: float = DELIVERY_SECONDS) -> dict[str, Any]:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), seconds))
        if message["type"] != "ping":
            return dict(message)


async def _warm_up(writer: Server, listener: Server, key: str) -> None:
    """Wait until ``listener`` delivers: its first round of background jobs (the demo's
    reminders fire at once) may keep it busy for a few seconds after it is ready."""
    for attempt in range(20):
        async with _socket(listener, key) as ws:
            await _subscribe(ws, "warm", 'subscription { events(types: ["customer.*"]) { name } }')
            await asyncio.to_thread(_customer, writer, key, f"Warm-up {attempt}")
            try:
                await _next(ws, 3)
                return
            except TimeoutError:
                continue
    pytest.fail(f"{listener.base} delivered no event")


def _pair(servers: tuple[list[Server], str]) -> tuple[Server, Server, str]:
    """Who writes and who is subscribed to: two processes on PostgreSQL, one on SQLite."""
    started, key = servers
    return started[0], started[-1], key


async def test_a_websocket_subscriber_hears_a_commit_within_a_second(
    servers: tuple[list[Server], str],
) -> None:
    writer, listener, key = _pair(servers)
    async with _socket(listener, key) as ws:
        await _subscribe(
            ws, "1", 'subscription { events(types: ["customer.*"]) { name entityId data } }'
        )
        started = time.monotonic()
        created = await asyncio.to_thread(_customer, writer, key, "Realtime Ltd")
        message = await _next(ws)
        assert time.monotonic() - started < DELIVERY_SECONDS + 1  # the write's own time included
        assert message["type"] == "next", message
        event = message["payload"]["data"]["events"]
        assert event == {
            "name": "customer.created",
            "entityId": created,
            "data": {"displayName": "Realtime Ltd"},
        }


async def test_an_sse_subscriber_hears_a_commit_within_a_second(
    servers: tuple[list[Server], str],
) -> None:
    writer, listener, key = _pair(servers)
    customer = await asyncio.to_thread(_customer, writer, key, "Streamed Ltd")
    query = """subscription($id: ID!) {
      customerChanged(id: $id) { event { name } fields customer { displayName } } }"""
    headers = {"Authorization": f"Bearer {key}", "Accept": "text/event-stream"}
    async with (
        httpx.AsyncClient(timeout=10) as http,
        http.stream(
            "POST",
            f"{listener.base}/graphql",
            json={"query": query, "variables": {"id": customer}},
            headers=headers,
        ) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        await asyncio.sleep(0.3)
        lines = response.aiter_lines()
        await asyncio.to_thread(_post, writer, key, UPDATE, {"id": customer, "name": "Renamed Ltd"})

        async def the_update() -> dict[str, Any]:
            async for line in lines:
                if line.startswith("data: ") and line[6:].strip():
                    change = json.loads(line[6:])["data"]["customerChanged"]
                    if change["event"]["name"] == "customer.updated":  # plugins score, too
                        return dict(change)
            raise AssertionError("the stream ended")

        change = await asyncio.wait_for(the_update(), DELIVERY_SECONDS + 1)
    assert "organizationName" in change["fields"]
    assert change["customer"] == {"displayName": "Renamed Ltd"}


async def test_rolled_back_work_is_never_delivered(servers: tuple[list[Server], str]) -> None:
    writer, listener, key = _pair(servers)
    survivor = await asyncio.to_thread(_customer, writer, key, "Survivor Ltd")
    duplicate = await asyncio.to_thread(_customer, writer, key, "Duplicate Ltd")
    async with _socket(listener, key) as ws:
        await _subscribe(
            ws,
            "1",
            'subscription { events(types: ["customer.merged", "customer.updated"]) '
            "{ name entityId } }",
        )
        dry_run = """mutation($s: ID!, $m: [ID!]!) {
          mergeCustomers(survivorId: $s, mergedIds: $m, dryRun: true) { errors { code } } }"""
        # A dry run merges in a savepoint it rolls back: its events go with it.
        result = await asyncio.to_thread(
            _post, writer, key, dry_run, {"s": survivor, "m": [duplicate]}
        )
        assert result["mergeCustomers"]["errors"] == []
        await asyncio.to_thread(_post, writer, key, UPDATE, {"id": duplicate, "name": "Committed"})
        message = await _next(ws, 3)
        assert message["payload"]["data"]["events"] == {
            "name": "customer.updated",
            "entityId": duplicate,
        }


async def test_a_manager_hears_nothing_of_another_book(
    servers: tuple[list[Server], str], realtime_env: dict[str, str]
) -> None:
    writer, listener, admin = _pair(servers)
    managers = {}
    for name in ("alice", "bob"):
        output = await asyncio.to_thread(
            _cli,
            realtime_env,
            "apikey",
            "create",
            "--workspace",
            "demo",
            "--role",
            "relationship_manager",
            "--email",
            f"{name}-{time.monotonic_ns()}@bank.example",
        )
        manager_key = output.strip().splitlines()[-1]
        me = _post(writer, manager_key, "{ viewer { user { id } } }")["viewer"]["user"]["id"]
        _post(
            writer,
            admin,
            """mutation($input: ManagerProfileInput!) {
                 saveManagerProfile(input: $input) { errors { code } } }""",
            {"input": {"userId": me, "branch": "Central", "segment": "private"}},
        )
        client = _customer(writer, admin, f"Client of {name}")
        _post(
            writer,
            admin,
            """mutation($input: AssignmentInput!) {
                 assignClient(input: $input) { errors { code message } } }""",
            {"input": {"managerId": me, "customerId": client}},
        )
        managers[name] = (manager_key, client)
    bob_key, bob_client = managers["bob"]
    _, alice_client = managers["alice"]
    async with _socket(listener, bob_key) as ws:
        await _subscribe(
            ws, "1", 'subscription { events(types: ["customer.updated"]) { entityId } }'
        )
        await _subscribe(
            ws,
            "2",
            "subscription($id: ID!) { customerChanged(id: $id) { fields } }",
            id=alice_client,
        )
        await asyncio.to_thread(_post, writer, admin, UPDATE, {"id": alice_client, "name": "A2"})
        await asyncio.to_thread(_post, writer, admin, UPDATE, {"id": bob_client, "name": "B2"})
        message = await _next(ws, 3)
        assert (message["id"], message["payload"]["data"]["events"]) == (
            "1",
            {"entityId": bob_client},
        )
        with pytest.raises(TimeoutError):
            await _next(ws, 1.5)


async def test_a_reminder_reaches_its_assignee_from_the_server_alone(
    servers: tuple[list[Server], str],
) -> None:
    writer, listener, key = _pair(servers)
    async with _socket(listener, key) as ws:
        await _subscribe(ws, "1", "subscription { myReminders { event { name } task { title } } }")
        soon = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
        create = """mutation($at: DateTime!) {
          createTask(input: {title: "Call back", remindAt: $at}) { errors { code } } }"""
        await asyncio.to_thread(_post, writer, key, create, {"at": soon})
        # The reminder job runs in `rapport serve` every 15 s.
        message = await _next(ws, 25)
        assert message["payload"]["data"]["myReminders"] == {
            "event": {"name": "task.reminder_due"},
            "task": {"title": "Call back"},
        }


async def test_connections_are_authenticated_and_limited(servers: tuple[list[Server], str]) -> None:
    _, listener, key = _pair(servers)
    async with _socket(listener, None) as ws:
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": "Bearer rpk_nope"}})
        )
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4403
    async with _socket(listener, None) as ws:  # no connection_init within the timeout
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4408
    async with _socket(listener, key) as ws:
        for index in range(3):
            await _subscribe(ws, str(index), "subscription { events { name } }")
        await _subscribe(ws, "extra", "subscription { events { name } }")
        refused = await _next(ws, 3)
        assert (refused["id"], refused["type"]) == ("extra", "error")
        assert "limit" in refused["payload"][0]["message"]
    unknown = await asyncio.to_thread(
        httpx.post,
        f"{listener.base}/graphql",
        json={"query": 'subscription { events(types: ["nope.*"]) { name } }'},
        headers={"Authorization": f"Bearer {key}", "Accept": "text/event-stream"},
        timeout=10,
    )
    assert "matches no known event" in unknown.text
    assert re.search(r"event: (next|complete)", unknown.text)


async def _answer_pings_until_closed(ws: ClientConnection) -> None:
    while True:
        if json.loads(await asyncio.wait_for(ws.recv(), 4))["type"] == "ping":
            await ws.send(json.dumps({"type": "pong"}))


async def _ignore_until_closed(ws: ClientConnection) -> None:
    while True:
        await asyncio.wait_for(ws.recv(), 4)


async def test_idle_and_silent_connections_are_closed(
    realtime_env: dict[str, str], tmp_path: Path
) -> None:
    env = {
        **realtime_env,
        "RAPPORT_SUBSCRIPTION_IDLE_SECONDS": "2",
        "RAPPORT_SUBSCRIPTION_HEARTBEAT_SECONDS": "0.5",
    }
    server, _ = _start(env, tmp_path / "watched.log", "--no-worker")
    try:
        workspace = f"watched-{uuid.uuid4().hex[:8]}"
        _cli(env, "workspace", "create", workspace)
        key = _cli(env, "apikey", "create", "--workspace", workspace, "--role", "admin")
        key = key.strip().splitlines()[-1]
        async with _socket(server, key) as ws:
            await ws.send(
                json.dumps(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {"query": "subscription { events { name } }"},
                    }
                )
            )
            # Subscribed, a client that answers pings stays past the idle limit.
            started = time.monotonic()
            pings = 0
            while time.monotonic() - started < 3:
                message = json.loads(await asyncio.wait_for(ws.recv(), 2))
                if message["type"] == "ping":  # other tests' events may come between
                    pings += 1
                    await ws.send(json.dumps({"type": "pong"}))
            assert pings >= 4
            await ws.send(json.dumps({"id": "1", "type": "complete"}))
            # With no subscription left, the connection is closed after the idle limit.
            with pytest.raises(ConnectionClosed) as closed:
                await _answer_pings_until_closed(ws)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 1000
            assert time.monotonic() - started >= 3 + 1.5
        async with connect(server.ws, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
            await ws.send(
                json.dumps(
                    {"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}
                )
            )
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(
                json.dumps(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {"query": "subscription { events { name } }"},
                    }
                )
            )
            # A subscribed client that never answers is taken for gone after three pings.
            with pytest.raises(ConnectionClosed) as closed:
                await _ignore_until_closed(ws)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 1001
    finally:
        server.process.terminate()
        server.process.wait(timeout=30)
