"""Potential value: what the registered sources say customers may still bring."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import func, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.contributions import PotentialValueSource
from rapport.core.money_column import as_money

__all__ = ["potential_values"]


async def potential_values(
    session: AsyncSession,
    sources: list[PotentialValueSource],
    workspace_id: uuid.UUID,
    currency: str,
) -> dict[uuid.UUID, Decimal]:
    """Summed per customer, in the reporting currency only (like realised value)."""
    if not sources:
        return {}
    selects = []
    for source in sources:
        built = source.build(workspace_id).subquery()
        amount = as_money(built.c.amount).label("amount")  # a plugin may give plain numbers
        selects.append(select(built.c.customer_id, amount, built.c.currency))
    every = union_all(*selects).subquery("potential")
    statement = (
        select(every.c.customer_id, func.sum(every.c.amount))
        .where(or_(every.c.currency.is_(None), func.upper(every.c.currency) == currency.upper()))
        .group_by(every.c.customer_id)
    )
    rows = (await session.execute(statement)).all()
    return {
        customer_id: Decimal(str(total)).quantize(Decimal("0.01")) for customer_id, total in rows
    }
