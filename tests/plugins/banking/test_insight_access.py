"""A relationship manager sees the insights of the clients of their book, and no others."""

from __future__ import annotations

from sqlalchemy import select

from rapport.core.models import CustomerInsight
from tests.plugins.banking.conftest import Bank, pk

RECOMPUTE = "mutation { recomputeInsights { recomputed errors { field code } } }"
INSIGHTS = """query($id: ID!) {
  node(id: $id) { ... on Customer { insights { valueGrade churnRisk { score } } } }
}"""


async def test_manager_sees_insights_of_their_book_only(bank: Bank) -> None:
    alice = await bank.manager("alice")
    bob = await bank.manager("bob")
    mine = await bank.customer("Ada Lovelace")
    theirs = await bank.customer("Grace Hopper")
    await bank.assign(alice, mine)
    await bank.assign(bob, theirs)
    payload = await bank.mutate(RECOMPUTE, {})
    assert payload["recomputed"] == 2
    data = await alice.client.query(INSIGHTS, {"id": mine})
    assert data["node"]["insights"]["valueGrade"] == "D"
    assert (await alice.client.query(INSIGHTS, {"id": theirs}))["node"] is None
    _, session = await bank.operation_for(alice)
    async with session:
        seen = (await session.execute(select(CustomerInsight.customer_id))).scalars().all()
    assert seen == [pk(mine)]
    # A manager may not recompute or override: that is the insights:manage permission.
    denied = await alice.client.post(RECOMPUTE, {})
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
