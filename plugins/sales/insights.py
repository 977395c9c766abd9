"""What sales tells customer insights: payments received, and open weighted pipeline."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from rapport.core import AnySelect, PotentialValueSource, ValueKind, ValueSource
from rapport.plugins.sales.models import Opportunity, Payment, Stage

__all__ = ["SALES_POTENTIAL", "SALES_VALUE_SOURCES"]


def payments_received(workspace_id: uuid.UUID) -> AnySelect:
    return select(
        Payment.customer_id,
        Payment.received_at.label("occurred_at"),
        Payment.amount,
        Payment.currency,
    ).where(Payment.workspace_id == workspace_id)


def weighted_pipeline(workspace_id: uuid.UUID) -> AnySelect:
    """Each open opportunity's amount times its probability."""
    return (
        select(
            Opportunity.customer_id,
            (Opportunity.amount * Opportunity.probability / 100).label("amount"),
            Opportunity.currency,
        )
        .join(
            Stage,
            (Stage.workspace_id == Opportunity.workspace_id) & (Stage.id == Opportunity.stage_id),
        )
        .where(Opportunity.workspace_id == workspace_id, Stage.category == "open")
    )


SALES_VALUE_SOURCES = (
    ValueSource("sales.payments", ValueKind.REVENUE, payments_received, "payments received"),
)
SALES_POTENTIAL = (
    PotentialValueSource("sales.pipeline", weighted_pipeline, "open deals x their probability"),
)
