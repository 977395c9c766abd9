"""From GraphQL input objects to the plain dataclasses the services take."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import Enum
from typing import Any, TypeVar

import strawberry
from strawberry import relay
from strawberry.utils.str_converters import to_camel_case

from rapport.schema.relay import row_id_of

__all__ = ["plain_value", "to_service_fields"]

FieldsT = TypeVar("FieldsT")


def plain_value(value: Any, field: str, expected_type: str | None = None) -> Any:
    """Enums become their values and global ids the row ids they carry, lists item by item."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, relay.GlobalID):
        return row_id_of(value, expected_type, field)
    if isinstance(value, list):
        return [plain_value(v, f"{field}.{i}", expected_type) for i, v in enumerate(value)]
    return value


def to_service_fields(
    data: Any,
    target: type[FieldsT],
    *,
    prefix: str = "input.",
    id_types: Mapping[str, str] | None = None,
) -> FieldsT:
    """The set fields of ``data`` as a ``target`` dataclass (fields matched by name).

    ``id_types`` names the GraphQL type a global id field must point at (``owner_id: "User"``),
    so an id of the wrong kind is reported on its field rather than as "not found".
    """
    values: dict[str, Any] = {}
    for field in dataclasses.fields(target):  # type: ignore[arg-type]
        value = getattr(data, field.name, None)
        if value is None or value is strawberry.UNSET:
            continue
        path = prefix + to_camel_case(field.name)
        values[field.name] = plain_value(value, path, (id_types or {}).get(field.name))
    return target(**values)
