"""Migrations build exactly the tables the models describe, on each engine."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from rapport.core.db import Base
from rapport.core.migrate import include_name, pending_heads
from rapport.core.runtime import Runtime


def _differences(connection: Any) -> list[Any]:
    options = {"compare_type": True, "include_name": include_name}
    context = MigrationContext.configure(connection, opts=options)
    return compare_metadata(context, Base.metadata)


async def test_models_match_migrations(runtime: Runtime) -> None:
    async with runtime.engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == [], (
        "models and migrations differ; add a revision with `rapport makemigration <branch> ...`"
    )


async def test_every_enabled_branch_is_at_its_head(runtime: Runtime) -> None:
    assert await pending_heads(runtime.engine, runtime.host) == set()


async def test_migrating_twice_changes_nothing(runtime: Runtime) -> None:
    await runtime.migrate()
    assert await pending_heads(runtime.engine, runtime.host) == set()


async def test_a_database_keeps_migrating_after_a_plugin_is_switched_off(runtime: Runtime) -> None:
    from rapport.core.config import Settings

    # The shared database has every built-in plugin's tables; run core alone against it.
    fewer = Runtime.create(Settings(database_url=runtime.settings.database_url, plugins=("none",)))
    try:
        await fewer.migrate()
        assert await pending_heads(fewer.engine, fewer.host) == set()
    finally:
        await fewer.dispose()
