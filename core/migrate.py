"""Alembic, driven from code: one branch for core and one per enabled plugin.

The script location is core's; each plugin adds its own versions folder through the
``register_migrations`` hook, so enabling a plugin later migrates only its tables. The
folders of installed but disabled plugins are known too (never upgraded), so a database that
once ran a plugin still migrates after the plugin is switched off.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from rapport.core.plugins import PluginHost, available_plugins
from rapport.core.tenancy import ACROSS_WORKSPACES_KEY

__all__ = ["alembic_config", "include_name", "make_revision", "pending_heads", "upgrade"]

SCRIPT_LOCATION = Path(__file__).parent / "migrations"


# Search indexes are SQLite FTS5 tables (and their shadow tables) and PostgreSQL generated
# columns made by hand-written revisions; they have no model, so comparing the database with
# the models (autogenerate, the migration tests) must pass over them.
UNMODELLED_TABLE_PREFIX = "fts_"
UNMODELLED_COLUMNS = {"search_vector"}
UNMODELLED_INDEX_SUFFIXES = ("_search", "_trgm")


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith(UNMODELLED_TABLE_PREFIX)
    if type_ == "index":
        return not name.endswith(UNMODELLED_INDEX_SUFFIXES)
    return not (type_ == "column" and name in UNMODELLED_COLUMNS)


def _known_locations(host: PluginHost) -> list[Path]:
    """Enabled branches' folders, then those of installed plugins that are not enabled."""
    locations = list(host.migration_locations.values())
    for name, module_path in sorted(available_plugins().items()):
        if name in host.infos:
            continue
        hook = getattr(importlib.import_module(module_path), "register_migrations", None)
        if hook is not None:
            hook(lambda branch: locations.append(Path(branch.path)))
    return locations


def alembic_config(host: PluginHost) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    locations = [str(path) for path in _known_locations(host)]
    config.set_main_option("version_locations", " ".join(locations))
    config.set_main_option("path_separator", "space")
    return config


def _run(connection: Connection, config: Config, action: Any) -> None:
    config.attributes["connection"] = connection
    action(config)


async def upgrade(engine: AsyncEngine, host: PluginHost) -> None:
    """Bring every enabled branch to its head (and no other)."""
    config = alembic_config(host)

    def upgrade_enabled(cfg: Config) -> None:
        for branch in host.migration_locations:
            command.upgrade(cfg, f"{branch}@head")

    async with engine.begin() as connection:
        # Data migrations rewrite every workspace's rows: declared work across workspaces.
        connection.info[ACROSS_WORKSPACES_KEY] = True
        try:
            await connection.run_sync(_run, config, upgrade_enabled)
        finally:
            connection.info.pop(ACROSS_WORKSPACES_KEY, None)


def _enabled_heads(script: ScriptDirectory, host: PluginHost) -> set[str]:
    heads = set()
    for branch in host.migration_locations:
        head = script.get_revision(f"{branch}@head")
        if head is not None:
            heads.add(head.revision)
    return heads


async def pending_heads(engine: AsyncEngine, host: PluginHost) -> set[str]:
    """Heads of the enabled branches that the database has not reached."""
    script = ScriptDirectory.from_config(alembic_config(host))
    wanted = _enabled_heads(script, host)
    async with engine.connect() as connection:
        applied = await connection.run_sync(
            lambda sync: set(MigrationContext.configure(sync).get_current_heads())
        )
    reached: set[str] = set()
    for head in applied:
        reached |= {rev.revision for rev in script.iterate_revisions(head, "base")}
    return wanted - reached


async def make_revision(host: PluginHost, branch: str, message: str) -> None:
    """Autogenerate the next revision of ``branch`` from the models (for plugin authors).

    Runs against a scratch SQLite database brought to the current heads, so the revision holds
    exactly what the models add since then. A new branch starts from base and depends on the
    newest core revision.
    """
    import tempfile

    from rapport.core.db import create_engine

    if branch not in host.migration_locations:
        raise ValueError(f"no enabled plugin registers the migration branch {branch!r}")
    config = alembic_config(host)
    # Format the new file the way the rest of the code is formatted.
    config.set_section_option("post_write_hooks", "hooks", "ruff_format ruff_fix")
    for name, options in (("ruff_format", "format"), ("ruff_fix", "check --fix --quiet")):
        config.set_section_option("post_write_hooks", f"{name}.type", "exec")
        config.set_section_option("post_write_hooks", f"{name}.executable", "ruff")
        config.set_section_option(
            "post_write_hooks", f"{name}.options", f"{options} REVISION_SCRIPT_FILENAME"
        )
    script = ScriptDirectory.from_config(config)
    has_branch = any(branch in (rev.branch_labels or ()) for rev in script.walk_revisions())
    core = script.get_revision("core@head") if branch != "core" else None
    core_head = core.revision if core is not None else None
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{folder}/scratch.db")
        try:
            await upgrade(engine, host)

            def revise(cfg: Config) -> None:
                command.revision(
                    cfg,
                    message=message,
                    autogenerate=True,
                    head=f"{branch}@head" if has_branch else "base",
                    branch_label=None if has_branch else branch,
                    depends_on=core_head if not has_branch and branch != "core" else None,
                    version_path=str(host.migration_locations[branch]),
                    rev_id=_next_revision_id(script, branch),
                )

            async with engine.begin() as connection:
                await connection.run_sync(_run, config, revise)
        finally:
            await engine.dispose()


def _next_revision_id(script: ScriptDirectory, branch: str) -> str:
    numbers = [
        int(rev.revision.rsplit("_", 1)[-1])
        for rev in script.walk_revisions()
        if rev.revision.startswith(f"{branch}_") and rev.revision.rsplit("_", 1)[-1].isdigit()
    ]
    return f"{branch}_{max(numbers, default=0) + 1:04d}"
