"""Amounts through the API are exact on both engines: stored, read, summed and sorted."""

from __future__ import annotations

from tests.conftest import Client
from tests.plugins.sales.helpers import ERRORS, customer, ok

PAY = (
    "mutation($i: PaymentInput!) { recordPayment(input: $i) { payment { amount } " + ERRORS + " } }"
)
REVENUE = (
    "query($id: ID!) { customer(id: $id) { lifetimeRevenue { amount currency } "
    "payments(orderBy: [{field: AMOUNT, direction: DESC}]) { nodes { amount } } } }"
)


async def _pay(client: Client, customer_id: str, amount: str) -> str:
    values = {"customerId": customer_id, "amount": amount, "currency": "EUR", "method": "CARD"}
    return str((await ok(client, PAY, {"i": values}))["payment"]["amount"])


async def test_payments_sum_and_sort_to_the_cent(client: Client) -> None:
    small = await customer(client, "Small")
    assert [await _pay(client, small, amount) for amount in ("0.1", "0.2")] == ["0.10", "0.20"]
    data = (await client.query(REVENUE, {"id": small}))["customer"]
    assert data["lifetimeRevenue"] == [{"amount": "0.30", "currency": "EUR"}]
    assert [p["amount"] for p in data["payments"]["nodes"]] == ["0.20", "0.10"]

    large = await customer(client, "Large")
    paid = [await _pay(client, large, amount) for amount in ("9999999999999.99", "0.01")]
    assert paid == ["9999999999999.99", "0.01"]
    data = (await client.query(REVENUE, {"id": large}))["customer"]
    assert data["lifetimeRevenue"] == [{"amount": "10000000000000.00", "currency": "EUR"}]
    assert [p["amount"] for p in data["payments"]["nodes"]] == ["9999999999999.99", "0.01"]
