"""Applying validated field changes to a row and describing them for the audit log."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

__all__ = ["apply_changes", "auditable"]


def auditable(value: Any) -> Any:
    """A JSON-friendly copy of a field value for the audit log."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, list):
        return [auditable(v) for v in value]
    if isinstance(value, dict):
        return {k: auditable(v) for k, v in value.items()}
    return value


def apply_changes(row: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set ``values`` on ``row``; return ``{field: [old, new]}`` for those that changed."""
    changed: dict[str, list[Any]] = {}
    for name, new in values.items():
        old = getattr(row, name)
        if old != new:
            changed[name] = [auditable(old), auditable(new)]
            setattr(row, name, new)
    return changed
