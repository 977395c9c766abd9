"""Migrations build exactly the tables the models describe, on each engine."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from rapport.core.db import Base
from rapport.core.migrate import pending_heads
from rapport.core.runtime import Runtime


def _differences(connection: Any) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
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
