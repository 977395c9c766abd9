"""From GraphQL input objects to the plain dataclasses the services take."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import Enum
from typing import Any, TypeVar

import strawberry
from strawberry import relay
from strawberry.utils.str_converters import to_camel_case

from rapport.core.error_codes import CoreErrorCode
from rapport.core.errors import FieldError, ValidationFailed
from rapport.core.services.field_values import FieldValues
from rapport.schema.relay import row_id_of

__all__ = ["explicit_nulls", "given", "plain_value", "refuse_cleared", "to_service_fields"]

FieldsT = TypeVar("FieldsT")
T = TypeVar("T")


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
    sources: Mapping[str, str] | None = None,
) -> FieldsT:
    """The given fields of ``data`` as a ``target`` dataclass (fields matched by name).

    A field left out stays ``None``; one given as an explicit null is also named in the
    target's ``cleared`` (a :class:`~rapport.core.services.field_values.FieldValues`), which
    an update clears. ``id_types`` names the GraphQL type a global id field must point at
    (``owner_id: "User"``), so an id of the wrong kind is reported on its field rather than
    as "not found"; ``sources`` names the input field of a target field named otherwise
    (``type_key: "type"``).
    """
    values: dict[str, Any] = {}
    cleared: set[str] = set()
    for field in dataclasses.fields(target):  # type: ignore[arg-type]
        source = (sources or {}).get(field.name, field.name)
        value = getattr(data, source, strawberry.UNSET)
        if value is strawberry.UNSET or field.name == "cleared":
            continue
        if value is None:
            cleared.add(field.name)
            continue
        path = prefix + to_camel_case(source)
        values[field.name] = plain_value(value, path, (id_types or {}).get(field.name))
    if issubclass(target, FieldValues):
        values["cleared"] = frozenset(cleared)
    return target(**values)


def given(value: T | None) -> T | None:
    """An input field's value, or None when it was left out (``UNSET``) or given as null;
    :func:`explicit_nulls` tells the two apart."""
    return None if value is strawberry.UNSET else value


def explicit_nulls(
    data: Any, sources: Mapping[str, tuple[str, ...]] | None = None
) -> frozenset[str]:
    """The service fields an input clears: those of its fields given as an explicit null.

    A field left out is ``UNSET`` and clears nothing. ``sources`` maps an input field to the
    service fields it stands for when they are named otherwise (``link``: its type and id).
    """
    cleared: set[str] = set()
    for field in dataclasses.fields(data):
        if getattr(data, field.name) is None:
            cleared.update((sources or {}).get(field.name, (field.name,)))
    return frozenset(cleared)


def refuse_cleared(cleared: frozenset[str], prefix: str = "input.") -> None:
    """Refuse explicit nulls of an input whose every field is required of the record."""
    if cleared:
        raise ValidationFailed(
            [
                FieldError(
                    prefix + to_camel_case(name),
                    CoreErrorCode.CANNOT_CLEAR,
                    "is required and cannot be cleared",
                )
                for name in sorted(cleared)
            ]
        )
