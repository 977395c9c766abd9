"""Balances: amounts by the core money rules; below zero only where the product allows it."""

from __future__ import annotations

from typing import Any

from tests.plugins.banking.conftest import Bank

OPEN = """mutation($input: AccountInput!) {
  openFinancialAccount(input: $input) { account { id } errors { field code reason } } }"""
RECORD = """mutation($id: ID!, $balance: Decimal!) {
  recordBalance(accountId: $id, balance: $balance) {
    account { balance } errors { field code reason } } }"""


async def opened(bank: Bank, product: str, holder: str, number: str, balance: str) -> Any:
    given = {
        "productId": product,
        "number": number,
        "holders": [{"customerId": holder}],
        "balance": balance,
    }
    return (await bank.admin.query(OPEN, {"input": given}))["openFinancialAccount"]


async def test_a_savings_balance_never_falls_below_zero(bank: Bank) -> None:
    ada = await bank.customer("Ada Lovelace")
    savings = await bank.product("SAVE", "SAVINGS")
    refused = await opened(bank, savings, ada, "GB00SAVE0001", "-0.01")
    assert refused == {
        "account": None,
        "errors": [{"field": "input.balance", "code": "INVALID", "reason": "CORE_NEGATIVE"}],
    }
    account = (await opened(bank, savings, ada, "GB00SAVE0002", "10.00"))["account"]["id"]
    recorded = await bank.admin.query(RECORD, {"id": account, "balance": "-5"})
    assert recorded["recordBalance"]["errors"] == [
        {"field": "balance", "code": "INVALID", "reason": "CORE_NEGATIVE"}
    ]


async def test_a_current_account_may_be_overdrawn(bank: Bank) -> None:
    ada = await bank.customer("Ada Lovelace")
    current = await bank.product("CURRENT", "DEPOSIT")
    account = await opened(bank, current, ada, "GB00CURR0001", "-250.00")
    assert account["errors"] == []
    recorded = await bank.admin.query(RECORD, {"id": account["account"]["id"], "balance": "-300"})
    assert recorded["recordBalance"] == {"account": {"balance": "-300.00"}, "errors": []}


async def test_a_balance_is_an_amount(bank: Bank) -> None:
    ada = await bank.customer("Ada Lovelace")
    current = await bank.product("CURRENT", "DEPOSIT")
    account = (await opened(bank, current, ada, "GB00CURR0002", "1"))["account"]["id"]
    for balance, reason in (
        ("NaN", "CORE_NOT_A_NUMBER"),
        ("1e30", "CORE_OUT_OF_RANGE"),
        ("0.001", "CORE_TOO_MANY_DECIMALS"),
        ("١٢٣", "CORE_NON_ASCII_DIGITS"),
    ):
        recorded = await bank.admin.query(RECORD, {"id": account, "balance": balance})
        assert recorded["recordBalance"]["errors"] == [
            {"field": "balance", "code": "INVALID", "reason": reason}
        ], balance
