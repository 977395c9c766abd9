"""Alembic, driven from code: one branch for core and one per enabled plugin.

The script location is core's; each plugin adds its own versions folder through the
``register_migrations`` hook, so enabling a plugin later migrates only its tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from rapport.core.plugins import PluginHost
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["alembic_config", "pending_heads", "upgrade"]

SCRIPT_LOCATION = Path(__file__).parent / "migrations"


def alembic_config(host: PluginHost) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    locations = [str(path) for path in host.migration_locations.values()]
    config.set_main_option("version_locations", " ".join(locations))
    config.set_main_option("path_separator", "space")
    return config


def _run(connection: Connection, config: Config, action: Any) -> None:
    config.attributes["connection"] = connection
    action(config)


async def upgrade(engine: AsyncEngine, host: PluginHost) -> None:
    """Bring every enabled branch to its head."""
    config = alembic_config(host)
    async with engine.begin() as connection:
        await connection.run_sync(_run, config, lambda cfg: command.upgrade(cfg, "heads"))


async def pending_heads(engine: AsyncEngine, host: PluginHost) -> set[str]:
    """Heads of the enabled branches that the database has not reached."""
    script = ScriptDirectory.from_config(alembic_config(host))
    wanted = set(script.get_heads())
    async with engine.connect() as connection:
        applied = await connection.run_sync(
            lambda sync: set(MigrationContext.configure(sync).get_current_heads())
        )
    reached: set[str] = set()
    for head in applied:
        reached |= {rev.revision for rev in script.iterate_revisions(head, "base")}
    return wanted - reached
