"""Key clients in GraphQL: the tiered list and its recomputation."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import strawberry
from strawberry import relay

from rapport.core import Operation
from rapport.plugins.banking import models
from rapport.plugins.banking.config import banking_config
from rapport.plugins.banking.schema.types import KeyClient, KeyClientOrder, Tier
from rapport.plugins.banking.services import client_figures
from rapport.plugins.banking.services.tiers import TierRun, recompute_tiers
from rapport.schema import (
    Connection,
    Info,
    Listing,
    OrderDirection,
    UserError,
    context_of,
    mutate,
    order_keys,
    read_page,
    reads,
    row_id_of,
)

__all__ = ["KeyClientMutations", "KeyClientQueries"]


KEY_CLIENTS = Listing(
    target=lambda: KeyClient,
    where=lambda scope: (
        []
        if scope.args.get("tier") is None
        else [models.KeyClientTier.tier == scope.args["tier"].value]
    ),
    keys=lambda scope: order_keys(
        models.KeyClientTier,
        scope.args.get("order_by"),
        [("value", OrderDirection.DESC), ("id", OrderDirection.DESC)],
    ),
)


@strawberry.type
class KeyClientQueries:
    @strawberry.field(
        metadata=reads(KEY_CLIENTS), description="Clients by tier, the most valuable first."
    )
    async def key_clients(
        self,
        info: Info,
        tier: Tier | None = None,
        first: int | None = None,
        after: str | None = None,
        order_by: list[KeyClientOrder] | None = None,
    ) -> Connection[KeyClient]:
        return await read_page(
            info, KEY_CLIENTS, first=first, after=after, tier=tier, order_by=order_by
        )


@strawberry.type
class RecomputeTiersPayload:
    clients: int
    tier_a: int
    tier_b: int
    tier_c: int
    callbacks_created: int
    computed_at: datetime | None
    errors: list[UserError]


@strawberry.type
class RecordedPayload:
    ok: bool
    errors: list[UserError]


@strawberry.type
class KeyClientMutations:
    @strawberry.mutation(
        description="Recompute every client's tier from assets and revenue, and schedule the "
        "callbacks each tier earns."
    )
    async def recompute_key_client_tiers(self, info: Info) -> RecomputeTiersPayload:
        config = banking_config(context_of(info).settings)

        async def work(op: Operation) -> TierRun:
            return await recompute_tiers(op, config)

        run, errors = await mutate(info, "banking:manage", work)
        tiers = [row.tier for row in run.tiers] if run else []
        return RecomputeTiersPayload(
            clients=len(tiers),
            tier_a=tiers.count("A"),
            tier_b=tiers.count("B"),
            tier_c=tiers.count("C"),
            callbacks_created=run.callbacks_created if run else 0,
            computed_at=run.computed_at if run else None,
            errors=errors,
        )

    @strawberry.mutation(description="Set a client's revenue for a month (any day names it).")
    async def record_client_revenue(
        self, info: Info, customer_id: relay.GlobalID, month: date, amount: Decimal
    ) -> RecordedPayload:
        async def work(op: Operation) -> None:
            await client_figures.record_revenue(
                op, row_id_of(customer_id, "Customer", "customerId"), month, amount
            )

        _, errors = await mutate(info, "banking:write", work)
        return RecordedPayload(ok=not errors, errors=errors)

    @strawberry.mutation(description="Store a client's satisfaction survey answer, 0 to 10.")
    async def record_survey_score(
        self, info: Info, customer_id: relay.GlobalID, score: int, surveyed_on: date
    ) -> RecordedPayload:
        async def work(op: Operation) -> None:
            await client_figures.record_survey_score(
                op, row_id_of(customer_id, "Customer", "customerId"), score, surveyed_on
            )

        _, errors = await mutate(info, "banking:write", work)
        return RecordedPayload(ok=not errors, errors=errors)
