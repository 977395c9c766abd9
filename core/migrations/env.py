"""Alembic environment: runs on the connection that :mod:`rapport.core.migrate` hands over."""

from __future__ import annotations

from alembic import context

import rapport.core.models  # noqa: F401  (the core tables join the metadata)
from rapport.core.db import Base

# Search indexes are SQLite FTS5 tables (and their shadow tables) and PostgreSQL generated
# columns made by hand-written revisions; they have no model, so autogenerate must not offer
# to drop them.
UNMODELLED_TABLE_PREFIX = "fts_"
UNMODELLED_COLUMNS = {"search_vector"}


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith(UNMODELLED_TABLE_PREFIX)
    return not (type_ == "column" and name in UNMODELLED_COLUMNS)


config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
