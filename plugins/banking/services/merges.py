"""Keeping banking rows attached when core merges customers into a survivor."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import Operation
from rapport.plugins.banking.access import today
from rapport.plugins.banking.models import (
    AccountHolder,
    Assignment,
    ClientRevenue,
    Household,
    KeyClientTier,
)

__all__ = ["settle_merged_customers"]

FETCH = {"synchronize_session": "fetch"}


async def settle_merged_customers(
    op: Operation, survivor: uuid.UUID, merged: list[uuid.UUID]
) -> None:
    """Settle the banking rows that would clash once the merged customers' rows move.

    A joint holding the survivor already has is dropped, the merged customers' open PRIMARY
    assignments end when the survivor has one, their tiers are dropped (the next recomputation
    values the survivor with their assets), and monthly revenues are added to the survivor's
    month. Holdings, assignments and households, which are not customer links (their own
    policies govern them), move here; core moves the linked tables afterwards.
    """
    session = op.session
    if not merged:
        return
    held = select(AccountHolder.account_id).where(AccountHolder.customer_id == survivor)
    await session.execute(
        delete(AccountHolder)
        .where(AccountHolder.customer_id.in_(merged), AccountHolder.account_id.in_(held))
        .execution_options(**FETCH)
    )
    survivor_primary = (
        await session.execute(
            select(Assignment.id).where(
                Assignment.customer_id == survivor,
                Assignment.role == "primary",
                Assignment.valid_to.is_(None),
            )
        )
    ).first()
    open_primaries = select(Assignment).where(
        Assignment.customer_id.in_(merged),
        Assignment.role == "primary",
        Assignment.valid_to.is_(None),
    )
    rows = list((await session.execute(open_primaries)).scalars())
    # With no primary of its own, the survivor keeps the first merged customer's primary.
    keep = None if survivor_primary is not None or not rows else rows[0].id
    for row in rows:
        if row.id != keep:
            row.valid_to, row.ended_reason = max(today(), row.valid_from), "merged"
    await session.flush()
    await session.execute(
        delete(KeyClientTier)
        .where(KeyClientTier.customer_id.in_(merged))
        .execution_options(**FETCH)
    )
    await _merge_revenue(session, survivor, merged)
    for model in (AccountHolder, Assignment):
        await session.execute(
            update(model)
            .where(model.customer_id.in_(merged))
            .values(customer_id=survivor)
            .execution_options(**FETCH)
        )
    survivor_household = (
        await session.execute(select(Household.id).where(Household.primary_customer_id == survivor))
    ).first()
    if survivor_household is None:
        first = (
            (
                await session.execute(
                    select(Household)
                    .where(Household.primary_customer_id.in_(merged))
                    .order_by(Household.created_at)
                )
            )
            .scalars()
            .first()
        )
        if first is not None:
            first.primary_customer_id = survivor
    await session.flush()


async def _merge_revenue(
    session: AsyncSession, survivor: uuid.UUID, merged: list[uuid.UUID]
) -> None:
    rows = list(
        (
            await session.execute(
                select(ClientRevenue).where(ClientRevenue.customer_id.in_([survivor, *merged]))
            )
        ).scalars()
    )
    by_month = {row.month: row for row in rows if row.customer_id == survivor}
    for row in rows:
        if row.customer_id == survivor:
            continue
        target = by_month.get(row.month)
        if target is None:
            row.customer_id = survivor
            by_month[row.month] = row
        else:
            target.amount += row.amount
            await session.delete(row)
    await session.flush()
