"""Lead scoring: fit points for who someone is, engagement points for what they did, decaying.

A fit rule matches an attribute (of the customer, or of a lead's customer once converted; a
lead's own source) or membership of a segment. An engagement rule earns its points for each
response of the person to any campaign (every responded status, or one status by name),
halved every ``half_life_days`` since the response. The score keeps the breakdown that sums
to it. Crossing the workspace's qualifying score marks a lead marketing-qualified, once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from rapport.core import (
    Customer,
    CustomerUpdated,
    DomainEvent,
    ErrorCode,
    Operation,
    age_band_of,
    age_of,
    get_customer,
    utcnow,
)
from rapport.plugins.marketing.error_codes import MarketingErrorCode
from rapport.plugins.marketing.events import (
    CampaignMemberResponded,
    CustomerScored,
    FormSubmitted,
    LeadMarketingQualified,
    LeadScored,
)
from rapport.plugins.marketing.models import (
    MemberResponse,
    MemberStatus,
    Score,
    ScoringRule,
    Segment,
)
from rapport.plugins.marketing.services.common import Problems, get_row, refuse
from rapport.plugins.marketing.services.segments import member_ids
from rapport.plugins.marketing.services.tokens import marketing_settings
from rapport.plugins.sales.events import LeadCreated
from rapport.plugins.sales.models import Lead

__all__ = [
    "FIT_ATTRIBUTES",
    "RULE_KINDS",
    "RuleFields",
    "create_rule",
    "delete_rule",
    "rescore_for_event",
    "score_subject",
    "set_qualify_score",
]

RULE_KINDS = ("fit", "engagement")
FIT_ATTRIBUTES = ("industry", "occupation", "region", "age_band", "lifecycle_status", "lead_source")
CENT = Decimal("0.01")


@dataclass
class RuleFields:
    name: str
    kind: str
    points: int
    attribute: str | None = None
    value: str | None = None
    segment_id: uuid.UUID | None = None
    half_life_days: int | None = None


async def create_rule(op: Operation, data: RuleFields) -> ScoringRule:
    problems = Problems()
    problems.required("name", data.name)
    if data.kind not in RULE_KINDS:
        problems.add("kind", f"must be one of {', '.join(RULE_KINDS)}")
    if data.kind == "fit":
        if (data.attribute is None) == (data.segment_id is None):
            problems.add(
                "attribute",
                "a fit rule names an attribute or a segment (one)",
                MarketingErrorCode.RULE_TARGET,
            )
        if data.attribute is not None and data.attribute not in FIT_ATTRIBUTES:
            problems.add("attribute", f"must be one of {', '.join(FIT_ATTRIBUTES)}")
        if data.attribute is not None:
            problems.required("value", data.value, "the value the attribute must equal")
        if data.half_life_days is not None:
            problems.add("halfLifeDays", "only engagement decays")
    if data.kind == "engagement" and (data.attribute or data.segment_id):
        problems.add(
            "attribute",
            "an engagement rule counts responses; it has no attribute",
            MarketingErrorCode.RULE_TARGET,
        )
    if data.half_life_days is not None and data.half_life_days <= 0:
        problems.add("halfLifeDays", "must be more than zero")
    await problems.exists(op, "segmentId", Segment, data.segment_id, "segment")
    if (
        data.name
        and (
            await op.session.execute(
                select(ScoringRule.id).where(ScoringRule.name == data.name.strip())
            )
        ).first()
    ):
        problems.add("name", "another rule has this name", ErrorCode.CONFLICT)
    problems.raise_if_any()
    rule = ScoringRule(workspace_id=op.workspace_id, **{**data.__dict__, "name": data.name.strip()})
    op.session.add(rule)
    await op.session.flush()
    op.audit("ScoringRule", rule.id, "create", {"points": [None, rule.points]})
    return rule


async def delete_rule(op: Operation, rule_id: uuid.UUID) -> ScoringRule:
    rule = await get_row(op, ScoringRule, rule_id, "id", "scoring rule")
    await op.session.delete(rule)
    await op.session.flush()
    op.audit("ScoringRule", rule.id, "delete", {"name": [rule.name, None]})
    return rule


async def set_qualify_score(op: Operation, score: int) -> int:
    if score < 0:
        raise refuse("qualifyScore", "must not be negative")
    settings = await marketing_settings(op)
    previous, settings.qualify_score = settings.qualify_score, score
    await op.session.flush()
    op.audit("MarketingSettings", settings.id, "update", {"qualifyScore": [previous, score]})
    return score


def _attributes(customer: Customer | None, lead: Lead | None) -> dict[str, str | None]:
    found: dict[str, str | None] = {"lead_source": lead.source if lead else None}
    if customer is not None:
        found.update(
            industry=customer.industry,
            occupation=customer.occupation,
            region=customer.region,
            lifecycle_status=customer.lifecycle_status,
            age_band=(
                age_band_of(age_of(customer.birth_date, utcnow().date()))
                if customer.birth_date
                else None
            ),
        )
    return found


def _decayed(points: int, half_life: int | None, at: datetime, now: datetime) -> Decimal:
    if half_life is None:
        return Decimal(points)
    days = Decimal(max((now - at).total_seconds(), 0)) / Decimal(86400)
    return Decimal(points) * Decimal(2) ** (-(days / Decimal(half_life)))


async def _in_segment(op: Operation, segment_id: uuid.UUID, customer_id: uuid.UUID) -> bool:
    segment = await op.session.get(Segment, (op.workspace_id, segment_id))
    if segment is None:
        return False
    members = (await member_ids(op, segment)).subquery()
    found = await op.session.execute(
        select(members.c[0]).where(members.c[0] == customer_id).limit(1)
    )
    return found.first() is not None


async def score_subject(
    op: Operation, *, customer_id: uuid.UUID | None = None, lead_id: uuid.UUID | None = None
) -> Score:
    """Recompute and store the score of one customer or lead, with its breakdown."""
    lead = await get_row(op, Lead, lead_id, "leadId", "lead") if lead_id else None
    if customer_id is not None:
        await get_customer(op, customer_id, "customerId")
    customer_key = customer_id or (lead.customer_id if lead else None)
    customer = (
        await op.session.get(Customer, (op.workspace_id, customer_key)) if customer_key else None
    )
    rules = list(
        (await op.session.execute(select(ScoringRule).order_by(ScoringRule.name))).scalars()
    )
    attributes = _attributes(customer, lead)
    now = utcnow()
    subject = (
        MemberResponse.lead_id == lead_id if lead_id else MemberResponse.customer_id == customer_id
    )
    responses = (
        await op.session.execute(
            select(MemberResponse.occurred_at, MemberStatus.name)
            .join(MemberStatus, MemberStatus.id == MemberResponse.status_id)
            .where(subject, MemberResponse.responded.is_(True))
        )
    ).all()
    breakdown: list[dict[str, Any]] = []
    fit = engagement = Decimal(0)
    for rule in rules:
        if rule.kind == "fit":
            if rule.attribute is not None:
                hit = attributes.get(rule.attribute) == rule.value
            else:
                hit = (
                    customer is not None
                    and rule.segment_id is not None
                    and await _in_segment(op, rule.segment_id, customer.id)
                )
            if hit:
                fit += rule.points
                breakdown.append(
                    {"rule": rule.name, "kind": "fit", "points": str(rule.points), "count": 1}
                )
        else:
            matching = [at for at, name in responses if not rule.value or name == rule.value]
            if matching:
                earned = sum(
                    (_decayed(rule.points, rule.half_life_days, at, now) for at in matching),
                    Decimal(0),
                ).quantize(CENT)
                engagement += earned
                breakdown.append(
                    {
                        "rule": rule.name,
                        "kind": "engagement",
                        "points": str(earned),
                        "count": len(matching),
                    }
                )
    condition = Score.lead_id == lead_id if lead_id else Score.customer_id == customer_id
    score = (await op.session.execute(select(Score).where(condition))).scalar_one_or_none()
    if score is None:
        score = Score(
            workspace_id=op.workspace_id,
            customer_id=None if lead_id else customer_id,
            lead_id=lead_id,
        )
        op.session.add(score)
    fit, engagement = fit.quantize(CENT), engagement.quantize(CENT)
    score.fit, score.engagement, score.total = fit, engagement, fit + engagement
    score.breakdown, score.computed_at = breakdown, now
    threshold = (await marketing_settings(op)).qualify_score
    newly_qualified = (
        lead_id is not None and score.qualified_at is None and score.total >= threshold
    )
    if newly_qualified:
        score.qualified_at = now
    await op.session.flush()
    if lead_id is not None:
        await op.emit(LeadScored(id=lead_id, total=score.total))
        if newly_qualified:
            await op.emit(
                LeadMarketingQualified(id=lead_id, total=score.total, threshold=threshold)
            )
    else:
        assert customer_id is not None
        await op.emit(CustomerScored(id=customer_id, total=score.total))
    return score


async def rescore_for_event(event: DomainEvent, operation: Operation | None) -> None:
    """Recompute the score of whoever the event concerns, when the workspace scores at all."""
    assert operation is not None, "runs before commit, inside the operation that emitted it"
    op = operation
    if (await op.session.execute(select(ScoringRule.id).limit(1))).first() is None:
        return
    payload = event.payload
    lead_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
    if isinstance(payload, CampaignMemberResponded):
        lead_id, customer_id = payload.lead_id, payload.customer_id
    elif isinstance(payload, LeadCreated):
        lead_id = payload.id
    elif isinstance(payload, FormSubmitted):
        lead_id = payload.lead_id
    elif isinstance(payload, CustomerUpdated):
        customer_id = payload.id
    if lead_id is not None:
        await score_subject(op, lead_id=lead_id)
    elif customer_id is not None:
        await score_subject(op, customer_id=customer_id)
