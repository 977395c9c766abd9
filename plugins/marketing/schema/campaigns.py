"""Campaigns in GraphQL: the type with its hierarchy, statuses and costs; planning and running."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry import relay

from rapport.plugins.marketing.models import Campaign as CampaignRow
from rapport.plugins.marketing.models import CampaignChannel as ChannelRow
from rapport.plugins.marketing.models import CampaignCost as CostRow
from rapport.plugins.marketing.models import CampaignSegment as CampaignSegmentRow
from rapport.plugins.marketing.models import MemberStatus as StatusRow
from rapport.plugins.marketing.schema.common import MANAGE, READ, WRITE, CampaignStatus
from rapport.plugins.marketing.schema.segments import Segment
from rapport.plugins.marketing.services import campaigns as service
from rapport.plugins.marketing.services import costs as cost_service
from rapport.schema import (
    BooleanFilter,
    Connection,
    Custom,
    DateFilter,
    DecimalFilter,
    Filterable,
    IDFilter,
    Info,
    ModelNode,
    OrderDirection,
    Reference,
    Scope,
    StringFilter,
    ToMany,
    ToOne,
    User,
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
    related,
    row_id_of,
    to_service_fields,
)

__all__ = [
    "Campaign",
    "CampaignCost",
    "CampaignMutations",
    "CampaignQueries",
    "MemberStatus",
]


@strawberry.type(description="A status a campaign's members can have; responded or not.")
class MemberStatus(ModelNode):
    __model__ = StatusRow
    __permission__ = READ
    __columns__ = columns(
        "name",
        "responded",
        "is_default",
        "position",
        campaign_id=Reference("Campaign", "campaign_id"),
    )

    id: relay.NodeID[str]
    name: str
    responded: bool = strawberry.field(description="Reaching it counts as a response.")
    is_default: bool = strawberry.field(description="The status new members get.")
    position: int
    campaign_id: relay.GlobalID
    row: strawberry.Private[StatusRow]


@strawberry.type(description="An expense line of a campaign; only approved lines are actual cost.")
class CampaignCost(ModelNode):
    __model__ = CostRow
    __permission__ = READ
    __columns__ = columns(
        "category",
        "amount",
        "currency",
        "incurred_on",
        "supplier",
        "reference",
        "approved",
        "created_at",
        campaign_id=Reference("Campaign", "campaign_id"),
    )

    id: relay.NodeID[str]
    category: str
    amount: Decimal
    currency: str
    incurred_on: date
    supplier: str | None
    reference: str | None = strawberry.field(description="The receipt's or the claim's number.")
    approved: bool
    created_at: datetime
    campaign_id: relay.GlobalID
    row: strawberry.Private[CostRow]

    campaign: Campaign | None = related(ToOne(lambda: Campaign, lambda s: s.row.campaign_id))


@strawberry.type(description="A channel a campaign can run on.")
class CampaignChannel:
    key: str
    label: str
    built_in: bool


CAMPAIGN_PARENT = ToOne(lambda: Campaign, lambda s: s.row.parent_id)
CAMPAIGN_OWNER = ToOne(lambda: User, lambda s: s.row.owner_id)
BY_NAME = [("name", OrderDirection.ASC)]
CAMPAIGN_CHILDREN = ToMany(
    target=lambda: Campaign,
    link=lambda s: s.row.parent_id == s.parent_row.id,
    order=lambda s: list_order(s.row, None, BY_NAME),
)
CAMPAIGN_STATUSES = ToMany(
    target=lambda: MemberStatus,
    link=lambda s: s.row.campaign_id == s.parent_row.id,
    order=lambda s: list_order(s.row, None, [("position", OrderDirection.ASC)]),
)
CAMPAIGN_COSTS = ToMany(
    target=lambda: CampaignCost,
    link=lambda s: s.row.campaign_id == s.parent_row.id,
    order=lambda s: list_order(s.row, None, [("incurred_on", OrderDirection.ASC)]),
)


def _targets(scope: Scope) -> Any:
    from sqlalchemy import and_, select
    from sqlalchemy.orm import aliased

    edge = aliased(CampaignSegmentRow)
    chosen = select(edge.segment_id).where(edge.campaign_id == scope.parent_row.id)
    return and_(
        scope.row.workspace_id == scope.parent_row.workspace_id,
        scope.row.id.in_(chosen.correlate_except(edge)),
    )


CAMPAIGN_SEGMENTS = ToMany(
    target=lambda: Segment, link=_targets, order=lambda s: list_order(s.row, None, BY_NAME)
)


@strawberry.type(description="A marketing campaign: where, when, for whom, and for how much.")
class Campaign(ModelNode):
    __model__ = CampaignRow
    __permission__ = READ
    __columns__ = columns(
        "name",
        "description",
        "channel",
        "status",
        "starts_on",
        "ends_on",
        "currency",
        "budget",
        "expected_revenue",
        "expected_response",
        "email_subject",
        "email_body",
        "email_from",
        "topic",
        "created_at",
        parent_id=Reference("Campaign", "parent_id"),
        owner_id=Reference("User", "owner_id"),
    )

    id: relay.NodeID[str]
    name: str
    description: str | None
    channel: str
    status: CampaignStatus
    starts_on: date | None
    ends_on: date | None
    currency: str
    budget: Decimal | None
    expected_revenue: Decimal | None
    expected_response: int | None = strawberry.field(description="Expected responders.")
    email_subject: str | None
    email_body: str | None = strawberry.field(
        description="Text; {first_name}, {last_name}, {display_name}, {company} and "
        "{unsubscribe_url} are filled per member."
    )
    email_from: str | None
    topic: str | None = strawberry.field(description="The subscription topic it mails under.")
    created_at: datetime
    parent_id: relay.GlobalID | None
    owner_id: relay.GlobalID | None
    row: strawberry.Private[CampaignRow]

    parent: Campaign | None = related(CAMPAIGN_PARENT)
    owner: User | None = related(CAMPAIGN_OWNER)

    @strawberry.field(metadata=reads(CAMPAIGN_CHILDREN), description="Its sub-campaigns.")
    async def children(self, info: Info) -> list[Campaign]:
        return await read_many(info, CAMPAIGN_CHILDREN, self)

    @strawberry.field(metadata=reads(CAMPAIGN_STATUSES), description="Its member statuses.")
    async def member_statuses(self, info: Info) -> list[MemberStatus]:
        return await read_many(info, CAMPAIGN_STATUSES, self)

    @strawberry.field(metadata=reads(CAMPAIGN_COSTS), description="Its cost lines.")
    async def costs(self, info: Info) -> list[CampaignCost]:
        return await read_many(info, CAMPAIGN_COSTS, self)

    @strawberry.field(metadata=reads(CAMPAIGN_SEGMENTS), description="Its target segments.")
    async def segments(self, info: Info) -> list[Segment]:
        return await read_many(info, CAMPAIGN_SEGMENTS, self)


CAMPAIGN_FILTERS = {
    "name": Filterable(StringFilter, CampaignRow.name),
    "channel": Filterable(StringFilter, CampaignRow.channel),
    "status": Filterable(
        list[CampaignStatus], Custom(lambda v: CampaignRow.status.in_([s.value for s in v]))
    ),
    "parent": Filterable(IDFilter, CampaignRow.parent_id),
    "owner": Filterable(IDFilter, CampaignRow.owner_id),
    "starts_on": Filterable(DateFilter, CampaignRow.starts_on),
    "budget": Filterable(DecimalFilter, CampaignRow.budget),
}


@filter_input(CAMPAIGN_FILTERS, description="Conditions on campaigns; all given must hold.")
class CampaignFilter: ...


@order_input({"NAME": "name", "STARTS_ON": "starts_on", "CREATED_AT": "created_at"})
class CampaignOrder: ...


CAMPAIGNS = filtered_listing(lambda: Campaign, CAMPAIGN_FILTERS, BY_NAME)

COST_FILTERS = {
    "campaign": Filterable(IDFilter, CostRow.campaign_id),
    "category": Filterable(StringFilter, CostRow.category),
    "supplier": Filterable(StringFilter, CostRow.supplier),
    "approved": Filterable(BooleanFilter, CostRow.approved),
    "incurred_on": Filterable(DateFilter, CostRow.incurred_on),
    "amount": Filterable(DecimalFilter, CostRow.amount),
}


@filter_input(COST_FILTERS, description="Conditions on cost lines; all given must hold.")
class CampaignCostFilter: ...


@order_input({"INCURRED_ON": "incurred_on", "AMOUNT": "amount"})
class CampaignCostOrder: ...


COSTS = filtered_listing(lambda: CampaignCost, COST_FILTERS, [("incurred_on", OrderDirection.ASC)])


@strawberry.type
class CampaignQueries:
    campaigns: Connection[Campaign] = connection(
        CAMPAIGNS,
        filter=CampaignFilter,
        order=CampaignOrder,
        description="Campaigns, filtered and ordered, a page at a time.",
    )
    campaign_costs: Connection[CampaignCost] = connection(
        COSTS,
        filter=CampaignCostFilter,
        order=CampaignCostOrder,
        description="Cost lines of every campaign.",
    )

    @strawberry.field(description="The channels campaigns can use here, built-in ones first.")
    async def campaign_channels(self, info: Info) -> list[CampaignChannel]:
        context = context_of(info)
        context.require(READ)
        async with context.db():
            known = await service.channel_keys(context.operation)
        return [
            CampaignChannel(key=key, label=label, built_in=key in service.BUILTIN_CHANNELS)
            for key, label in known.items()
        ]


@strawberry.input(
    description="The fields to change: a field left out is kept, an explicit null clears it "
    "(refused for `name`, `channel`, `currency` and `segmentIds`; an empty list removes every "
    "segment)."
)
class UpdateCampaignInput:
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    parent_id: relay.GlobalID | None = strawberry.UNSET
    channel: str | None = strawberry.UNSET
    starts_on: date | None = strawberry.UNSET
    ends_on: date | None = strawberry.UNSET
    currency: str | None = strawberry.UNSET
    budget: Decimal | None = strawberry.UNSET
    expected_revenue: Decimal | None = strawberry.UNSET
    expected_response: int | None = strawberry.UNSET
    owner_id: relay.GlobalID | None = strawberry.UNSET
    segment_ids: list[relay.GlobalID] | None = strawberry.UNSET
    email_subject: str | None = strawberry.UNSET
    email_body: str | None = strawberry.UNSET
    email_from: str | None = strawberry.UNSET
    topic: str | None = strawberry.UNSET

    def to_fields(self) -> service.CampaignFields:
        return to_service_fields(
            self,
            service.CampaignFields,
            id_types={"parent_id": "Campaign", "owner_id": "User", "segment_ids": "Segment"},
        )


@strawberry.input(description="A new campaign: its name, channel and currency.")
class CreateCampaignInput(UpdateCampaignInput):
    name: str
    channel: str
    currency: str


@strawberry.input(
    description="The fields to change: a field left out is kept; a status needs every one of "
    "them, so an explicit null is refused."
)
class UpdateMemberStatusInput:
    name: str | None = strawberry.UNSET
    responded: bool | None = strawberry.UNSET
    is_default: bool | None = strawberry.UNSET
    position: int | None = strawberry.UNSET

    def to_fields(self) -> service.StatusFields:
        return to_service_fields(self, service.StatusFields)


@strawberry.input(description="A new member status: its name.")
class CreateMemberStatusInput(UpdateMemberStatusInput):
    name: str


@strawberry.input
class CampaignCostInput:
    campaign_id: relay.GlobalID
    category: str
    amount: Decimal
    incurred_on: date
    currency: str | None = None
    supplier: str | None = None
    reference: str | None = None
    approved: bool = False


@strawberry.type
class CampaignPayload:
    campaign: Campaign | None
    errors: list[UserError]


@strawberry.type
class MemberStatusPayload:
    member_status: MemberStatus | None
    errors: list[UserError]


@strawberry.type
class CampaignCostPayload:
    cost: CampaignCost | None
    errors: list[UserError]


@strawberry.type
class CampaignChannelPayload:
    channel: CampaignChannel | None
    errors: list[UserError]


def _campaign(result: tuple[Any, list[UserError]]) -> CampaignPayload:
    row, errors = result
    return CampaignPayload(campaign=Campaign.from_model(row) if row else None, errors=errors)


def _status(result: tuple[Any, list[UserError]]) -> MemberStatusPayload:
    row, errors = result
    return MemberStatusPayload(
        member_status=MemberStatus.from_model(row) if row else None, errors=errors
    )


def _cost(result: tuple[Any, list[UserError]]) -> CampaignCostPayload:
    row, errors = result
    return CampaignCostPayload(cost=CampaignCost.from_model(row) if row else None, errors=errors)


def _transition(to: str, description: str) -> Any:
    async def resolve(self: Any, info: Info, id: relay.GlobalID) -> CampaignPayload:
        async def work(op: Any) -> CampaignRow:
            return await service.change_status(op, row_id_of(id, "Campaign", "id"), to)

        return _campaign(await mutate(info, WRITE, work))

    return strawberry.mutation(resolver=resolve, description=description)


@strawberry.type
class CampaignMutations:
    @strawberry.mutation(description="Plan a campaign; it gets the default member statuses.")
    async def create_campaign(self, info: Info, input: CreateCampaignInput) -> CampaignPayload:
        async def work(op: Any) -> CampaignRow:
            return await service.create_campaign(op, input.to_fields())

        return _campaign(await mutate(info, WRITE, work))

    @strawberry.mutation(description="Refused once the campaign is completed or aborted.")
    async def update_campaign(
        self, info: Info, id: relay.GlobalID, input: UpdateCampaignInput
    ) -> CampaignPayload:
        async def work(op: Any) -> CampaignRow:
            return await service.update_campaign(
                op, row_id_of(id, "Campaign", "id"), input.to_fields()
            )

        return _campaign(await mutate(info, WRITE, work))

    activate_campaign = _transition("active", "PLANNED -> ACTIVE.")
    complete_campaign = _transition("completed", "ACTIVE -> COMPLETED.")
    abort_campaign = _transition("aborted", "PLANNED or ACTIVE -> ABORTED.")

    @strawberry.mutation(description="Let this workspace's campaigns use another channel.")
    async def add_campaign_channel(
        self, info: Info, key: str, label: str
    ) -> CampaignChannelPayload:
        async def work(op: Any) -> ChannelRow:
            return await service.add_channel(op, key, label)

        row, errors = await mutate(info, MANAGE, work)
        if row is None:
            return CampaignChannelPayload(channel=None, errors=errors)
        return CampaignChannelPayload(
            channel=CampaignChannel(key=row.key, label=row.label, built_in=False), errors=[]
        )

    @strawberry.mutation
    async def add_member_status(
        self, info: Info, campaign_id: relay.GlobalID, input: CreateMemberStatusInput
    ) -> MemberStatusPayload:
        async def work(op: Any) -> StatusRow:
            campaign = row_id_of(campaign_id, "Campaign", "campaignId")
            return await service.add_member_status(op, campaign, input.to_fields())

        return _status(await mutate(info, WRITE, work))

    @strawberry.mutation(description="Keeps exactly one default and at least one responded.")
    async def update_member_status(
        self, info: Info, id: relay.GlobalID, input: UpdateMemberStatusInput
    ) -> MemberStatusPayload:
        async def work(op: Any) -> StatusRow:
            return await service.update_member_status(
                op, row_id_of(id, "MemberStatus", "id"), input.to_fields()
            )

        return _status(await mutate(info, WRITE, work))

    @strawberry.mutation(description="Refused for a status members have or had.")
    async def remove_member_status(self, info: Info, id: relay.GlobalID) -> MemberStatusPayload:
        async def work(op: Any) -> StatusRow:
            return await service.remove_member_status(op, row_id_of(id, "MemberStatus", "id"))

        return _status(await mutate(info, WRITE, work))

    @strawberry.mutation(description="An expense line, in the campaign's currency.")
    async def record_campaign_cost(
        self, info: Info, input: CampaignCostInput
    ) -> CampaignCostPayload:
        async def work(op: Any) -> CostRow:
            return await cost_service.record_cost(
                op,
                cost_service.CostFields(
                    campaign_id=row_id_of(input.campaign_id, "Campaign", "input.campaignId"),
                    category=input.category,
                    amount=input.amount,
                    incurred_on=input.incurred_on,
                    currency=input.currency,
                    supplier=input.supplier,
                    reference=input.reference,
                    approved=input.approved,
                ),
            )

        return _cost(await mutate(info, WRITE, work))

    @strawberry.mutation(description="Approved lines are the actual cost; approval is final.")
    async def approve_campaign_cost(self, info: Info, id: relay.GlobalID) -> CampaignCostPayload:
        async def work(op: Any) -> CostRow:
            return await cost_service.approve_cost(op, row_id_of(id, "CampaignCost", "id"))

        return _cost(await mutate(info, MANAGE, work))

    @strawberry.mutation(description="Remove an unapproved cost line.")
    async def withdraw_campaign_cost(self, info: Info, id: relay.GlobalID) -> CampaignCostPayload:
        async def work(op: Any) -> CostRow:
            return await cost_service.withdraw_cost(op, row_id_of(id, "CampaignCost", "id"))

        return _cost(await mutate(info, WRITE, work))
