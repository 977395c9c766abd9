"""Products, quotes, orders, payments and the commission each payment earns."""

from __future__ import annotations

from typing import Any

from rapport.core.runtime import Runtime
from tests.conftest import Client
from tests.plugins.sales.helpers import (
    ERRORS,
    customer,
    error_codes,
    me,
    ok,
    opportunity,
    payload,
    product,
)

QUOTE = "id status total currency customerId opportunityId lines { productId quantity unitPrice discountPercent lineTotal }"
CREATE_QUOTE = (
    "mutation($i: QuoteInput!) { createQuote(input: $i) { quote { "
    + QUOTE
    + " } "
    + ERRORS
    + " } }"
)
SET_LINES = (
    "mutation($id: ID!, $l: [QuoteLineInput!]!) { setQuoteLines(id: $id, lines: $l) { quote { "
    + QUOTE
    + " } "
    + ERRORS
    + " } }"
)


def transition(name: str) -> str:
    return "mutation($id: ID!) { " + name + "(id: $id) { quote { " + QUOTE + " } " + ERRORS + " } }"


SEND, ACCEPT, REJECT, EXPIRE = (
    transition(n) for n in ("sendQuote", "acceptQuote", "rejectQuote", "expireQuote")
)
ORDER = (
    "mutation($q: ID!) { createOrder(quoteId: $q) { order { id total currency customerId "
    "paidAmount balance lines { family lineTotal } } " + ERRORS + " } }"
)
PAY = (
    "mutation($i: PaymentInput!) { recordPayment(input: $i) { payment { id amount currency "
    "customerId ownerId method } " + ERRORS + " } }"
)


async def catalogue(client: Client) -> tuple[str, str]:
    software = await product(client, "SW-1", "software", {"EUR": "100", "USD": "110"})
    hardware = await product(client, "HW-1", "hardware", {"EUR": "50"})
    return software, hardware


async def accepted_quote(
    client: Client, deal: dict[str, Any], software: str, hardware: str
) -> dict:
    lines = [
        {"productId": software, "quantity": "6"},
        {"productId": hardware, "quantity": "8", "discountPercent": "50"},
    ]
    quote = (await ok(client, CREATE_QUOTE, {"i": {"opportunityId": deal["id"], "lines": lines}}))[
        "quote"
    ]
    await ok(client, SEND, {"id": quote["id"]})
    await ok(client, ACCEPT, {"id": quote["id"]})
    return quote


async def test_quote_totals_come_from_lines_and_prices(client: Client) -> None:
    software, hardware = await catalogue(client)
    deal = await opportunity(client, await customer(client))
    lines = [
        {"productId": software, "quantity": "6"},
        {"productId": hardware, "quantity": "8", "discountPercent": "50"},
        {"productId": hardware, "quantity": "1", "unitPrice": "9.99"},
    ]
    quote = (await ok(client, CREATE_QUOTE, {"i": {"opportunityId": deal["id"], "lines": lines}}))[
        "quote"
    ]
    assert quote["status"] == "DRAFT"
    assert quote["currency"] == "EUR"
    assert quote["customerId"] == deal["customerId"]
    assert [line["lineTotal"] for line in quote["lines"]] == ["600.00", "200.00", "9.99"]
    assert quote["total"] == "809.99"
    changed = await ok(client, SET_LINES, {"id": quote["id"], "l": lines[:1]})
    assert changed["quote"]["total"] == "600.00"
    data = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Opportunity { quotes { id total } } } }",
        {"id": deal["id"]},
    )
    assert data["node"]["quotes"] == [{"id": quote["id"], "total": "600.00"}]


async def test_quote_lines_need_a_price_in_the_currency(client: Client) -> None:
    _, hardware = await catalogue(client)
    acme = await customer(client)
    result = payload(
        await client.query(
            CREATE_QUOTE,
            {
                "i": {
                    "customerId": acme,
                    "currency": "USD",
                    "lines": [{"productId": hardware, "quantity": "1"}],
                }
            },
        )
    )
    assert [(e["field"], e["code"]) for e in result["errors"]] == [
        ("input.lines.0.unitPrice", "INVALID")
    ]
    assert (await client.query("{ quotes { totalCount } }"))["quotes"]["totalCount"] == 0


async def test_quote_transitions_and_their_illegal_variants(client: Client) -> None:
    software, hardware = await catalogue(client)
    deal = await opportunity(client, await customer(client))
    empty = (await ok(client, CREATE_QUOTE, {"i": {"opportunityId": deal["id"]}}))["quote"]
    # An empty quote is not sent; a draft is not accepted, rejected, expired or ordered.
    for mutation in (SEND, ACCEPT, REJECT, EXPIRE):
        assert await error_codes(client, mutation, {"id": empty["id"]}) == ["INVALID_TRANSITION"]
    assert await error_codes(client, ORDER, {"q": empty["id"]}) == ["INVALID_TRANSITION"]
    await ok(
        client, SET_LINES, {"id": empty["id"], "l": [{"productId": software, "quantity": "1"}]}
    )
    assert (await ok(client, SEND, {"id": empty["id"]}))["quote"]["status"] == "SENT"
    # Sent: lines are frozen, it is not sent twice.
    codes = await error_codes(client, SET_LINES, {"id": empty["id"], "l": []})
    assert codes == ["INVALID_TRANSITION"]
    assert await error_codes(client, SEND, {"id": empty["id"]}) == ["INVALID_TRANSITION"]
    assert (await ok(client, REJECT, {"id": empty["id"]}))["quote"]["status"] == "REJECTED"
    for mutation in (SEND, ACCEPT, REJECT, EXPIRE):
        assert await error_codes(client, mutation, {"id": empty["id"]}) == ["INVALID_TRANSITION"]
    # Another one expires.
    second = await accepted_quote(client, deal, software, hardware)
    assert await error_codes(client, EXPIRE, {"id": second["id"]}) == ["INVALID_TRANSITION"]
    third = (
        await ok(
            client,
            CREATE_QUOTE,
            {
                "i": {
                    "opportunityId": deal["id"],
                    "lines": [{"productId": software, "quantity": "1"}],
                }
            },
        )
    )["quote"]
    await ok(client, SEND, {"id": third["id"]})
    assert (await ok(client, EXPIRE, {"id": third["id"]}))["quote"]["status"] == "EXPIRED"
    assert await error_codes(client, ACCEPT, {"id": third["id"]}) == ["INVALID_TRANSITION"]


async def test_a_quote_past_its_validity_cannot_be_accepted(client: Client) -> None:
    software, _ = await catalogue(client)
    acme = await customer(client)
    quote = (
        await ok(
            client,
            CREATE_QUOTE,
            {
                "i": {
                    "customerId": acme,
                    "currency": "EUR",
                    "validUntil": "2020-01-31",
                    "lines": [{"productId": software, "quantity": "1"}],
                }
            },
        )
    )["quote"]
    await ok(client, SEND, {"id": quote["id"]})
    assert await error_codes(client, ACCEPT, {"id": quote["id"]}) == ["INVALID_TRANSITION"]


async def test_order_payments_and_commission_tiers(client: Client) -> None:
    user = await me(client)
    software, hardware = await catalogue(client)
    deal = await opportunity(client, await customer(client))
    await ok(
        client,
        "mutation($i: CreateCommissionPlanInput!) { createCommissionPlan(input: $i) { commissionPlan { id } "
        + ERRORS
        + " } }",
        {
            "i": {
                "name": "Standard",
                "rate": "0.05",
                "familyRates": {"software": "0.10"},
                "tiers": [{"attainment": "1", "multiplier": "2"}],
            }
        },
    )
    await ok(
        client,
        "mutation($i: QuotaInput!) { setQuota(input: $i) { quota { id } " + ERRORS + " } }",
        {
            "i": {
                "userId": user,
                "periodStart": "2026-01-01",
                "periodEnd": "2026-12-31",
                "amount": "600",
                "currency": "EUR",
            }
        },
    )
    quote = await accepted_quote(client, deal, software, hardware)
    order = (await ok(client, ORDER, {"q": quote["id"]}))["order"]
    assert order["total"] == "800.00"
    assert sorted((line["family"], line["lineTotal"]) for line in order["lines"]) == [
        ("hardware", "200.00"),
        ("software", "600.00"),
    ]
    assert await error_codes(client, ORDER, {"q": quote["id"]}) == ["CONFLICT"]
    first = await ok(
        client,
        PAY,
        {
            "i": {
                "orderId": order["id"],
                "amount": "400",
                "method": "BANK_TRANSFER",
                "receivedAt": "2026-03-01T10:00:00Z",
            }
        },
    )
    assert first["payment"]["ownerId"] == user
    await ok(
        client,
        PAY,
        {
            "i": {
                "orderId": order["id"],
                "amount": "400",
                "method": "CARD",
                "receivedAt": "2026-04-01T10:00:00",  # no zone: UTC
            }
        },
    )
    # Nothing more is due: the generic code, and sales' precise one for programs to branch on.
    result = await client.query(
        "mutation($i: PaymentInput!) { recordPayment(input: $i) { payment { id } "
        "errors { field code reason } } }",
        {"i": {"orderId": order["id"], "amount": "1", "method": "CASH"}},
    )
    assert result["recordPayment"]["errors"] == [
        {"field": "input.amount", "code": "INVALID", "reason": "SALES_OVERPAYMENT"}
    ]
    data = await client.query(
        "query($id: ID!, $u: ID!) { node(id: $id) { ... on Order { paidAmount balance } } "
        'commissions(period: {start: "2026-01-01", end: "2026-12-31"}, userId: $u) { '
        "userId currency total lines { family baseAmount rate amount multiplier } } }",
        {"id": order["id"], "u": user},
    )
    assert data["node"] == {"paidAmount": "800.00", "balance": "0.00"}
    [statement] = data["commissions"]
    # First payment: 300 software at 10 % and 100 hardware at 5 % (room under quota: 600 -> 200).
    # Second: 100 hardware at 5 % (room 100), then software 100 under quota at 10 % and 200
    # above it at 10 % x 2.
    assert [
        (line["family"], line["baseAmount"], line["rate"], line["amount"], line["multiplier"])
        for line in statement["lines"]
    ] == [
        ("hardware", "100.00", "0.0500", "5.00", "1.0000"),
        ("software", "300.00", "0.1000", "30.00", "1.0000"),
        ("hardware", "100.00", "0.0500", "5.00", "1.0000"),
        ("software", "100.00", "0.1000", "10.00", "1.0000"),
        ("software", "200.00", "0.2000", "40.00", "2.0000"),
    ]
    assert statement["total"] == "90.00"
    assert statement["currency"] == "EUR"


async def test_payment_against_a_customer_and_lifetime_revenue(client: Client) -> None:
    acme = await customer(client)
    await ok(
        client,
        PAY,
        {"i": {"customerId": acme, "amount": "50", "currency": "USD", "method": "CASH"}},
    )
    await ok(
        client,
        PAY,
        {"i": {"customerId": acme, "amount": "20.5", "currency": "EUR", "method": "CARD"}},
    )
    await ok(
        client,
        PAY,
        {"i": {"customerId": acme, "amount": "4.5", "currency": "EUR", "method": "CARD"}},
    )
    data = await client.query(
        "query($id: ID!) { customer(id: $id) { lifetimeRevenue { amount currency } "
        "payments(orderBy: [{field: AMOUNT, direction: DESC}]) { totalCount nodes { amount } } } }",
        {"id": acme},
    )
    revenue = {m["currency"]: m["amount"] for m in data["customer"]["lifetimeRevenue"]}
    assert {k: float(v) for k, v in revenue.items()} == {"EUR": 25.0, "USD": 50.0}
    assert [p["amount"] for p in data["customer"]["payments"]["nodes"]] == [
        "50.00",
        "20.50",
        "4.50",
    ]


async def test_payment_input_errors(client: Client) -> None:
    acme = await customer(client)
    for variables, expected in (
        ({"amount": "10", "method": "CASH"}, [("input.orderId", "INVALID")]),
        (
            {"customerId": acme, "amount": "0", "currency": "EUR", "method": "CASH"},
            [("input.amount", "INVALID")],
        ),
        ({"customerId": acme, "amount": "5", "method": "CASH"}, [("input.currency", "REQUIRED")]),
        (
            {
                "customerId": acme,
                "amount": "5",
                "currency": "EUR",
                "method": "CASH",
                "receivedAt": "2099-01-01T00:00:00Z",
            },
            [("input.receivedAt", "INVALID")],
        ),
    ):
        result = payload(await client.query(PAY, {"i": variables}))
        assert [(e["field"], e["code"]) for e in result["errors"]] == expected, variables
    assert (await client.query("{ payments { totalCount } }"))["payments"]["totalCount"] == 0


async def test_commerce_workspace_boundary_and_permissions(
    client: Client, other_client: Client, runtime: Runtime
) -> None:
    software, hardware = await catalogue(client)
    deal = await opportunity(client, await customer(client))
    quote = await accepted_quote(client, deal, software, hardware)
    order = (await ok(client, ORDER, {"q": quote["id"]}))["order"]
    for mutation, variables in (
        (SEND, {"id": quote["id"]}),
        (ORDER, {"q": quote["id"]}),
        (PAY, {"i": {"orderId": order["id"], "amount": "1", "method": "CASH"}}),
    ):
        assert await error_codes(other_client, mutation, variables) == ["NOT_FOUND"]
    theirs = await other_client.query(
        "{ products { totalCount } quotes { totalCount } orders { totalCount } payments { totalCount } }"
    )
    assert all(v["totalCount"] == 0 for v in theirs.values())
    viewer = await client.as_role(runtime, "viewer")
    body = await viewer.post(PAY, {"i": {"orderId": order["id"], "amount": "1", "method": "CASH"}})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    member = await client.as_role(runtime, "member")
    body = await member.post(
        'mutation { createProduct(input: {sku: "X", name: "X"}) { product { id } } }'
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    data = await viewer.query("{ orders { totalCount nodes { balance } } }")
    assert data["orders"] == {"totalCount": 1, "nodes": [{"balance": "800.00"}]}


async def test_the_worker_expires_lapsed_quotes(client: Client, runtime: Runtime) -> None:
    from rapport.core.worker import JobContext
    from rapport.plugins.sales import expire_lapsed_quotes

    software, _ = await catalogue(client)
    acme = await customer(client)
    ids = []
    for valid_until in ("2020-01-31", "2199-12-31"):
        created = await ok(
            client,
            CREATE_QUOTE,
            {
                "i": {
                    "customerId": acme,
                    "currency": "EUR",
                    "validUntil": valid_until,
                    "lines": [{"productId": software, "quantity": "1"}],
                }
            },
        )
        await ok(client, SEND, {"id": created["quote"]["id"]})
        ids.append(created["quote"]["id"])
    assert await expire_lapsed_quotes(JobContext(runtime)) >= 1
    statuses = await client.query(
        "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Quote { status } } }", {"ids": ids}
    )
    assert [n["status"] for n in statuses["nodes"]] == ["EXPIRED", "SENT"]
    audit = await client.query(
        "{ auditLog(first: 50) { edges { node { action actor { email } } } } }"
    )
    actions = [
        (e["node"]["action"], (e["node"]["actor"] or {}).get("email"))
        for e in audit["auditLog"]["edges"]
    ]
    assert any(email == "system@rapport.internal" for _, email in actions)
