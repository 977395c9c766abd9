"""An example plugin: a loyalty tier on every customer, computed from their interactions.

Install it beside Rapport (``pip install -e examples/plugin-loyalty``) and enable it with
``RAPPORT_PLUGINS=loyalty`` (plus any built-ins you want). It uses only the public contract:
``rapport.core`` for the hook marker, models and registrations, ``rapport.schema`` for the typed
``Info`` and the declaration that lets the read compiler compute the tier in SQL, inside the one
statement that answers a query (the resolver computes the same tier in Python for the other
queries).
"""

from __future__ import annotations

import uuid
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.orm import aliased
from strawberry.dataloader import DataLoader

from rapport.core import (
    DataLoaderFactory,
    GraphQLPart,
    Interaction,
    InteractionKind,
    PluginInfo,
    Register,
    hookimpl,
)
from rapport.schema import Expression, Info, Scope, reads

plugin_info = PluginInfo(
    name="loyalty",
    version="0.1.0",
    description="Loyalty tier from the number of interactions",
)

TIERS = ((50, "gold"), (10, "silver"), (0, "bronze"))


def _interaction_counts(context: Any) -> DataLoader[uuid.UUID, int]:
    # One grouped query per batch of customers, never one per customer.
    async def load(ids: list[uuid.UUID]) -> list[int]:
        statement = (
            select(Interaction.customer_id, func.count())
            .where(Interaction.customer_id.in_(ids), Interaction.deleted_at.is_(None))
            .group_by(Interaction.customer_id)
        )
        async with context.db() as session:
            counts = {row[0]: row[1] for row in await session.execute(statement)}
        return [counts.get(i, 0) for i in ids]

    return DataLoader(load_fn=load)


def _tier_of(scope: Scope) -> ColumnElement[Any]:
    """The tier in SQL, from the same count the resolver's loader makes."""
    interaction = aliased(Interaction)
    count = (
        select(func.count())
        .select_from(interaction)
        .where(interaction.customer_id == scope.row.id, interaction.deleted_at.is_(None))
        .correlate_except(interaction)
        .scalar_subquery()
    )
    *higher, (_floor, lowest) = TIERS
    return case(*((count >= floor, literal(name)) for floor, name in higher), else_=literal(lowest))


LOYALTY_TIER = Expression(_tier_of)


@strawberry.type
class CustomerLoyalty:
    @strawberry.field(
        metadata=reads(LOYALTY_TIER),
        description="bronze, silver or gold, from the number of interactions.",
    )
    async def loyalty_tier(self, info: Info) -> str:
        count = await info.context.loader("loyalty.counts").load(self.pk)  # type: ignore[attr-defined]
        return next(name for floor, name in TIERS if count >= floor)


@hookimpl
def register_dataloaders(register: Register[DataLoaderFactory]) -> None:
    register(DataLoaderFactory("loyalty.counts", _interaction_counts))


@hookimpl
def register_graphql(register: Register[GraphQLPart]) -> None:
    register(GraphQLPart(extend={"Customer": CustomerLoyalty}))


@hookimpl
def register_interaction_kinds(register: Register[InteractionKind]) -> None:
    register(InteractionKind("loyalty_reward", "Loyalty reward"))
