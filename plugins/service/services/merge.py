"""Following a customer merge: service rows of the merged customers move to the survivor."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import DomainEvent
from rapport.plugins.service.models import (
    Asset,
    Case,
    ServiceSchedule,
    SurveyInvitation,
    WorkOrder,
)

__all__ = ["CUSTOMER_COLUMNS", "repoint_merged_customers"]

# Every service table and column that refers to a customer.
CUSTOMER_COLUMNS: tuple[tuple[Any, str], ...] = (
    (Case, "customer_id"),
    (Case, "contact_id"),
    (Asset, "customer_id"),
    (WorkOrder, "customer_id"),
    (SurveyInvitation, "customer_id"),
    (ServiceSchedule, "customer_id"),
)


async def repoint_merged_customers(event: DomainEvent, session: AsyncSession) -> None:
    """Re-point the merged customers' rows at the survivor, inside the merge's transaction.

    The event's workspace is named as well: a merge run by an operator may come through an
    unscoped session.
    """
    survivor = uuid.UUID(str(event.data["survivorId"]))
    merged = [uuid.UUID(str(i)) for i in event.data.get("mergedIds", ()) if str(i) != str(survivor)]
    if not merged:
        return
    for model, column in CUSTOMER_COLUMNS:
        await session.execute(
            update(model)
            .where(model.workspace_id == event.workspace_id, getattr(model, column).in_(merged))
            .values({column: survivor})
            .execution_options(synchronize_session="fetch")
        )
