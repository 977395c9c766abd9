"""Moving every customer-linked row of merged customers to the survivor.

Plugins declare their customer-linked tables once (``CustomerLink``); the merge re-points them
all, so no plugin repeats the list of its tables to follow a merge. A link's ``resolve`` runs
first, for rows that would clash once moved (two holdings of one account, two revenues of one
month); all of them run before any row moves, so each sees the rows as they were.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, update

from rapport.core.services.operation import Operation

__all__ = ["repoint_customer_links"]


async def repoint_customer_links(
    op: Operation, survivor_id: uuid.UUID, merged_ids: list[uuid.UUID]
) -> dict[type, list[uuid.UUID]]:
    """Re-point every registered link column at the survivor; the rows moved, per table."""
    links = [found.item for found in op.host.customer_links]
    for link in links:
        if link.resolve is not None:
            await link.resolve(op, survivor_id, merged_ids)
    moved: dict[type, list[uuid.UUID]] = {}
    for link in links:
        if not link.repoint:
            continue
        model = link.model
        for name in link.columns:
            column = getattr(model, name)
            found = await op.session.execute(select(model.id).where(column.in_(merged_ids)))
            ids = list(found.scalars())
            if not ids:
                continue
            values: dict[str, Any] = {name: survivor_id}
            if hasattr(model, "version"):
                # A changed row is a change: readers holding the old version must reload.
                values["version"] = model.version + 1
            await op.session.execute(
                update(model)
                .where(column.in_(merged_ids))
                .values(**values)
                .execution_options(synchronize_session="fetch")
            )
            known = moved.setdefault(model, [])
            known.extend(i for i in ids if i not in known)
    return moved
