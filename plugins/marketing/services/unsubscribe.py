"""One-click unsubscribe: the member's customer or lead opts out of the campaign's email topic.

The opt-out is a new consent statement (history kept) on the email channel for the campaign's
topic, or for all email when the campaign has none. Repeating it adds nothing.
"""

from __future__ import annotations

import uuid

from rapport.core import Operation
from rapport.plugins.marketing.models import Campaign, CampaignMember, Consent
from rapport.plugins.marketing.services.common import get_row
from rapport.plugins.marketing.services.consent import ConsentFields, opted_out, record_consent

__all__ = ["unsubscribe_member"]


async def unsubscribe_member(op: Operation, member_id: uuid.UUID) -> Consent | None:
    """The opt-out recorded, or None when the person was opted out already."""
    member = await get_row(op, CampaignMember, member_id, "token", "member")
    campaign = await get_row(op, Campaign, member.campaign_id, "token", "campaign")
    subject = "customer_id" if member.customer_id else "lead_id"
    subject_id = member.customer_id or member.lead_id
    statement = opted_out(subject, "email", campaign.topic)["opted_out"]
    already = await op.session.execute(statement.where(statement.selected_columns[0] == subject_id))
    if already.first() is not None:
        return None
    return await record_consent(
        op,
        ConsentFields(
            channel="email",
            status="opted_out",
            customer_id=member.customer_id,
            lead_id=member.lead_id,
            topic=campaign.topic,
            source="one-click unsubscribe",
            evidence=f"List-Unsubscribe-Post for member {member.id} of campaign {campaign.name}",
        ),
        prefix="",
    )
