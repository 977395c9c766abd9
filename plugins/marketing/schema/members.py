"""Campaign members and their responses in GraphQL: lists, adding, and reporting responses."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, cast

import strawberry
from strawberry import relay

from rapport.core import DomainError
from rapport.plugins.marketing.models import CampaignMember as MemberRow
from rapport.plugins.marketing.models import MemberResponse as ResponseRow
from rapport.plugins.marketing.schema.campaigns import Campaign, MemberStatus
from rapport.plugins.marketing.schema.common import READ, WRITE, Delivery
from rapport.plugins.marketing.schema.segments import Segment
from rapport.plugins.marketing.services import members as service
from rapport.plugins.sales.schema.leads import Lead
from rapport.schema import (
    BooleanFilter,
    Connection,
    Custom,
    Customer,
    DateTimeFilter,
    Filterable,
    IDFilter,
    Info,
    ModelNode,
    OrderDirection,
    Reference,
    ToMany,
    ToOne,
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
    reads,
    related,
    row_id_of,
    user_errors,
)

__all__ = ["CampaignMember", "MemberMutations", "MemberQueries", "MemberResponse"]


@strawberry.type(description="A status a member entered: when, and who or what reported it.")
class MemberResponse(ModelNode):
    __model__ = ResponseRow
    __permission__ = READ
    __columns__ = columns(
        "responded",
        "occurred_at",
        "source",
        member_id=Reference("CampaignMember", "member_id"),
        campaign_id=Reference("Campaign", "campaign_id"),
    )

    id: relay.NodeID[str]
    responded: bool
    occurred_at: datetime
    source: str | None
    member_id: relay.GlobalID
    campaign_id: relay.GlobalID
    row: strawberry.Private[ResponseRow]

    status: MemberStatus | None = related(ToOne(lambda: MemberStatus, lambda s: s.row.status_id))


MEMBER_RESPONSES = ToMany(
    target=lambda: MemberResponse,
    link=lambda s: s.row.member_id == s.parent_row.id,
    order=lambda s: list_order(s.row, None, [("occurred_at", OrderDirection.ASC)]),
)


@strawberry.type(description="A customer or a lead in a campaign, with its status.")
class CampaignMember(ModelNode):
    __model__ = MemberRow
    __permission__ = READ
    __columns__ = columns(
        "first_responded_at",
        "delivery",
        "delivery_error",
        "sent_at",
        "created_at",
        campaign_id=Reference("Campaign", "campaign_id"),
        customer_id=Reference("Customer", "customer_id"),
        lead_id=Reference("Lead", "lead_id"),
        segment_id=Reference("Segment", "segment_id"),
    )

    id: relay.NodeID[str]
    first_responded_at: datetime | None
    delivery: Delivery | None
    delivery_error: str | None
    sent_at: datetime | None
    created_at: datetime
    campaign_id: relay.GlobalID
    customer_id: relay.GlobalID | None
    lead_id: relay.GlobalID | None
    segment_id: relay.GlobalID | None = strawberry.field(description="Added from this segment.")
    row: strawberry.Private[MemberRow]

    campaign: Campaign | None = related(ToOne(lambda: Campaign, lambda s: s.row.campaign_id))
    status: MemberStatus | None = related(ToOne(lambda: MemberStatus, lambda s: s.row.status_id))
    customer: Customer | None = related(ToOne(lambda: Customer, lambda s: s.row.customer_id))
    lead: Lead | None = related(ToOne(lambda: Lead, lambda s: s.row.lead_id))
    segment: Segment | None = related(ToOne(lambda: Segment, lambda s: s.row.segment_id))

    @strawberry.field(metadata=reads(MEMBER_RESPONSES), description="Every status it entered.")
    async def responses(self, info: Info) -> list[MemberResponse]:
        return await read_many(info, MEMBER_RESPONSES, self)


MEMBER_FILTERS = {
    "campaign": Filterable(IDFilter, MemberRow.campaign_id),
    "customer": Filterable(IDFilter, MemberRow.customer_id),
    "lead": Filterable(IDFilter, MemberRow.lead_id),
    "segment": Filterable(IDFilter, MemberRow.segment_id),
    "status": Filterable(IDFilter, MemberRow.status_id),
    "delivery": Filterable(
        list[Delivery], Custom(lambda v: MemberRow.delivery.in_([d.value for d in v]))
    ),
    "responded": Filterable(
        bool,
        Custom(
            lambda v: (
                MemberRow.first_responded_at.is_not(None)
                if v
                else MemberRow.first_responded_at.is_(None)
            )
        ),
        "Whether it reached a responded status.",
    ),
    "created_at": Filterable(DateTimeFilter, MemberRow.created_at),
}


@filter_input(MEMBER_FILTERS, description="Conditions on campaign members; all given must hold.")
class CampaignMemberFilter: ...


@order_input({"CREATED_AT": "created_at", "FIRST_RESPONDED_AT": "first_responded_at"})
class CampaignMemberOrder: ...


MEMBERS = filtered_listing(
    lambda: CampaignMember, MEMBER_FILTERS, [("created_at", OrderDirection.ASC)]
)

RESPONSE_FILTERS = {
    "campaign": Filterable(IDFilter, ResponseRow.campaign_id),
    "member": Filterable(IDFilter, ResponseRow.member_id),
    "customer": Filterable(IDFilter, ResponseRow.customer_id),
    "lead": Filterable(IDFilter, ResponseRow.lead_id),
    "responded": Filterable(BooleanFilter, ResponseRow.responded),
    "occurred_at": Filterable(DateTimeFilter, ResponseRow.occurred_at),
}


@filter_input(RESPONSE_FILTERS, description="Conditions on member responses; all given must hold.")
class MemberResponseFilter: ...


@order_input({"OCCURRED_AT": "occurred_at"})
class MemberResponseOrder: ...


RESPONSES = filtered_listing(
    lambda: MemberResponse, RESPONSE_FILTERS, [("occurred_at", OrderDirection.ASC)]
)


@strawberry.type
class MemberQueries:
    campaign_members: Connection[CampaignMember] = connection(
        MEMBERS,
        filter=CampaignMemberFilter,
        order=CampaignMemberOrder,
        description="Campaign members, filtered and ordered, a page at a time.",
    )
    member_responses: Connection[MemberResponse] = connection(
        RESPONSES,
        filter=MemberResponseFilter,
        order=MemberResponseOrder,
        description="Status changes of campaign members, oldest first.",
    )


ExclusionReasonEnum: Any = strawberry.enum(
    cast(
        type[Enum],
        Enum("MemberExclusionReason", {r.upper(): r for r in service.EXCLUSION_REASONS}),
    ),
    description="Why a segment's customer was not added to a campaign.",
)


@strawberry.type
class MemberExclusion:
    customer_id: relay.GlobalID
    reason: ExclusionReasonEnum


@strawberry.type
class ExclusionCount:
    reason: ExclusionReasonEnum
    count: int


@strawberry.type
class AddSegmentMembersPayload:
    campaign: Campaign | None
    added: int
    excluded: list[MemberExclusion] = strawberry.field(description="Each customer left out, why.")
    excluded_counts: list[ExclusionCount]
    errors: list[UserError]


@strawberry.type
class CampaignMemberPayload:
    member: CampaignMember | None
    errors: list[UserError]


@strawberry.input
class CampaignMemberInput:
    campaign_id: relay.GlobalID
    customer_id: relay.GlobalID | None = None
    lead_id: relay.GlobalID | None = None


@strawberry.input
class MemberResponseInput:
    member_id: relay.GlobalID
    status: str = strawberry.field(description="The name of one of the campaign's statuses.")
    occurred_at: datetime | None = None
    source: str | None = strawberry.field(default=None, description="Who or what reports it.")

    def to_fields(self, prefix: str) -> service.ResponseFields:
        return service.ResponseFields(
            member_id=row_id_of(self.member_id, "CampaignMember", f"{prefix}memberId"),
            status=self.status,
            occurred_at=self.occurred_at,
            source=self.source,
        )


@strawberry.type
class MemberResponseResult:
    index: int
    member: CampaignMember | None
    errors: list[UserError]


@strawberry.type
class RecordResponsesPayload:
    results: list[MemberResponseResult]
    recorded: int


def _member(result: tuple[Any, list[UserError]]) -> CampaignMemberPayload:
    row, errors = result
    return CampaignMemberPayload(
        member=CampaignMember.from_model(row) if row else None, errors=errors
    )


def _gid(type_name: str, row_id: Any) -> relay.GlobalID:
    return relay.GlobalID(type_name, str(row_id))


@strawberry.type
class MemberMutations:
    @strawberry.mutation(
        description="Add a segment's customers; do-not-contact, opt-outs, existing members and "
        "(for email) those without an address are left out and reported."
    )
    async def add_segment_to_campaign(
        self, info: Info, campaign_id: relay.GlobalID, segment_id: relay.GlobalID
    ) -> AddSegmentMembersPayload:
        async def work(op: Any) -> service.AddedMembers:
            return await service.add_segment_members(
                op,
                row_id_of(campaign_id, "Campaign", "campaignId"),
                row_id_of(segment_id, "Segment", "segmentId"),
            )

        result, errors = await mutate(info, WRITE, work)
        if result is None:
            return AddSegmentMembersPayload(
                campaign=None, added=0, excluded=[], excluded_counts=[], errors=errors
            )
        return AddSegmentMembersPayload(
            campaign=Campaign.from_model(result.campaign),
            added=result.added,
            excluded=[
                MemberExclusion(
                    customer_id=_gid("Customer", item.customer_id),
                    reason=ExclusionReasonEnum(item.reason),
                )
                for item in result.excluded
            ],
            excluded_counts=[
                ExclusionCount(reason=ExclusionReasonEnum(reason), count=count)
                for reason, count in result.counts().items()
            ],
            errors=[],
        )

    @strawberry.mutation(description="Add one customer or lead; refused for the same reasons.")
    async def add_campaign_member(
        self, info: Info, input: CampaignMemberInput
    ) -> CampaignMemberPayload:
        async def work(op: Any) -> MemberRow:
            return await service.add_member(
                op,
                row_id_of(input.campaign_id, "Campaign", "input.campaignId"),
                customer_id=optional_row_id_of(input.customer_id, "Customer", "input.customerId"),
                lead_id=optional_row_id_of(input.lead_id, "Lead", "input.leadId"),
            )

        return _member(await mutate(info, WRITE, work))

    @strawberry.mutation(description="Move a member to another status, keeping the change.")
    async def record_member_response(
        self, info: Info, input: MemberResponseInput
    ) -> CampaignMemberPayload:
        async def work(op: Any) -> MemberRow:
            return await service.record_response(op, input.to_fields("input."))

        return _member(await mutate(info, WRITE, work))

    @strawberry.mutation(
        description="A bounce or failure reported after sending, by a bounce processor."
    )
    async def record_member_delivery(
        self, info: Info, member_id: relay.GlobalID, delivery: Delivery, error: str | None = None
    ) -> CampaignMemberPayload:
        async def work(op: Any) -> MemberRow:
            return await service.record_delivery_failure(
                op, row_id_of(member_id, "CampaignMember", "memberId"), delivery.value, error
            )

        return _member(await mutate(info, WRITE, work))

    @strawberry.mutation(
        description="Responses reported by an outside tool, each recorded or refused alone."
    )
    async def record_member_responses(
        self, info: Info, inputs: list[MemberResponseInput]
    ) -> RecordResponsesPayload:
        async def work(op: Any) -> list[MemberResponseResult]:
            results = []
            for index, item in enumerate(inputs):
                prefix = f"inputs.{index}."
                try:
                    async with op.savepoint():
                        member = await service.record_response(op, item.to_fields(prefix), prefix)
                except DomainError as error:
                    results.append(
                        MemberResponseResult(index=index, member=None, errors=user_errors(error))
                    )
                else:
                    results.append(
                        MemberResponseResult(
                            index=index, member=CampaignMember.from_model(member), errors=[]
                        )
                    )
            return results

        found, errors = await mutate(info, WRITE, work)
        results = found or [
            MemberResponseResult(index=i, member=None, errors=errors) for i in range(len(inputs))
        ]
        return RecordResponsesPayload(
            results=results, recorded=sum(1 for r in results if not r.errors)
        )
