"""Lists are keyset connections: filters, ordering and cursors behave the same everywhere."""

from __future__ import annotations

from tests.conftest import Client
from tests.plugins.sales.helpers import ERRORS, customer, me, ok, opportunity

PAGE = """query($after: String, $before: String, $first: Int, $last: Int) {
  opportunities(first: $first, after: $after, last: $last, before: $before,
                orderBy: [{field: AMOUNT, direction: DESC}]) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { amount } } }"""


async def test_opportunities_page_by_amount_with_cursors(client: Client) -> None:
    acme = await customer(client)
    for amount in ("10", "30", "20", "50", "40"):
        await opportunity(client, acme, amount=amount)
    first = (await client.query(PAGE, {"first": 2}))["opportunities"]
    assert [n["amount"] for n in first["nodes"]] == ["50.00", "40.00"]
    assert first["totalCount"] == 5
    assert first["pageInfo"]["hasNextPage"] is True
    second = (await client.query(PAGE, {"first": 2, "after": first["pageInfo"]["endCursor"]}))[
        "opportunities"
    ]
    assert [n["amount"] for n in second["nodes"]] == ["30.00", "20.00"]
    back = (await client.query(PAGE, {"last": 2, "before": second["pageInfo"]["startCursor"]}))[
        "opportunities"
    ]
    assert [n["amount"] for n in back["nodes"]] == ["50.00", "40.00"]


async def test_filters_combine(client: Client) -> None:
    acme = await customer(client, "Acme")
    globex = await customer(client, "Globex")
    await opportunity(client, acme, amount="100", currency="USD")
    await opportunity(client, acme, amount="900")
    await opportunity(client, globex, amount="500")
    data = await client.query(
        """query($c: ID!) {
          mine: opportunities(filter: {customer: {eq: $c}, amount: {gte: "200"}}) { nodes { amount } }
          either: opportunities(filter: {or: [{currency: {eq: "USD"}}, {amount: {gt: "800"}}]},
                                orderBy: [{field: AMOUNT}]) { nodes { amount } }
          notAcme: opportunities(filter: {not: {customer: {eq: $c}}}) { nodes { amount } }
          open: opportunities(filter: {category: [OPEN]}) { totalCount }
          won: opportunities(filter: {category: [WON, LOST]}) { totalCount }
        }""",
        {"c": acme},
    )
    assert data["mine"]["nodes"] == [{"amount": "900.00"}]
    assert [n["amount"] for n in data["either"]["nodes"]] == ["100.00", "900.00"]
    assert data["notAcme"]["nodes"] == [{"amount": "500.00"}]
    assert data["open"]["totalCount"] == 3
    assert data["won"]["totalCount"] == 0


async def test_quotas_order_by_amount(client: Client) -> None:
    user = await me(client)
    for month, amount in (("01", "300"), ("02", "100"), ("03", "200")):
        await ok(
            client,
            "mutation($i: QuotaInput!) { setQuota(input: $i) { " + ERRORS + " } }",
            {
                "i": {
                    "userId": user,
                    "periodStart": f"2026-{month}-01",
                    "periodEnd": f"2026-{month}-28",
                    "amount": amount,
                    "currency": "EUR",
                }
            },
        )
    data = await client.query(
        "{ quotas(orderBy: [{field: AMOUNT, direction: DESC}]) { nodes { amount } } "
        'early: quotas(filter: {periodStart: {lt: "2026-02-15"}}) { nodes { amount } } }'
    )
    assert [n["amount"] for n in data["quotas"]["nodes"]] == ["300.00", "200.00", "100.00"]
    assert [n["amount"] for n in data["early"]["nodes"]] == ["300.00", "100.00"]
