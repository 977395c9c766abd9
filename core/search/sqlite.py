"""Search on SQLite: FTS5 external-content tables kept current by triggers (``core_0002``).

Each FTS table indexes ``workspace_id`` as a column and every query requires its token, so the
index itself only yields the caller's rows; the join back to the table checks it again. Ranks
are bm25 (negative, smaller is better) with per-column weights, mapped into [0, 1) by
r / (1 + r) of its negation, as PostgreSQL's ranks are. There is no fuzzy matching here:
terms match as prefixes.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import TextualSelect

from rapport.core.search.hits import RankedHit, SearchKind
from rapport.core.search.terms import QueryTerms

__all__ = ["search_sqlite", "similar_names_sqlite"]


def _normalised(bm25: str) -> str:
    return f"(-{bm25}) / (1 - {bm25})"


# Weights follow the FTS column order of core_0002: workspace_id first (never ranks), then
# display name, first, last, organisation, industry, occupation, region, tags, notes.
CUSTOMERS_SQL = f"""
SELECT c.id AS entity_id, c.id AS customer_id,
       {_normalised("bm25(fts_customers, 0, 10, 5, 5, 5, 2, 2, 2, 4, 1)")} AS score
FROM fts_customers JOIN customers AS c ON c.rowid = fts_customers.rowid
WHERE fts_customers MATCH :match AND c.workspace_id = :workspace_id AND c.deleted_at IS NULL
ORDER BY score DESC, c.id LIMIT :limit
"""
CONTACT_POINTS_SQL = f"""
SELECT p.id AS entity_id, p.customer_id AS customer_id,
       {_normalised("bm25(fts_contact_points, 0, 4, 2)")} AS score
FROM fts_contact_points JOIN contact_points AS p ON p.rowid = fts_contact_points.rowid
JOIN customers AS c ON c.workspace_id = p.workspace_id AND c.id = p.customer_id
WHERE fts_contact_points MATCH :match AND p.workspace_id = :workspace_id
  AND c.deleted_at IS NULL
ORDER BY score DESC, p.id LIMIT :limit
"""
INTERACTIONS_SQL = f"""
SELECT i.id AS entity_id, i.customer_id AS customer_id,
       {_normalised("bm25(fts_interactions, 0, 5, 1)")} AS score
FROM fts_interactions JOIN interactions AS i ON i.rowid = fts_interactions.rowid
JOIN customers AS c ON c.workspace_id = i.workspace_id AND c.id = i.customer_id
WHERE fts_interactions MATCH :match AND i.workspace_id = :workspace_id
  AND i.deleted_at IS NULL AND c.deleted_at IS NULL
ORDER BY score DESC, i.id LIMIT :limit
"""
STATEMENTS = {
    SearchKind.CUSTOMER: CUSTOMERS_SQL,
    SearchKind.CONTACT_POINT: CONTACT_POINTS_SQL,
    SearchKind.INTERACTION: INTERACTIONS_SQL,
}

SIMILAR_NAMES_SQL = """
SELECT c.id AS entity_id, c.id AS customer_id FROM fts_customers
JOIN customers AS c ON c.rowid = fts_customers.rowid
WHERE fts_customers MATCH :match AND c.workspace_id = :workspace_id
  AND c.deleted_at IS NULL AND c.id <> :exclude
ORDER BY bm25(fts_customers, 0, 10, 5, 5, 5, 0, 0, 0, 0, 0), c.id LIMIT :limit
"""
# Candidates share a name word's first letters; callers score the similarity themselves.
NAME_PREFIX = 3


def workspace_token(workspace_id: uuid.UUID) -> str:
    """The workspace as the FTS tokenizer sees the stored column (Uuid is 32 hex digits)."""
    return workspace_id.hex


def _statement(sql: str, *ids: str) -> TextualSelect:
    uuids = [bindparam(name, type_=Uuid()) for name in ("workspace_id", *ids)]
    return text(sql).bindparams(*uuids).columns(entity_id=Uuid(), customer_id=Uuid())


async def search_sqlite(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    query: QueryTerms,
    kinds: list[SearchKind],
    limit: int,
) -> list[RankedHit]:
    hits: list[RankedHit] = []
    match = query.fts5_match(workspace_token(workspace_id))
    for kind in kinds:
        rows = await session.execute(
            _statement(STATEMENTS[kind]),
            {"workspace_id": workspace_id, "match": match, "limit": limit},
        )
        hits.extend(RankedHit(kind, row[0], row[1], float(row[2])) for row in rows)
    return hits


async def similar_names_sqlite(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    query: QueryTerms,
    exclude: uuid.UUID,
    limit: int,
) -> list[uuid.UUID]:
    rows = await session.execute(
        _statement(SIMILAR_NAMES_SQL, "exclude"),
        {
            "workspace_id": workspace_id,
            "exclude": exclude,
            "match": query.fts5_any(workspace_token(workspace_id), NAME_PREFIX),
            "limit": limit,
        },
    )
    return [row[0] for row in rows]
