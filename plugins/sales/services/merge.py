"""Following a customer merge: sales rows of the merged customers move to the survivor."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import DomainEvent
from rapport.plugins.sales.models import Lead, Opportunity, Order, Payment, Quote

__all__ = ["CUSTOMER_TABLES", "repoint_merged_customers"]

# Every sales table that refers to a customer.
CUSTOMER_TABLES: tuple[Any, ...] = (Lead, Opportunity, Quote, Order, Payment)


async def repoint_merged_customers(event: DomainEvent, session: AsyncSession) -> None:
    """Re-point the merged customers' rows at the survivor, inside the merge's transaction.

    The event carries ``survivorId`` and ``mergedIds`` as strings. The merge's tenant session
    scopes the updates already; the event's workspace is named as well because a merge run
    by an operator may come through an unscoped session.
    """
    survivor = uuid.UUID(str(event.data["survivorId"]))
    merged = [uuid.UUID(str(i)) for i in event.data.get("mergedIds", ()) if str(i) != str(survivor)]
    if not merged:
        return
    for model in CUSTOMER_TABLES:
        values: dict[str, Any] = {"customer_id": survivor}
        if hasattr(model, "version"):
            # A changed customer is a change: readers holding the old version must reload.
            values["version"] = model.version + 1
        await session.execute(
            update(model)
            .where(model.workspace_id == event.workspace_id, model.customer_id.in_(merged))
            .values(**values)
            .execution_options(synchronize_session="fetch")
        )
