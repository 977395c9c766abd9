"""Links from interactions and tasks to any record, given and shown as global ids.

A link is stored as the GraphQL type name and the row id (``link_type``/``link_id``), so it can
point at a type a plugin adds later; ``linkedRecord`` resolves it back through ``node(id:)``'s
batching.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, and_, false
from strawberry import relay

from rapport.core.errors import ErrorCode, ValidationFailed
from rapport.core.services.operation import Operation
from rapport.schema.context import Info
from rapport.schema.types.node import node_type_of, resolve_global_ids

__all__ = ["LINK_FIELDS", "link_condition", "linked_record", "resolve_link"]

# The service fields an input's ``link`` stands for: a null link clears both.
LINK_FIELDS = {"link": ("link_type", "link_id")}


async def resolve_link(
    info: Info, op: Operation, value: relay.GlobalID, field: str
) -> tuple[str, uuid.UUID]:
    """``(type name, row id)`` of an existing record of this workspace, else ValidationFailed."""
    node_type = node_type_of(info, value)
    try:
        row_id = uuid.UUID(value.node_id)
    except ValueError:
        node_type = None
    if node_type is None:
        raise ValidationFailed.one(field, "not the id of a record", ErrorCode.INVALID)
    row = await op.session.get(node_type.__model__, (op.workspace_id, row_id))
    if row is None or getattr(row, "deleted_at", None) is not None:
        raise ValidationFailed.one(field, "no such record", ErrorCode.NOT_FOUND)
    return value.type_name, row_id


async def linked_record(info: Info, link_type: str | None, link_id: Any) -> Any:
    if link_type is None or link_id is None:
        return None
    return (await resolve_global_ids(info, [relay.GlobalID(link_type, str(link_id))]))[0]


def link_condition(model: Any, value: relay.GlobalID) -> ColumnElement[bool]:
    """Rows of ``model`` linked to the record ``value`` names."""
    try:
        row_id = uuid.UUID(value.node_id)
    except ValueError:
        return false()
    return and_(model.link_type == value.type_name, model.link_id == row_id)
