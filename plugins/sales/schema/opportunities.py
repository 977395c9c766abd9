"""Opportunities in GraphQL: the type with its history and linked timeline, lists, moves."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, and_, select
from strawberry import relay
from strawberry.types import Info

from rapport.core.models import Interaction as InteractionRow
from rapport.core.models import Task as TaskRow
from rapport.plugins.sales.models import Opportunity as OpportunityRow
from rapport.plugins.sales.models import Quote as QuoteRow
from rapport.plugins.sales.models import Stage as StageRow
from rapport.plugins.sales.models import StageChange as StageChangeRow
from rapport.plugins.sales.schema.common import (
    READ,
    WRITE,
    Listing,
    global_id,
    load_grouped,
    optional_id,
    required_id,
)
from rapport.plugins.sales.schema.pipelines import Pipeline, Stage, StageCategory
from rapport.plugins.sales.schema.quotes import Quote
from rapport.plugins.sales.services import opportunities as service
from rapport.schema import (
    Connection,
    Custom,
    DateFilter,
    DateTimeFilter,
    DecimalFilter,
    IDFilter,
    IntFilter,
    ModelNode,
    OrderDirection,
    RequestContext,
    StringFilter,
    UserError,
    context_of,
    mutate,
)
from rapport.schema.loaders import latest_per_key_loader

__all__ = [
    "OPPORTUNITIES",
    "OPPORTUNITY_TYPE",
    "Opportunity",
    "OpportunityMutations",
    "OpportunityQueries",
]

# The link_type core's interactions and tasks store for an opportunity.
OPPORTUNITY_TYPE = "Opportunity"
TIMELINE_LIMIT = 50


@strawberry.type(
    name="OpportunityStageChange",
    description="One stage an opportunity entered; its creation included.",
)
class StageChange:
    from_stage_id: relay.GlobalID | None
    to_stage_id: relay.GlobalID
    changed_at: datetime
    changed_by_id: relay.GlobalID | None
    reopened: bool

    @classmethod
    def from_model(cls, row: StageChangeRow) -> StageChange:
        return cls(
            from_stage_id=global_id("Stage", row.from_stage_id),
            to_stage_id=global_id("Stage", row.to_stage_id),
            changed_at=row.changed_at,
            changed_by_id=global_id("User", row.changed_by_id),
            reopened=row.reopened,
        )


@strawberry.type(
    name="OpportunityInteraction",
    description="An interaction of the timeline linked to an opportunity.",
)
class LinkedInteraction:
    id: relay.GlobalID
    customer_id: relay.GlobalID
    kind: str
    direction: str
    occurred_at: datetime
    subject: str | None
    outcome: str | None
    user_id: relay.GlobalID | None


@strawberry.type(name="OpportunityTask", description="A task linked to an opportunity.")
class LinkedTask:
    id: relay.GlobalID
    title: str
    status: str
    priority: str
    due_at: datetime | None
    assignee_id: relay.GlobalID | None


@strawberry.type(description="A deal: an amount a customer may buy, moving through a pipeline.")
class Opportunity(ModelNode):
    __model__ = OpportunityRow
    __permission__ = READ

    id: relay.NodeID[str]
    name: str
    customer_id: relay.GlobalID
    owner_id: relay.GlobalID | None
    territory_id: relay.GlobalID | None
    amount: Decimal
    currency: str
    probability: int = strawberry.field(description="Win chance, percent.")
    probability_set_by_hand: bool
    expected_close_date: date | None
    source_campaign_id: str | None
    lost_reason: str | None
    competitor: str | None
    closed_at: datetime | None
    lead_id: relay.GlobalID | None
    created_at: datetime
    updated_at: datetime
    version: int = strawberry.field(description="Pass back on changes to detect lost updates.")
    row: strawberry.Private[OpportunityRow]

    @classmethod
    def from_model(cls, row: OpportunityRow) -> Opportunity:
        return cls(
            id=str(row.id),
            name=row.name,
            customer_id=global_id("Customer", row.customer_id),
            owner_id=global_id("User", row.owner_id),
            territory_id=global_id("Territory", row.territory_id),
            amount=row.amount,
            currency=row.currency,
            probability=row.probability,
            probability_set_by_hand=row.probability_manual,
            expected_close_date=row.expected_close_date,
            source_campaign_id=row.source_campaign_id,
            lost_reason=row.lost_reason,
            competitor=row.competitor,
            closed_at=row.closed_at,
            lead_id=global_id("Lead", row.lead_id),
            created_at=row.created_at,
            updated_at=row.updated_at,
            version=row.version,
            row=row,
        )

    @strawberry.field
    async def stage(self, info: Info) -> Stage:
        return (await Stage.resolve_nodes(info=info, node_ids=[str(self.row.stage_id)]))[0]

    @strawberry.field
    async def pipeline(self, info: Info) -> Pipeline:
        return (await Pipeline.resolve_nodes(info=info, node_ids=[str(self.row.pipeline_id)]))[0]

    @strawberry.field(description="Weighted value: amount x probability.")
    def weighted_amount(self) -> Decimal:
        return (self.row.amount * self.row.probability / 100).quantize(Decimal("0.01"))

    @strawberry.field(description="Every stage it entered, oldest first.")
    async def stage_history(self, info: Info) -> list[StageChange]:
        rows = await load_grouped(
            context_of(info),
            StageChangeRow,
            "opportunity_id",
            self.row.id,
            StageChangeRow.changed_at,
        )
        return [StageChange.from_model(row) for row in rows]

    @strawberry.field(description="Interactions linked to it, newest first (at most 50).")
    async def interactions(self, info: Info) -> list[LinkedInteraction]:
        context = context_of(info)
        context.require("interactions:read")
        rows = await _linked(
            context, InteractionRow, InteractionRow.occurred_at.desc(), self.row.id
        )
        return [
            LinkedInteraction(
                id=relay.GlobalID("Interaction", str(row.id)),
                customer_id=relay.GlobalID("Customer", str(row.customer_id)),
                kind=row.kind,
                direction=row.direction,
                occurred_at=row.occurred_at,
                subject=row.subject,
                outcome=row.outcome,
                user_id=global_id("User", row.user_id),
            )
            for row in rows
        ]

    @strawberry.field(description="Its quotes, oldest first.")
    async def quotes(self, info: Info) -> list[Quote]:
        rows = await load_grouped(
            context_of(info), QuoteRow, "opportunity_id", self.row.id, QuoteRow.created_at
        )
        return [Quote.from_model(row) for row in rows]

    @strawberry.field(description="Tasks linked to it, newest first (at most 50).")
    async def tasks(self, info: Info) -> list[LinkedTask]:
        context = context_of(info)
        context.require("tasks:read")
        rows = await _linked(context, TaskRow, TaskRow.created_at.desc(), self.row.id)
        return [
            LinkedTask(
                id=relay.GlobalID("Task", str(row.id)),
                title=row.title,
                status=row.status,
                priority=row.priority,
                due_at=row.due_at,
                assignee_id=global_id("User", row.assignee_id),
            )
            for row in rows
        ]


async def _linked(
    context: RequestContext, model: Any, newest_first: Any, opportunity_id: uuid.UUID
) -> list[Any]:
    """Core rows (interactions, tasks) linked to opportunities, batched per request."""
    loader = context.loader_for(
        ("opportunity-linked", model.__tablename__),
        lambda ctx: latest_per_key_loader(
            ctx,
            model,
            "link_id",
            [newest_first, model.id.desc()],
            TIMELINE_LIMIT,
            model.link_type == OPPORTUNITY_TYPE,
            model.deleted_at.is_(None),
        ),
    )
    return list(await loader.load(opportunity_id))


def _category_is(categories: list[StageCategory]) -> ColumnElement[bool]:
    stages = select(StageRow.id).where(StageRow.category.in_([c.value for c in categories]))
    return OpportunityRow.stage_id.in_(stages)


@strawberry.input(description="Conditions on opportunities; all given conditions must hold.")
class OpportunityFilter:
    name: StringFilter | None = strawberry.UNSET
    customer: IDFilter | None = strawberry.UNSET
    owner: IDFilter | None = strawberry.UNSET
    pipeline: IDFilter | None = strawberry.UNSET
    stage: IDFilter | None = strawberry.UNSET
    territory: IDFilter | None = strawberry.UNSET
    category: list[StageCategory] | None = strawberry.UNSET
    amount: DecimalFilter | None = strawberry.UNSET
    currency: StringFilter | None = strawberry.UNSET
    probability: IntFilter | None = strawberry.UNSET
    expected_close_date: DateFilter | None = strawberry.UNSET
    source_campaign_id: StringFilter | None = strawberry.UNSET
    closed_at: DateTimeFilter | None = strawberry.UNSET
    created_at: DateTimeFilter | None = strawberry.UNSET
    and_: list[OpportunityFilter] | None = strawberry.field(default=strawberry.UNSET, name="and")
    or_: list[OpportunityFilter] | None = strawberry.field(default=strawberry.UNSET, name="or")
    not_: OpportunityFilter | None = strawberry.field(default=strawberry.UNSET, name="not")


OPPORTUNITY_FILTERS = {
    "name": OpportunityRow.name,
    "customer": OpportunityRow.customer_id,
    "owner": OpportunityRow.owner_id,
    "pipeline": OpportunityRow.pipeline_id,
    "stage": OpportunityRow.stage_id,
    "territory": OpportunityRow.territory_id,
    "category": Custom(_category_is),
    "amount": OpportunityRow.amount,
    "currency": OpportunityRow.currency,
    "probability": OpportunityRow.probability,
    "expected_close_date": OpportunityRow.expected_close_date,
    "source_campaign_id": OpportunityRow.source_campaign_id,
    "closed_at": OpportunityRow.closed_at,
    "created_at": OpportunityRow.created_at,
}


@strawberry.enum
class OpportunityOrderField(Enum):
    CREATED_AT = "created_at"
    NAME = "name"
    AMOUNT = "amount"
    PROBABILITY = "probability"


@strawberry.input
class OpportunityOrder:
    field: OpportunityOrderField
    direction: OrderDirection = OrderDirection.ASC


OPPORTUNITIES = Listing(
    OpportunityRow,
    OPPORTUNITY_FILTERS,
    {
        "created_at": OpportunityRow.created_at,
        "name": OpportunityRow.name,
        "amount": OpportunityRow.amount,
        "probability": OpportunityRow.probability,
    },
    "created_at",
    Opportunity.from_model,
)


@strawberry.type
class OpportunityQueries:
    @strawberry.field(description="Opportunities, filtered and ordered, a page at a time.")
    async def opportunities(
        self,
        info: Info,
        filter: OpportunityFilter | None = None,
        order_by: list[OpportunityOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Opportunity]:
        return await OPPORTUNITIES.page(
            context_of(info), filter, order_by, first=first, after=after, last=last, before=before
        )

    @strawberry.field(
        description="Open opportunities at or above the big-deal amount (setting "
        "`[sales] big_deal_amount`), largest first."
    )
    async def big_deals(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Opportunity]:
        context = context_of(info)
        threshold = service.big_deal_amount(context.settings)
        largest = [
            OpportunityOrder(field=OpportunityOrderField.AMOUNT, direction=OrderDirection.DESC)
        ]
        return await OPPORTUNITIES.page(
            context,
            None,
            largest,
            where=and_(OpportunityRow.amount >= threshold, _category_is([StageCategory.OPEN])),
            first=first,
            after=after,
        )


@strawberry.input
class OpportunityInput:
    name: str | None = None
    customer_id: relay.GlobalID | None = None
    owner_id: relay.GlobalID | None = None
    pipeline_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Default: the workspace's default pipeline."
    )
    stage_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Default: the pipeline's first open stage."
    )
    territory_id: relay.GlobalID | None = None
    amount: Decimal | None = None
    currency: str | None = None
    probability: int | None = strawberry.field(
        default=None, description="Set by hand; default: the stage's probability."
    )
    expected_close_date: date | None = None
    source_campaign_id: str | None = None

    def to_fields(self) -> service.OpportunityFields:
        return service.OpportunityFields(
            name=self.name,
            customer_id=optional_id(self.customer_id, "Customer", "input.customerId"),
            owner_id=optional_id(self.owner_id, "User", "input.ownerId"),
            pipeline_id=optional_id(self.pipeline_id, "Pipeline", "input.pipelineId"),
            stage_id=optional_id(self.stage_id, "Stage", "input.stageId"),
            territory_id=optional_id(self.territory_id, "Territory", "input.territoryId"),
            amount=self.amount,
            currency=self.currency,
            probability=self.probability,
            expected_close_date=self.expected_close_date,
            source_campaign_id=self.source_campaign_id,
        )


@strawberry.type
class OpportunityPayload:
    opportunity: Opportunity | None
    errors: list[UserError]


def opportunity_payload(result: tuple[Any, list[UserError]]) -> OpportunityPayload:
    row, errors = result
    return OpportunityPayload(
        opportunity=Opportunity.from_model(row) if row else None, errors=errors
    )


@strawberry.type
class OpportunityMutations:
    @strawberry.mutation
    async def create_opportunity(self, info: Info, input: OpportunityInput) -> OpportunityPayload:
        async def work(op: Any) -> OpportunityRow:
            return await service.create_opportunity(op, input.to_fields())

        return opportunity_payload(await mutate(info, WRITE, work))

    @strawberry.mutation(description="Change its fields; the stage moves with `moveOpportunity`.")
    async def update_opportunity(
        self,
        info: Info,
        id: relay.GlobalID,
        input: OpportunityInput,
        reset_probability: bool = False,
        version: int | None = None,
    ) -> OpportunityPayload:
        async def work(op: Any) -> OpportunityRow:
            return await service.update_opportunity(
                op,
                required_id(id, "Opportunity", "id"),
                input.to_fields(),
                reset_probability=reset_probability,
                expected_version=version,
            )

        return opportunity_payload(await mutate(info, WRITE, work))

    @strawberry.mutation(
        description="Move an open opportunity to another stage of its pipeline; a lost stage "
        "needs `lostReason` and `competitor`."
    )
    async def move_opportunity(
        self,
        info: Info,
        id: relay.GlobalID,
        stage_id: relay.GlobalID,
        lost_reason: str | None = None,
        competitor: str | None = None,
        version: int | None = None,
    ) -> OpportunityPayload:
        async def work(op: Any) -> OpportunityRow:
            return await service.move_opportunity(
                op,
                required_id(id, "Opportunity", "id"),
                required_id(stage_id, "Stage", "stageId"),
                lost_reason=lost_reason,
                competitor=competitor,
                expected_version=version,
            )

        return opportunity_payload(await mutate(info, WRITE, work))

    @strawberry.mutation(description="Reopen a won or lost opportunity (audited).")
    async def reopen_opportunity(
        self,
        info: Info,
        id: relay.GlobalID,
        stage_id: relay.GlobalID | None = None,
        version: int | None = None,
    ) -> OpportunityPayload:
        async def work(op: Any) -> OpportunityRow:
            return await service.reopen_opportunity(
                op,
                required_id(id, "Opportunity", "id"),
                optional_id(stage_id, "Stage", "stageId"),
                expected_version=version,
            )

        return opportunity_payload(await mutate(info, WRITE, work))
