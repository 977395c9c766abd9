"""What marketing tells customer insights: campaign responses, as engagement."""

from __future__ import annotations

import uuid

from sqlalchemy import literal, select

from rapport.core import AnySelect, ValueKind, ValueSource
from rapport.plugins.marketing.models import MemberResponse

__all__ = ["MARKETING_VALUE_SOURCES"]


def campaign_responses(workspace_id: uuid.UUID) -> AnySelect:
    return select(
        MemberResponse.customer_id,
        MemberResponse.occurred_at,
        literal("campaign_response").label("kind"),
    ).where(
        MemberResponse.workspace_id == workspace_id,
        MemberResponse.customer_id.is_not(None),
        MemberResponse.responded.is_(True),
    )


MARKETING_VALUE_SOURCES = (
    ValueSource(
        "marketing.responses", ValueKind.ENGAGEMENT, campaign_responses, "campaign responses"
    ),
)
