"""``search``: ranked hits across customers, contact points and interactions."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay

from rapport.core import search as service
from rapport.schema.context import Info, context_of
from rapport.schema.errors import BadRequest
from rapport.schema.types.customer import Customer
from rapport.schema.types.node import resolve_global_ids

__all__ = ["SearchHit", "SearchKind", "SearchQueries"]

SearchKind = strawberry.enum(service.SearchKind, description="What a search hit is.")

# The GraphQL type of each kind's records; contact points and interactions resolve through
# `node` once their types are in the schema.
NODE_TYPES = {
    service.SearchKind.CUSTOMER: "Customer",
    service.SearchKind.CONTACT_POINT: "ContactPoint",
    service.SearchKind.INTERACTION: "Interaction",
}
# Reading interactions needs its own permission; without it they are left out of results.
KIND_PERMISSIONS = {service.SearchKind.INTERACTION: "interactions:read"}


@strawberry.type(description="One search result; hits are ordered best first.")
class SearchHit:
    score: float = strawberry.field(description="Relevance; larger is better, per engine.")
    kind: SearchKind  # type: ignore[valid-type]
    customer: Customer = strawberry.field(description="The customer the hit belongs to.")
    snippet: str = strawberry.field(description="Plain-text excerpt around the match.")
    node_id: relay.GlobalID = strawberry.field(description="Global id of the matched record.")

    @strawberry.field(description="The matched record itself.")
    async def node(self, info: Info) -> relay.Node | None:
        if self.kind == service.SearchKind.CUSTOMER:
            return self.customer
        return (await resolve_global_ids(info, [self.node_id]))[0]


def _hit(hit: service.SearchHit) -> SearchHit:
    return SearchHit(
        score=round(hit.score, 6),
        kind=hit.kind,
        customer=Customer.from_model(hit.customer),
        snippet=hit.snippet,
        node_id=relay.GlobalID(NODE_TYPES[hit.kind], str(hit.record.id)),
    )


@strawberry.type
class SearchQueries:
    @strawberry.field(description="Full-text search within the workspace, best hits first.")
    async def search(
        self,
        info: Info,
        query: str,
        first: int = 20,
        types: list[SearchKind] | None = None,  # type: ignore[valid-type]
    ) -> list[SearchHit]:
        context = context_of(info)
        actor = context.require("customers:read")
        if not 0 <= first <= context.settings.max_page_size:
            raise BadRequest(f"`first` must be between 0 and {context.settings.max_page_size}")
        # Omitted means every kind; an empty list means none.
        wanted: list[Any] = (
            list(service.SearchKind) if types is None else list(dict.fromkeys(types))
        )
        kinds = [k for k in wanted if actor.can(KIND_PERMISSIONS.get(k, "customers:read"))]
        async with context.db() as session:
            hits = await service.search(
                session, actor.workspace_id, query, kinds=kinds, limit=first
            )
        return [_hit(hit) for hit in hits]
