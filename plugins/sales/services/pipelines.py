"""Pipelines and their ordered stages; the default pipeline a workspace gets on first use."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select, update

from rapport.core import Conflict, ErrorCode, FieldValues, Operation, apply_changes
from rapport.plugins.sales.error_codes import SalesErrorCode
from rapport.plugins.sales.models import Opportunity, Pipeline, Stage
from rapport.plugins.sales.services.common import Problems, get_row

__all__ = [
    "DEFAULT_STAGES",
    "STAGE_CATEGORIES",
    "PipelineFields",
    "StageFields",
    "StageSpec",
    "add_stage",
    "create_pipeline",
    "default_pipeline",
    "first_open_stage",
    "stages_of",
    "update_pipeline",
    "update_stage",
]

STAGE_CATEGORIES = ("open", "won", "lost")


@dataclass
class StageSpec:
    name: str
    probability: int
    category: str = "open"


@dataclass
class PipelineFields(FieldValues):
    name: str | None = None
    is_default: bool | None = None


@dataclass
class StageFields(FieldValues):
    """What of a stage changes; its category never does (see :func:`update_stage`)."""

    name: str | None = None
    probability: int | None = None


DEFAULT_PIPELINE_NAME = "Sales"
DEFAULT_STAGES = (
    StageSpec("Prospecting", 10),
    StageSpec("Qualification", 25),
    StageSpec("Proposal", 50),
    StageSpec("Negotiation", 75),
    StageSpec("Won", 100, "won"),
    StageSpec("Lost", 0, "lost"),
)


def _check_stage(problems: Problems, prefix: str, spec: StageSpec) -> None:
    problems.required(f"{prefix}name", spec.name)
    problems.percent(f"{prefix}probability", spec.probability)
    if spec.category not in STAGE_CATEGORIES:
        problems.add(f"{prefix}category", f"must be one of {', '.join(STAGE_CATEGORIES)}")


async def _name_taken(op: Operation, name: str, but: uuid.UUID | None = None) -> bool:
    statement = select(Pipeline.id).where(func.lower(Pipeline.name) == name.lower())
    if but is not None:
        statement = statement.where(Pipeline.id != but)
    return (await op.session.execute(statement)).first() is not None


async def _make_default(op: Operation, pipeline: Pipeline) -> None:
    await op.session.execute(
        update(Pipeline).where(Pipeline.id != pipeline.id).values(is_default=False)
    )
    pipeline.is_default = True


async def create_pipeline(
    op: Operation, name: str, stages: list[StageSpec], *, is_default: bool = False
) -> Pipeline:
    problems = Problems()
    name = name.strip()
    problems.required("name", name)
    if name and await _name_taken(op, name):
        problems.add("name", "a pipeline of that name exists", ErrorCode.DUPLICATE)
    if not stages:
        problems.add("stages", "a pipeline needs at least one stage", ErrorCode.REQUIRED)
    elif not any(s.category == "open" for s in stages):
        problems.add(
            "stages", "a pipeline needs at least one open stage", SalesErrorCode.NO_OPEN_STAGE
        )
    for index, spec in enumerate(stages):
        _check_stage(problems, f"stages.{index}.", spec)
    problems.raise_if_any()
    has_default = (
        await op.session.execute(select(Pipeline.id).where(Pipeline.is_default).limit(1))
    ).first() is not None
    pipeline = Pipeline(workspace_id=op.workspace_id, name=name, is_default=False)
    op.session.add(pipeline)
    await op.session.flush()
    if is_default or not has_default:
        await _make_default(op, pipeline)
    op.session.add_all(
        Stage(
            workspace_id=op.workspace_id,
            pipeline_id=pipeline.id,
            name=spec.name.strip(),
            position=position,
            probability=spec.probability,
            category=spec.category,
        )
        for position, spec in enumerate(stages)
    )
    await op.session.flush()
    op.audit("Pipeline", pipeline.id, "create", {"name": [None, name]})
    return pipeline


async def update_pipeline(op: Operation, pipeline_id: uuid.UUID, data: PipelineFields) -> Pipeline:
    pipeline = await get_row(op, Pipeline, pipeline_id, "id", "pipeline")
    data.patch(Pipeline)  # a pipeline needs its name and its default flag: a null is refused
    name, is_default = data.name, data.is_default
    problems = Problems()
    fields: dict[str, object] = {}
    if name is not None:
        name = name.strip()
        problems.required("name", name)
        if name and await _name_taken(op, name, but=pipeline.id):
            problems.add("name", "a pipeline of that name exists", ErrorCode.DUPLICATE)
        fields["name"] = name
    problems.raise_if_any()
    changes = apply_changes(pipeline, fields)
    if is_default and not pipeline.is_default:
        await _make_default(op, pipeline)
        changes["isDefault"] = [False, True]
    elif is_default is False and pipeline.is_default:
        # There is always one default: choosing another is how this one stops being it.
        raise Conflict("input.isDefault", "make another pipeline the default instead")
    if changes:
        await op.session.flush()
        op.audit("Pipeline", pipeline.id, "update", changes)
    return pipeline


async def stages_of(op: Operation, pipeline_id: uuid.UUID) -> list[Stage]:
    statement = select(Stage).where(Stage.pipeline_id == pipeline_id).order_by(Stage.position)
    return list((await op.session.execute(statement)).scalars())


async def add_stage(
    op: Operation, pipeline_id: uuid.UUID, spec: StageSpec, position: int | None
) -> Stage:
    await get_row(op, Pipeline, pipeline_id, "pipelineId", "pipeline")
    problems = Problems()
    _check_stage(problems, "", spec)
    stages = await stages_of(op, pipeline_id)
    if position is not None and not 0 <= position <= len(stages):
        problems.add("position", f"must be between 0 and {len(stages)}")
    problems.raise_if_any()
    position = len(stages) if position is None else position
    for stage in stages[position:]:
        stage.position += 1
    stage = Stage(
        workspace_id=op.workspace_id,
        pipeline_id=pipeline_id,
        name=spec.name.strip(),
        position=position,
        probability=spec.probability,
        category=spec.category,
    )
    op.session.add(stage)
    await op.session.flush()
    op.audit(
        "Stage", stage.id, "create", {"name": [None, stage.name], "position": [None, position]}
    )
    return stage


async def update_stage(op: Operation, stage_id: uuid.UUID, data: StageFields) -> Stage:
    """Rename or re-weight a stage. Its category is fixed once created: deals already closed
    in it would otherwise silently change from won to lost."""
    stage = await get_row(op, Stage, stage_id, "id", "stage")
    data.patch(Stage)  # a stage needs its name and probability: a null is refused
    name, probability = data.name, data.probability
    problems = Problems()
    fields: dict[str, object] = {}
    if name is not None:
        problems.required("name", name)
        fields["name"] = name.strip()
    if probability is not None:
        problems.percent("probability", probability)
        fields["probability"] = probability
    problems.raise_if_any()
    changes = apply_changes(stage, fields)
    if "probability" in changes:
        # Deals whose probability follows the stage follow it here too.
        await op.session.execute(
            update(Opportunity)
            .where(Opportunity.stage_id == stage.id, Opportunity.probability_manual.is_(False))
            .values(probability=stage.probability, version=Opportunity.version + 1)
        )
    if changes:
        await op.session.flush()
        op.audit("Stage", stage.id, "update", changes)
    return stage


async def default_pipeline(op: Operation) -> Pipeline:
    """The workspace's default pipeline, created with the standard stages on first use."""
    found = (
        await op.session.execute(select(Pipeline).where(Pipeline.is_default).limit(1))
    ).scalar_one_or_none()
    if found is not None:
        return found
    return await create_pipeline(op, DEFAULT_PIPELINE_NAME, list(DEFAULT_STAGES), is_default=True)


async def first_open_stage(op: Operation, pipeline_id: uuid.UUID) -> Stage:
    statement = (
        select(Stage)
        .where(Stage.pipeline_id == pipeline_id, Stage.category == "open")
        .order_by(Stage.position)
        .limit(1)
    )
    return (await op.session.execute(statement)).scalar_one()
