"""Writing many rows at once through each engine's fast path, inside the caller's transaction.

PostgreSQL: binary ``COPY`` through the asyncpg connection that carries the session's
transaction, so a failure later rolls the copied rows back too. SQLite: one ``executemany``
insert. Rows must be complete (every column given): COPY applies no Python-side defaults.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import JSON, Table, insert, text
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["insert_rows"]


async def insert_rows(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    connection = await session.connection()
    if connection.dialect.name != "postgresql":
        await session.execute(insert(table), rows)
        return
    # The driver opens its transaction lazily, on the first statement; COPY must run inside it.
    await connection.execute(text("SELECT 1"))
    raw = await connection.get_raw_connection()
    columns = list(rows[0])
    # SQLAlchemy's asyncpg codecs for json and jsonb take the JSON text.
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    records = [
        tuple(orjson.dumps(row[c]).decode() if c in json_columns else row[c] for c in columns)
        for row in rows
    ]
    driver: Any = raw.driver_connection
    await driver.copy_records_to_table(table.name, records=records, columns=columns)
