"""The search service: one entry point over the engine-specific queries.

Hits of every kind are ranked on one scale (larger is better), the rows behind the best ones
are loaded through the tenant session, and each hit carries its customer and a snippet.
Deleted customers (and the contact points and interactions of deleted customers) never appear.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.models import ContactPoint, Customer, Interaction
from rapport.core.search.hits import RankedHit, SearchKind
from rapport.core.search.postgres import search_postgres, similar_names_postgres
from rapport.core.search.snippets import snippet
from rapport.core.search.sqlite import search_sqlite, similar_names_sqlite
from rapport.core.search.terms import QueryTerms, parse_query

__all__ = ["SearchHit", "search", "similar_names"]

MODELS: dict[SearchKind, Any] = {
    SearchKind.CUSTOMER: Customer,
    SearchKind.CONTACT_POINT: ContactPoint,
    SearchKind.INTERACTION: Interaction,
}


# Engines score each kind in [0, 1]; at equal relevance a customer outranks its own contact
# points, and both outrank a mention in the timeline.
KIND_WEIGHTS = {
    SearchKind.CUSTOMER: 1.0,
    SearchKind.CONTACT_POINT: 0.8,
    SearchKind.INTERACTION: 0.6,
}


@dataclass(frozen=True)
class SearchHit:
    kind: SearchKind
    score: float
    customer: Customer
    record: Customer | ContactPoint | Interaction
    snippet: str


def _texts(kind: SearchKind, record: Any) -> list[str | None]:
    """The searchable text of a record, most telling first (the snippet's sources)."""
    if kind == SearchKind.CUSTOMER:
        return [
            record.display_name,
            record.organization_name,
            " ".join(record.tags or []),
            record.industry,
            record.occupation,
            record.region,
            record.notes,
        ]
    if kind == SearchKind.CONTACT_POINT:
        return [record.value]
    return [record.subject, record.body]


# The most index rows one search reads while looking for hits the caller may see.
MAX_CANDIDATES = 2000


async def _ranked(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    query: QueryTerms,
    kinds: Sequence[SearchKind],
    limit: int,
) -> list[RankedHit]:
    engine = search_postgres if session.get_bind().dialect.name == "postgresql" else search_sqlite
    found = await engine(session, workspace_id, query, list(kinds), limit)
    hits = [replace(hit, score=hit.score * KIND_WEIGHTS[hit.kind]) for hit in found]
    hits.sort(key=lambda hit: (-hit.score, hit.kind, hit.entity_id))
    return hits[:limit]


async def _load(session: AsyncSession, model: Any, ids: set[uuid.UUID]) -> dict[uuid.UUID, Any]:
    if not ids:
        return {}
    rows = await session.execute(select(model).where(model.id.in_(ids)))
    return {row.id: row for row in rows.scalars()}


async def _visible_hits(
    session: AsyncSession,
    ranked: Sequence[RankedHit],
    kinds: Sequence[SearchKind],
    query: QueryTerms,
) -> list[SearchHit]:
    """The ranked candidates whose records this session may read, loaded and excerpted."""
    # A customer hit's record is its customer: one load serves both.
    customers = await _load(session, Customer, {hit.customer_id for hit in ranked})
    records: dict[SearchKind, dict[uuid.UUID, Any]] = {SearchKind.CUSTOMER: customers}
    for kind in kinds:
        if kind != SearchKind.CUSTOMER:
            ids = {hit.entity_id for hit in ranked if hit.kind == kind}
            records[kind] = await _load(session, MODELS[kind], ids)
    found: list[SearchHit] = []
    for hit in ranked:
        record = records[hit.kind].get(hit.entity_id)
        customer = customers.get(hit.customer_id)
        if record is None or customer is None:
            # Changed between the two reads, or outside the caller's access policies.
            continue
        text_sources = _texts(hit.kind, record)
        found.append(
            SearchHit(hit.kind, hit.score, customer, record, snippet(text_sources, query.terms))
        )
    return found


async def search(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    text: str,
    *,
    kinds: Sequence[SearchKind] = tuple(SearchKind),
    limit: int = 20,
) -> list[SearchHit]:
    """The best ``limit`` hits for ``text`` in one workspace; any input is safe.

    The index is read without the caller's access policies, the records through them; when
    policies hide candidates, more are read (up to ``MAX_CANDIDATES``) so the page stays full.
    """
    query = parse_query(text)
    if not query or not kinds or limit <= 0:
        return []
    candidates = limit
    while True:
        ranked = await _ranked(session, workspace_id, query, kinds, candidates)
        found = await _visible_hits(session, ranked, kinds, query)
        exhausted = len(ranked) < candidates or candidates >= MAX_CANDIDATES
        if len(found) >= limit or exhausted:
            return found[:limit]
        candidates = min(candidates * 4, MAX_CANDIDATES)


async def similar_names(
    session: AsyncSession, workspace_id: uuid.UUID, name: str, exclude: uuid.UUID, limit: int
) -> list[uuid.UUID]:
    """Live customers whose display name resembles ``name``: candidates, not verdicts."""
    if session.get_bind().dialect.name == "postgresql":
        return await similar_names_postgres(session, workspace_id, name, exclude, limit)
    query = parse_query(name)
    if not query:
        return []
    return await similar_names_sqlite(session, workspace_id, query, exclude, limit)
