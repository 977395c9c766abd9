"""Planner statistics follow the data even when the server's autovacuum is off."""

from __future__ import annotations

from sqlalchemy import text

from rapport.core.models import Customer
from rapport.core.runtime import Runtime
from rapport.core.statistics import analyze_stale_tables, stale_tables
from rapport.core.tenancy import tenant_session
from tests.support import new_workspace


async def test_grown_tables_are_analyzed_once(runtime: Runtime, backend: str) -> None:
    workspace = await new_workspace(runtime)
    async with tenant_session(runtime.sessions, workspace.id) as session, session.begin():
        session.add_all(
            Customer(kind="person", display_name=f"Grown {i}", last_name=f"Grown {i}")
            for i in range(2_000)
        )
        if backend == "postgresql":
            # Counted at once, rather than within the next ten seconds.
            await session.execute(text("SELECT pg_stat_force_next_flush()"))
    if backend == "sqlite":
        assert await analyze_stale_tables(runtime.engine) == []  # its planner needs no help
        return
    async with runtime.engine.connect() as connection:
        autovacuum = await connection.scalar(text("SELECT current_setting('autovacuum')"))
        assert "customers" in await stale_tables(connection)
    analyzed = await analyze_stale_tables(runtime.engine)
    if autovacuum == "on":
        assert analyzed == []  # autovacuum's own business
        return
    assert "customers" in analyzed
    async with runtime.engine.connect() as connection:
        assert "customers" not in await stale_tables(connection)
    assert "customers" not in await analyze_stale_tables(runtime.engine)
