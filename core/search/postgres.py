"""Search on PostgreSQL: full text over GIN indexes, trigrams for fuzzy and substring matches.

Customers and interactions carry a generated ``search_vector`` column (revision ``core_0002``);
contact points are matched on an expression that must stay identical to their index's, or the
planner stops using it (``tests/core/test_search.py`` checks).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import TextualSelect

from rapport.core.search.hits import RankedHit, SearchKind
from rapport.core.search.terms import QueryTerms

__all__ = ["CONTACT_DOCUMENT", "search_postgres", "similar_names_postgres"]

CONTACT_DOCUMENT = "(to_tsvector('simple', value || ' ' || normalized_value))"
# Trigram indexes only help from three characters on; shorter text would scan instead.
MIN_TRIGRAM_TEXT = 3

# Every score is in [0, 1]: normalisation 32 maps a rank into [0, 1), and the trigram
# similarity of the name or value (also [0, 1]) rewards near-misses and whole matches.
QUERY = "to_tsquery('simple', :tsquery)"

CUSTOMERS_SQL = f"""
SELECT '{{kind}}' AS kind, c.id AS entity_id, c.id AS customer_id,
       (ts_rank_cd(c.search_vector, q.query, 32)
        + similarity(lower(c.display_name), :lowered)) / 2 AS score
FROM customers AS c, {QUERY} AS q(query)
WHERE c.workspace_id = :workspace_id AND c.deleted_at IS NULL AND ({{match}})
ORDER BY score DESC, c.id LIMIT :limit
"""
CONTACT_POINTS_SQL = f"""
SELECT '{{kind}}' AS kind, p.id AS entity_id, p.customer_id AS customer_id,
       (ts_rank_cd({CONTACT_DOCUMENT}, q.query, 32)
        + similarity(p.normalized_value, :lowered)) / 2 AS score
FROM contact_points AS p
JOIN customers AS c ON c.workspace_id = p.workspace_id AND c.id = p.customer_id,
     {QUERY} AS q(query)
WHERE p.workspace_id = :workspace_id AND c.deleted_at IS NULL AND ({{match}})
ORDER BY score DESC, p.id LIMIT :limit
"""
INTERACTIONS_SQL = f"""
SELECT '{{kind}}' AS kind, i.id AS entity_id, i.customer_id AS customer_id,
       ts_rank_cd(i.search_vector, q.query, 32) AS score
FROM interactions AS i
JOIN customers AS c ON c.workspace_id = i.workspace_id AND c.id = i.customer_id,
     {QUERY} AS q(query)
WHERE i.workspace_id = :workspace_id AND i.deleted_at IS NULL AND c.deleted_at IS NULL
  AND ({{match}})
ORDER BY score DESC, i.id LIMIT :limit
"""


@dataclass(frozen=True)
class KindQuery:
    """A kind's statement, what a hit must match, and the fuzzy fallback (trigrams)."""

    sql: str
    match: str
    substring: str | None = None  # also a hit: this column contains the whole text
    fuzzy: str | None = None

    def precise(self, kind: SearchKind, substrings: bool) -> str:
        match = self.match
        if substrings and self.substring:
            match = f"{match} OR {self.substring} LIKE :contains ESCAPE '\\'"
        return self.sql.format(kind=kind.value, match=match)

    def fallback(self, kind: SearchKind) -> str | None:
        return self.sql.format(kind=kind.value, match=self.fuzzy) if self.fuzzy else None


STATEMENTS = {
    SearchKind.CUSTOMER: KindQuery(
        CUSTOMERS_SQL, "c.search_vector @@ q.query", fuzzy="lower(c.display_name) % :lowered"
    ),
    SearchKind.CONTACT_POINT: KindQuery(
        CONTACT_POINTS_SQL,
        f"{CONTACT_DOCUMENT} @@ q.query",
        substring="p.normalized_value",
        fuzzy="p.normalized_value % :lowered",
    ),
    SearchKind.INTERACTION: KindQuery(INTERACTIONS_SQL, "i.search_vector @@ q.query"),
}

SIMILAR_NAMES_SQL = """
SELECT c.id FROM customers AS c
WHERE c.workspace_id = :workspace_id AND c.deleted_at IS NULL AND c.id <> :exclude
  AND lower(c.display_name) % :lowered
ORDER BY similarity(lower(c.display_name), :lowered) DESC, c.id LIMIT :limit
"""


def _union(parts: list[str]) -> TextualSelect:
    """One round trip for every kind; each part keeps its own order and limit."""
    sql = " UNION ALL ".join(f"({part})" for part in parts)
    return (
        text(sql)
        .bindparams(bindparam("workspace_id", type_=Uuid()))
        .columns(entity_id=Uuid(), customer_id=Uuid())
    )


async def search_postgres(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    query: QueryTerms,
    kinds: list[SearchKind],
    limit: int,
) -> list[RankedHit]:
    """Full-text (and substring) hits; trigram near-misses only when there are none (a typo),
    since trigrams of a short text match much of the table and cost the most."""
    # The driver prepares statements, and after five runs PostgreSQL may switch to a generic
    # plan, which cannot see how selective this query's terms are and scans the whole table.
    await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    long_enough = len(query.text) >= MIN_TRIGRAM_TEXT
    params = {
        "workspace_id": workspace_id,
        "tsquery": query.tsquery(),
        "lowered": query.text.lower(),
        "contains": query.like_contains(),
        "limit": limit,
    }
    precise = [STATEMENTS[kind].precise(kind, long_enough) for kind in kinds]
    hits = await _run(session, precise, params)
    if hits or not long_enough:
        return hits
    fallbacks = [sql for kind in kinds if (sql := STATEMENTS[kind].fallback(kind))]
    return await _run(session, fallbacks, params) if fallbacks else []


async def _run(session: AsyncSession, parts: list[str], params: dict[str, Any]) -> list[RankedHit]:
    rows = await session.execute(_union(parts), params)
    return [RankedHit(SearchKind(row[0]), row[1], row[2], float(row[3])) for row in rows]


async def similar_names_postgres(
    session: AsyncSession, workspace_id: uuid.UUID, name: str, exclude: uuid.UUID, limit: int
) -> list[uuid.UUID]:
    statement = text(SIMILAR_NAMES_SQL).bindparams(
        bindparam("workspace_id", type_=Uuid()), bindparam("exclude", type_=Uuid())
    )
    rows = await session.execute(
        statement,
        {"workspace_id": workspace_id, "exclude": exclude, "lowered": name.lower(), "limit": limit},
    )
    return [uuid.UUID(str(row[0])) for row in rows]
