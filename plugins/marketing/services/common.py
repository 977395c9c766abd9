"""Lookups and checks the marketing services share, on top of the sales plugin's."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from rapport.core import DomainCode, ErrorCode, FieldError, Operation, ValidationFailed
from rapport.plugins.sales.services.common import Problems, get_row, money

__all__ = ["Problems", "clean", "get_row", "money", "refuse", "workspace_names"]


def clean(value: str | None) -> str | None:
    """Text as stored: stripped, empty as null."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def refuse(
    field: str, message: str, code: ErrorCode | DomainCode = ErrorCode.INVALID
) -> ValidationFailed:
    return ValidationFailed([FieldError(field, code, message)])


async def workspace_names(op: Operation, model: Any, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """``id -> name`` of rows of ``model`` in this workspace (the session scopes it)."""
    if not ids:
        return {}
    rows = await op.session.execute(select(model.id, model.name).where(model.id.in_(ids)))
    return {row[0]: row[1] for row in rows}
