"""Campaign costs: expense lines, approved or not; a campaign's actual cost is its approved lines.

A line is in the campaign's currency, so actual cost and return on investment add like amounts.
Costs may still arrive after a campaign ends (invoices do); an approved line is final, and only
unapproved lines can be withdrawn.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from rapport.core import Operation
from rapport.plugins.marketing.error_codes import MarketingErrorCode
from rapport.plugins.marketing.events import CampaignCostRecorded
from rapport.plugins.marketing.models import Campaign, CampaignCost
from rapport.plugins.marketing.services.common import Problems, clean, get_row, money, refuse

__all__ = ["CostFields", "approve_cost", "record_cost", "withdraw_cost"]


@dataclass
class CostFields:
    campaign_id: uuid.UUID
    category: str
    amount: Decimal
    incurred_on: date
    currency: str | None = None
    supplier: str | None = None
    reference: str | None = None
    approved: bool = False


async def record_cost(op: Operation, data: CostFields) -> CampaignCost:
    campaign = await get_row(op, Campaign, data.campaign_id, "input.campaignId", "campaign")
    problems = Problems()
    problems.required("category", data.category)
    problems.money("amount", data.amount, campaign.currency, positive=True)
    problems.currency("currency", data.currency)
    if data.currency is not None and data.currency != campaign.currency:
        problems.add(
            "currency",
            f"the campaign is in {campaign.currency}",
            MarketingErrorCode.CURRENCY_MISMATCH,
        )
    problems.raise_if_any()
    cost = CampaignCost(
        workspace_id=op.workspace_id,
        campaign_id=campaign.id,
        category=data.category.strip(),
        amount=money(data.amount),
        currency=campaign.currency,
        incurred_on=data.incurred_on,
        supplier=clean(data.supplier),
        reference=clean(data.reference),
        approved=data.approved,
    )
    op.session.add(cost)
    await op.session.flush()
    op.audit(
        "CampaignCost",
        cost.id,
        "create",
        {"amount": [None, str(cost.amount)], "approved": [None, cost.approved]},
    )
    await op.emit(
        CampaignCostRecorded(
            id=cost.id, campaign_id=campaign.id, amount=cost.amount, approved=cost.approved
        )
    )
    return cost


async def approve_cost(op: Operation, cost_id: uuid.UUID) -> CampaignCost:
    cost = await get_row(op, CampaignCost, cost_id, "id", "cost line")
    if cost.approved:
        raise refuse("id", "the cost line is approved already", MarketingErrorCode.COST_APPROVED)
    cost.approved = True
    await op.session.flush()
    op.audit("CampaignCost", cost.id, "approve", {"approved": [False, True]})
    await op.emit(
        CampaignCostRecorded(
            id=cost.id, campaign_id=cost.campaign_id, amount=cost.amount, approved=True
        )
    )
    return cost


async def withdraw_cost(op: Operation, cost_id: uuid.UUID) -> CampaignCost:
    cost = await get_row(op, CampaignCost, cost_id, "id", "cost line")
    if cost.approved:
        raise refuse("id", "an approved cost line is final", MarketingErrorCode.COST_APPROVED)
    await op.session.delete(cost)
    await op.session.flush()
    op.audit("CampaignCost", cost.id, "delete", {"amount": [str(cost.amount), None]})
    return cost
