"""Campaign members: customers or leads, their status, and every status change as a response.

Adding a segment's customers checks each one against consent in SQL and reports who was left
out and why; one added by hand is refused for the same reasons. A status change appends a
response row (the status, when, and which tool or person reported it); the first change to a
responded status sets the member's ``first_responded_at``.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from sqlalchemy import Table, case, exists, literal, select

from rapport.core import (
    ContactPoint,
    Customer,
    ErrorCode,
    Operation,
    get_customer,
    insert_rows,
    utcnow,
)
from rapport.plugins.marketing.error_codes import MarketingErrorCode
from rapport.plugins.marketing.events import CampaignMemberResponded, CampaignMembersAdded
from rapport.plugins.marketing.models import (
    Campaign,
    CampaignMember,
    MemberResponse,
    MemberStatus,
    Segment,
)
from rapport.plugins.marketing.services.common import Problems, clean, get_row, refuse
from rapport.plugins.marketing.services.consent import opted_out
from rapport.plugins.marketing.services.segments import member_ids
from rapport.plugins.sales.models import Lead

__all__ = [
    "EXCLUSION_REASONS",
    "AddedMembers",
    "Exclusion",
    "ResponseFields",
    "add_member",
    "add_segment_members",
    "record_response",
]

# Why a segment's customer was not added, in the order the reasons are checked.
EXCLUSION_REASONS = ("already_member", "do_not_contact", "opted_out", "no_email")


@dataclass(frozen=True)
class Exclusion:
    customer_id: uuid.UUID
    reason: str


@dataclass
class AddedMembers:
    campaign: Campaign
    added: int
    excluded: list[Exclusion] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        found = Counter(item.reason for item in self.excluded)
        return {reason: found[reason] for reason in EXCLUSION_REASONS}


async def _open_campaign(op: Operation, campaign_id: uuid.UUID, field_name: str) -> Campaign:
    campaign = await get_row(op, Campaign, campaign_id, field_name, "campaign")
    if campaign.status not in ("planned", "active"):
        raise refuse(
            field_name,
            f"a {campaign.status} campaign takes no new members",
            MarketingErrorCode.CAMPAIGN_CLOSED,
        )
    return campaign


async def _default_status(op: Operation, campaign_id: uuid.UUID) -> MemberStatus:
    found = await op.session.execute(
        select(MemberStatus).where(
            MemberStatus.campaign_id == campaign_id, MemberStatus.is_default.is_(True)
        )
    )
    return found.scalar_one()


def _has_email() -> object:
    # An address marked do-not-contact on the customer's record is no address to mail.
    return exists().where(
        ContactPoint.customer_id == Customer.id,
        ContactPoint.kind == "email",
        ContactPoint.do_not_contact.is_(False),
    )


async def add_segment_members(
    op: Operation, campaign_id: uuid.UUID, segment_id: uuid.UUID
) -> AddedMembers:
    """Add the segment's current members, minus those consent or the channel rules out."""
    campaign = await _open_campaign(op, campaign_id, "campaignId")
    segment = await get_row(op, Segment, segment_id, "segmentId", "segment")
    status = await _default_status(op, campaign.id)
    blocked = opted_out("customer_id", campaign.channel, campaign.topic)
    already = select(CampaignMember.customer_id).where(
        CampaignMember.campaign_id == campaign.id, CampaignMember.customer_id.is_not(None)
    )
    reason = case(
        (Customer.id.in_(already), literal("already_member")),
        (Customer.id.in_(blocked["do_not_contact"]), literal("do_not_contact")),
        (Customer.id.in_(blocked["opted_out"]), literal("opted_out")),
        (
            literal(campaign.channel == "email") & ~_has_email(),  # type: ignore[operator]
            literal("no_email"),
        ),
        else_=literal(None),
    )
    members = (await member_ids(op, segment)).subquery()
    rows = (
        await op.session.execute(
            select(Customer.id, reason)
            .where(Customer.id.in_(select(members.c.id)))
            .order_by(Customer.id)
        )
    ).all()
    now = utcnow()
    delivery = "pending" if campaign.channel == "email" else None
    added: list[dict[str, object]] = []
    responses: list[dict[str, object]] = []
    excluded: list[Exclusion] = []
    for customer_id, why in rows:
        if why is not None:
            excluded.append(Exclusion(customer_id, why))
            continue
        member_id = uuid.uuid4()
        added.append(
            {
                "workspace_id": op.workspace_id,
                "id": member_id,
                "campaign_id": campaign.id,
                "customer_id": customer_id,
                "lead_id": None,
                "status_id": status.id,
                "first_responded_at": None,
                "segment_id": segment.id,
                "delivery": delivery,
                "delivery_error": None,
                "sent_at": None,
                "created_at": now,
                "updated_at": now,
            }
        )
        responses.append(_response_row(op, member_id, campaign.id, customer_id, None, status, now))
    # Members first: the responses' foreign keys point at them.
    await insert_rows(op.session, cast(Table, CampaignMember.__table__), added)
    await insert_rows(op.session, cast(Table, MemberResponse.__table__), responses)
    result = AddedMembers(campaign, len(added), excluded)
    op.audit(
        "Campaign",
        campaign.id,
        "add_members",
        {
            "segment": [None, str(segment.id)],
            "added": [None, len(added)],
            **{k: [None, v] for k, v in result.counts().items()},
        },
    )
    await op.emit(
        CampaignMembersAdded(
            id=campaign.id, segment_id=segment.id, added=len(added), excluded=result.counts()
        )
    )
    return result


def _response_row(
    op: Operation,
    member_id: uuid.UUID,
    campaign_id: uuid.UUID,
    customer_id: uuid.UUID | None,
    lead_id: uuid.UUID | None,
    status: MemberStatus,
    when: datetime,
    source: str | None = "added",
) -> dict[str, object]:
    return {
        "workspace_id": op.workspace_id,
        "id": uuid.uuid4(),
        "member_id": member_id,
        "campaign_id": campaign_id,
        "customer_id": customer_id,
        "lead_id": lead_id,
        "status_id": status.id,
        "responded": status.responded,
        "occurred_at": when,
        "source": source,
    }


async def _refusal(
    op: Operation, campaign: Campaign, customer_id: uuid.UUID | None, lead_id: uuid.UUID | None
) -> str | None:
    """Why this customer or lead may not join the campaign, or None."""
    subject, subject_id = ("customer_id", customer_id) if customer_id else ("lead_id", lead_id)
    column = getattr(CampaignMember, subject)
    present = await op.session.execute(
        select(CampaignMember.id).where(
            CampaignMember.campaign_id == campaign.id, column == subject_id
        )
    )
    if present.first() is not None:
        return "already_member"
    for why, blocked in opted_out(subject, campaign.channel, campaign.topic).items():
        found = await op.session.execute(blocked.where(blocked.selected_columns[0] == subject_id))
        if found.first() is not None:
            return why
    return None


async def add_member(
    op: Operation,
    campaign_id: uuid.UUID,
    *,
    customer_id: uuid.UUID | None = None,
    lead_id: uuid.UUID | None = None,
    source: str | None = "added",
) -> CampaignMember:
    """Add one customer or lead, refused (with the reason) where a segment would exclude it."""
    campaign = await _open_campaign(op, campaign_id, "campaignId")
    problems = Problems()
    if (customer_id is None) == (lead_id is None):
        problems.add(
            "customerId",
            "name a customer or a lead (one of the two)",
            MarketingErrorCode.CUSTOMER_OR_LEAD,
        )
    await problems.exists(op, "leadId", Lead, lead_id, "lead")
    problems.raise_if_any()
    if customer_id is not None:
        await get_customer(op, customer_id, "input.customerId")
    why = await _refusal(op, campaign, customer_id, lead_id)
    if why is not None:
        field_name = "input.customerId" if customer_id else "input.leadId"
        raise refuse(field_name, f"not added: {why.replace('_', ' ')}", MarketingErrorCode(why))
    status = await _default_status(op, campaign.id)
    now = utcnow()
    member = CampaignMember(
        workspace_id=op.workspace_id,
        campaign_id=campaign.id,
        customer_id=customer_id,
        lead_id=lead_id,
        status_id=status.id,
        delivery="pending" if campaign.channel == "email" else None,
    )
    op.session.add(member)
    await op.session.flush()
    await insert_rows(
        op.session,
        cast(Table, MemberResponse.__table__),
        [_response_row(op, member.id, campaign.id, customer_id, lead_id, status, now, source)],
    )
    op.audit(
        "CampaignMember",
        member.id,
        "create",
        {"status": [None, status.name]},
        customer_id=customer_id,
    )
    await op.emit(CampaignMembersAdded(id=campaign.id, segment_id=None, added=1, excluded={}))
    return member


@dataclass
class ResponseFields:
    member_id: uuid.UUID
    status: str
    occurred_at: datetime | None = None
    source: str | None = None


async def record_response(
    op: Operation, data: ResponseFields, prefix: str = "input."
) -> CampaignMember:
    """Move a member to the status named ``status`` of its campaign, keeping the change."""
    member = await get_row(op, CampaignMember, data.member_id, f"{prefix}memberId", "member")
    campaign = await get_row(op, Campaign, member.campaign_id, f"{prefix}memberId", "campaign")
    problems = Problems(prefix)
    if campaign.status == "planned":
        problems.add(
            "memberId", "the campaign has not started", MarketingErrorCode.CAMPAIGN_NOT_STARTED
        )
    found = await op.session.execute(
        select(MemberStatus).where(
            MemberStatus.campaign_id == campaign.id,
            MemberStatus.name == (data.status or "").strip(),
        )
    )
    status = found.scalar_one_or_none()
    if status is None:
        problems.add("status", "the campaign has no status of this name", ErrorCode.NOT_FOUND)
    when = data.occurred_at or utcnow()
    if when > utcnow():
        problems.add("occurredAt", "must not be in the future", MarketingErrorCode.IN_THE_FUTURE)
    problems.raise_if_any()
    assert status is not None
    previous = member.status_id
    member.status_id = status.id
    if status.responded and (member.first_responded_at is None or when < member.first_responded_at):
        member.first_responded_at = when
    op.session.add(
        MemberResponse(
            workspace_id=op.workspace_id,
            member_id=member.id,
            campaign_id=campaign.id,
            customer_id=member.customer_id,
            lead_id=member.lead_id,
            status_id=status.id,
            responded=status.responded,
            occurred_at=when,
            source=clean(data.source),
        )
    )
    await op.session.flush()
    op.audit(
        "CampaignMember",
        member.id,
        "respond",
        {"status": [str(previous), str(status.id)]},
        customer_id=member.customer_id,
    )
    await op.emit(
        CampaignMemberResponded(
            id=member.id,
            campaign_id=campaign.id,
            status=status.name,
            responded=status.responded,
            customer_id=member.customer_id,
            lead_id=member.lead_id,
        )
    )
    return member


REPORTED_DELIVERIES = ("bounced", "failed")


async def record_delivery_failure(
    op: Operation, member_id: uuid.UUID, delivery: str, error: str | None
) -> CampaignMember:
    """A bounce or failure reported after sending (a delivery status notification)."""
    member = await get_row(op, CampaignMember, member_id, "memberId", "member")
    problems = Problems("")
    if delivery not in REPORTED_DELIVERIES:
        problems.add("delivery", f"must be one of {', '.join(REPORTED_DELIVERIES)}")
    if member.delivery not in ("sent", "bounced", "failed"):
        problems.add(
            "memberId", "only an email that was sent can bounce", MarketingErrorCode.NOT_SENT
        )
    problems.raise_if_any()
    previous = member.delivery
    member.delivery, member.delivery_error = delivery, clean(error)
    await op.session.flush()
    op.audit(
        "CampaignMember",
        member.id,
        "delivery",
        {"delivery": [previous, delivery]},
        customer_id=member.customer_id,
    )
    return member
