"""Per-workspace custom fields on customers: definitions and typed validation of values."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.error_codes import CoreErrorCode
from rapport.core.errors import Conflict, ErrorCode, FieldError, NotFound, ValidationFailed
from rapport.core.models import Customer, CustomFieldDefinition
from rapport.core.services.changes import apply_changes
from rapport.core.services.operation import Operation
from rapport.core.sql import json_field

__all__ = [
    "FIELD_TYPES",
    "check_attributes",
    "define_custom_field",
    "definitions",
    "delete_custom_field",
    "update_custom_field",
    "validate_attributes",
]

FIELD_TYPES = ("text", "number", "integer", "boolean", "date", "select", "multiselect")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_TEXT = 2000


def _coerce(definition: CustomFieldDefinition, value: Any) -> tuple[Any, str | None]:
    """The stored form of ``value``, or an explanation of why it does not fit."""
    kind = definition.field_type
    if kind == "text":
        if not isinstance(value, str):
            return None, "expected text"
        return (value, None) if len(value) <= MAX_TEXT else (None, f"at most {MAX_TEXT} characters")
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, "expected a number"
        return value, None
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return None, "expected a whole number"
        return value, None
    if kind == "boolean":
        return (value, None) if isinstance(value, bool) else (None, "expected true or false")
    if kind == "date":
        try:
            return date.fromisoformat(str(value)).isoformat(), None
        except ValueError:
            return None, "expected a date as YYYY-MM-DD"
    if kind == "select":
        if value not in definition.options:
            return None, f"must be one of {', '.join(definition.options)}"
        return value, None
    if kind == "multiselect":
        if not isinstance(value, list) or any(v not in definition.options for v in value):
            return None, f"must be a list drawn from {', '.join(definition.options)}"
        return sorted(set(value)), None
    return None, f"unknown field type {kind}"


async def definitions(
    session: AsyncSession, entity: str = "customer"
) -> dict[str, CustomFieldDefinition]:
    rows = await session.execute(
        select(CustomFieldDefinition).where(CustomFieldDefinition.entity == entity)
    )
    return {row.key: row for row in rows.scalars()}


async def validate_attributes(
    session: AsyncSession, given: dict[str, Any], current: dict[str, Any], prefix: str
) -> tuple[dict[str, Any], list[FieldError]]:
    """Merge ``given`` into ``current``; ``None`` removes a value. Unknown keys are errors."""
    return check_attributes(await definitions(session), given, current, prefix)


def check_attributes(
    known: dict[str, CustomFieldDefinition],
    given: dict[str, Any],
    current: dict[str, Any],
    prefix: str,
) -> tuple[dict[str, Any], list[FieldError]]:
    """:func:`validate_attributes` against definitions loaded once (bulk callers)."""
    errors: list[FieldError] = []
    merged = dict(current)
    for key, value in given.items():
        path = f"{prefix}attributes.{key}"
        definition = known.get(key)
        if definition is None:
            errors.append(FieldError(path, ErrorCode.UNKNOWN_FIELD, f"no custom field {key!r}"))
            continue
        if value is None:
            merged.pop(key, None)
            continue
        stored, problem = _coerce(definition, value)
        if problem:
            errors.append(FieldError(path, CoreErrorCode.CUSTOM_FIELD_INVALID, problem))
        else:
            merged[key] = stored
    for key, definition in known.items():
        if definition.required and merged.get(key) is None:
            errors.append(
                FieldError(f"{prefix}attributes.{key}", ErrorCode.REQUIRED, f"{key} is required")
            )
    return merged, errors


async def define_custom_field(
    op: Operation,
    *,
    key: str,
    label: str,
    field_type: str,
    options: list[str] | None = None,
    required: bool = False,
    description: str | None = None,
) -> CustomFieldDefinition:
    errors: list[FieldError] = []
    if not KEY_PATTERN.match(key):
        errors.append(
            FieldError(
                "input.key",
                CoreErrorCode.KEY_INVALID,
                "lower-case letters, digits and _, starting with a letter",
            )
        )
    if field_type not in FIELD_TYPES:
        errors.append(
            FieldError(
                "input.fieldType",
                CoreErrorCode.NOT_ONE_OF,
                f"must be one of {', '.join(FIELD_TYPES)}",
            )
        )
    if field_type in ("select", "multiselect") and not options:
        errors.append(
            FieldError("input.options", ErrorCode.REQUIRED, "a choice field needs options")
        )
    if not label.strip():
        errors.append(FieldError("input.label", ErrorCode.REQUIRED, "a label is required"))
    if errors:
        raise ValidationFailed(errors)
    if key in await definitions(op.session):
        raise Conflict("input.key", f"a custom field {key!r} exists already")
    row = CustomFieldDefinition(
        workspace_id=op.workspace_id,
        entity="customer",
        key=key,
        label=label.strip(),
        field_type=field_type,
        options=list(dict.fromkeys(options or [])),
        required=required,
        description=description,
    )
    op.session.add(row)
    await op.session.flush()
    op.audit("CustomFieldDefinition", row.id, "create", {"key": [None, key]})
    return row


async def _definition(op: Operation, key: str) -> CustomFieldDefinition:
    found = (await definitions(op.session)).get(key)
    if found is None:
        raise NotFound("key", f"custom field {key!r}")
    return found


async def update_custom_field(
    op: Operation,
    key: str,
    *,
    label: str | None = None,
    options: list[str] | None = None,
    required: bool | None = None,
    description: str | None = None,
    cleared: frozenset[str] = frozenset(),
) -> CustomFieldDefinition:
    """Relabel, redescribe, require, or add choices; stored values stay valid.

    ``cleared`` names the fields given as an explicit null: the description is removed, the
    others are what the field is and cannot be cleared.
    """
    row = await _definition(op, key)
    errors: list[FieldError] = [
        FieldError(f"input.{name}", CoreErrorCode.CANNOT_CLEAR, "is required and cannot be cleared")
        for name in sorted(cleared - {"description"})
    ]
    if label is not None and not label.strip():
        errors.append(FieldError("input.label", ErrorCode.REQUIRED, "a label is required"))
    if options is not None:
        if row.field_type not in ("select", "multiselect"):
            errors.append(
                FieldError(
                    "input.options",
                    CoreErrorCode.NOT_A_CHOICE_FIELD,
                    "only choice fields have options",
                )
            )
        dropped = [option for option in row.options if option not in options]
        if dropped:
            # Removing a choice would leave customers holding a value the field forbids.
            errors.append(
                FieldError(
                    "input.options",
                    CoreErrorCode.CHOICE_REMOVED,
                    f"choices can be added, not removed: {', '.join(dropped)} missing",
                )
            )
    if errors:
        raise ValidationFailed(errors)
    values = {
        "label": label.strip() if label is not None else None,
        "options": list(dict.fromkeys(options)) if options is not None else None,
        "required": required,
        "description": description,
    }
    given: dict[str, object] = {k: v for k, v in values.items() if v is not None}
    if "description" in cleared:
        given["description"] = None
    changes = apply_changes(row, given)
    if changes:
        await op.session.flush()
        op.audit("CustomFieldDefinition", row.id, "update", changes)
    return row


async def delete_custom_field(op: Operation, key: str) -> CustomFieldDefinition:
    """Remove a field no customer holds a value for (so no data is lost)."""
    row = await _definition(op, key)
    holders = (
        await op.session.execute(
            select(func.count())
            .select_from(Customer)
            .where(json_field(Customer.attributes, key, "present").is_not(None))
        )
    ).scalar_one()
    if holders:
        raise Conflict(
            "key", f"{holders} customer(s) hold a value for {key!r}; clear those values first"
        )
    await op.session.delete(row)
    await op.session.flush()
    op.audit("CustomFieldDefinition", row.id, "delete", {"key": [key, None]})
    return row
