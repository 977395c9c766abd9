"""Opportunities in GraphQL: the type with its history and linked timeline, lists, moves."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    literal,
    or_,
    select,
)
from strawberry import relay

from rapport.core import Interaction as InteractionRow
from rapport.core import Task as TaskRow
from rapport.core import cents_of, from_cents
from rapport.plugins.sales.models import Money
from rapport.plugins.sales.models import Opportunity as OpportunityRow
from rapport.plugins.sales.models import Stage as StageRow
from rapport.plugins.sales.models import StageChange as StageChangeRow
from rapport.plugins.sales.schema.common import (
    READ,
    WRITE,
    DeclaredRow,
    global_id,
)
from rapport.plugins.sales.schema.pipelines import Pipeline, Stage, StageCategory
from rapport.plugins.sales.schema.quotes import DOCUMENT_ORDER, DocumentOrder, Quote
from rapport.plugins.sales.schema.territories import Territory
from rapport.plugins.sales.services import opportunities as service
from rapport.schema import (
    Connection,
    Custom,
    Customer,
    DateFilter,
    DateTimeFilter,
    DecimalFilter,
    Filterable,
    IDFilter,
    Info,
    InteractionDirection,
    IntFilter,
    ModelNode,
    OrderDirection,
    Reference,
    Scope,
    StringFilter,
    TaskPriority,
    TaskStatus,
    ToMany,
    ToOne,
    User,
    UserError,
    columns,
    connection,
    filter_input,
    filtered_listing,
    list_order,
    mutate,
    optional_row_id_of,
    order_input,
    read_many,
    read_one,
    reads,
    related,
    row_id_of,
    to_service_fields,
)

if TYPE_CHECKING:
    from rapport.plugins.sales.schema.leads import Lead

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
LEADS_MODULE = "rapport.plugins.sales.schema.leads"


def _lead_type() -> Any:
    # Leads import opportunities (a converted lead's deal): the lead type is looked up late.
    from rapport.plugins.sales.schema.leads import Lead

    return Lead


CHANGE_FROM = ToOne(lambda: Stage, lambda scope: scope.row.from_stage_id)
CHANGE_TO = ToOne(lambda: Stage, lambda scope: scope.row.to_stage_id)
CHANGE_BY = ToOne(lambda: User, lambda scope: scope.row.changed_by_id)


@strawberry.type(
    name="OpportunityStageChange",
    description="One stage an opportunity entered; its creation included.",
)
class StageChange(DeclaredRow):
    __model__ = StageChangeRow
    __permission__ = READ
    __columns__ = columns(
        "changed_at",
        "reopened",
        from_stage_id=Reference("Stage", "from_stage_id"),
        to_stage_id=Reference("Stage", "to_stage_id"),
        changed_by_id=Reference("User", "changed_by_id"),
    )

    from_stage_id: relay.GlobalID | None
    to_stage_id: relay.GlobalID
    changed_at: datetime
    changed_by_id: relay.GlobalID | None
    reopened: bool
    row: strawberry.Private[StageChangeRow]

    from_stage: Stage | None = related(CHANGE_FROM, description="The stage it left.")

    to_stage: Stage | None = related(CHANGE_TO, description="The stage it entered.")

    changed_by: User | None = related(CHANGE_BY, description="Who moved it.")


INTERACTION_CUSTOMER = ToOne(lambda: Customer, lambda scope: scope.row.customer_id)
INTERACTION_USER = ToOne(lambda: User, lambda scope: scope.row.user_id)


@strawberry.type(
    name="OpportunityInteraction",
    description="An interaction of the timeline linked to an opportunity.",
)
class LinkedInteraction:
    __model__ = InteractionRow
    __permission__ = "interactions:read"
    __columns__ = columns(
        "kind",
        "direction",
        "occurred_at",
        "subject",
        "outcome",
        id=Reference("Interaction", "id"),
        customer_id=Reference("Customer", "customer_id"),
        user_id=Reference("User", "user_id"),
    )

    id: relay.GlobalID
    customer_id: relay.GlobalID
    kind: str
    direction: InteractionDirection
    occurred_at: datetime
    subject: str | None
    outcome: str | None
    user_id: relay.GlobalID | None
    row: strawberry.Private[InteractionRow]

    @classmethod
    def from_model(cls, row: InteractionRow) -> LinkedInteraction:
        # Written out: its `id` is the interaction's global id, not a node's own.
        return cls(
            id=relay.GlobalID("Interaction", str(row.id)),
            customer_id=relay.GlobalID("Customer", str(row.customer_id)),
            kind=row.kind,
            direction=InteractionDirection(row.direction),
            occurred_at=row.occurred_at,
            subject=row.subject,
            outcome=row.outcome,
            user_id=global_id("User", row.user_id),
            row=row,
        )

    customer: Customer | None = related(INTERACTION_CUSTOMER, description="Who it was with.")

    user: User | None = related(INTERACTION_USER, description="The user who logged it.")


TASK_ASSIGNEE = ToOne(lambda: User, lambda scope: scope.row.assignee_id)


@strawberry.type(name="OpportunityTask", description="A task linked to an opportunity.")
class LinkedTask:
    __model__ = TaskRow
    __permission__ = "tasks:read"
    __columns__ = columns(
        "title",
        "status",
        "priority",
        "due_at",
        id=Reference("Task", "id"),
        assignee_id=Reference("User", "assignee_id"),
    )

    id: relay.GlobalID
    title: str
    status: TaskStatus
    priority: TaskPriority
    due_at: datetime | None
    assignee_id: relay.GlobalID | None
    row: strawberry.Private[TaskRow]

    @classmethod
    def from_model(cls, row: TaskRow) -> LinkedTask:
        # Written out: its `id` is the task's global id, not a node's own.
        return cls(
            id=relay.GlobalID("Task", str(row.id)),
            title=row.title,
            status=TaskStatus(row.status),
            priority=TaskPriority(row.priority),
            due_at=row.due_at,
            assignee_id=global_id("User", row.assignee_id),
            row=row,
        )

    assignee: User | None = related(TASK_ASSIGNEE, description="Who should do it.")


@order_input({"CHANGED_AT": "changed_at"}, name="OpportunityStageChangeOrder")
class StageChangeOrder: ...


@order_input({"OCCURRED_AT": "occurred_at"}, name="OpportunityInteractionOrder")
class LinkedInteractionOrder: ...


@order_input({"CREATED_AT": "created_at", "TITLE": "title"}, name="OpportunityTaskOrder")
class LinkedTaskOrder: ...


def _weighted_amount(scope: Scope) -> ColumnElement[Any]:
    """amount x probability / 100 to the cent, rounded half to even as ``Decimal.quantize``
    rounds: in whole numbers, so that both engines print what the resolver prints."""
    row = scope.row
    # Cents x percent: exact integers on both engines.
    scaled = cents_of(row.amount) * row.probability
    cents, rest = scaled // 100, scaled % 100
    halfway_up = or_(rest > 50, and_(rest == 50, cents % 2 == 1))
    rounded = cents + case((halfway_up, 1), else_=0)
    return from_cents(rounded)


def _linked(model: Any, newest_first: str, permission: str) -> ToMany:
    """Core rows (interactions, tasks) linked to the opportunity, the latest 50."""
    return ToMany(
        target=lambda: LinkedInteraction if model is InteractionRow else LinkedTask,
        link=lambda scope: scope.row.link_id == scope.parent_row.id,
        where=lambda scope: [
            scope.row.link_type == OPPORTUNITY_TYPE,
            scope.row.deleted_at.is_(None),
        ],
        order=lambda scope: list_order(
            scope.row, scope.args.get("order_by"), [(newest_first, OrderDirection.DESC)]
        ),
        limit=lambda _scope: TIMELINE_LIMIT,
        permission=permission,
    )


OPPORTUNITY_CUSTOMER = ToOne(lambda: Customer, lambda scope: scope.row.customer_id)
OPPORTUNITY_OWNER = ToOne(lambda: User, lambda scope: scope.row.owner_id)
OPPORTUNITY_TERRITORY = ToOne(lambda: Territory, lambda scope: scope.row.territory_id)
OPPORTUNITY_LEAD = ToOne(_lead_type, lambda scope: scope.row.lead_id)
OPPORTUNITY_STAGE = ToOne(lambda: Stage, lambda scope: scope.row.stage_id)
OPPORTUNITY_PIPELINE = ToOne(lambda: Pipeline, lambda scope: scope.row.pipeline_id)
STAGE_HISTORY = ToMany(
    target=lambda: StageChange,
    link=lambda scope: scope.row.opportunity_id == scope.parent_row.id,
    order=lambda scope: list_order(
        scope.row, scope.args.get("order_by"), [("changed_at", OrderDirection.ASC)]
    ),
)
OPPORTUNITY_QUOTES = ToMany(
    target=lambda: Quote,
    link=lambda scope: scope.row.opportunity_id == scope.parent_row.id,
    order=lambda scope: list_order(scope.row, scope.args.get("order_by"), DOCUMENT_ORDER),
)
OPPORTUNITY_INTERACTIONS = _linked(InteractionRow, "occurred_at", "interactions:read")
OPPORTUNITY_TASKS = _linked(TaskRow, "created_at", "tasks:read")


@strawberry.type(description="A deal: an amount a customer may buy, moving through a pipeline.")
class Opportunity(ModelNode):
    __model__ = OpportunityRow
    __permission__ = READ
    __columns__ = columns(
        "name",
        "amount",
        "currency",
        "probability",
        "expected_close_date",
        "source_campaign_id",
        "lost_reason",
        "competitor",
        "closed_at",
        "created_at",
        "updated_at",
        "version",
        probability_set_by_hand="probability_manual",
        customer_id=Reference("Customer", "customer_id"),
        owner_id=Reference("User", "owner_id"),
        territory_id=Reference("Territory", "territory_id"),
        lead_id=Reference("Lead", "lead_id"),
        weighted_amount=_weighted_amount,
    )

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

    @strawberry.field(metadata=reads(OPPORTUNITY_STAGE))
    async def stage(self, info: Info) -> Stage:
        found: Stage = await read_one(info, OPPORTUNITY_STAGE, self)
        return found

    @strawberry.field(metadata=reads(OPPORTUNITY_PIPELINE))
    async def pipeline(self, info: Info) -> Pipeline:
        found: Pipeline = await read_one(info, OPPORTUNITY_PIPELINE, self)
        return found

    customer: Customer | None = related(OPPORTUNITY_CUSTOMER, description="Who may buy.")

    owner: User | None = related(OPPORTUNITY_OWNER, description="The user working it.")

    territory: Territory | None = related(OPPORTUNITY_TERRITORY)

    lead: Annotated[Lead, strawberry.lazy(LEADS_MODULE)] | None = related(
        OPPORTUNITY_LEAD, description="The lead it came from."
    )

    @strawberry.field(description="Weighted value: amount x probability.")
    def weighted_amount(self) -> Decimal:
        return (self.row.amount * self.row.probability / 100).quantize(Decimal("0.01"))

    @strawberry.field(
        metadata=reads(STAGE_HISTORY), description="Every stage it entered, oldest first."
    )
    async def stage_history(
        self, info: Info, order_by: list[StageChangeOrder] | None = None
    ) -> list[StageChange]:
        return await read_many(info, STAGE_HISTORY, self, order_by=order_by)

    @strawberry.field(
        metadata=reads(OPPORTUNITY_INTERACTIONS),
        description="Interactions linked to it, newest first (at most 50).",
    )
    async def interactions(
        self, info: Info, order_by: list[LinkedInteractionOrder] | None = None
    ) -> list[LinkedInteraction]:
        return await read_many(info, OPPORTUNITY_INTERACTIONS, self, order_by=order_by)

    @strawberry.field(metadata=reads(OPPORTUNITY_QUOTES), description="Its quotes, oldest first.")
    async def quotes(self, info: Info, order_by: list[DocumentOrder] | None = None) -> list[Quote]:
        return await read_many(info, OPPORTUNITY_QUOTES, self, order_by=order_by)

    @strawberry.field(
        metadata=reads(OPPORTUNITY_TASKS),
        description="Tasks linked to it, newest first (at most 50).",
    )
    async def tasks(
        self, info: Info, order_by: list[LinkedTaskOrder] | None = None
    ) -> list[LinkedTask]:
        return await read_many(info, OPPORTUNITY_TASKS, self, order_by=order_by)


def _category_is(categories: list[StageCategory]) -> ColumnElement[bool]:
    stages = select(StageRow.id).where(StageRow.category.in_([c.value for c in categories]))
    return OpportunityRow.stage_id.in_(stages)


OPPORTUNITY_FILTERS = {
    "name": Filterable(StringFilter, OpportunityRow.name),
    "customer": Filterable(IDFilter, OpportunityRow.customer_id),
    "owner": Filterable(IDFilter, OpportunityRow.owner_id),
    "pipeline": Filterable(IDFilter, OpportunityRow.pipeline_id),
    "stage": Filterable(IDFilter, OpportunityRow.stage_id),
    "territory": Filterable(IDFilter, OpportunityRow.territory_id),
    "category": Filterable(list[StageCategory], Custom(_category_is)),
    "amount": Filterable(DecimalFilter, OpportunityRow.amount),
    "currency": Filterable(StringFilter, OpportunityRow.currency),
    "probability": Filterable(IntFilter, OpportunityRow.probability),
    "expected_close_date": Filterable(DateFilter, OpportunityRow.expected_close_date),
    "source_campaign_id": Filterable(StringFilter, OpportunityRow.source_campaign_id),
    "closed_at": Filterable(DateTimeFilter, OpportunityRow.closed_at),
    "created_at": Filterable(DateTimeFilter, OpportunityRow.created_at),
}


@filter_input(
    OPPORTUNITY_FILTERS, description="Conditions on opportunities; all given conditions must hold."
)
class OpportunityFilter: ...


@order_input(
    {"CREATED_AT": "created_at", "NAME": "name", "AMOUNT": "amount", "PROBABILITY": "probability"}
)
class OpportunityOrder: ...


def _big_and_open(scope: Scope) -> list[ColumnElement[bool]]:
    amounts = service.big_deal_amounts(scope.runtime.settings)
    # The thresholds are amounts, bound as the column is (whole cents on SQLite).
    by_currency = {code: literal(amount, Money) for code, amount in amounts.by_currency.items()}
    default = literal(amounts.default, Money)
    threshold = case(by_currency, value=OpportunityRow.currency, else_=default)
    return [OpportunityRow.amount >= threshold, _category_is([StageCategory.OPEN])]


OPPORTUNITIES = filtered_listing(
    lambda: Opportunity, OPPORTUNITY_FILTERS, [("created_at", OrderDirection.ASC)]
)
BIG_DEALS = filtered_listing(
    lambda: Opportunity, {}, [("amount", OrderDirection.DESC)], also=_big_and_open
)


@strawberry.type
class OpportunityQueries:
    opportunities: Connection[Opportunity] = connection(
        OPPORTUNITIES,
        filter=OpportunityFilter,
        order=OpportunityOrder,
        description="Opportunities, filtered and ordered, a page at a time.",
    )

    big_deals: Connection[Opportunity] = connection(
        BIG_DEALS,
        order=OpportunityOrder,
        description=(
            "Open opportunities at or above the big-deal amount of their currency (settings"
            " `[sales] big_deal_amount` and `[sales.big_deal_amounts]`), largest first."
        ),
    )


ID_TYPES = {
    "customer_id": "Customer",
    "owner_id": "User",
    "pipeline_id": "Pipeline",
    "stage_id": "Stage",
    "territory_id": "Territory",
}


@strawberry.input(
    description="The fields to change: a field left out is kept, an explicit null clears it "
    "(refused for `name`, `amount`, `currency` and `probability`). The stage moves with "
    "`moveOpportunity`; the customer changes only by merging customers."
)
class UpdateOpportunityInput:
    name: str | None = strawberry.UNSET
    owner_id: relay.GlobalID | None = strawberry.UNSET
    territory_id: relay.GlobalID | None = strawberry.UNSET
    amount: Decimal | None = strawberry.UNSET
    currency: str | None = strawberry.UNSET
    probability: int | None = strawberry.field(
        default=strawberry.UNSET, description="Set by hand; default: the stage's probability."
    )
    expected_close_date: date | None = strawberry.UNSET
    source_campaign_id: str | None = strawberry.UNSET

    def to_fields(self) -> service.OpportunityFields:
        return to_service_fields(self, service.OpportunityFields, id_types=ID_TYPES)


@strawberry.input(description="A new opportunity: its name, customer and currency.")
class CreateOpportunityInput(UpdateOpportunityInput):
    name: str
    customer_id: relay.GlobalID
    currency: str
    pipeline_id: relay.GlobalID | None = strawberry.field(
        default=strawberry.UNSET, description="Default: the workspace's default pipeline."
    )
    stage_id: relay.GlobalID | None = strawberry.field(
        default=strawberry.UNSET, description="Default: the pipeline's first open stage."
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
    async def create_opportunity(
        self, info: Info, input: CreateOpportunityInput
    ) -> OpportunityPayload:
        async def work(op: Any) -> OpportunityRow:
            return await service.create_opportunity(op, input.to_fields())

        return opportunity_payload(await mutate(info, WRITE, work))

    @strawberry.mutation(description="Change its fields; the stage moves with `moveOpportunity`.")
    async def update_opportunity(
        self,
        info: Info,
        id: relay.GlobalID,
        input: UpdateOpportunityInput,
        reset_probability: bool = False,
        version: int | None = None,
    ) -> OpportunityPayload:
        async def work(op: Any) -> OpportunityRow:
            return await service.update_opportunity(
                op,
                row_id_of(id, "Opportunity", "id"),
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
                row_id_of(id, "Opportunity", "id"),
                row_id_of(stage_id, "Stage", "stageId"),
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
                row_id_of(id, "Opportunity", "id"),
                optional_row_id_of(stage_id, "Stage", "stageId"),
                expected_version=version,
            )

        return opportunity_payload(await mutate(info, WRITE, work))
