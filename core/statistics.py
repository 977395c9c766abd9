"""Planner statistics kept current where the database server does not keep them.

PostgreSQL plans every query from table statistics that autovacuum refreshes as tables change.
With autovacuum off (some managed and test servers are set up so), a table that grew from fifty
rows to fifty thousand is still planned as if it held fifty: a page of twenty customers becomes a
sort of the whole table, slower with every customer added. So the worker does what autovacuum's
analyze would have done, by its own rule: a table is analyzed once more rows changed since its
last analysis than ``autovacuum_analyze_threshold`` plus ``autovacuum_analyze_scale_factor``
times its size. With autovacuum on, and on SQLite, it does nothing.
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

__all__ = ["analyze_stale_tables", "stale_tables"]

log = logging.getLogger(__name__)

STALE = text(
    """
    SELECT relname FROM pg_stat_user_tables
    WHERE schemaname = current_schema()
      AND n_mod_since_analyze > current_setting('autovacuum_analyze_threshold')::integer
          + current_setting('autovacuum_analyze_scale_factor')::float8 * n_live_tup
    ORDER BY relname
    """
)


async def stale_tables(connection: AsyncConnection) -> list[str]:
    """The tables of the current schema whose statistics autovacuum would refresh now."""
    return list((await connection.execute(STALE)).scalars())


async def analyze_stale_tables(engine: AsyncEngine) -> list[str]:
    """Analyze the stale tables when the server's autovacuum will not; the tables analyzed."""
    if engine.dialect.name != "postgresql":
        return []
    async with engine.connect() as connection:
        if await connection.scalar(text("SELECT current_setting('autovacuum')")) == "on":
            return []
        tables = await stale_tables(connection)
        quote = engine.dialect.identifier_preparer.quote
        for table in tables:
            await connection.execute(text(f"ANALYZE {quote(table)}"))
        await connection.commit()
    if tables:
        log.info("analyzed %s (the server's autovacuum is off)", ", ".join(tables))
    return tables
