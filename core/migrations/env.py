"""Alembic environment: runs on the connection that :mod:`rapport.core.migrate` hands over."""

from __future__ import annotations

from alembic import context

import rapport.core.models  # noqa: F401  (the core tables join the metadata)
from rapport.core.db import Base
from rapport.core.migrate import include_name

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
