"""Pipelines and stages in GraphQL."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from strawberry import relay

from rapport.plugins.sales.models import Pipeline as PipelineRow
from rapport.plugins.sales.models import Stage as StageRow
from rapport.plugins.sales.schema.common import (
    MANAGE,
    READ,
)
from rapport.plugins.sales.services import pipelines as service
from rapport.schema import (
    BooleanFilter,
    Connection,
    Info,
    ModelNode,
    OrderDirection,
    StringFilter,
    ToMany,
    ToOne,
    UserError,
    columns,
    connection,
    filtered_listing,
    list_order,
    mutate,
    order_input,
    read_many,
    reads,
    related,
    row_id_of,
    to_service_fields,
)

__all__ = ["Pipeline", "PipelineMutations", "PipelineQueries", "Stage", "StageCategory"]


@strawberry.enum(description="What reaching a stage means; stored, never read off probability.")
class StageCategory(Enum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


@order_input(
    {"POSITION": "position", "NAME": "name", "PROBABILITY": "probability"},
    name="PipelineStageOrder",
)
class StageOrder: ...


STAGE_ORDER = [("position", OrderDirection.ASC)]
STAGE_PIPELINE = ToOne(lambda: Pipeline, lambda scope: scope.row.pipeline_id)
PIPELINE_STAGES = ToMany(
    target=lambda: Stage,
    link=lambda scope: scope.row.pipeline_id == scope.parent_row.id,
    order=lambda scope: list_order(scope.row, scope.args.get("order_by"), STAGE_ORDER),
)


@strawberry.type(description="A step of a pipeline, in order.")
class Stage(ModelNode):
    __model__ = StageRow
    __permission__ = READ
    __columns__ = columns("name", "position", "probability", "category")

    id: relay.NodeID[str]
    name: str
    position: int
    probability: int = strawberry.field(description="Default win chance of its deals, percent.")
    category: StageCategory
    row: strawberry.Private[StageRow]

    pipeline: Pipeline | None = related(STAGE_PIPELINE)


@strawberry.type(description="An ordered set of stages deals move through.")
class Pipeline(ModelNode):
    __model__ = PipelineRow
    __permission__ = READ
    __columns__ = columns("name", "is_default")

    id: relay.NodeID[str]
    name: str
    is_default: bool
    row: strawberry.Private[PipelineRow]

    @strawberry.field(metadata=reads(PIPELINE_STAGES), description="Its stages, in order.")
    async def stages(self, info: Info, order_by: list[StageOrder] | None = None) -> list[Stage]:
        return await read_many(info, PIPELINE_STAGES, self, order_by=order_by)


@strawberry.input
class PipelineFilter:
    name: StringFilter | None = strawberry.UNSET
    is_default: BooleanFilter | None = strawberry.UNSET
    and_: list[PipelineFilter] | None = strawberry.field(default=strawberry.UNSET, name="and")
    or_: list[PipelineFilter] | None = strawberry.field(default=strawberry.UNSET, name="or")
    not_: PipelineFilter | None = strawberry.field(default=strawberry.UNSET, name="not")


PIPELINE_FILTERS = {"name": PipelineRow.name, "is_default": PipelineRow.is_default}


@order_input({"NAME": "name", "CREATED_AT": "created_at"})
class PipelineOrder: ...


PIPELINES = filtered_listing(
    lambda: Pipeline, PIPELINE_FILTERS, [("created_at", OrderDirection.ASC)]
)


@strawberry.type
class PipelineQueries:
    pipelines: Connection[Pipeline] = connection(
        PIPELINES,
        filter=PipelineFilter,
        order=PipelineOrder,
        description="Pipelines, filtered and ordered, a page at a time.",
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


@strawberry.input(
    description="The fields to change: a field left out is kept; a pipeline needs both, so an "
    "explicit null is refused."
)
class UpdatePipelineInput:
    name: str | None = strawberry.UNSET
    is_default: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="true moves the default here; a default stops being one only when another "
        "becomes it.",
    )

    def to_fields(self) -> service.PipelineFields:
        return to_service_fields(self, service.PipelineFields)


@strawberry.input(
    description="The fields to change: a field left out is kept; a stage needs both, so an "
    "explicit null is refused. A stage's category is fixed once created."
)
class UpdateStageInput:
    name: str | None = strawberry.UNSET
    probability: int | None = strawberry.UNSET

    def to_fields(self) -> service.StageFields:
        return to_service_fields(self, service.StageFields)


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
        self, info: Info, id: relay.GlobalID, input: UpdatePipelineInput
    ) -> PipelinePayload:
        async def work(op: Any) -> PipelineRow:
            return await service.update_pipeline(
                op, row_id_of(id, "Pipeline", "id"), input.to_fields()
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
            pipeline = row_id_of(pipeline_id, "Pipeline", "pipelineId")
            return await service.add_stage(op, pipeline, input.to_spec(), position)

        return _stage(await mutate(info, MANAGE, work))

    @strawberry.mutation(description="Rename a stage or change its default probability.")
    async def update_stage(
        self, info: Info, id: relay.GlobalID, input: UpdateStageInput
    ) -> StagePayload:
        async def work(op: Any) -> StageRow:
            return await service.update_stage(op, row_id_of(id, "Stage", "id"), input.to_fields())

        return _stage(await mutate(info, MANAGE, work))
