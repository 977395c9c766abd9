"""Per-request DataLoaders for the banking figures the compiler does not read: one query per
batch of parents."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from strawberry.dataloader import DataLoader

from rapport.plugins.banking import models
from rapport.plugins.banking.config import banking_config
from rapport.plugins.banking.schema.common import workspace_wide
from rapport.plugins.banking.services.accounts import assets_by_customer
from rapport.plugins.banking.services.cross_sell import Suggestion, cross_sell_suggestions
from rapport.plugins.banking.services.households import household_members
from rapport.schema import Info, RequestContext, context_of

__all__ = ["household_member_ids", "load_assets", "load_cross_sell"]


def _batched(context: RequestContext, fetch: Any) -> DataLoader[uuid.UUID, Any]:
    """A loader whose ``fetch(session, ids)`` returns a dict by id; absent ids give None."""

    async def load(ids: Sequence[uuid.UUID]) -> list[Any]:
        async with context.db() as session:
            found = await fetch(session, list(ids))
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)


def _loader(info: Info, name: str, fetch: Any) -> DataLoader[uuid.UUID, Any]:
    context = context_of(info)
    return context.loader_for(("banking", name), lambda c: _batched(c, fetch))


async def load_assets(info: Info, customer_ids: list[uuid.UUID]) -> list[Decimal]:
    kinds = banking_config(context_of(info).settings).asset_kinds

    async def fetch(session: Any, ids: list[uuid.UUID]) -> dict[uuid.UUID, Decimal]:
        return await assets_by_customer(session, kinds, ids)

    values = await _loader(info, "assets", fetch).load_many(customer_ids)
    return [v if v is not None else Decimal("0") for v in values]


async def household_member_ids(info: Info, household: Any) -> list[uuid.UUID]:
    async def fetch(session: Any, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
        rows = (
            await session.execute(select(models.Household).where(models.Household.id.in_(ids)))
        ).scalars()
        return await household_members(session, list(rows))

    return await _loader(info, "household-members", fetch).load(uuid.UUID(household.id)) or []


async def load_cross_sell(info: Info, customer_id: uuid.UUID) -> list[Suggestion]:
    """Suggestions for customers the caller sees, from the adoption among all their peers."""
    context = context_of(info)

    async def load(ids: Sequence[uuid.UUID]) -> list[list[Suggestion]]:
        async with workspace_wide(context) as session:
            found = await cross_sell_suggestions(session, list(ids))
        return [found.get(i, []) for i in ids]

    loader = context.loader_for(("banking", "cross-sell"), lambda c: DataLoader(load_fn=load))
    return await loader.load(customer_id)
