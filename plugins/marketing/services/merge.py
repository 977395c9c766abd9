"""Settling the marketing rows that would clash when core merges customers into a survivor.

Core re-points every marketing customer link (memberships, responses, consent) at the
survivor afterwards. Memberships of a campaign both customers were in would clash (one member
per customer and campaign): the merged customer's duplicate membership is dropped there, its
responses moved to the survivor's membership first, so no response history is lost. Snapshot
memberships and scores of the merged customers are dropped, to be recomputed rather than moved.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select, update

from rapport.core import Operation
from rapport.plugins.marketing.models import CampaignMember, MemberResponse, Score, SegmentMember

__all__ = ["settle_merged_customers"]

FETCH = {"synchronize_session": "fetch"}


async def settle_merged_customers(
    op: Operation, survivor: uuid.UUID, merged: list[uuid.UUID]
) -> None:
    merged = [customer_id for customer_id in merged if customer_id != survivor]
    if not merged:
        return
    session, workspace = op.session, op.workspace_id
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
            select(CampaignMember.id, CampaignMember.campaign_id)
            .where(
                CampaignMember.workspace_id == workspace,
                CampaignMember.customer_id.in_(merged),
            )
            .order_by(CampaignMember.created_at, CampaignMember.id)
        )
    ).all()
    seen = dict(kept)
    for member_id, campaign_id in clashing:
        if campaign_id not in seen:
            seen[campaign_id] = member_id  # the first membership of the campaign moves as is
            continue
        await session.execute(
            update(MemberResponse)
            .where(MemberResponse.workspace_id == workspace, MemberResponse.member_id == member_id)
            .values(member_id=seen[campaign_id])
            .execution_options(**FETCH)
        )
        await session.execute(
            delete(CampaignMember)
            .where(CampaignMember.workspace_id == workspace, CampaignMember.id == member_id)
            .execution_options(**FETCH)
        )
    for derived in (SegmentMember, Score):
        await session.execute(
            delete(derived)
            .where(derived.workspace_id == workspace, derived.customer_id.in_(merged))
            .execution_options(**FETCH)
        )
    await session.flush()
