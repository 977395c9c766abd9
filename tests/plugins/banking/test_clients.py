"""Cross-sell suggestions, batched customer fields, and merges."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event, select

from rapport.core.services.merge import merge_customers
from rapport.plugins.banking.models import AccountHolder, Assignment, RiskRating
from tests.plugins.banking.conftest import Bank, pk

LATER = (date.today() + timedelta(days=100)).isoformat()


@contextmanager
def counting_statements(bank: Bank) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    engine = bank.runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_cross_sell_ranks_what_peers_hold(bank: Bank) -> None:
    saver = await bank.product("SAVER", "SAVINGS")
    card = await bank.product("CARD", "CARD")
    loan = await bank.product("LOAN", "LOAN")
    first, second, third, target = [
        await bank.customer(n) for n in ("P One", "P Two", "P Three", "P Target")
    ]
    organisation = (
        await bank.admin.query(
            """mutation { createCustomer(input: {kind: ORGANIZATION, organizationName: "Acme"}) {
                 customer { id } errors { code } } }"""
        )
    )["createCustomer"]["customer"]["id"]
    await bank.account(saver, "X0001", [first])
    await bank.account(card, "X0002", [first])
    await bank.account(saver, "X0003", [second])
    await bank.account(card, "X0004", [second])
    await bank.account(saver, "X0005", [third])
    await bank.account(loan, "X0006", [organisation])
    query = """query($ids: [ID!]!) { nodes(ids: $ids) { ... on Customer { id
                 crossSellSuggestions { product { code } adoptionRate peersHolding peers } } } }"""
    data = await bank.admin.query(query, {"ids": [target, third, first]})
    found = {node["id"]: node["crossSellSuggestions"] for node in data["nodes"]}
    # Three peers each (the other persons without a tier); the organisation's loan is not
    # a person's peer product.
    assert found[target] == [
        {"product": {"code": "SAVER"}, "adoptionRate": 1.0, "peersHolding": 3, "peers": 3},
        {"product": {"code": "CARD"}, "adoptionRate": 0.6667, "peersHolding": 2, "peers": 3},
    ]
    assert found[third] == [
        {"product": {"code": "CARD"}, "adoptionRate": 0.6667, "peersHolding": 2, "peers": 3}
    ]
    assert found[first] == []
    # A manager gets the same suggestions for a client of theirs: peers in other books count.
    alice = await bank.manager("alice")
    await bank.assign(alice, target)
    data = await alice.client.query(query, {"ids": [target, first]})
    assert data["nodes"][0]["crossSellSuggestions"] == found[target]
    assert data["nodes"][1] is None


async def test_customer_banking_fields_are_batched(bank: Bank) -> None:
    alice = await bank.manager("alice")
    saver = await bank.product("SAVER", "SAVINGS")
    query = """{ customers(first: 50) { edges { node { id
        relationshipManager { id } assignments { role } household { id }
        financialAccounts { number balanceHistory { balance } holders { role } }
        totalAssets riskRatings { kind } keyClientTier { tier }
        crossSellSuggestions { product { code } } } } } }"""

    async def add_clients(count: int) -> None:
        for index in range(count):
            customer = await bank.customer(f"Client {index}-{count}")
            await bank.assign(alice, customer)
            await bank.account(saver, f"B{count:02d}{index:04d}", [customer], "10.00")
            await bank.rate(customer, "CREDIT", "A", LATER)

    await add_clients(2)
    with counting_statements(bank) as few:
        data = await bank.admin.query(query)
    assert len(data["customers"]["edges"]) == 2
    await add_clients(5)
    with counting_statements(bank) as many:
        data = await bank.admin.query(query)
    assert len(data["customers"]["edges"]) == 7
    assert {e["node"]["totalAssets"] for e in data["customers"]["edges"]} == {"10.00"}
    assert len(many) == len(few)


async def test_merging_customers_moves_their_banking_rows(bank: Bank) -> None:
    alice = await bank.manager("alice")
    bob = await bank.manager("bob")
    survivor = await bank.customer("Ada Lovelace")
    duplicate = await bank.customer("Ada Lovelace-King")
    await bank.assign(alice, survivor)
    await bank.assign(bob, duplicate)
    saver = await bank.product("SAVER", "SAVINGS")
    await bank.account(saver, "M0001", [duplicate], "42.00")
    await bank.account(saver, "M0002", [survivor, duplicate], "1.00")
    await bank.rate(duplicate, "AML_KYC", "LOW", LATER)

    op, session = await bank.operation_for(await bank.person("admin", "merger"))
    async with session, op.transaction():
        await merge_customers(op, pk(survivor), [pk(duplicate)])
    _, session = await bank.operation_for(await bank.person("admin", "checker"))
    async with session:
        holders = (
            await session.execute(select(AccountHolder.customer_id, AccountHolder.is_primary))
        ).all()
        assert sorted(holders) == [(pk(survivor), True), (pk(survivor), True)]
        ratings = (await session.execute(select(RiskRating.customer_id))).scalars().all()
        assert ratings == [pk(survivor)]
        assignments = (
            await session.execute(
                select(Assignment.manager_user_id, Assignment.valid_to, Assignment.ended_reason)
                .where(Assignment.customer_id == pk(survivor))
                .order_by(Assignment.created_at)
            )
        ).all()
    # The survivor keeps its own primary; the duplicate's is closed, its history kept.
    assert [(a[0], a[2]) for a in assignments] == [(alice.user_id, None), (bob.user_id, "merged")]
    data = await bank.admin.query(
        "query($id: ID!) { customer(id: $id) { totalAssets relationshipManager { id } } }",
        {"id": survivor},
    )
    assert data["customer"] == {"totalAssets": "43.00", "relationshipManager": {"id": alice.gid}}
