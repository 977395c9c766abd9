"""Marketing analytics in GraphQL: performance and ROI, attribution, audiences, overlap."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, cast

import strawberry
from sqlalchemy import func, select
from strawberry import relay

from rapport.core import ages_today as today
from rapport.plugins.marketing.analytics import attribution, audience, overlap, performance
from rapport.plugins.marketing.models import Campaign as CampaignRow
from rapport.plugins.marketing.models import Segment as SegmentRow
from rapport.plugins.marketing.schema.campaigns import Campaign
from rapport.plugins.marketing.schema.common import READ
from rapport.plugins.marketing.services.segments import member_ids
from rapport.plugins.sales.models import Order, Payment
from rapport.plugins.sales.schema.common import PeriodInput
from rapport.plugins.sales.services.common import money
from rapport.schema import BadRequest, Info, argument_row_id, context_of

__all__ = ["AnalyticsQueries"]

AttributionModel: Any = strawberry.enum(
    cast(type[Enum], Enum("AttributionModel", {m.name: m.value for m in attribution.Model})),
    description="How an opportunity's credit is shared among the campaign touches before it.",
)
AudienceDimension: Any = strawberry.enum(
    cast(type[Enum], Enum("AudienceDimension", {d.name: d.value for d in audience.Dimension})),
    description="A customer attribute to group an audience by.",
)
WindowDays = Annotated[
    int, strawberry.argument(description="Days before an opportunity's creation that count.")
]
WINDOW = attribution.DEFAULT_WINDOW_DAYS


@strawberry.type(description="What a campaign and its sub-campaigns reached, cost and returned.")
class CampaignPerformance:
    campaign: Campaign
    currency: str
    members: int
    responders: int
    responses: int
    response_rate: Decimal | None = strawberry.field(description="Responders / members.")
    leads: int
    converted_leads: int
    opportunities: int = strawberry.field(description="Opportunities the campaigns have credit in.")
    won_amount: Decimal = strawberry.field(description="Won amount times the credit.")
    attributed_payments: Decimal = strawberry.field(
        description="Payments received on credited opportunities, times the credit."
    )
    actual_cost: Decimal = strawberry.field(description="Approved cost lines.")
    budget: Decimal | None = strawberry.field(description="The campaign's own budget.")
    hierarchy_budget: Decimal | None = strawberry.field(description="Budgets over the hierarchy.")
    budget_remaining: Decimal | None = strawberry.field(description="Own budget - actual cost.")
    cost_per_lead: Decimal | None
    cost_per_response: Decimal | None
    roi: Decimal | None = strawberry.field(
        description="(attributed payments - actual cost) / actual cost; null without cost."
    )


@strawberry.type
class AttributionShare:
    campaign: Campaign
    share: Decimal = strawberry.field(description="Of the opportunity's credit, 0 to 1.")
    attributed_payments: Decimal


@strawberry.type
class AudienceValue:
    dimension: AudienceDimension
    value: str | None


@strawberry.type
class AudienceGroup:
    values: list[AudienceValue]
    members: int
    responders: int
    buyers: int
    revenue: Decimal


@strawberry.type
class SegmentOverlap:
    first: int
    second: int
    both: int
    only_first: int
    only_second: int
    jaccard: Decimal | None = strawberry.field(description="Both / either.")


def _performance(row: performance.CampaignPerformance) -> CampaignPerformance:
    return CampaignPerformance(
        campaign=Campaign.from_model(row.campaign),
        currency=row.campaign.currency,
        members=row.members,
        responders=row.responders,
        responses=row.responses,
        response_rate=row.response_rate,
        leads=row.leads,
        converted_leads=row.converted_leads,
        opportunities=row.opportunities,
        won_amount=row.won_amount,
        attributed_payments=row.attributed_payments,
        actual_cost=row.actual_cost,
        budget=row.campaign.budget,
        hierarchy_budget=row.hierarchy_budget,
        budget_remaining=row.budget_remaining,
        cost_per_lead=row.cost_per_lead,
        cost_per_response=row.cost_per_response,
        roi=row.roi,
    )


def _window(days: int) -> int:
    if not 0 <= days <= 3660:
        raise BadRequest("windowDays: 0 to 3660")
    return days


async def _segment(context: Any, global_id: relay.GlobalID, name: str) -> SegmentRow:
    row_id = argument_row_id(global_id, "Segment", name)
    op = context.operation
    segment = await op.session.get(SegmentRow, (op.workspace_id, row_id))
    if segment is None:
        raise BadRequest(f"{name}: no such segment")
    return segment


@strawberry.type
class AnalyticsQueries:
    @strawberry.field(
        description="Each campaign asked for (all without campaignId), rolled up over its "
        "sub-campaigns; with a period, only what happened in it counts."
    )
    async def campaign_performance(
        self,
        info: Info,
        campaign_id: relay.GlobalID | None = None,
        period: PeriodInput | None = None,
        model: AttributionModel = AttributionModel.LINEAR,
        window_days: WindowDays = WINDOW,
    ) -> list[CampaignPerformance]:
        context = context_of(info)
        context.require(READ)
        ids = [argument_row_id(campaign_id, "Campaign", "campaignId")] if campaign_id else None
        chosen = attribution.Model(model.value)
        async with context.db() as session:
            rows = await performance.campaign_performance(
                session,
                ids,
                chosen,
                period.to_period() if period else None,
                _window(window_days),
            )
        return [_performance(row) for row in rows]

    @strawberry.field(description="How one opportunity's credit is shared among campaigns.")
    async def opportunity_attribution(
        self,
        info: Info,
        opportunity_id: relay.GlobalID,
        model: AttributionModel = AttributionModel.LINEAR,
        window_days: WindowDays = WINDOW,
    ) -> list[AttributionShare]:
        context = context_of(info)
        context.require(READ)
        opportunity = argument_row_id(opportunity_id, "Opportunity", "opportunityId")
        credit = attribution.credits(attribution.Model(model.value), _window(window_days))
        paid = (
            select(func.coalesce(func.sum(Payment.amount), 0))
            .join(Order, Order.id == Payment.order_id)
            .where(Order.opportunity_id == opportunity)
            .scalar_subquery()
        )
        statement = (
            select(CampaignRow, func.sum(credit.c.weight), func.sum(credit.c.weight) * paid)
            .join(credit, credit.c.campaign_id == CampaignRow.id)
            .where(credit.c.opportunity_id == opportunity)
            .group_by(CampaignRow.workspace_id, CampaignRow.id)
            .order_by(CampaignRow.name, CampaignRow.id)
        )
        async with context.db() as session:
            rows = (await session.execute(statement)).all()
        return [
            AttributionShare(
                campaign=Campaign.from_model(row),
                share=Decimal(str(share)).quantize(Decimal("0.0001")),
                attributed_payments=money(Decimal(str(amount or 0))),
            )
            for row, share, amount in rows
        ]

    @strawberry.field(
        description="A segment's or a campaign's customers grouped by who they are: members, "
        "responders, buyers and revenue per group."
    )
    async def audience_analysis(
        self,
        info: Info,
        by: list[AudienceDimension],
        segment_id: relay.GlobalID | None = None,
        campaign_id: relay.GlobalID | None = None,
        model: AttributionModel = AttributionModel.LINEAR,
        currency: Annotated[
            str | None, strawberry.argument(description="Segments: the currency of revenue.")
        ] = None,
        window_days: WindowDays = WINDOW,
    ) -> list[AudienceGroup]:
        context = context_of(info)
        context.require(READ)
        if (segment_id is None) == (campaign_id is None):
            raise BadRequest("give segmentId or campaignId (one of the two)")
        if not by:
            raise BadRequest("by: at least one dimension")
        dimensions = [audience.Dimension(d.value) for d in dict.fromkeys(by)]
        async with context.db() as session:
            if segment_id is not None:
                if not currency:
                    raise BadRequest("currency: needed for a segment's revenue")
                segment = await _segment(context, segment_id, "segmentId")
                members = await member_ids(context.operation, segment)
                groups = await audience.audience_of_segment(
                    session, members, dimensions, currency, today()
                )
            else:
                assert campaign_id is not None
                row_id = argument_row_id(campaign_id, "Campaign", "campaignId")
                campaign = await session.get(CampaignRow, (context.operation.workspace_id, row_id))
                if campaign is None:
                    raise BadRequest("campaignId: no such campaign")
                groups = await audience.audience_of_campaign(
                    session,
                    campaign,
                    dimensions,
                    attribution.Model(model.value),
                    today(),
                    _window(window_days),
                )
        return [
            AudienceGroup(
                values=[
                    AudienceValue(dimension=AudienceDimension(d.value), value=v)
                    for d, v in group.values.items()
                ],
                members=group.members,
                responders=group.responders,
                buyers=group.buyers,
                revenue=group.revenue,
            )
            for group in groups
        ]

    @strawberry.field(description="How many customers two segments share.")
    async def segment_overlap(
        self, info: Info, first: relay.GlobalID, second: relay.GlobalID
    ) -> SegmentOverlap:
        context = context_of(info)
        context.require(READ)
        async with context.db() as session:
            a = await _segment(context, first, "first")
            b = await _segment(context, second, "second")
            found = await overlap.segment_overlap(
                session,
                await member_ids(context.operation, a),
                await member_ids(context.operation, b),
            )
        return SegmentOverlap(
            first=found.first,
            second=found.second,
            both=found.both,
            only_first=found.only_first,
            only_second=found.only_second,
            jaccard=found.jaccard,
        )
