"""Connections under each parent (a customer's opportunities, say), batched per request.

Listing 100 customers with their first five deals must not cost 100 queries. The pages of
every parent that asks with the same arguments are read by one windowed query
(``ROW_NUMBER() OVER (PARTITION BY parent ORDER BY <sort keys>)``), and their total counts by
one grouped count, only when a client asks for ``totalCount``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import QueryableAttribute
from strawberry.dataloader import DataLoader

from rapport.core.db import AnySelect
from rapport.schema.context import RequestContext
from rapport.schema.relay import (
    Connection,
    Edge,
    PageInfo,
    SortKey,
    after_condition,
    decode_cursor,
    encode_cursor,
    ordering,
    page_size,
)

__all__ = ["paginate_per_parent"]

# The parent's id: a column of the listed rows, or of the parent's table joined to them.
ParentKey = ColumnElement[Any] | QueryableAttribute[Any]


def _page_loader(
    context: RequestContext,
    statement: AnySelect,
    parent: ParentKey,
    keys: Sequence[SortKey],
    size: int,
    after: str | None,
) -> DataLoader[Hashable, list[Any]]:
    async def load(parent_ids: Sequence[Hashable]) -> list[list[Any]]:
        model = statement.column_descriptions[0]["entity"]
        page = statement.where(parent.in_(list(parent_ids)))
        if after is not None:
            page = page.where(after_condition(keys, decode_cursor(after, keys, "after"), True))
        rank = func.row_number().over(partition_by=parent, order_by=ordering(keys))
        # The parent travels through the numbered subquery: it may be a column of another
        # table (an alias joined by a declaration's link), absent from the outer FROM.
        ranked = page.with_only_columns(
            model.id, parent.label("parent_id"), rank.label("rank")
        ).subquery()
        rows_statement = (
            select(model, ranked.c.parent_id, ranked.c.rank, *(key.expression for key in keys))
            .join(ranked, ranked.c.id == model.id)
            .where(ranked.c.rank <= size + 1)
            .order_by(ranked.c.parent_id, ranked.c.rank)
        )
        async with context.db() as session:
            rows = (await session.execute(rows_statement)).all()
        grouped: dict[Hashable, list[Any]] = defaultdict(list)
        for row in rows:
            grouped[row[1]].append(row)
        return [grouped.get(parent_id, []) for parent_id in parent_ids]

    return DataLoader(load_fn=load)


def _count_loader(
    context: RequestContext, statement: AnySelect, parent: ParentKey
) -> DataLoader[Hashable, int]:
    async def load(parent_ids: Sequence[Hashable]) -> list[int]:
        counts = (
            statement.where(parent.in_(list(parent_ids)))
            .with_only_columns(parent, func.count())
            .group_by(parent)
            .order_by(None)
        )
        async with context.db() as session:
            found = {row[0]: row[1] for row in await session.execute(counts)}
        return [int(found.get(parent_id, 0)) for parent_id in parent_ids]

    return DataLoader(load_fn=load)


async def paginate_per_parent(
    context: RequestContext,
    statement: AnySelect,
    *,
    parent: ParentKey,
    parent_id: Hashable,
    keys: Sequence[SortKey],
    to_node: Callable[[Any], Any],
    batch: Hashable,
    first: int | None = None,
    after: str | None = None,
) -> Connection[Any]:
    """The page of ``statement`` rows whose ``parent`` column is ``parent_id``.

    ``batch`` identifies the arguments (filter, order, size, cursor): parents asking with the
    same ``batch`` are loaded together.
    """
    size = page_size(context, first)
    pages = context.loader_for(
        ("page", batch),
        lambda ctx: _page_loader(ctx, statement, parent, keys, size, after),
    )
    rows = await pages.load(parent_id)
    has_more = len(rows) > size
    edges = [Edge(node=to_node(row[0]), cursor=encode_cursor(row[3:])) for row in rows[:size]]
    counts = context.loader_for(("count", batch), lambda ctx: _count_loader(ctx, statement, parent))

    async def count() -> int:
        return int(await counts.load(parent_id))

    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_more,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        _count=count,
    )
