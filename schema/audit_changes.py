"""An audit entry's ``changes`` in the API's terms, translated when read.

Services record changes as they store them (``{"lifecycle_status": ["lead", "active"]}``);
clients read the names, enum values and ids the schema uses
(``{"lifecycleStatus": ["LEAD", "ACTIVE"]}``). The mapping is derived once per record type
from its GraphQL type and table, so a new field (a plugin's too) is translated without being
listed anywhere:

- a name becomes camelCase, part by part (``participants.customer_id``);
- a value of a field whose GraphQL type is an enum becomes the member's name;
- a value of an id column becomes a global id: of the type its foreign key points at, or of
  the type of the field it stands for (``owner_id`` for ``owner: User``);
- ``moved`` (what a merge re-pointed, ``{kind: [ids]}``) and ``mergedIds`` carry ids of their
  kind, and of customers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from strawberry import relay
from strawberry.types.base import StrawberryList, StrawberryOptional
from strawberry.types.enum import StrawberryEnumDefinition

from rapport.core.services.field_values import camel_case
from rapport.schema.relay import ModelNode

__all__ = ["api_changes"]

Convert = Callable[[Any], Any]


def _snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _node_types() -> dict[str, type[ModelNode]]:
    """Every record type, by its GraphQL name and by its model's name and table."""
    found: dict[str, type[ModelNode]] = {}
    pending = list(ModelNode.__subclasses__())
    while pending:
        node_type = pending.pop()
        pending.extend(node_type.__subclasses__())
        model = getattr(node_type, "__model__", None)
        if model is None:
            continue
        found.setdefault(node_type.__name__, node_type)
        found.setdefault(model.__name__, node_type)
        found.setdefault(model.__tablename__, node_type)
    return found


def _global_ids(type_name: str) -> Convert:
    def convert(value: Any) -> Any:
        if isinstance(value, list):
            return [convert(item) for item in value]
        return None if value is None else str(relay.GlobalID(type_name, str(value)))

    return convert


def _enum_names(enum: StrawberryEnumDefinition) -> Convert:
    names = {item.value: item.name for item in enum.values}

    def convert(value: Any) -> Any:
        if isinstance(value, list):
            return [convert(item) for item in value]
        # A value the enum no longer has is shown as stored.
        return names.get(value, value) if isinstance(value, str) else value

    return convert


def _unwrap(annotation: Any) -> Any:
    while isinstance(annotation, StrawberryOptional | StrawberryList):
        annotation = annotation.of_type
    return annotation


@cache
def _converters(type_name: str) -> dict[str, Convert]:
    """How each stored field of ``type_name`` reads in the API, by its snake_case name."""
    types = _node_types()
    node_type = types.get(type_name)
    if node_type is None:
        return {}
    definition = node_type.__strawberry_definition__  # type: ignore[attr-defined]
    fields = {field.python_name: _unwrap(field.type) for field in definition.fields}
    converters: dict[str, Convert] = {}
    for name, annotation in fields.items():
        if isinstance(annotation, StrawberryEnumDefinition):
            converters[name] = _enum_names(annotation)
        elif isinstance(annotation, type) and issubclass(annotation, ModelNode):
            converters[f"{name}_id"] = _global_ids(annotation.__name__)
    for column in node_type.__model__.__table__.columns:
        for key in column.foreign_keys:
            target = types.get(key.column.table.name)
            if target is not None and column.name != "workspace_id":
                converters[column.name] = _global_ids(target.__name__)
    return converters


def _moved(value: Any) -> Any:
    """``{kind: [ids]}`` with each kind named and its ids global, as the API shows them."""
    if not isinstance(value, dict):
        return value
    types = _node_types()
    shown: dict[str, Any] = {}
    for kind, ids in value.items():
        node_type = types.get(kind)
        shown[node_type.__name__ if node_type else kind] = (
            _global_ids(node_type.__name__)(ids) if node_type else ids
        )
    return shown


def _pair(convert: Convert, value: Any) -> Any:
    """An ``[old, new]`` pair converted item by item; anything else as a whole."""
    if isinstance(value, list) and len(value) == 2:
        return [convert(item) for item in value]
    return convert(value)


def api_changes(type_name: str, changes: dict[str, Any]) -> dict[str, Any]:
    """``changes`` of a ``type_name`` record as the API spells names, enum values and ids."""
    converters = _converters(type_name)
    shown: dict[str, Any] = {}
    for key, value in changes.items():
        name = ".".join(camel_case(_snake_case(part)) for part in key.split("."))
        snake = _snake_case(key.rsplit(".", 1)[-1])
        if name == "moved":
            shown[name] = _pair(_moved, value)
        elif name == "mergedIds":
            shown[name] = _pair(_global_ids("Customer"), value)
        elif snake in converters:
            shown[name] = _pair(converters[snake], value)
        else:
            shown[name] = value
    return shown
