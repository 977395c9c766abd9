"""Campaign performance, rolled up over the hierarchy: what a campaign and everything under
it reached, cost and returned.

Each figure is one grouped SQL statement over the (ancestor, descendant) closure of the
campaign tree, so a campaign's row covers its sub-campaigns. Nothing is counted twice: people
are counted once however many sub-campaigns they are in, a cost line belongs to one campaign,
and a payment's credit is its amount times the summed weights of the tree's touches, which
never exceed 1 (see :mod:`attribution`).

- members: distinct customers and leads; responders: those with a responded status;
  responses: response rows to a responded status; response rate = responders / members;
- leads: distinct leads among the members; converted leads: those converted in sales;
- opportunities: those with credit from the tree; won amount: their amount times the credit,
  for those won;
- attributed payments: payments received on those opportunities' orders times the credit;
- actual cost: approved cost lines; budget: the campaign's own, and over the hierarchy;
- cost per lead, cost per response; ROI = (attributed payments - actual cost) / actual cost.

Amounts are in the campaign's currency; payments and deals in another currency are left out.
With a period, payments received, costs incurred, responses and members added in it count.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import CTE, Select, and_, case, distinct, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from rapport.plugins.marketing.analytics.attribution import DEFAULT_WINDOW_DAYS, Model, credits
from rapport.plugins.marketing.models import Campaign, CampaignCost, CampaignMember, MemberResponse
from rapport.plugins.sales.analytics import Period
from rapport.plugins.sales.models import Lead, Opportunity, Order, Payment, Stage
from rapport.plugins.sales.services.common import day_span, money

__all__ = ["CampaignPerformance", "campaign_performance", "campaign_tree"]

ZERO = Decimal("0.00")


def campaign_tree() -> CTE:
    """``(ancestor, descendant)`` for every campaign and each campaign below it, itself included."""
    tree = select(Campaign.id.label("ancestor"), Campaign.id.label("descendant")).cte(
        "campaign_tree", recursive=True
    )
    child = aliased(Campaign)
    return tree.union_all(
        select(tree.c.ancestor, child.id).join(child, child.parent_id == tree.c.descendant)
    )


@dataclass
class CampaignPerformance:
    campaign: Campaign
    members: int = 0
    responders: int = 0
    responses: int = 0
    leads: int = 0
    converted_leads: int = 0
    opportunities: int = 0
    won_amount: Decimal = ZERO
    attributed_payments: Decimal = ZERO
    actual_cost: Decimal = ZERO
    hierarchy_budget: Decimal | None = None

    @property
    def response_rate(self) -> Decimal | None:
        return _ratio(Decimal(self.responders), Decimal(self.members))

    @property
    def budget_remaining(self) -> Decimal | None:
        budget = self.campaign.budget
        return None if budget is None else budget - self.actual_cost

    @property
    def cost_per_lead(self) -> Decimal | None:
        return _money_ratio(self.actual_cost, self.leads)

    @property
    def cost_per_response(self) -> Decimal | None:
        return _money_ratio(self.actual_cost, self.responses)

    @property
    def roi(self) -> Decimal | None:
        if not self.actual_cost:
            return None
        return _ratio(self.attributed_payments - self.actual_cost, self.actual_cost)


def _ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part / whole).quantize(Decimal("0.0001")) if whole else None


def _money_ratio(amount: Decimal, count: int) -> Decimal | None:
    return money(amount / count) if count else None


def _amount(value: Any) -> Decimal:
    # Sums of shares of amounts (amount x attribution weight) have more than two decimals on
    # both engines: rounded to the cent as every amount is.
    return money(Decimal(str(value))) if value is not None else ZERO


async def _grouped(
    session: AsyncSession, statement: Select[Any]
) -> dict[uuid.UUID, tuple[Any, ...]]:
    return {row[0]: tuple(row[1:]) for row in await session.execute(statement)}


async def campaign_performance(
    session: AsyncSession,
    campaign_ids: list[uuid.UUID] | None,
    model: Model,
    period: Period | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> list[CampaignPerformance]:
    """One row per campaign asked for (every campaign without ``campaign_ids``), rolled up."""
    tree = campaign_tree()
    roots = select(Campaign).order_by(Campaign.name, Campaign.id)
    if campaign_ids is not None:
        roots = roots.where(Campaign.id.in_(campaign_ids))
    campaigns = list((await session.execute(roots)).scalars())
    wanted = [c.id for c in campaigns]
    if not wanted:
        return []
    span = day_span(period.start, period.end) if period else None

    def within(column: Any) -> Any:
        return and_(column >= span[0], column < span[1]) if span else true()

    ancestor = tree.c.ancestor
    in_tree = ancestor.in_(wanted)
    members = await _grouped(
        session,
        select(
            ancestor,
            func.count(distinct(CampaignMember.customer_id))
            + func.count(distinct(CampaignMember.lead_id)),
            func.count(distinct(CampaignMember.lead_id)),
        )
        .join(CampaignMember, CampaignMember.campaign_id == tree.c.descendant)
        .where(in_tree, within(CampaignMember.created_at))
        .group_by(ancestor),
    )
    responded = await _grouped(
        session,
        select(
            ancestor,
            func.count(MemberResponse.id),
            func.count(distinct(MemberResponse.customer_id))
            + func.count(distinct(MemberResponse.lead_id)),
        )
        .join(MemberResponse, MemberResponse.campaign_id == tree.c.descendant)
        .where(in_tree, MemberResponse.responded.is_(True), within(MemberResponse.occurred_at))
        .group_by(ancestor),
    )
    converted = await _grouped(
        session,
        select(ancestor, func.count(distinct(Lead.id)))
        .join(CampaignMember, CampaignMember.campaign_id == tree.c.descendant)
        .join(Lead, Lead.id == CampaignMember.lead_id)
        .where(in_tree, Lead.status == "converted", within(CampaignMember.created_at))
        .group_by(ancestor),
    )
    costs = await _grouped(
        session,
        select(ancestor, func.sum(CampaignCost.amount))
        .join(CampaignCost, CampaignCost.campaign_id == tree.c.descendant)
        .where(
            in_tree,
            CampaignCost.approved.is_(True),
            CampaignCost.incurred_on >= period.start if period else true(),
            CampaignCost.incurred_on <= period.end if period else true(),
        )
        .group_by(ancestor),
    )
    budgets = await _grouped(
        session,
        select(ancestor, func.sum(Campaign.budget))
        .join(Campaign, Campaign.id == tree.c.descendant)
        .where(in_tree)
        .group_by(ancestor),
    )
    credit = credits(model, window_days)
    root = aliased(Campaign)
    # The tree's share of each opportunity: the weights of its touches, summed.
    shares = (
        select(
            ancestor.label("ancestor"),
            credit.c.opportunity_id,
            func.sum(credit.c.weight).label("share"),
        )
        .join(credit, credit.c.campaign_id == tree.c.descendant)
        .where(in_tree)
        .group_by(ancestor, credit.c.opportunity_id)
        .subquery("shares")
    )
    deals = await _grouped(
        session,
        select(
            shares.c.ancestor,
            func.count(distinct(shares.c.opportunity_id)),
            func.sum(case((Stage.category == "won", Opportunity.amount * shares.c.share), else_=0)),
        )
        .join(Opportunity, Opportunity.id == shares.c.opportunity_id)
        .join(Stage, Stage.id == Opportunity.stage_id)
        .join(root, root.id == shares.c.ancestor)
        .where(shares.c.share > 0, Opportunity.currency == root.currency)
        .group_by(shares.c.ancestor),
    )
    received = await _grouped(
        session,
        select(shares.c.ancestor, func.sum(Payment.amount * shares.c.share))
        .join(Order, Order.opportunity_id == shares.c.opportunity_id)
        .join(Payment, Payment.order_id == Order.id)
        .join(root, root.id == shares.c.ancestor)
        .where(Payment.currency == root.currency, within(Payment.received_at))
        .group_by(shares.c.ancestor),
    )
    found = []
    for campaign in campaigns:
        key = campaign.id
        row = CampaignPerformance(campaign)
        row.members, row.leads = members.get(key, (0, 0))
        row.responses, row.responders = responded.get(key, (0, 0))
        row.converted_leads = converted.get(key, (0,))[0]
        row.actual_cost = _amount(costs.get(key, (None,))[0])
        budget = budgets.get(key, (None,))[0]
        row.hierarchy_budget = _amount(budget) if budget is not None else None
        opportunities, won = deals.get(key, (0, None))
        row.opportunities, row.won_amount = opportunities, _amount(won)
        row.attributed_payments = _amount(received.get(key, (None,))[0])
        found.append(row)
    return found
