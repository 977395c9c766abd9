"""Planner statistics follow the data even when the server's autovacuum is off."""

from __future__ import annotations

from sqlalchemy import text

from rapport.core.runtime import Runtime
from rapport.core.statistics import analyze_stale_tables, stale_tables

# A table of the test's own: the suite's tables have whatever history earlier tests gave them.
PROBE = "statistics_probe"


async def test_grown_tables_are_analyzed_once(runtime: Runtime, backend: str) -> None:
    if backend == "sqlite":
        assert await analyze_stale_tables(runtime.engine) == []  # its planner needs no help
        return
    async with runtime.engine.begin() as connection:
        await connection.execute(text(f"CREATE TABLE {PROBE} (n integer)"))
    try:
        async with runtime.engine.begin() as connection:
            await connection.execute(text(f"INSERT INTO {PROBE} SELECT generate_series(1, 2000)"))
            # Counted at once, rather than within the next ten seconds.
            await connection.execute(text("SELECT pg_stat_force_next_flush()"))
        async with runtime.engine.connect() as connection:
            autovacuum = await connection.scalar(text("SELECT current_setting('autovacuum')"))
            assert PROBE in await stale_tables(connection)
        analyzed = await analyze_stale_tables(runtime.engine)
        if autovacuum == "on":
            assert analyzed == []  # autovacuum's own business
            return
        assert PROBE in analyzed
        async with runtime.engine.connect() as connection:
            assert PROBE not in await stale_tables(connection)
        assert PROBE not in await analyze_stale_tables(runtime.engine)
    finally:
        async with runtime.engine.begin() as connection:
            await connection.execute(text(f"DROP TABLE {PROBE}"))
