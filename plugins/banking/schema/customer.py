"""Banking fields on the core ``Customer`` type, each batched through a DataLoader."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from rapport.plugins.banking import models
from rapport.plugins.banking.access import today
from rapport.plugins.banking.schema.loaders import (
    load_accounts,
    load_assets,
    load_cross_sell,
    load_household,
    load_primary_manager,
)
from rapport.plugins.banking.schema.types import (
    Assignment,
    FinancialAccount,
    FinancialProduct,
    Household,
    KeyClient,
    RiskRating,
    load_user,
)
from rapport.schema import context_of, grouped_loader
from rapport.schema.types.identity import User

__all__ = ["CrossSellSuggestion", "CustomerBankingFields"]


@strawberry.type(description="A product peers of this client hold and this client lacks.")
class CrossSellSuggestion:
    product: FinancialProduct
    adoption_rate: float = strawberry.field(description="Share of peers holding the product.")
    peers_holding: int
    peers: int


def _grouped(info: Info[Any, Any], name: str, statement_for: Any, key_of: Any) -> Any:
    return context_of(info).loader_for(
        ("banking-customer", name), lambda c: grouped_loader(c, statement_for, key_of)
    )


def _needs_read(info: Info[Any, Any]) -> bool:
    """Banking fields are null/empty for callers without ``banking:read``, not an error:
    a customer query from a plain member must not fail because it asked for one."""
    return context_of(info).require_actor().can("banking:read")


@strawberry.type
class CustomerBankingFields:
    @strawberry.field(description="The client's primary relationship manager today.")
    async def relationship_manager(self, info: Info) -> User | None:
        if not _needs_read(info):
            return None
        return await load_user(info, await load_primary_manager(info, self.pk))  # type: ignore[attr-defined]

    @strawberry.field(description="Managers assigned to the client directly, history included.")
    async def assignments(self, info: Info, include_ended: bool = False) -> list[Assignment]:
        if not _needs_read(info):
            return []
        loader = _grouped(
            info,
            "assignments",
            lambda ids: (
                select(models.Assignment)
                .where(models.Assignment.customer_id.in_(ids))
                .order_by(models.Assignment.valid_from.desc(), models.Assignment.id)
            ),
            lambda row: row.customer_id,
        )
        rows = await loader.load(self.pk)  # type: ignore[attr-defined]
        day = today()
        if not include_ended:
            rows = [
                r for r in rows if r.valid_from <= day and (r.valid_to is None or r.valid_to > day)
            ]
        return [Assignment.from_model(r) for r in rows]

    @strawberry.field
    async def household(self, info: Info) -> Household | None:
        if not _needs_read(info):
            return None
        row = await load_household(info, self.pk)  # type: ignore[attr-defined]
        return Household.from_model(row) if row is not None else None

    @strawberry.field(description="Accounts the client holds in any role.")
    async def financial_accounts(
        self, info: Info, include_closed: bool = False
    ) -> list[FinancialAccount]:
        if not _needs_read(info):
            return []
        rows = await load_accounts(info, self.pk)  # type: ignore[attr-defined]
        return [
            FinancialAccount.from_model(row)
            for row in rows
            if include_closed or row.status != "closed"
        ]

    @strawberry.field(
        description="Assets under management: balances of the client's asset "
        "accounts where the client is the primary holder."
    )
    async def total_assets(self, info: Info) -> Decimal | None:
        if not _needs_read(info):
            return None
        return (await load_assets(info, [self.pk]))[0]  # type: ignore[attr-defined]

    @strawberry.field
    async def risk_ratings(
        self, info: Info, current_only: bool = True, overdue_only: bool = False
    ) -> list[RiskRating]:
        if not _needs_read(info):
            return []
        loader = _grouped(
            info,
            "ratings",
            lambda ids: (
                select(models.RiskRating)
                .where(models.RiskRating.customer_id.in_(ids))
                .order_by(models.RiskRating.rated_at.desc(), models.RiskRating.id)
            ),
            lambda row: row.customer_id,
        )
        rows = await loader.load(self.pk)  # type: ignore[attr-defined]
        day = today()
        return [
            RiskRating.from_model(r)
            for r in rows
            if (r.is_current or not current_only)
            and (not overdue_only or (r.is_current and r.next_review_on < day))
        ]

    @strawberry.field
    async def key_client_tier(self, info: Info) -> KeyClient | None:
        if not _needs_read(info):
            return None
        loader = _grouped(
            info,
            "tier",
            lambda ids: select(models.KeyClientTier).where(
                models.KeyClientTier.customer_id.in_(ids)
            ),
            lambda row: row.customer_id,
        )
        rows = await loader.load(self.pk)  # type: ignore[attr-defined]
        return KeyClient.from_model(rows[0]) if rows else None

    @strawberry.field(description="Products the client's peers hold, by adoption rate.")
    async def cross_sell_suggestions(self, info: Info) -> list[CrossSellSuggestion]:
        if not _needs_read(info):
            return []
        return [
            CrossSellSuggestion(
                product=FinancialProduct.from_model(s.product),
                adoption_rate=s.adoption_rate,
                peers_holding=s.peers_holding,
                peers=s.peers,
            )
            for s in await load_cross_sell(info, self.pk)  # type: ignore[attr-defined]
        ]
