"""Marketing fields on core's ``Customer`` and on sales' ``Lead``: memberships, consent, score."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.dataloader import DataLoader

from rapport.plugins.marketing.models import Score as ScoreRow
from rapport.plugins.marketing.schema.common import READ
from rapport.plugins.marketing.schema.consent import CONSENTS, Consent, ConsentFilter, ConsentOrder
from rapport.plugins.marketing.schema.members import (
    MEMBERS,
    CampaignMember,
    CampaignMemberFilter,
    CampaignMemberOrder,
)
from rapport.plugins.marketing.schema.scoring import Score
from rapport.schema import Connection, Customer, Info, connection, context_of

__all__ = ["CustomerMarketingFields", "LeadMarketingFields"]


def _score_loader(column: str) -> Any:
    def build(context: Any) -> DataLoader[uuid.UUID, Score | None]:
        async def load(keys: Any) -> list[Score | None]:
            key_column = getattr(ScoreRow, column)
            async with context.db() as session:
                rows = (
                    await session.execute(select(ScoreRow).where(key_column.in_(list(keys))))
                ).scalars()
                found = {getattr(row, column): Score.from_model(row) for row in rows}
            return [found.get(key) for key in keys]

        return DataLoader(load_fn=load)

    return build


CUSTOMER_MEMBERSHIPS = replace(MEMBERS, link=lambda s: s.row.customer_id == s.parent_row.id)
CUSTOMER_CONSENTS = replace(CONSENTS, link=lambda s: s.row.customer_id == s.parent_row.id)
LEAD_MEMBERSHIPS = replace(MEMBERS, link=lambda s: s.row.lead_id == s.parent_row.id)
LEAD_CONSENTS = replace(CONSENTS, link=lambda s: s.row.lead_id == s.parent_row.id)


@strawberry.type
class CustomerMarketingFields:
    campaign_memberships: Connection[CampaignMember] = connection(
        CUSTOMER_MEMBERSHIPS,
        filter=CampaignMemberFilter,
        order=CampaignMemberOrder,
        description="The campaigns it is a member of.",
    )
    consents: Connection[Consent] = connection(
        CUSTOMER_CONSENTS,
        filter=ConsentFilter,
        order=ConsentOrder,
        description="Its consent statements, newest first (history included).",
    )

    @strawberry.field(description="Its lead score, when scored.")
    async def marketing_score(self: Customer, info: Info) -> Score | None:
        context = context_of(info)
        context.require(READ)
        loader = context.loader_for(("marketing", "customer-score"), _score_loader("customer_id"))
        return await loader.load(self.pk)


@strawberry.type
class LeadMarketingFields:
    campaign_memberships: Connection[CampaignMember] = connection(
        LEAD_MEMBERSHIPS,
        filter=CampaignMemberFilter,
        order=CampaignMemberOrder,
        description="The campaigns the lead is a member of.",
    )
    consents: Connection[Consent] = connection(
        LEAD_CONSENTS,
        filter=ConsentFilter,
        order=ConsentOrder,
        description="The lead's consent statements, newest first.",
    )

    @strawberry.field(description="Its lead score and breakdown, when scored.")
    async def score(self, info: Info) -> Score | None:
        context = context_of(info)
        context.require(READ)
        loader = context.loader_for(("marketing", "lead-score"), _score_loader("lead_id"))
        return await loader.load(self.row.id)  # type: ignore[attr-defined]
