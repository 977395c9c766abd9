"""Search on PostgreSQL: full text over expression indexes, trigrams for fuzzy and substrings.

The document expressions are those of the indexes made by revision ``core_0002``; they must
stay identical, or the planner stops using the indexes (``tests/core/test_search.py`` checks).
"""

from __future__ import annotations

import uuid

from sqlalchemy import Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import TextualSelect

from rapport.core.search.hits import RankedHit, SearchKind
from rapport.core.search.terms import QueryTerms

__all__ = ["CUSTOMER_DOCUMENT", "search_postgres", "similar_names_postgres"]

CUSTOMER_DOCUMENT = """(
        setweight(to_tsvector('simple', coalesce(display_name, '')), 'A')
        || setweight(to_tsvector('simple', coalesce(first_name, '') || ' '
            || coalesce(last_name, '') || ' ' || coalesce(organization_name, '')), 'B')
        || setweight(jsonb_to_tsvector('simple', tags, '["string"]'), 'B')
        || setweight(to_tsvector('simple', coalesce(industry, '') || ' ' || coalesce(occupation, '')
            || ' ' || coalesce(region, '')), 'C')
        || setweight(to_tsvector('simple', coalesce(notes, '')), 'D')
    )"""
CONTACT_DOCUMENT = "(to_tsvector('simple', value || ' ' || normalized_value))"
INTERACTION_DOCUMENT = """(
        setweight(to_tsvector('simple', coalesce(subject, '')), 'A')
        || setweight(to_tsvector('simple', coalesce(body, '')), 'C')
    )"""
# Trigram indexes only help from three characters on; shorter text would scan instead.
MIN_TRIGRAM_TEXT = 3

# Every score is in [0, 1]: normalisation 32 maps a rank into [0, 1), and the trigram
# similarity of the name or value (also [0, 1]) rewards near-misses and whole matches.
CUSTOMERS_SQL = f"""
SELECT c.id AS entity_id, c.id AS customer_id,
       (ts_rank_cd({CUSTOMER_DOCUMENT}, q.query, 32)
        + similarity(lower(c.display_name), :lowered)) / 2 AS score
FROM customers AS c, to_tsquery('simple', :tsquery) AS q(query)
WHERE c.workspace_id = :workspace_id AND c.deleted_at IS NULL
  AND ({CUSTOMER_DOCUMENT} @@ q.query {{fuzzy}})
ORDER BY score DESC, c.id LIMIT :limit
"""
CUSTOMERS_FUZZY = "OR lower(c.display_name) % :lowered"

CONTACT_POINTS_SQL = f"""
SELECT p.id AS entity_id, p.customer_id AS customer_id,
       (ts_rank_cd({CONTACT_DOCUMENT}, q.query, 32)
        + similarity(p.normalized_value, :lowered)) / 2 AS score
FROM contact_points AS p
JOIN customers AS c ON c.workspace_id = p.workspace_id AND c.id = p.customer_id,
     to_tsquery('simple', :tsquery) AS q(query)
WHERE p.workspace_id = :workspace_id AND c.deleted_at IS NULL
  AND ({CONTACT_DOCUMENT} @@ q.query {{fuzzy}})
ORDER BY score DESC, p.id LIMIT :limit
"""
CONTACT_POINTS_FUZZY = (
    "OR p.normalized_value % :lowered OR p.normalized_value LIKE :contains ESCAPE '\\'"
)

INTERACTIONS_SQL = f"""
SELECT i.id AS entity_id, i.customer_id AS customer_id,
       ts_rank_cd({INTERACTION_DOCUMENT}, q.query, 32) AS score
FROM interactions AS i
JOIN customers AS c ON c.workspace_id = i.workspace_id AND c.id = i.customer_id,
     to_tsquery('simple', :tsquery) AS q(query)
WHERE i.workspace_id = :workspace_id AND i.deleted_at IS NULL AND c.deleted_at IS NULL
  AND {INTERACTION_DOCUMENT} @@ q.query
ORDER BY score DESC, i.id LIMIT :limit
"""

STATEMENTS = {
    SearchKind.CUSTOMER: (CUSTOMERS_SQL, CUSTOMERS_FUZZY),
    SearchKind.CONTACT_POINT: (CONTACT_POINTS_SQL, CONTACT_POINTS_FUZZY),
    SearchKind.INTERACTION: (INTERACTIONS_SQL, ""),
}

SIMILAR_NAMES_SQL = """
SELECT c.id FROM customers AS c
WHERE c.workspace_id = :workspace_id AND c.deleted_at IS NULL AND c.id <> :exclude
  AND lower(c.display_name) % :lowered
ORDER BY similarity(lower(c.display_name), :lowered) DESC, c.id LIMIT :limit
"""


def _statement(sql: str) -> TextualSelect:
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
    hits: list[RankedHit] = []
    fuzzy_allowed = len(query.text) >= MIN_TRIGRAM_TEXT
    for kind in kinds:
        sql, fuzzy = STATEMENTS[kind]
        statement = _statement(sql.format(fuzzy=fuzzy if fuzzy_allowed else ""))
        params = {
            "workspace_id": workspace_id,
            "tsquery": query.tsquery(),
            "lowered": query.text.lower(),
            "limit": limit,
        }
        if fuzzy_allowed and "contains" in fuzzy:
            params["contains"] = query.like_contains()
        rows = await session.execute(statement, params)
        hits.extend(RankedHit(kind, row[0], row[1], float(row[2])) for row in rows)
    return hits


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
