"""Soft delete and restore for records that keep a ``deleted_at`` (interactions, tasks)."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from rapport.core.db import utcnow
from rapport.core.errors import Conflict, NotFound
from rapport.core.services.operation import Operation

__all__ = ["restore_row", "soft_delete_row"]

RowT = TypeVar("RowT")


async def soft_delete_row(op: Operation, row: Any, entity_type: str) -> None:
    """Hide ``row`` from lists and lookups; it stays restorable."""
    row.deleted_at = utcnow()
    await op.session.flush()
    op.audit(entity_type, row.id, "delete", customer_id=getattr(row, "customer_id", None))


async def restore_row(
    op: Operation, model: type[RowT], row_id: uuid.UUID, entity_type: str, what: str
) -> RowT:
    """Bring a soft-deleted row back; NOT_FOUND if there is none, CONFLICT if it is live."""
    row: Any = await op.session.get(model, (op.workspace_id, row_id))
    if row is None:
        raise NotFound("id", what)
    if row.deleted_at is None:
        raise Conflict("id", f"the {what} is not deleted")
    row.deleted_at = None
    await op.session.flush()
    op.audit(entity_type, row.id, "restore", customer_id=getattr(row, "customer_id", None))
    return row
