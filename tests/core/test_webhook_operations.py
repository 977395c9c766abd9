"""Webhooks filtered by conditions on the payload; failed deliveries listed and replayed;
delivered rows pruned after the retention period."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import func, select

from rapport.core import webhooks
from rapport.core.db import utcnow
from rapport.core.models import OutboxEvent, Webhook
from rapport.core.runtime import Runtime
from rapport.core.tenancy import unscoped_session
from tests.conftest import Client

SUBSCRIBE = """mutation($input: WebhookInput!) {
  createWebhook(input: $input) {
    webhook { id conditions { path in } } errors { field code message }
  }
}"""
CREATE = """mutation($name: String!) {
  createCustomer(input: {kind: ORGANIZATION, organizationName: $name}) {
    customer { id } errors { code }
  }
}"""
FAILED = """query($webhook: ID) {
  failedWebhookDeliveries(webhook: $webhook) {
    edges { node { id eventType attempts gaveUp lastError payload webhook { id } } }
  }
}"""
REPLAY = """mutation($id: ID!) {
  replayWebhookDelivery(id: $id) { delivery { id attempts } errors { field code message } }
}"""


async def _rows(runtime: Runtime, webhook_id: str) -> list[OutboxEvent]:
    from rapport.schema.relay import row_id_of

    hook = row_id_of(webhook_id, "Webhook", "id")
    async with unscoped_session(runtime.sessions) as session:
        found = await session.execute(select(OutboxEvent).where(OutboxEvent.webhook_id == hook))
        return list(found.scalars())


async def _subscribe(client: Client, **given: object) -> str:
    target = f"http://hooks.test/{client.workspace}"
    data = await client.query(SUBSCRIBE, {"input": {"targetUrl": target, **given}})
    assert data["createWebhook"]["errors"] == []
    return str(data["createWebhook"]["webhook"]["id"])


async def test_conditions_on_the_payload_choose_the_events_sent(
    client: Client, runtime: Runtime
) -> None:
    wanted = f"Wanted {client.workspace}"
    hook = await _subscribe(
        client,
        eventTypes=["customer.created"],
        conditions=[{"path": "data.displayName", "in": [wanted]}],
    )
    await client.query(CREATE, {"name": wanted})
    await client.query(CREATE, {"name": f"Other {client.workspace}"})
    rows = await _rows(runtime, hook)
    assert [row.payload["data"]["displayName"] for row in rows] == [wanted]


async def test_a_condition_outside_the_payload_is_refused(client: Client, runtime: Runtime) -> None:
    target = f"http://hooks.test/{client.workspace}"
    data = await client.query(
        SUBSCRIBE,
        {
            "input": {
                "targetUrl": target,
                "conditions": [
                    {"path": "data.kind", "in": ["call"]},
                    {"path": "secret", "in": ["x"]},
                ],
            }
        },
    )
    [error] = data["createWebhook"]["errors"]
    assert (error["field"], error["code"]) == ("input.conditions.1", "INVALID")
    assert "not a payload path" in error["message"]
    async with unscoped_session(runtime.sessions) as session:
        count = await session.execute(
            select(func.count()).select_from(Webhook).where(Webhook.target_url == target)
        )
    assert count.scalar_one() == 0


async def test_failed_deliveries_are_listed_and_replayed(client: Client, runtime: Runtime) -> None:
    hook = await _subscribe(client, eventTypes=["customer.created"])
    await client.query(CREATE, {"name": f"Replayed {client.workspace}"})
    refusing = httpx.AsyncClient(transport=httpx.MockTransport(lambda _r: httpx.Response(500)))
    await webhooks.deliver_due(runtime.sessions, client=refusing)

    data = await client.query(FAILED, {"webhook": hook})
    [edge] = data["failedWebhookDeliveries"]["edges"]
    delivery = edge["node"]
    assert (delivery["eventType"], delivery["attempts"], delivery["lastError"]) == (
        "customer.created",
        1,
        "HTTP 500",
    )
    assert delivery["webhook"]["id"] == hook
    assert delivery["gaveUp"] is False

    # Retries exhausted: only a replay sends it again.
    [row] = await _rows(runtime, hook)
    async with unscoped_session(runtime.sessions) as session, session.begin():
        (await session.merge(row)).attempts = webhooks.MAX_ATTEMPTS
    data = await client.query(FAILED, {"webhook": hook})
    assert data["failedWebhookDeliveries"]["edges"][0]["node"]["gaveUp"] is True

    member = await client.as_role(runtime, "member")
    refused = await member.post(REPLAY, {"id": delivery["id"]})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    replayed = await client.query(REPLAY, {"id": delivery["id"]})
    assert replayed["replayWebhookDelivery"]["delivery"]["attempts"] == 0
    received: list[httpx.Request] = []
    accepting = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda r: received.append(r) or httpx.Response(204))
    )
    await webhooks.deliver_due(runtime.sessions, client=accepting)
    [row] = await _rows(runtime, hook)
    assert row.delivered_at is not None
    assert (await client.query(FAILED, {"webhook": hook}))["failedWebhookDeliveries"]["edges"] == []

    again = await client.query(REPLAY, {"id": delivery["id"]})
    [error] = again["replayWebhookDelivery"]["errors"]
    assert (error["field"], error["code"]) == ("id", "CONFLICT")


async def test_delivered_rows_are_pruned_after_the_retention_period(
    client: Client, runtime: Runtime
) -> None:
    hook = await _subscribe(client, eventTypes=["customer.created"])
    for name in ("Old", "Recent", "Failing"):
        await client.query(CREATE, {"name": f"{name} {client.workspace}"})
    async with unscoped_session(runtime.sessions) as session, session.begin():
        for row in await _rows(runtime, hook):
            row = await session.merge(row)
            name = row.payload["data"]["displayName"].split()[0]
            if name == "Old":
                row.delivered_at = utcnow() - timedelta(hours=5)
            elif name == "Recent":
                row.delivered_at = utcnow() - timedelta(minutes=5)
            else:
                row.attempts, row.created_at = webhooks.MAX_ATTEMPTS, utcnow() - timedelta(days=9)
    await webhooks.prune_delivered(runtime.sessions, timedelta(hours=1))
    left = sorted(
        row.payload["data"]["displayName"].split()[0] for row in await _rows(runtime, hook)
    )
    assert left == ["Failing", "Recent"]
