"""Following a customer merge.

Core moves every customer-linked row (``register_customer_links``) to the survivor. A case
also names its contact, a person who may be one of the merged customers; that column is not a
link of its own (it does not decide who sees the case), so it is re-pointed here, before core
moves any row.
"""

from __future__ import annotations

import uuid

from sqlalchemy import update

from rapport.core import Operation
from rapport.plugins.service.models import Case

__all__ = ["repoint_case_contacts"]


async def repoint_case_contacts(
    op: Operation, survivor_id: uuid.UUID, merged_ids: list[uuid.UUID]
) -> None:
    """The cases whose contact was merged name the survivor instead."""
    merged = [customer_id for customer_id in merged_ids if customer_id != survivor_id]
    if not merged:
        return
    await op.session.execute(
        update(Case)
        .where(Case.workspace_id == op.workspace_id, Case.contact_id.in_(merged))
        .values(contact_id=survivor_id)
        .execution_options(synchronize_session="fetch")
    )
