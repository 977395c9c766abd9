"""``search``: ranked hits across customers, contact points and interactions, as a connection.

Hits are ranked, not sorted by a column, so a cursor is the hit's position in the ranking:
pages stay consistent while the index does not change under them, which is what a person
paging through results sees. Ranking reads at most ``MAX_CANDIDATES`` hits, so that is also
where the pages and ``totalCount`` stop.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson
import strawberry
from strawberry import relay

from rapport.core import search as service
from rapport.core.search.service import MAX_CANDIDATES
from rapport.schema.context import Info, context_of
from rapport.schema.errors import BadRequest
from rapport.schema.relay import Connection, Edge, PageInfo
from rapport.schema.types.customer import Customer
from rapport.schema.types.node import resolve_global_ids

__all__ = ["SearchHit", "SearchKind", "SearchQueries"]

CURSOR_TAG = "search"

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


def _cursor(position: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([CURSOR_TAG, position])).decode().rstrip("=")


def _position_after(cursor: str | None) -> int:
    """How many hits come before the page that follows ``cursor``."""
    if cursor is None:
        return 0
    try:
        tag, position = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, TypeError, orjson.JSONDecodeError) as exc:
        raise BadRequest("after: not a cursor of search results") from exc
    if tag != CURSOR_TAG or not isinstance(position, int) or position < 0:
        raise BadRequest("after: not a cursor of search results")
    return position + 1


@strawberry.type
class SearchQueries:
    @strawberry.field(
        description=(
            "Full-text search within the workspace, best hits first. Pages and `totalCount` "
            f"reach at most the best {MAX_CANDIDATES} hits."
        )
    )
    async def search(
        self,
        info: Info,
        query: str,
        first: int = 20,
        after: str | None = None,
        types: list[SearchKind] | None = None,  # type: ignore[valid-type]
    ) -> Connection[SearchHit]:
        context = context_of(info)
        actor = context.require("customers:read")
        if not 0 <= first <= context.settings.max_page_size:
            raise BadRequest(f"`first` must be between 0 and {context.settings.max_page_size}")
        skip = _position_after(after)
        # Omitted means every kind; an empty list means none.
        wanted: list[Any] = (
            list(service.SearchKind) if types is None else list(dict.fromkeys(types))
        )
        kinds = [k for k in wanted if actor.can(KIND_PERMISSIONS.get(k, "customers:read"))]
        # One hit past the page tells whether another page follows.
        wanted_hits = min(skip + first + 1, MAX_CANDIDATES)
        async with context.db() as session:
            hits = await service.search(
                session, actor.workspace_id, query, kinds=kinds, limit=wanted_hits
            )
        page = hits[skip : skip + first]
        edges = [
            Edge(node=_hit(hit), cursor=_cursor(skip + index)) for index, hit in enumerate(page)
        ]

        async def count() -> int:
            async with context.db() as session:
                return len(
                    await service.search(
                        session,
                        actor.workspace_id,
                        query,
                        kinds=kinds,
                        limit=MAX_CANDIDATES,
                    )
                )

        more = len(hits) > skip + first
        return Connection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=more,
                has_previous_page=skip > 0,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            # With no page after this one, the hits read are all there are.
            _count=count if more else _known(len(hits)),
        )


def _known(total: int) -> Any:
    async def count() -> int:
        return total

    return count
