"""DataLoader helpers: batch by key inside the request's tenant session."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import aliased
from strawberry.dataloader import DataLoader

from rapport.core.db import AnySelect
from rapport.schema.context import RequestContext

__all__ = [
    "by_id_loader",
    "grouped_loader",
    "latest_per_key_loader",
    "run_select",
    "value_loader",
]


async def run_select(context: RequestContext, statement: AnySelect) -> list[Any]:
    async with context.db() as session:
        return list((await session.execute(statement)).scalars().all())


def by_id_loader(
    context: RequestContext, model: Any, *, include_deleted: bool = True
) -> DataLoader[uuid.UUID, Any]:
    """One row per id (or None), for any tenant model."""

    async def load(ids: Sequence[uuid.UUID]) -> list[Any]:
        rows = await run_select(context, select(model).where(model.id.in_(list(ids))))
        found = {row.id: row for row in rows}
        if not include_deleted:
            found = {k: v for k, v in found.items() if getattr(v, "deleted_at", None) is None}
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)


def grouped_loader(
    context: RequestContext,
    statement_for: Callable[[list[Hashable]], AnySelect],
    key_of: Callable[[Any], Hashable],
) -> DataLoader[Hashable, list[Any]]:
    """All rows per key: one query for the whole batch, grouped in Python."""

    async def load(keys: Sequence[Hashable]) -> list[list[Any]]:
        rows = await run_select(context, statement_for(list(keys)))
        grouped: dict[Hashable, list[Any]] = defaultdict(list)
        for row in rows:
            grouped[key_of(row)].append(row)
        return [grouped.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


def latest_per_key_loader(
    context: RequestContext,
    model: Any,
    key_column: str,
    order_by: list[ColumnElement[Any]],
    limit: int,
    *conditions: ColumnElement[bool],
) -> DataLoader[Hashable, list[Any]]:
    """The first ``limit`` rows of each key in ``order_by`` order, in one windowed query.

    ``ROW_NUMBER() OVER (PARTITION BY key ORDER BY ...)`` numbers each key's rows; the outer
    query keeps the first ``limit``, so the batch costs one statement however many keys it has.
    """
    key = getattr(model, key_column)

    def statement_for(keys: list[Hashable]) -> AnySelect:
        position = func.row_number().over(partition_by=key, order_by=order_by).label("position")
        numbered = select(model, position).where(key.in_(keys), *conditions).subquery()
        row = aliased(model, numbered)
        return (
            select(row)
            .where(numbered.c.position <= limit)
            .order_by(getattr(numbered.c, key_column), numbered.c.position)
        )

    return grouped_loader(context, statement_for, lambda row: getattr(row, key_column))


def value_loader(
    context: RequestContext, statement_for: Callable[[list[Hashable]], AnySelect]
) -> DataLoader[Hashable, Any]:
    """One value per key (None where the query has no row); rows are ``(key, value)``."""

    async def load(keys: Sequence[Hashable]) -> list[Any]:
        async with context.db() as session:
            rows = (await session.execute(statement_for(list(keys)))).all()
        found = {row[0]: row[1] for row in rows}
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load)
