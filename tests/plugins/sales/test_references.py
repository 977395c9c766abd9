"""Every record a sales answer names by id is also there as the object, batched."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

from rapport.core.runtime import Runtime
from tests.conftest import Client
from tests.plugins.sales.helpers import me, ok
from tests.plugins.sales.test_demo import demo_client
from tests.plugins.sales.test_leads import QUALIFY, START, new_lead
from tests.schema.test_customer_360 import counting_statements

YEAR = {"start": (date.today() - timedelta(days=730)).isoformat(), "end": date.today().isoformat()}

FIGURES = """query($period: SalesPeriod!) {
  commissions(period: $period) { userId user { id email } lines { paymentId %s } }
  winRate(period: $period, groupBy: OWNER) { groupId group { id ... on User { email } } }
  forecast(period: $period) {
    byOwner { groupId group { id } } byTerritory { groupId group { id ... on Territory { name } } }
  }
}"""


def _pairs(data: dict[str, Any]) -> list[tuple[Any, Any]]:
    """(id field, the object's id) of every reference in the figures."""
    found = []
    for statement in data["commissions"]:
        found.append((statement["userId"], statement["user"]["id"]))
        found += [(line["paymentId"], line["payment"]["id"]) for line in statement["lines"]]
    found += [(row["groupId"], row["group"]["id"]) for row in data["winRate"]]
    for rows in data["forecast"].values():
        found += [(row["groupId"], row["group"]["id"]) for row in rows]
    return found


async def test_figures_name_their_records_as_objects_in_a_few_statements(
    runtime: Runtime, http: httpx.AsyncClient
) -> None:
    client = await demo_client(runtime, http)
    created = await ok(
        client,
        """mutation($owner: ID!) { createCustomer(input: {kind: ORGANIZATION,
             organizationName: "Payer Ltd", ownerId: $owner}) { customer { id } errors { code } } }""",
        {"owner": await me(client)},
    )
    buyer = created["customer"]["id"]
    for amount in ("100", "200", "300"):
        await ok(
            client,
            """mutation($input: PaymentInput!) { recordPayment(input: $input) {
                 payment { id } errors { field code } } }""",
            {
                "input": {
                    "amount": amount,
                    "method": "CARD",
                    "customerId": buyer,
                    "currency": "EUR",
                }
            },
        )
    with counting_statements(runtime) as without_objects:
        await client.query(FIGURES.replace("%s", ""), {"period": YEAR})
    with counting_statements(runtime) as with_objects:
        data = await client.query(FIGURES % "payment { id amount }", {"period": YEAR})
    pairs = _pairs(data)
    lines = sum(len(statement["lines"]) for statement in data["commissions"])
    assert lines >= 3, data
    assert data["winRate"], data
    assert all(field == node for field, node in pairs), pairs
    # One batch per referenced type (users, payments, territories), however many rows.
    assert len(with_objects) <= len(without_objects) + 3, (len(with_objects), lines)


async def test_a_converted_lead_names_its_customer(client: Client) -> None:
    lead = await new_lead(client, email="grace@navy.example")
    await ok(client, START, {"id": lead["id"]})
    await ok(client, QUALIFY, {"id": lead["id"]})
    converted = await ok(
        client,
        """mutation($id: ID!) { convertLead(id: $id, input: {currency: "EUR"}) {
             customer { id displayName } lead { customerId } errors { field code } } }""",
        {"id": lead["id"]},
    )
    assert converted["customer"]["id"] == converted["lead"]["customerId"]
    assert converted["customer"]["displayName"]
