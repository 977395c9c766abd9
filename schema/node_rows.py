"""A node built from its row by its declaration: what ``from_model`` did by hand, field by field.

A declared type's plain fields are its ``__columns__``; the row's values are converted as the
field's annotation says (an enum from its stored value, a list or mapping copied, a
:class:`~rapport.schema.entities.Reference` into a global id), its ``id`` is the row's id and a
private ``row`` field, when the type has one, keeps the row for its resolvers. A type with a
field its declaration cannot fill (an SQL expression, a private value of its own) keeps writing
``from_model`` itself; the builder says so the first time it is used.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from enum import Enum
from typing import Any

from strawberry import relay
from strawberry.types.base import StrawberryList, StrawberryOptional

from rapport.schema.entities import Reference, entity_of

__all__ = ["node_from_row"]

Convert = Callable[[Any], Any]
_builders: dict[type, Callable[[Any], Any]] = {}


def _converter(annotation: Any) -> Convert:
    """How a stored value becomes the field's Python value, from the field's strawberry type."""
    optional = isinstance(annotation, StrawberryOptional)
    inner = annotation.of_type if optional else annotation
    if isinstance(inner, type) and issubclass(inner, Enum):
        enum = inner
        return lambda value: None if value is None else enum(value)
    if isinstance(inner, StrawberryList):
        # The row's list belongs to the session's identity map: hand out a copy.
        return lambda value: (None if optional else []) if value is None else list(value)
    return lambda value: dict(value) if isinstance(value, dict) else value


def _reader(name: str, source: Any, annotation: Any) -> Convert:
    if isinstance(source, Reference):
        type_name, column = source.type_name, source.column

        def global_id(row: Any) -> Any:
            value = getattr(row, column)
            return None if value is None else relay.GlobalID(type_name, str(value))

        return global_id
    if not isinstance(source, str):
        raise TypeError(f"{name} is an SQL expression: write from_model for its type")
    convert = _converter(annotation)
    return lambda row: convert(getattr(row, source))


def _builder(node_type: type) -> Callable[[Any], Any]:
    entity = entity_of(node_type)
    if entity is None:
        raise TypeError(f"{node_type.__name__} declares no __columns__: write its from_model")
    definition = node_type.__strawberry_definition__  # type: ignore[attr-defined]
    annotations = {field.python_name: field.type for field in definition.fields}
    readers: dict[str, Convert] = {}
    for field in dataclasses.fields(node_type):
        name = field.name
        if not field.init:
            continue  # a resolver's field
        if name == "id":
            readers[name] = lambda row: str(row.id)
        elif name == "row":
            readers[name] = lambda row: row
        elif name in entity.fields:
            readers[name] = _reader(name, entity.fields[name], annotations.get(name))
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise TypeError(f"{node_type.__name__}.{name} is not declared: write its from_model")

    def build(row: Any) -> Any:
        return node_type(**{name: read(row) for name, read in readers.items()})

    return build


def node_from_row(node_type: type, row: Any) -> Any:
    """The ``node_type`` object for ``row``, built from the type's declaration."""
    build = _builders.get(node_type)
    if build is None:
        build = _builders[node_type] = _builder(node_type)
    return build(row)
