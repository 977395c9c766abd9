"""Cross-sell suggestions: products a client's peers hold that the client lacks.

Peers are the other live clients of the same kind (person or organisation) and key-client tier
(no tier is a group of its own) in the workspace. A product's adoption rate is the share
of peers holding an account of it that is not closed; suggestions are ranked by that rate,
then by product code, and products no peer holds are left out.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import Customer
from rapport.plugins.banking.models import (
    AccountHolder,
    FinancialAccount,
    FinancialProduct,
    KeyClientTier,
)

__all__ = ["Suggestion", "cross_sell_suggestions"]

PeerGroup = tuple[str, str | None]


@dataclass(frozen=True)
class Suggestion:
    product: FinancialProduct
    adoption_rate: float
    peers_holding: int
    peers: int


async def cross_sell_suggestions(
    session: AsyncSession, customer_ids: Sequence[uuid.UUID], limit: int = 5
) -> dict[uuid.UUID, list[Suggestion]]:
    wanted = list(dict.fromkeys(customer_ids))
    if not wanted:
        return {}
    group_of: dict[uuid.UUID, PeerGroup] = {
        customer_id: (kind, tier)
        for customer_id, kind, tier in (
            await session.execute(
                select(Customer.id, Customer.kind, KeyClientTier.tier)
                .outerjoin(KeyClientTier, KeyClientTier.customer_id == Customer.id)
                .where(Customer.id.in_(wanted))
            )
        ).all()
    }
    groups = set(group_of.values())
    live = (
        select(Customer.id, Customer.kind, KeyClientTier.tier)
        .outerjoin(KeyClientTier, KeyClientTier.customer_id == Customer.id)
        .where(Customer.deleted_at.is_(None))
        .subquery()
    )
    sizes: dict[PeerGroup, int] = {
        (kind, tier): count
        for kind, tier, count in (
            await session.execute(
                select(live.c.kind, live.c.tier, func.count()).group_by(live.c.kind, live.c.tier)
            )
        ).all()
    }
    held = (
        select(AccountHolder.customer_id, FinancialAccount.product_id)
        .join(FinancialAccount, FinancialAccount.id == AccountHolder.account_id)
        .where(FinancialAccount.status != "closed")
        .distinct()
        .subquery()
    )
    adoption: dict[PeerGroup, dict[uuid.UUID, int]] = defaultdict(dict)
    for kind, tier, product_id, count in (
        await session.execute(
            select(live.c.kind, live.c.tier, held.c.product_id, func.count())
            .join(held, held.c.customer_id == live.c.id)
            .group_by(live.c.kind, live.c.tier, held.c.product_id)
        )
    ).all():
        if (kind, tier) in groups:
            adoption[(kind, tier)][product_id] = count
    own: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for customer_id, product_id in (
        await session.execute(
            select(held.c.customer_id, held.c.product_id).where(held.c.customer_id.in_(wanted))
        )
    ).all():
        own[customer_id].add(product_id)
    product_ids = {p for counts in adoption.values() for p in counts}
    products = {
        p.id: p
        for p in (
            await session.execute(
                select(FinancialProduct).where(
                    FinancialProduct.id.in_(product_ids), FinancialProduct.is_active.is_(True)
                )
            )
        ).scalars()
    }
    found: dict[uuid.UUID, list[Suggestion]] = {}
    for customer_id in wanted:
        group = group_of.get(customer_id)
        if group is None:
            found[customer_id] = []
            continue
        peers = sizes.get(group, 0) - 1
        mine = own.get(customer_id, set())
        options = [
            Suggestion(products[p], round(count / peers, 4), count, peers)
            for p, count in adoption.get(group, {}).items()
            if p not in mine and p in products and peers > 0
        ]
        options.sort(key=lambda s: (-s.adoption_rate, s.product.code))
        found[customer_id] = options[:limit]
    return found
