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


def _changed_entries(old: dict[str, Any], new: dict[str, Any]) -> list[Any]:
    """``[old, new]`` of a mapping, narrowed to the keys that changed (a removed key is null)."""
    keys = sorted(
        k for k in old.keys() | new.keys() if k not in old or k not in new or old[k] != new[k]
    )
    return [{k: auditable(old.get(k)) for k in keys}, {k: auditable(new.get(k)) for k in keys}]


def apply_changes(row: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set ``values`` on ``row``; return ``{field: [old, new]}`` for those that changed.

    A mapping field (custom attributes) is described by the keys that changed only, so the
    audit log shows the one value edited rather than every value the record holds.
    """
    changed: dict[str, list[Any]] = {}
    for name, new in values.items():
        old = getattr(row, name)
        if old != new:
            if isinstance(old, dict) and isinstance(new, dict):
                changed[name] = _changed_entries(old, new)
            else:
                changed[name] = [auditable(old), auditable(new)]
            setattr(row, name, new)
    return changed
