"""``Customer.timeline``: interactions, tasks and recorded changes, newest first.

One query serves a whole batch of customers: the three sources are merged with UNION ALL,
numbered per customer with ``ROW_NUMBER()`` over ``(occurred_at DESC, id DESC)`` and cut at the
page size, so a list of N customers costs the same statements as one. The keyset cursor is
``(occurred_at, id)``. A task sits at the moment it was created; changes to interactions and
tasks are left out, because those records appear on the timeline themselves.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from sqlalchemy import func, literal, select, union_all
from strawberry.dataloader import DataLoader

from rapport.core.db import AnySelect
from rapport.core.models import AuditEntry as AuditRow
from rapport.core.models import Interaction as InteractionRow
from rapport.core.models import Task as TaskRow
from rapport.schema.context import Info, RequestContext, context_of
from rapport.schema.loaders import value_loader
from rapport.schema.relay import (
    ModelNode,
    PageInfo,
    SortKey,
    after_condition,
    decode_cursor,
    encode_cursor,
    page_size,
)
from rapport.schema.types.audit import AuditEntry
from rapport.schema.types.customer import Customer
from rapport.schema.types.interaction import Interaction
from rapport.schema.types.task import Task

__all__ = ["CustomerTimelineFields", "TimelineKind"]


@strawberry.enum
class TimelineKind(Enum):
    INTERACTION = "interaction"
    TASK = "task"
    CHANGE = "change"


PERMISSION = {
    TimelineKind.INTERACTION: "interactions:read",
    TimelineKind.TASK: "tasks:read",
    TimelineKind.CHANGE: "audit:read",
}
NODE_TYPE: dict[TimelineKind, type[ModelNode]] = {
    TimelineKind.INTERACTION: Interaction,
    TimelineKind.TASK: Task,
    TimelineKind.CHANGE: AuditEntry,
}
# Records that are on the timeline themselves; their audit entries would only repeat them.
SELF_SHOWN = ("Interaction", "Task")

TimelineRecord = Annotated[Interaction | Task | AuditEntry, strawberry.union("TimelineRecord")]


@strawberry.type
class TimelineEdge:
    cursor: str
    occurred_at: datetime
    kind: TimelineKind
    node: TimelineRecord


@strawberry.type
class TimelineConnection:
    edges: list[TimelineEdge]
    page_info: PageInfo
    customer_id: strawberry.Private[uuid.UUID | None] = None
    kinds: strawberry.Private[tuple[TimelineKind, ...]] = ()

    @strawberry.field(description="How many entries the timeline has, across all pages.")
    async def total_count(self, info: Info) -> int:
        kinds = self.kinds
        loader = context_of(info).loader_for(
            ("customer", "timeline", "count", kinds), lambda ctx: _count_loader(ctx, kinds)
        )
        count: int | None = await loader.load(self.customer_id)
        return count or 0


def _count_loader(context: RequestContext, kinds: tuple[TimelineKind, ...]) -> DataLoader[Any, Any]:
    """Entries per customer, for every customer of the batch in one grouped count."""

    def statement_for(ids: list[Any]) -> AnySelect:
        merged = union_all(*(_source(kind, ids) for kind in kinds)).subquery()
        return select(merged.c.customer_id, func.count()).group_by(merged.c.customer_id)

    return value_loader(context, statement_for)


def _source(kind: TimelineKind, ids: list[Any]) -> AnySelect:
    label = literal(kind.value).label("kind")
    if kind == TimelineKind.INTERACTION:
        return select(
            label, InteractionRow.id, InteractionRow.customer_id, InteractionRow.occurred_at
        ).where(InteractionRow.customer_id.in_(ids), InteractionRow.deleted_at.is_(None))
    if kind == TimelineKind.TASK:
        return select(
            label, TaskRow.id, TaskRow.customer_id, TaskRow.created_at.label("occurred_at")
        ).where(TaskRow.customer_id.in_(ids), TaskRow.deleted_at.is_(None))
    return select(label, AuditRow.id, AuditRow.customer_id, AuditRow.occurred_at).where(
        AuditRow.customer_id.in_(ids), AuditRow.entity_type.not_in(SELF_SHOWN)
    )


def _timeline_loader(
    context: RequestContext, kinds: tuple[TimelineKind, ...], size: int, after: str | None
) -> DataLoader[uuid.UUID, TimelineConnection]:
    async def load(ids: Sequence[uuid.UUID]) -> list[TimelineConnection]:
        merged = union_all(*(_source(kind, list(ids)) for kind in kinds)).subquery()
        keys = [SortKey(merged.c.occurred_at, True), SortKey(merged.c.id, True)]
        position = func.row_number().over(
            partition_by=merged.c.customer_id,
            order_by=[merged.c.occurred_at.desc(), merged.c.id.desc()],
        )
        ranked = select(merged, position.label("position"))
        if after is not None:
            ranked = ranked.where(after_condition(keys, decode_cursor(after, keys, "after"), True))
        numbered = ranked.subquery()
        statement = (
            select(numbered)
            .where(numbered.c.position <= size + 1)
            .order_by(numbered.c.customer_id, numbered.c.position)
        )
        async with context.db() as session:
            rows = (await session.execute(statement)).all()
        nodes = await _nodes(context, rows)
        by_customer: dict[uuid.UUID, list[TimelineEdge]] = defaultdict(list)
        for row in rows:
            node = nodes.get((row.kind, row.id))
            if node is None:
                continue
            by_customer[row.customer_id].append(
                TimelineEdge(
                    cursor=encode_cursor([row.occurred_at, row.id]),
                    occurred_at=row.occurred_at,
                    kind=TimelineKind(row.kind),
                    node=node,
                )
            )
        return [_connection(by_customer[i], size, after, i, kinds) for i in ids]

    return DataLoader(load_fn=load)


async def _nodes(context: RequestContext, rows: Sequence[Any]) -> dict[tuple[str, Any], Any]:
    """The records behind the rows: one batched load per kind."""
    wanted: dict[TimelineKind, list[uuid.UUID]] = defaultdict(list)
    for row in rows:
        wanted[TimelineKind(row.kind)].append(row.id)
    found: dict[tuple[str, Any], Any] = {}
    for kind, ids in wanted.items():
        node_type = NODE_TYPE[kind]
        for row_id, record in zip(ids, await node_type.load_rows(context, ids), strict=True):
            if record is not None:
                found[(kind.value, row_id)] = node_type.from_model(record)
    return found


def _connection(
    edges: list[TimelineEdge],
    size: int,
    after: str | None,
    customer_id: uuid.UUID,
    kinds: tuple[TimelineKind, ...],
) -> TimelineConnection:
    page = edges[:size]
    return TimelineConnection(
        customer_id=customer_id,
        kinds=kinds,
        edges=page,
        page_info=PageInfo(
            has_next_page=len(edges) > size,
            has_previous_page=after is not None,
            start_cursor=page[0].cursor if page else None,
            end_cursor=page[-1].cursor if page else None,
        ),
    )


@strawberry.type
class CustomerTimelineFields:
    @strawberry.field(description="Interactions, tasks and changes, newest first.")
    async def timeline(
        self: Customer,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        kinds: list[TimelineKind] | None = None,
    ) -> TimelineConnection:
        context = context_of(info)
        actor = context.require("interactions:read")
        if kinds:
            for kind in kinds:
                context.require(PERMISSION[kind])
            chosen = tuple(dict.fromkeys(kinds))
        else:
            # Unasked, the timeline shows what the caller may read.
            chosen = tuple(kind for kind in TimelineKind if actor.can(PERMISSION[kind]))
        size = page_size(context, first)
        loader = context.loader_for(
            ("customer", "timeline", chosen, size, after),
            lambda ctx: _timeline_loader(ctx, chosen, size, after),
        )
        connection: TimelineConnection = await loader.load(self.pk)
        return connection
