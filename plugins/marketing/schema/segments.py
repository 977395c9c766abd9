"""Segments in GraphQL: the type, its list, and defining and refreshing them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from rapport.plugins.marketing.models import Segment as SegmentRow
from rapport.plugins.marketing.models import SegmentLink as SegmentLinkRow
from rapport.plugins.marketing.schema.common import MANAGE, READ, SegmentKind
from rapport.plugins.marketing.services import segments as service
from rapport.schema import (
    JSON,
    Connection,
    Custom,
    DateTimeFilter,
    Filterable,
    Info,
    ModelNode,
    OrderDirection,
    Scope,
    StringFilter,
    ToMany,
    UserError,
    columns,
    connection,
    context_of,
    filter_input,
    filtered_listing,
    list_order,
    mutate,
    order_input,
    read_many,
    reads,
    row_id_of,
    to_service_fields,
)

__all__ = ["Segment", "SegmentMutations", "SegmentQueries"]


def _linked(mode: str) -> ToMany:
    def link(scope: Scope) -> Any:
        from sqlalchemy import and_, select
        from sqlalchemy.orm import aliased

        edge = aliased(SegmentLinkRow)
        others = select(edge.other_id).where(
            edge.segment_id == scope.parent_row.id, edge.mode == mode
        )
        return and_(
            scope.row.workspace_id == scope.parent_row.workspace_id,
            scope.row.id.in_(others.correlate_except(edge)),
        )

    return ToMany(
        target=lambda: Segment,
        link=link,
        order=lambda scope: list_order(scope.row, None, [("name", OrderDirection.ASC)]),
    )


SEGMENT_INCLUDES = _linked("include")
SEGMENT_EXCLUDES = _linked("exclude")


@strawberry.type(description="A saved set of customers: a customer filter, plus or minus segments.")
class Segment(ModelNode):
    __model__ = SegmentRow
    __permission__ = READ
    __columns__ = columns(
        "name", "description", "kind", "filter", "refreshed_at", "member_count", "created_at"
    )

    id: relay.NodeID[str]
    name: str
    description: str | None
    kind: SegmentKind
    filter: JSON | None = strawberry.field(
        description="The CustomerFilter, as the customers query takes it; null: none matched."
    )
    refreshed_at: datetime | None = strawberry.field(description="Snapshots: the last refresh.")
    member_count: int | None = strawberry.field(description="Snapshots: members at the refresh.")
    created_at: datetime
    row: strawberry.Private[SegmentRow]

    @strawberry.field(
        metadata=reads(SEGMENT_INCLUDES), description="Segments whose members it adds."
    )
    async def includes(self, info: Info) -> list[Segment]:
        return await read_many(info, SEGMENT_INCLUDES, self)

    @strawberry.field(
        metadata=reads(SEGMENT_EXCLUDES), description="Segments whose members it removes."
    )
    async def excludes(self, info: Info) -> list[Segment]:
        return await read_many(info, SEGMENT_EXCLUDES, self)

    @strawberry.field(description="Its members now: evaluated (dynamic) or as stored (snapshot).")
    async def size(self, info: Info) -> int:
        context = context_of(info)
        context.require(READ)
        async with context.db():
            return await service.count_members(context.operation, self.row)


SEGMENT_FILTERS = {
    "name": Filterable(StringFilter, SegmentRow.name),
    "kind": Filterable(SegmentKind, Custom(lambda v: SegmentRow.kind == v.value)),
    "created_at": Filterable(DateTimeFilter, SegmentRow.created_at),
}


@filter_input(SEGMENT_FILTERS, description="Conditions on segments; all given must hold.")
class SegmentFilter: ...


@order_input({"NAME": "name", "CREATED_AT": "created_at"})
class SegmentOrder: ...


SEGMENTS = filtered_listing(lambda: Segment, SEGMENT_FILTERS, [("name", OrderDirection.ASC)])


@strawberry.type
class SegmentQueries:
    segments: Connection[Segment] = connection(
        SEGMENTS,
        filter=SegmentFilter,
        order=SegmentOrder,
        description="Segments, a page at a time.",
    )


@strawberry.input(
    description="The fields to change: a field left out is kept, an explicit null clears it "
    "(refused for `name`, `kind`, `includeIds` and `excludeIds`; a null `filter` leaves the "
    "segment to its included segments)."
)
class UpdateSegmentInput:
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    kind: SegmentKind | None = strawberry.UNSET
    filter: JSON | None = strawberry.field(
        default=strawberry.UNSET,
        description="A CustomerFilter, written as the customers query takes it.",
    )
    include_ids: list[relay.GlobalID] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces every included segment."
    )
    exclude_ids: list[relay.GlobalID] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces every excluded segment."
    )

    def to_fields(self) -> service.SegmentFields:
        return to_service_fields(
            self,
            service.SegmentFields,
            id_types={"include_ids": "Segment", "exclude_ids": "Segment"},
        )


@strawberry.input(description="A new segment: its name.")
class CreateSegmentInput(UpdateSegmentInput):
    name: str


@strawberry.type
class SegmentPayload:
    segment: Segment | None
    errors: list[UserError]


@strawberry.type
class RefreshSegmentPayload:
    segment: Segment | None
    seconds: float | None = strawberry.field(description="How long the refresh took.")
    errors: list[UserError]


def _payload(result: tuple[Any, list[UserError]]) -> SegmentPayload:
    row, errors = result
    return SegmentPayload(segment=Segment.from_model(row) if row else None, errors=errors)


@strawberry.type
class SegmentMutations:
    @strawberry.mutation
    async def create_segment(self, info: Info, input: CreateSegmentInput) -> SegmentPayload:
        async def work(op: Any) -> SegmentRow:
            return await service.create_segment(op, input.to_fields())

        return _payload(await mutate(info, MANAGE, work))

    @strawberry.mutation
    async def update_segment(
        self, info: Info, id: relay.GlobalID, input: UpdateSegmentInput
    ) -> SegmentPayload:
        async def work(op: Any) -> SegmentRow:
            return await service.update_segment(
                op, row_id_of(id, "Segment", "id"), input.to_fields()
            )

        return _payload(await mutate(info, MANAGE, work))

    @strawberry.mutation(description="Refused while another segment includes or excludes it.")
    async def delete_segment(self, info: Info, id: relay.GlobalID) -> SegmentPayload:
        async def work(op: Any) -> SegmentRow:
            return await service.delete_segment(op, row_id_of(id, "Segment", "id"))

        return _payload(await mutate(info, MANAGE, work))

    @strawberry.mutation(description="Recompute a snapshot segment's members from its definition.")
    async def refresh_segment(self, info: Info, id: relay.GlobalID) -> RefreshSegmentPayload:
        async def work(op: Any) -> service.RefreshResult:
            return await service.refresh_segment(op, row_id_of(id, "Segment", "id"))

        result, errors = await mutate(info, MANAGE, work)
        if result is None:
            return RefreshSegmentPayload(segment=None, seconds=None, errors=errors)
        return RefreshSegmentPayload(
            segment=Segment.from_model(result.segment), seconds=result.seconds, errors=[]
        )
