"""Events other plugins see: big deals (with the configurable threshold), wins, conversions;
and the customer merge, which re-points sales rows at the survivor."""

from __future__ import annotations

import types
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from strawberry import relay

from rapport.core import DomainEvent, PluginInfo, Settings, hookimpl
from rapport.core.app import create_app
from rapport.core.runtime import Runtime
from tests.conftest import Client, new_workspace_client
from tests.plugins.sales.helpers import ERRORS, MOVE, customer, ok, opportunity, stages


def listener(seen: list[DomainEvent]) -> types.ModuleType:
    """A third-party plugin that records every event it is told about after commit."""
    module = types.ModuleType("sales_event_listener")
    module.plugin_info = PluginInfo(name="listener", version="1")  # type: ignore[attr-defined]

    @hookimpl
    def after_commit(event: DomainEvent) -> None:
        seen.append(event)

    module.after_commit = after_commit  # type: ignore[attr-defined]
    return module


@pytest.fixture
async def watched(runtime: Runtime) -> AsyncIterator[tuple[Client, list[DomainEvent]]]:
    seen: list[DomainEvent] = []
    settings = Settings(
        database_url=runtime.settings.database_url,
        extra={"sales": {"big_deal_amount": "5000", "big_deal_amounts": {"jpy": "700000"}}},
    )
    own = Runtime.create(settings, extra_plugins=[listener(seen)])
    app = create_app(settings, runtime=own)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        yield await new_workspace_client(own, http), seen
    await own.dispose()


async def test_big_deal_threshold_comes_from_the_settings(
    watched: tuple[Client, list[DomainEvent]],
) -> None:
    client, seen = watched
    acme = await customer(client)
    small = await opportunity(client, acme, amount="4999.99")
    big = await opportunity(client, acme, amount="5000")
    assert [e.entity_id for e in seen if e.name == "opportunity.big_deal"] == [
        uuid.UUID(relay.GlobalID.from_id(big["id"]).node_id)
    ]
    event = next(e for e in seen if e.name == "opportunity.big_deal")
    assert event.data["threshold"] == "5000"
    assert event.data["amount"] == "5000.00"
    # Raising the small one past the threshold alerts once; raising it further does not.
    for amount in ("6000", "7000"):
        await ok(
            client,
            "mutation($id: ID!, $a: Decimal!) { updateOpportunity(id: $id, input: {amount: $a}) {"
            " " + ERRORS + " } }",
            {"id": small["id"], "a": amount},
        )
    assert len([e for e in seen if e.name == "opportunity.big_deal"]) == 2
    data = await client.query("{ bigDeals { nodes { amount } } }")
    assert [n["amount"] for n in data["bigDeals"]["nodes"]] == ["7000.00", "5000.00"]
    # A closed deal is no longer a big deal to chase.
    ids = await stages(client)
    await ok(client, MOVE, {"id": big["id"], "stage": ids["Won"]})
    assert [e.name for e in seen][-2:] == ["opportunity.stage_changed", "opportunity.won"]
    data = await client.query("{ bigDeals { nodes { amount } } }")
    assert [n["amount"] for n in data["bigDeals"]["nodes"]] == ["7000.00"]


async def test_default_big_deal_amount(client: Client) -> None:
    acme = await customer(client)
    await opportunity(client, acme, amount="99999.99")
    await opportunity(client, acme, amount="100000")
    data = await client.query("{ bigDeals { totalCount nodes { amount } } }")
    assert data["bigDeals"] == {"totalCount": 1, "nodes": [{"amount": "100000.00"}]}


async def test_big_deals_are_big_in_their_own_currency(client: Client) -> None:
    acme = await customer(client)
    await opportunity(client, acme, amount="150000", currency="JPY")  # under 1,000 EUR
    await opportunity(client, acme, amount="15000000", currency="JPY")
    await opportunity(client, acme, amount="150000", currency="EUR")
    data = await client.query("{ bigDeals { nodes { amount currency } } }")
    assert data["bigDeals"]["nodes"] == [
        {"amount": "15000000.00", "currency": "JPY"},
        {"amount": "150000.00", "currency": "EUR"},
    ]


async def test_a_currency_threshold_comes_from_the_settings(
    watched: tuple[Client, list[DomainEvent]],
) -> None:
    client, seen = watched
    acme = await customer(client)
    await opportunity(client, acme, amount="600000", currency="JPY")
    big = await opportunity(client, acme, amount="700000", currency="JPY")
    alerts = [e for e in seen if e.name == "opportunity.big_deal"]
    assert [(e.entity_id, e.data["threshold"]) for e in alerts] == [
        (uuid.UUID(relay.GlobalID.from_id(big["id"]).node_id), "700000")
    ]


async def test_failed_moves_emit_nothing(watched: tuple[Client, list[DomainEvent]]) -> None:
    client, seen = watched
    deal = await opportunity(client, await customer(client))
    ids = await stages(client)
    before = len(seen)
    await client.query(MOVE, {"id": deal["id"], "stage": ids["Lost"]})
    assert len(seen) == before


async def merge(runtime: Runtime, client: Client, survivor: str, merged: list[str]) -> None:
    """Merge through the API: the core moves its rows, the plugin's hook moves the rest."""
    data = await client.query(
        "mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) "
        "{ errors { field code message } } }",
        {"s": survivor, "m": merged},
    )
    assert data["mergeCustomers"]["errors"] == []


async def count_for(client: Client, customer_id: str) -> dict[str, Any]:
    data = await client.query(
        "query($id: ID!) { customer(id: $id) { opportunities { totalCount } "
        "payments { totalCount } } }",
        {"id": customer_id},
    )
    return {k: v["totalCount"] for k, v in data["customer"].items()}


async def test_merged_customers_rows_move_to_the_survivor(
    client: Client, other_client: Client, runtime: Runtime
) -> None:
    survivor = await customer(client, "Acme")
    duplicate = await customer(client, "ACME Inc")
    await opportunity(client, duplicate)
    await ok(
        client,
        'mutation($c: ID!) { recordPayment(input: {customerId: $c, amount: "10", '
        'currency: "EUR", method: CASH}) { ' + ERRORS + " } }",
        {"c": duplicate},
    )
    theirs = await customer(other_client, "Theirs")
    await opportunity(other_client, theirs)
    await merge(runtime, client, survivor, [duplicate])
    assert await count_for(client, survivor) == {"opportunities": 1, "payments": 1}
    # Another workspace's customer cannot be merged in, and its rows stay where they are.
    data = await client.query(
        "mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) "
        "{ errors { code } } }",
        {"s": survivor, "m": [theirs]},
    )
    assert data["mergeCustomers"]["errors"][0]["code"] == "NOT_FOUND"
    assert await count_for(other_client, theirs) == {"opportunities": 1, "payments": 0}
    assert await count_for(client, survivor) == {"opportunities": 1, "payments": 1}
