"""Key client tiers against a hand-computed Pareto table, and the callbacks they schedule."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from rapport.core.models import Task
from tests.plugins.banking.conftest import Bank, pk

RECOMPUTE = """mutation { recomputeKeyClientTiers {
  clients tierA tierB tierC callbacksCreated computedAt errors { code } } }"""
THIS_MONTH = date.today().replace(day=1).isoformat()


async def _revenue(bank: Bank, customer: str, amount: str, month: str = THIS_MONTH) -> None:
    await bank.mutate(
        """mutation($c: ID!, $m: Date!, $a: Decimal!) {
             recordClientRevenue(customerId: $c, month: $m, amount: $a) { ok errors { code } } }""",
        {"c": customer, "m": month, "a": amount},
    )


async def test_tiers_follow_the_cumulative_value_share(bank: Bank) -> None:
    alice = await bank.manager("alice")
    saver = await bank.product("SAVER", "SAVINGS")
    loan = await bank.product("LOAN", "LOAN")
    names = ("Big Client", "Mid Client", "Fee Client", "Small Client", "Zero Client")
    big, mid, fee, small, zero = [await bank.customer(n) for n in names]
    # value = assets x 0.01 + revenue of the last 12 months
    big_account = await bank.account(saver, "T0001", [big], "1000000.00")  # 10000
    await bank.account(saver, "T0002", [mid], "200000.00")  # 2000 + 1000
    await _revenue(bank, mid, "1000.00")
    await _revenue(bank, fee, "1500.00")  # 1500
    await _revenue(bank, fee, "999999.00", month="2000-01-01")  # outside the window
    await bank.account(saver, "T0004", [small], "50000.00")  # 500
    await bank.account(saver, "T0005", [zero], "0.00")  # 0
    await bank.account(loan, "T0006", [zero], "90000000.00")  # loans are not assets
    await bank.assign(alice, big)
    await bank.assign(alice, fee)
    await bank.assign(alice, small)

    data = await bank.admin.query(RECOMPUTE)
    run = data["recomputeKeyClientTiers"]
    assert (run["clients"], run["tierA"], run["tierB"], run["tierC"]) == (5, 2, 1, 2)
    # Tier A and B clients of a manager get a callback; tier C none.
    assert run["callbacksCreated"] == 2
    data = await bank.admin.query(
        "{ keyClients(first: 10) { edges { node { tier value cumulativeShare customer { id } } } } }"
    )
    table = [
        (
            e["node"]["customer"]["id"],
            e["node"]["tier"],
            e["node"]["value"],
            e["node"]["cumulativeShare"],
        )
        for e in data["keyClients"]["edges"]
    ]
    # Total 15000: 10000 (share before 0) A, 3000 (before 0.667) A, 1500 (before 0.867) B,
    # 500 (before 0.967) C, 0 C.
    assert table == [
        (big, "A", "10000.00", 0.666667),
        (mid, "A", "3000.00", 0.866667),
        (fee, "B", "1500.00", 0.966667),
        (small, "C", "500.00", 1.0),
        (zero, "C", "0.00", 1.0),
    ]
    data = await bank.admin.query("{ keyClients(tier: B) { totalCount } }")
    assert data["keyClients"]["totalCount"] == 1
    data = await bank.admin.query(
        "query($id: ID!) { customer(id: $id) { keyClientTier { tier computedAt } } }", {"id": fee}
    )
    assert data["customer"]["keyClientTier"]["tier"] == "B"

    # Recomputing is idempotent: the callbacks exist already.
    data = await bank.admin.query(RECOMPUTE)
    assert data["recomputeKeyClientTiers"]["callbacksCreated"] == 0
    _, session = await bank.operation_for(alice)
    async with session:
        tasks = (
            await session.execute(
                select(Task.recurrence, Task.assignee_id).where(Task.link_type == "KeyClientTier")
            )
        ).all()
    assert sorted(tasks) == sorted(
        [("FREQ=MONTHLY", alice.user_id), ("FREQ=MONTHLY;INTERVAL=3", alice.user_id)]
    )

    # The big client leaves: its call is cancelled, the fee client rises to A (monthly calls)
    # and the small client to B (a new quarterly call).
    await bank.mutate(
        "mutation($id: ID!) { closeFinancialAccount(id: $id) { account { id } errors { code } } }",
        {"id": big_account},
    )
    data = await bank.admin.query(RECOMPUTE)
    run = data["recomputeKeyClientTiers"]
    assert (run["clients"], run["tierA"], run["tierB"], run["tierC"]) == (4, 2, 1, 1)
    assert run["callbacksCreated"] == 1
    _, session = await bank.operation_for(alice)
    async with session:
        tasks = (
            await session.execute(
                select(Task.customer_id, Task.status, Task.recurrence).where(
                    Task.link_type == "KeyClientTier"
                )
            )
        ).all()
    assert sorted((str(t[0]), t[1], t[2]) for t in tasks) == sorted(
        [
            (str(pk(big)), "cancelled", "FREQ=MONTHLY"),
            (str(pk(fee)), "open", "FREQ=MONTHLY"),
            (str(pk(small)), "open", "FREQ=MONTHLY;INTERVAL=3"),
        ]
    )


async def test_only_branch_heads_recompute_tiers(bank: Bank) -> None:
    alice = await bank.manager("alice")
    body = await alice.client.post(RECOMPUTE)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    head = await bank.person("branch_head", "bea")
    data = await head.client.query(RECOMPUTE)
    assert data["recomputeKeyClientTiers"]["clients"] == 0
