"""DataLoader helpers: batch by key inside the request's tenant session."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from sqlalchemy import Select, select
from strawberry.dataloader import DataLoader

from rapport.schema.context import RequestContext

__all__ = ["by_id_loader", "grouped_loader", "run_select"]


async def run_select(context: RequestContext, statement: Select[Any]) -> list[Any]:
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
    statement_for: Callable[[list[Hashable]], Select[Any]],
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
