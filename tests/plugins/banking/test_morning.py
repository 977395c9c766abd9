"""A manager's morning: the book with balances and overdue reviews, filtered and paged."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from rapport.core import ValidationFailed
from rapport.plugins.banking.services.accounts import AccountFields, HolderFields, open_account
from tests.plugins.banking.conftest import Bank, pk

LONG_AGO = (datetime.now(UTC) - timedelta(days=400)).isoformat()
OVERDUE = (date.today() - timedelta(days=3)).isoformat()
LATER = (date.today() + timedelta(days=100)).isoformat()

MORNING = """query($filter: BookFilter, $first: Int, $after: String) {
  myBook(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { displayName totalAssets
      financialAccounts { number balance product { code } balanceHistory(last: 2) { asOf balance } }
      overdue: riskRatings(overdueOnly: true) { kind nextReviewOn } } } } }"""


async def test_the_book_shows_balances_and_overdue_reviews(bank: Bank) -> None:
    alice = await bank.manager("alice")
    saver = await bank.product("SAVER", "SAVINGS")
    names = ["Ann Able", "Bo Baker", "Cy Cole", "Di Dunn"]
    clients = [await bank.customer(name) for name in names]
    for client in clients[:3]:
        await bank.assign(alice, client)
    await bank.assign(alice, clients[3], role="BACKUP")
    opened = (date.today() - timedelta(days=60)).isoformat()
    account = await bank.account(saver, "NL91ABNA0417164300", [clients[0]], "100.00", opened)
    await bank.balance(account, "150.00", (date.today() - timedelta(days=30)).isoformat())
    await bank.balance(account, "175.25", date.today().isoformat())
    await bank.rate(clients[1], "CREDIT", "BB", OVERDUE, rated_at=LONG_AGO)
    await bank.rate(clients[2], "CREDIT", "A", LATER)

    page = (await alice.client.query(MORNING, {"first": 2}))["myBook"]
    assert page["totalCount"] == 4
    assert page["pageInfo"]["hasNextPage"] is True
    first, second = (edge["node"] for edge in page["edges"])
    assert first["displayName"] == "Ann Able"
    assert first["totalAssets"] == "175.25"
    assert first["financialAccounts"] == [
        {
            "number": "****4300",
            "balance": "175.25",
            "product": {"code": "SAVER"},
            "balanceHistory": [
                {"asOf": date.today().isoformat(), "balance": "175.25"},
                {"asOf": (date.today() - timedelta(days=30)).isoformat(), "balance": "150.00"},
            ],
        }
    ]
    assert second["overdue"] == [{"kind": "CREDIT", "nextReviewOn": OVERDUE}]
    rest = (
        await alice.client.query(MORNING, {"first": 2, "after": page["pageInfo"]["endCursor"]})
    )["myBook"]
    assert [e["node"]["displayName"] for e in rest["edges"]] == ["Cy Cole", "Di Dunn"]
    assert rest["pageInfo"]["hasNextPage"] is False

    async def names_for(book_filter: dict[str, object]) -> list[str]:
        data = await alice.client.query(MORNING, {"filter": book_filter})
        return [e["node"]["displayName"] for e in data["myBook"]["edges"]]

    assert await names_for({"hasOverdueReview": True}) == ["Bo Baker"]
    assert await names_for({"role": ["BACKUP"]}) == ["Di Dunn"]
    assert await names_for({"displayName": {"startsWith": "C"}}) == ["Cy Cole"]
    assert await names_for({"not": {"role": ["PRIMARY"]}}) == ["Di Dunn"]
    assert await names_for({"or": [{"hasOverdueReview": True}, {"role": ["BACKUP"]}]}) == [
        "Bo Baker",
        "Di Dunn",
    ]


ACCOUNT = """mutation($input: AccountInput!) { openFinancialAccount(input: $input) {
  account { id } errors { field code } } }"""


async def test_account_inputs_are_checked(bank: Bank) -> None:
    saver = await bank.product("SAVER", "SAVINGS")
    client = await bank.customer("Ann Able")
    other = await bank.customer("Bo Baker")
    good: dict[str, Any] = {
        "productId": saver,
        "number": "AC0001",
        "holders": [{"customerId": client}],
    }
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"number": "12"}, "input.number", "INVALID"),
        ({"currency": "EURO"}, "input.currency", "INVALID"),
        ({"holders": []}, "input.holders", "REQUIRED"),
        (
            {"holders": [{"customerId": client}, {"customerId": client}]},
            "input.holders",
            "DUPLICATE",
        ),
        (
            {
                "holders": [
                    {"customerId": client, "isPrimary": True},
                    {"customerId": other, "isPrimary": True},
                ]
            },
            "input.holders",
            "INVALID",
        ),
    ]
    for change, field, code in cases:
        data = await bank.admin.query(ACCOUNT, {"input": {**good, **change}})
        errors = data["openFinancialAccount"]["errors"]
        assert (errors[0]["field"], errors[0]["code"]) == (field, code), change
    await bank.account(saver, "AC0001", [client])
    data = await bank.admin.query(ACCOUNT, {"input": good})
    assert data["openFinancialAccount"]["errors"] == [{"field": "input.number", "code": "CONFLICT"}]
    data = await bank.admin.query("{ financialProducts { totalCount } }")
    assert data["financialProducts"]["totalCount"] == 1


async def test_balances_and_closing_are_checked(bank: Bank) -> None:
    saver = await bank.product("SAVER", "SAVINGS")
    client = await bank.customer("Ann Able")
    opened = (date.today() - timedelta(days=10)).isoformat()
    account = await bank.account(saver, "AC0002", [client], "5.00", opened)
    query = """mutation($id: ID!, $asOf: Date) {
      recordBalance(accountId: $id, balance: "7.00", asOf: $asOf) { errors { field code } } }"""
    for as_of in ((date.today() - timedelta(days=11)).isoformat(), "2999-01-01"):
        data = await bank.admin.query(query, {"id": account, "asOf": as_of})
        assert data["recordBalance"]["errors"] == [{"field": "asOf", "code": "INVALID"}]
    # A later day's balance becomes current; an earlier one only joins the history.
    await bank.balance(account, "6.00", (date.today() - timedelta(days=5)).isoformat())
    await bank.balance(account, "4.00", (date.today() - timedelta(days=8)).isoformat())
    data = await bank.admin.query(
        "query($id: ID!) { node(id: $id) { ... on FinancialAccount { balance balanceAsOf } } }",
        {"id": account},
    )
    assert data["node"] == {
        "balance": "6.00",
        "balanceAsOf": (date.today() - timedelta(days=5)).isoformat(),
    }
    close = "mutation($id: ID!) { closeFinancialAccount(id: $id) { account { status } errors { code } } }"
    assert (await bank.admin.query(close, {"id": account}))["closeFinancialAccount"]["account"] == {
        "status": "CLOSED"
    }
    data = await bank.admin.query(close, {"id": account})
    assert data["closeFinancialAccount"]["errors"] == [{"code": "INVALID_TRANSITION"}]


async def test_the_account_service_checks_holder_roles(bank: Bank) -> None:
    saver = await bank.product("SAVER", "SAVINGS")
    client = await bank.customer("Ann Able")
    op, session = await bank.operation_for(await bank.person("admin", "clerk"))
    fields = AccountFields(
        product_id=pk(saver), number="AC0009", holders=[HolderFields(pk(client), role="pet")]
    )
    async with session:
        with pytest.raises(ValidationFailed) as refused:
            async with op.transaction():
                await open_account(op, fields)
    assert [e.field for e in refused.value.errors] == ["input.holders.0.role"]
