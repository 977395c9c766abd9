"""Who the audience is: a segment's or a campaign's customers grouped by who they are.

Per group of the chosen dimensions (industry, occupation, age band, region, ...): members,
responders, buyers and revenue. For a campaign (its sub-campaigns included) responders
answered it, buyers are those with payments credited to it and revenue is that credit under
the attribution model. For a segment responders answered any campaign, buyers have paid
anything and revenue is what they paid, in the currency asked. Only customers have these
attributes: a campaign's leads count once converted, as the customer they became.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import CompoundSelect, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import Customer, age_band_sql
from rapport.plugins.marketing.analytics.attribution import DEFAULT_WINDOW_DAYS, Model, credits
from rapport.plugins.marketing.analytics.performance import campaign_tree
from rapport.plugins.marketing.models import Campaign, CampaignMember, MemberResponse
from rapport.plugins.sales.models import Lead, Opportunity, Order, Payment
from rapport.plugins.sales.services.common import money

__all__ = ["AudienceGroup", "Dimension", "audience_of_campaign", "audience_of_segment"]


class Dimension(Enum):
    INDUSTRY = "industry"
    OCCUPATION = "occupation"
    AGE_BAND = "age_band"
    REGION = "region"
    LIFECYCLE_STATUS = "lifecycle_status"
    KIND = "kind"
    SOURCE_CHANNEL = "source_channel"
    VALUE_GRADE = "value_grade"


def _column(dimension: Dimension, today: Any) -> Any:
    if dimension is Dimension.AGE_BAND:
        return age_band_sql(Customer.birth_date, today)
    return getattr(Customer, dimension.value)


@dataclass
class AudienceGroup:
    values: dict[Dimension, str | None]
    members: int
    responders: int
    buyers: int
    revenue: Decimal


async def _groups(
    session: AsyncSession,
    population: Select[Any] | CompoundSelect[Any],
    by: list[Dimension],
    today: Any,
    responders: Select[Any] | CompoundSelect[Any],
    revenue: Any,
) -> list[AudienceGroup]:
    """``population``: customer ids; ``responders``: customer ids; ``revenue``: a subquery of
    ``(customer_id, amount)`` rows."""
    columns = [_column(d, today).label(d.value) for d in by]
    people = population.subquery("population")
    answered = responders.subquery("answered")
    paid = (
        select(revenue.c.customer_id, func.sum(revenue.c.amount).label("amount"))
        .group_by(revenue.c.customer_id)
        .subquery("paid")
    )
    # Grouped by the columns of a subquery: PostgreSQL needs the GROUP BY to be the very
    # expression selected, and an age band written twice binds its parameters twice.
    attributes = (
        select(Customer.id.label("customer_id"), *columns)
        .join(people, people.c[0] == Customer.id)
        .subquery("attributes")
    )
    groups = [attributes.c[d.value] for d in by]
    statement = (
        select(
            *groups,
            func.count(attributes.c.customer_id),
            func.count(answered.c.customer_id),
            func.count(paid.c.customer_id),
            func.sum(paid.c.amount),
        )
        .select_from(attributes)
        .outerjoin(answered, answered.c.customer_id == attributes.c.customer_id)
        .outerjoin(paid, paid.c.customer_id == attributes.c.customer_id)
        .group_by(*groups)
        .order_by(func.count(attributes.c.customer_id).desc(), *groups)
    )
    found = []
    for row in await session.execute(statement):
        values = dict(zip(by, row[: len(by)], strict=True))
        members, responded, buyers, amount = row[len(by) :]
        found.append(
            AudienceGroup(
                values,
                members,
                responded,
                buyers,
                money(Decimal(str(amount))) if amount is not None else Decimal("0.00"),
            )
        )
    return found


async def audience_of_segment(
    session: AsyncSession, members: Select[Any], by: list[Dimension], currency: str, today: Any
) -> list[AudienceGroup]:
    responders = (
        select(MemberResponse.customer_id.label("customer_id"))
        .where(MemberResponse.responded.is_(True), MemberResponse.customer_id.is_not(None))
        .distinct()
    )
    revenue = (
        select(Payment.customer_id.label("customer_id"), Payment.amount.label("amount"))
        .where(Payment.currency == currency)
        .subquery("revenue")
    )
    return await _groups(session, members, by, today, responders, revenue)


async def audience_of_campaign(
    session: AsyncSession,
    campaign: Campaign,
    by: list[Dimension],
    model: Model,
    today: Any,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> list[AudienceGroup]:
    tree = campaign_tree()
    below = select(tree.c.descendant).where(tree.c.ancestor == campaign.id)
    converted = (
        select(Lead.customer_id)
        .join(CampaignMember, CampaignMember.lead_id == Lead.id)
        .where(CampaignMember.campaign_id.in_(below), Lead.customer_id.is_not(None))
    )
    population = (
        select(CampaignMember.customer_id)
        .where(CampaignMember.campaign_id.in_(below), CampaignMember.customer_id.is_not(None))
        .union(converted)
    )
    answered_leads = (
        select(Lead.customer_id.label("customer_id"))
        .join(MemberResponse, MemberResponse.lead_id == Lead.id)
        .where(
            MemberResponse.campaign_id.in_(below),
            MemberResponse.responded.is_(True),
            Lead.customer_id.is_not(None),
        )
    )
    responders = (
        select(MemberResponse.customer_id.label("customer_id"))
        .where(
            MemberResponse.campaign_id.in_(below),
            MemberResponse.responded.is_(True),
            MemberResponse.customer_id.is_not(None),
        )
        .union(answered_leads)
    )
    credit = credits(model, window_days)
    shares = (
        select(credit.c.opportunity_id, func.sum(credit.c.weight).label("share"))
        .where(credit.c.campaign_id.in_(below))
        .group_by(credit.c.opportunity_id)
        .subquery("shares")
    )
    revenue = (
        select(
            Opportunity.customer_id.label("customer_id"),
            (Payment.amount * shares.c.share).label("amount"),
        )
        .select_from(shares)
        .join(Opportunity, Opportunity.id == shares.c.opportunity_id)
        .join(Order, Order.opportunity_id == Opportunity.id)
        .join(Payment, Payment.order_id == Order.id)
        .where(Payment.currency == campaign.currency, shares.c.share > 0)
        .subquery("revenue")
    )
    return await _groups(session, population, by, today, responders, revenue)
