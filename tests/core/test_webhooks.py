"""Webhooks: outbox rows only for committed changes, signed delivery, retries."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from rapport.core import webhooks
from rapport.core.models import OutboxEvent, Webhook
from rapport.core.runtime import Runtime
from rapport.core.tenancy import unscoped_session
from rapport.core.webhook_targets import GuardedTransport, refused_target
from tests.conftest import Client

SUBSCRIBE = """mutation($input: WebhookInput!) {
  createWebhook(input: $input) { webhook { id eventTypes } secret errors { field code message } }
}"""
CREATE = """mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { errors { code } } }"""


async def _pending(runtime: Runtime, marker: str) -> int:
    async with unscoped_session(runtime.sessions) as session:
        statement = (
            select(func.count())
            .select_from(OutboxEvent)
            .where(
                OutboxEvent.delivered_at.is_(None),
                OutboxEvent.payload["data"]["displayName"].as_string() == marker,
            )
        )
        return (await session.execute(statement)).scalar_one()


async def test_subscription_input_is_validated(client: Client) -> None:
    data = await client.query(
        SUBSCRIBE, {"input": {"targetUrl": "ftp://x", "eventTypes": ["nope.*"]}}
    )
    errors = {e["field"]: e["code"] for e in data["createWebhook"]["errors"]}
    assert errors == {"input.targetUrl": "INVALID", "input.eventTypes.0": "INVALID"}


async def test_member_cannot_manage_webhooks(client: Client, runtime: Runtime) -> None:
    member = await client.as_role(runtime, "member")
    body = await member.post(SUBSCRIBE, {"input": {"targetUrl": "http://127.0.0.1/x"}})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_committed_events_are_delivered_signed_and_failures_retried(
    client: Client, runtime: Runtime
) -> None:
    received: list[httpx.Request] = []
    failing = {"on": True}

    def receiver(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(503 if failing["on"] else 204)

    target = f"http://hooks.test/{client.workspace}"
    data = await client.query(
        SUBSCRIBE, {"input": {"targetUrl": target, "eventTypes": ["customer.*"]}}
    )
    secret = data["createWebhook"]["secret"]
    assert secret
    assert data["createWebhook"]["webhook"]["eventTypes"] == ["customer.*"]

    marker = f"Hook {client.workspace}"
    await client.query(CREATE, {"input": {"kind": "ORGANIZATION", "organizationName": marker}})
    # A rejected mutation queues nothing.
    await client.query(CREATE, {"input": {"kind": "ORGANIZATION"}})
    assert await _pending(runtime, marker) == 1

    transport = httpx.AsyncClient(transport=httpx.MockTransport(receiver))
    first = await webhooks.deliver_due(runtime.sessions, client=transport)
    assert first.failed >= 1
    assert await _pending(runtime, marker) == 1  # kept for a retry, later

    # Make the retry due now, and let the receiver accept it.
    async with unscoped_session(runtime.sessions) as session, session.begin():
        rows = (
            await session.execute(select(OutboxEvent).where(OutboxEvent.delivered_at.is_(None)))
        ).scalars()
        for row in rows:
            row.next_attempt_at = row.created_at
    failing["on"] = False
    await webhooks.deliver_due(runtime.sessions, client=transport)
    assert await _pending(runtime, marker) == 0

    mine = [r for r in received if str(r.url) == target]
    request = mine[-1]
    assert request.headers["Rapport-Event"] == "customer.created"
    timestamp, signature = (
        part.split("=", 1)[1] for part in request.headers["Rapport-Signature"].split(",")
    )
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + request.content, hashlib.sha256)
    assert hmac.compare_digest(signature, expected.hexdigest())


INTERNAL_TARGETS = [
    "http://169.254.169.254/latest/meta-data/",
    "http://127.0.0.1:6379/",
    "http://[::1]:5432/",
    "http://10.0.0.1/hook",
    "http://192.168.1.10/hook",
    "http://localhost:8000/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://0.0.0.0/hook",
]


async def test_webhooks_never_target_the_servers_own_networks(client: Client) -> None:
    for target in INTERNAL_TARGETS:
        data = await client.query(SUBSCRIBE, {"input": {"targetUrl": target}})
        [error] = data["createWebhook"]["errors"]
        assert (error["field"], error["code"]) == ("input.targetUrl", "INVALID"), target
        assert "internal address" in error["message"]
        assert data["createWebhook"]["webhook"] is None


async def test_an_allowed_network_may_be_reached() -> None:
    assert await refused_target("http://10.1.2.3/hook", ["10.0.0.0/8"]) is None
    assert await refused_target("http://10.1.2.3/hook", ["192.168.0.0/16"]) is not None
    assert await refused_target("https://93.184.216.34/hook") is None  # a public address


async def test_a_target_that_turns_internal_is_not_delivered_to(
    client: Client, runtime: Runtime
) -> None:
    """Checked again at delivery: a name may point elsewhere once accepted."""
    public = f"http://93.184.216.34/{client.workspace}"
    await client.query(SUBSCRIBE, {"input": {"targetUrl": public, "eventTypes": ["customer.*"]}})
    async with unscoped_session(runtime.sessions) as session, session.begin():
        hook = (
            await session.execute(select(Webhook).where(Webhook.target_url == public))
        ).scalar_one()
        hook.target_url = "http://127.0.0.1:6379/"
    marker = f"Rebound {client.workspace}"
    await client.query(CREATE, {"input": {"kind": "ORGANIZATION", "organizationName": marker}})
    sent: list[httpx.Request] = []
    transport = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(204))
    )
    await webhooks.deliver_due(runtime.sessions, client=transport)
    assert not [request for request in sent if request.url.host == "127.0.0.1"]
    async with unscoped_session(runtime.sessions) as session:
        row = (
            await session.execute(select(OutboxEvent).where(OutboxEvent.webhook_id == hook.id))
        ).scalar_one()
    assert row.delivered_at is None
    assert "internal address" in (row.last_error or "")


class _Receiver:
    """A local HTTP server that counts what reaches it."""

    def __init__(self) -> None:
        self.requests: list[bytes] = []

    async def __aenter__(self) -> int:
        async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.requests.append(await reader.readuntil(b"\r\n\r\n"))
            writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            writer.close()

        self._server = await asyncio.start_server(answer, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def __aexit__(self, *_exc: object) -> None:
        self._server.close()
        await self._server.wait_closed()


def _resolving_to(address: str) -> Any:
    async def resolve(_host: str) -> list[Any]:
        return [ipaddress.ip_address(address)]

    return resolve


async def test_deliveries_connect_to_the_address_they_checked() -> None:
    """The name is resolved once, as the connection is made: a second answer cannot differ."""
    receiver = _Receiver()
    async with receiver as port:
        url = f"http://rebound.test:{port}/hook"
        guarded = GuardedTransport(resolve=_resolving_to("127.0.0.1"))
        async with httpx.AsyncClient(transport=guarded) as http:
            with pytest.raises(httpx.ConnectError, match="internal address"):
                await http.post(url, content=b"{}")
        assert receiver.requests == []
        # Allowed by the operator, the connection goes to that checked address, while the
        # request still names its host.
        allowed = GuardedTransport(["127.0.0.0/8"], resolve=_resolving_to("127.0.0.1"))
        async with httpx.AsyncClient(transport=allowed) as http:
            assert (await http.post(url, content=b"{}")).status_code == 204
        [request] = receiver.requests
        assert f"host: rebound.test:{port}".encode() in request.lower()


async def test_a_name_rebound_to_loopback_is_not_delivered_to(
    client: Client, runtime: Runtime
) -> None:
    receiver = _Receiver()
    async with receiver as port:
        target = f"http://rebound-{client.workspace}.test:{port}/hook"
        data = await client.query(SUBSCRIBE, {"input": {"targetUrl": target}})
        assert data["createWebhook"]["errors"] == []
        marker = f"Rebinding {client.workspace}"
        await client.query(CREATE, {"input": {"kind": "ORGANIZATION", "organizationName": marker}})
        guarded = GuardedTransport(resolve=_resolving_to("127.0.0.1"))
        async with httpx.AsyncClient(transport=guarded) as http:
            await webhooks.deliver_due(runtime.sessions, client=http)
        assert receiver.requests == []
    async with unscoped_session(runtime.sessions) as session:
        [error] = (
            await session.execute(
                select(OutboxEvent.last_error)
                .join(Webhook, Webhook.id == OutboxEvent.webhook_id)
                .where(Webhook.target_url == target)
            )
        ).scalars()
    assert "internal address" in (error or "")
