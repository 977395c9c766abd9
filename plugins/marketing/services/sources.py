"""An opportunity's source campaign, resolved from the text sales stores to a campaign id.

Sales keeps ``source_campaign_id`` as free text (it knows nothing of marketing); marketing
reads it as a Campaign global id or a plain uuid when the opportunity is created or changed,
and keeps the resolved id in its own table so attribution joins on it in SQL.
"""

from __future__ import annotations

import base64
import binascii
import uuid

from sqlalchemy import delete, select

from rapport.core import DomainEvent, Operation
from rapport.plugins.marketing.models import Campaign, OpportunitySource
from rapport.plugins.sales.models import Opportunity

__all__ = ["campaign_uuid", "record_source_campaign"]


def campaign_uuid(text: str | None) -> uuid.UUID | None:
    """The campaign a source text names: ``Campaign:<uuid>`` base64 (a global id) or a uuid."""
    if not text:
        return None
    value = text.strip()
    try:
        decoded = base64.b64decode(value, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = ""
    if decoded.startswith("Campaign:"):
        value = decoded.removeprefix("Campaign:")
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


async def record_source_campaign(event: DomainEvent, operation: Operation | None) -> None:
    """Keep the campaign an opportunity names as its source, once it is created or changed."""
    assert operation is not None, "runs before commit, inside the operation that emitted it"
    session = operation.session
    opportunity = await session.get(Opportunity, (event.workspace_id, event.entity_id))
    if opportunity is None:
        return
    await session.execute(
        delete(OpportunitySource).where(OpportunitySource.opportunity_id == opportunity.id)
    )
    campaign_id = campaign_uuid(opportunity.source_campaign_id)
    if campaign_id is None:
        return
    found = await session.execute(select(Campaign.id).where(Campaign.id == campaign_id))
    if found.first() is None:
        return
    session.add(
        OpportunitySource(
            workspace_id=event.workspace_id, opportunity_id=opportunity.id, campaign_id=campaign_id
        )
    )
    await session.flush()
