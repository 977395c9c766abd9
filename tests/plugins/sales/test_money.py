"""Amounts sales refuses: not numbers, too large, finer than their currency, out of bounds."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Client
from tests.plugins.sales.helpers import customer

PAY = (
    "mutation($i: PaymentInput!) { recordPayment(input: $i) { payment { id amount } "
    "errors { field code reason } } }"
)
CREATE_OPPORTUNITY = (
    "mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { opportunity { id } "
    "errors { field code reason } } }"
)
PRICE = (
    "mutation($p: ID!, $c: String!, $u: Decimal!) { setProductPrice(productId: $p, currency: $c, "
    "unitPrice: $u) { errors { field code reason } } }"
)


async def errors(client: Client, mutation: str, variables: dict[str, Any]) -> list[tuple]:
    payload = next(iter((await client.query(mutation, variables)).values()))
    return [(e["field"], e["code"], e["reason"]) for e in payload["errors"]]


async def payments(client: Client) -> int:
    data = await client.query("{ payments { totalCount } }")
    return int(data["payments"]["totalCount"])


@pytest.mark.parametrize(
    ("amount", "currency", "reason"),
    [
        ("NaN", "EUR", "CORE_NOT_A_NUMBER"),
        ("Infinity", "EUR", "CORE_NOT_A_NUMBER"),
        ("-Infinity", "EUR", "CORE_NOT_A_NUMBER"),
        ("١٢٣", "EUR", "CORE_NON_ASCII_DIGITS"),
        ("1e30", "EUR", "CORE_OUT_OF_RANGE"),
        ("0.001", "EUR", "CORE_TOO_MANY_DECIMALS"),
        ("1.5", "JPY", "CORE_TOO_MANY_DECIMALS"),
        ("0", "EUR", "CORE_NOT_POSITIVE"),
        ("-5", "EUR", "CORE_NOT_POSITIVE"),
    ],
)
async def test_a_payment_amount_is_refused(
    client: Client, amount: str, currency: str, reason: str
) -> None:
    acme = await customer(client)
    before = await payments(client)
    given = {"customerId": acme, "amount": amount, "currency": currency, "method": "CASH"}
    assert await errors(client, PAY, {"i": given}) == [("input.amount", "INVALID", reason)]
    assert await payments(client) == before


async def test_amounts_as_fine_as_their_currency_are_kept(client: Client) -> None:
    acme = await customer(client)
    for amount, currency in (("1500", "JPY"), ("12.34", "EUR"), ("1.2", "USD")):
        given = {"customerId": acme, "amount": amount, "currency": currency, "method": "CASH"}
        assert await errors(client, PAY, {"i": given}) == []


@pytest.mark.parametrize(
    ("amount", "reason"),
    [("NaN", "CORE_NOT_A_NUMBER"), ("-1", "CORE_NEGATIVE"), ("10.005", "CORE_TOO_MANY_DECIMALS")],
)
async def test_an_opportunity_amount_is_checked(client: Client, amount: str, reason: str) -> None:
    acme = await customer(client)
    given = {"name": "Deal", "customerId": acme, "currency": "EUR", "amount": amount}
    assert await errors(client, CREATE_OPPORTUNITY, {"i": given}) == [
        ("input.amount", "INVALID", reason)
    ]


async def test_a_price_is_checked_in_its_currency(client: Client) -> None:
    created = await client.query(
        'mutation { createProduct(input: {sku: "SW", name: "Software"}) { product { id } } }'
    )
    product = created["createProduct"]["product"]["id"]
    assert await errors(client, PRICE, {"p": product, "c": "JPY", "u": "100.50"}) == [
        ("unitPrice", "INVALID", "CORE_TOO_MANY_DECIMALS")
    ]
    assert await errors(client, PRICE, {"p": product, "c": "EUR", "u": "100.50"}) == []
