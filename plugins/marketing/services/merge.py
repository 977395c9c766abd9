"""Following a customer merge: marketing rows of the merged customers move to the survivor.

Memberships of a campaign both customers were in would clash (one member per customer and
campaign): the merged customer's duplicate membership is dropped there, its responses moved
to the survivor's membership first, so no response history is lost. Snapshot memberships and
scores are recomputed rather than moved.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import DomainEvent
from rapport.plugins.marketing.models import (
    CampaignMember,
    Consent,
    MemberResponse,
    Score,
    SegmentMember,
)

__all__ = ["repoint_merged_customers"]


async def repoint_merged_customers(event: DomainEvent, session: AsyncSession) -> None:
    survivor = uuid.UUID(str(event.data["survivorId"]))
    merged = [uuid.UUID(str(i)) for i in event.data.get("mergedIds", ()) if str(i) != str(survivor)]
    if not merged:
        return
    workspace = event.workspace_id
    kept = {
        row[0]: row[1]
        for row in await session.execute(
            select(CampaignMember.campaign_id, CampaignMember.id).where(
                CampaignMember.workspace_id == workspace, CampaignMember.customer_id == survivor
            )
        )
    }
    clashing = (
        await session.execute(
            select(CampaignMember.id, CampaignMember.campaign_id).where(
                CampaignMember.workspace_id == workspace,
                CampaignMember.customer_id.in_(merged),
            )
        )
    ).all()
    seen = dict(kept)
    for member_id, campaign_id in clashing:
        if campaign_id in seen:
            await session.execute(
                update(MemberResponse)
                .where(
                    MemberResponse.workspace_id == workspace, MemberResponse.member_id == member_id
                )
                .values(member_id=seen[campaign_id])
                .execution_options(synchronize_session=False)
            )
            await session.execute(
                delete(CampaignMember)
                .where(CampaignMember.workspace_id == workspace, CampaignMember.id == member_id)
                .execution_options(synchronize_session=False)
            )
        else:
            seen[campaign_id] = member_id
    for model in (CampaignMember, MemberResponse, Consent):
        await session.execute(
            update(model)
            .where(model.workspace_id == workspace, model.customer_id.in_(merged))
            .values(customer_id=survivor)
            .execution_options(synchronize_session=False)
        )
    for derived in (SegmentMember, Score):
        await session.execute(
            delete(derived)
            .where(derived.workspace_id == workspace, derived.customer_id.in_(merged))
            .execution_options(synchronize_session=False)
        )
