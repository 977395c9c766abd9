"""The committed SDL is the schema the code builds, so API changes show up in diffs."""

from __future__ import annotations

from pathlib import Path

from rapport.core.config import Settings
from rapport.core.runtime import Runtime
from rapport.schema.build import build_schema

REGENERATE = "RAPPORT_PLUGINS= rapport sdl > schema/schema.graphql"


def test_committed_sdl_is_current(project_root: Path) -> None:
    # The committed SDL is that of every built-in plugin enabled (the default).
    runtime = Runtime.create(Settings(database_url="sqlite+aiosqlite:///:memory:"))
    printed = build_schema(runtime).as_str() + "\n"
    committed = (project_root / "schema" / "schema.graphql").read_text(encoding="utf-8")
    assert committed == printed, f"schema/schema.graphql is stale; regenerate it: {REGENERATE}"
