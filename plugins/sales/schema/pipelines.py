"""Pipelines and stages in GraphQL."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from rapport.plugins.sales.models import Pipeline as PipelineRow
from rapport.plugins.sales.models import Stage as StageRow
from rapport.plugins.sales.schema.common import MANAGE, READ, Listing, load_grouped, required_id
from rapport.plugins.sales.services import pipelines as service
from rapport.schema import (
    BooleanFilter,
    Connection,
    ModelNode,
    OrderDirection,
    StringFilter,
    UserError,
    context_of,
    mutate,
)

__all__ = ["Pipeline", "PipelineMutations", "PipelineQueries", "Stage", "StageCategory"]


@strawberry.enum(description="What reaching a stage means; stored, never read off probability.")
class StageCategory(Enum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


@strawberry.type(description="A step of a pipeline, in order.")
class Stage(ModelNode):
    __model__ = StageRow
    __permission__ = READ

    id: relay.NodeID[str]
    name: str
    position: int
    probability: int = strawberry.field(description="Default win chance of its deals, percent.")
    category: StageCategory
    row: strawberry.Private[StageRow]

    @classmethod
    def from_model(cls, row: StageRow) -> Stage:
        return cls(
            id=str(row.id),
            name=row.name,
            position=row.position,
            probability=row.probability,
            category=StageCategory(row.category),
            row=row,
        )

    @strawberry.field
    async def pipeline(self, info: Info) -> Pipeline | None:
        nodes = await Pipeline.resolve_nodes(info=info, node_ids=[str(self.row.pipeline_id)])
        return nodes[0]


@strawberry.type(description="An ordered set of stages deals move through.")
class Pipeline(ModelNode):
    __model__ = PipelineRow
    __permission__ = READ

    id: relay.NodeID[str]
    name: str
    is_default: bool
    row: strawberry.Private[PipelineRow]

    @classmethod
    def from_model(cls, row: PipelineRow) -> Pipeline:
        return cls(id=str(row.id), name=row.name, is_default=row.is_default, row=row)

    @strawberry.field(description="Its stages, in order.")
    async def stages(self, info: Info) -> list[Stage]:
        rows = await load_grouped(
            context_of(info), StageRow, "pipeline_id", self.row.id, StageRow.position
        )
        return [Stage.from_model(row) for row in rows]


@strawberry.input
class PipelineFilter:
    name: StringFilter | None = strawberry.UNSET
    is_default: BooleanFilter | None = strawberry.UNSET
    and_: list[PipelineFilter] | None = strawberry.field(default=strawberry.UNSET, name="and")
    or_: list[PipelineFilter] | None = strawberry.field(default=strawberry.UNSET, name="or")
    not_: PipelineFilter | None = strawberry.field(default=strawberry.UNSET, name="not")


PIPELINE_FILTERS = {"name": PipelineRow.name, "is_default": PipelineRow.is_default}


@strawberry.enum
class PipelineOrderField(Enum):
    NAME = "name"
    CREATED_AT = "created_at"


@strawberry.input
class PipelineOrder:
    field: PipelineOrderField
    direction: OrderDirection = OrderDirection.ASC


PIPELINES = Listing(
    PipelineRow,
    PIPELINE_FILTERS,
    {"name": PipelineRow.name, "created_at": PipelineRow.created_at},
    "created_at",
    Pipeline.from_model,
)


@strawberry.type
class PipelineQueries:
    @strawberry.field(description="Pipelines, filtered and ordered, a page at a time.")
    async def pipelines(
        self,
        info: Info,
        filter: PipelineFilter | None = None,
        order_by: list[PipelineOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Pipeline]:
        return await PIPELINES.page(
            context_of(info), filter, order_by, first=first, after=after, last=last, before=before
        )


@strawberry.input
class StageInput:
    name: str
    probability: int
    category: StageCategory = StageCategory.OPEN

    def to_spec(self) -> service.StageSpec:
        return service.StageSpec(self.name, self.probability, self.category.value)


@strawberry.input
class PipelineInput:
    name: str
    stages: list[StageInput]
    is_default: bool = False


@strawberry.type
class PipelinePayload:
    pipeline: Pipeline | None
    errors: list[UserError]


@strawberry.type
class StagePayload:
    stage: Stage | None
    errors: list[UserError]


def _pipeline(result: tuple[Any, list[UserError]]) -> PipelinePayload:
    row, errors = result
    return PipelinePayload(pipeline=Pipeline.from_model(row) if row else None, errors=errors)


def _stage(result: tuple[Any, list[UserError]]) -> StagePayload:
    row, errors = result
    return StagePayload(stage=Stage.from_model(row) if row else None, errors=errors)


@strawberry.type
class PipelineMutations:
    @strawberry.mutation(description="A pipeline with its stages; the first one is the default.")
    async def create_pipeline(self, info: Info, input: PipelineInput) -> PipelinePayload:
        async def work(op: Any) -> PipelineRow:
            stages = [stage.to_spec() for stage in input.stages]
            return await service.create_pipeline(
                op, input.name, stages, is_default=input.is_default
            )

        return _pipeline(await mutate(info, MANAGE, work))

    @strawberry.mutation(description="Rename a pipeline or make it the default.")
    async def update_pipeline(
        self,
        info: Info,
        id: relay.GlobalID,
        name: str | None = None,
        is_default: bool | None = None,
    ) -> PipelinePayload:
        async def work(op: Any) -> PipelineRow:
            return await service.update_pipeline(
                op, required_id(id, "Pipeline", "id"), name=name, is_default=is_default
            )

        return _pipeline(await mutate(info, MANAGE, work))

    @strawberry.mutation(description="Insert a stage at `position` (default: last).")
    async def add_stage(
        self,
        info: Info,
        pipeline_id: relay.GlobalID,
        input: StageInput,
        position: int | None = None,
    ) -> StagePayload:
        async def work(op: Any) -> StageRow:
            pipeline = required_id(pipeline_id, "Pipeline", "pipelineId")
            return await service.add_stage(op, pipeline, input.to_spec(), position)

        return _stage(await mutate(info, MANAGE, work))

    @strawberry.mutation(description="Rename a stage or change its default probability.")
    async def update_stage(
        self,
        info: Info,
        id: relay.GlobalID,
        name: str | None = None,
        probability: int | None = None,
    ) -> StagePayload:
        async def work(op: Any) -> StageRow:
            return await service.update_stage(
                op, required_id(id, "Stage", "id"), name=name, probability=probability
            )

        return _stage(await mutate(info, MANAGE, work))
