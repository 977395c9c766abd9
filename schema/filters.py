"""Filter inputs and their translation to SQL.

Each type has one ``<Type>Filter`` input whose fields are scalar filters (``StringFilter`` and
friends) or type-specific conditions, combined with ``and``/``or``/``not``. A type declares a
map from its filter field names to either a column (for scalar filters) or a function that
turns the field's value into a SQL condition; :func:`compile_filter` does the rest.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy import ColumnElement, and_, not_, or_, true
from strawberry import relay

__all__ = [
    "BooleanFilter",
    "Custom",
    "DateFilter",
    "DateTimeFilter",
    "DecimalFilter",
    "FilterMap",
    "Filterable",
    "FloatFilter",
    "IDFilter",
    "IntFilter",
    "StringFilter",
    "compile_filter",
    "filter_input",
    "scalar_condition",
]


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@strawberry.input(description="Conditions on a text field; all given conditions must hold.")
class StringFilter:
    eq: str | None = strawberry.UNSET
    neq: str | None = strawberry.UNSET
    in_: list[str] | None = strawberry.field(default=strawberry.UNSET, name="in")
    not_in: list[str] | None = strawberry.UNSET
    like: str | None = strawberry.field(default=strawberry.UNSET, description="SQL LIKE pattern")
    ilike: str | None = strawberry.field(default=strawberry.UNSET, description="LIKE, any case")
    starts_with: str | None = strawberry.UNSET
    ends_with: str | None = strawberry.UNSET
    contains: str | None = strawberry.field(default=strawberry.UNSET, description="any case")
    is_null: bool | None = strawberry.UNSET


ValueT = TypeVar("ValueT")
T = TypeVar("T")


@strawberry.input
class OrderedFilter(Generic[ValueT]):
    """Equality, range and set conditions over one ordered scalar type."""

    eq: ValueT | None = strawberry.UNSET
    neq: ValueT | None = strawberry.UNSET
    gt: ValueT | None = strawberry.UNSET
    gte: ValueT | None = strawberry.UNSET
    lt: ValueT | None = strawberry.UNSET
    lte: ValueT | None = strawberry.UNSET
    in_: list[ValueT] | None = strawberry.field(default=strawberry.UNSET, name="in")
    not_in: list[ValueT] | None = strawberry.UNSET
    is_null: bool | None = strawberry.UNSET


@strawberry.input(description="Conditions on a whole number.")
class IntFilter(OrderedFilter[int]):
    pass


@strawberry.input(description="Conditions on a number.")
class FloatFilter(OrderedFilter[float]):
    pass


@strawberry.input(description="Conditions on an exact amount.")
class DecimalFilter(OrderedFilter[Decimal]):
    pass


@strawberry.input(description="Conditions on a date.")
class DateFilter(OrderedFilter[date]):
    pass


@strawberry.input(description="Conditions on a point in time.")
class DateTimeFilter(OrderedFilter[datetime]):
    pass


@strawberry.input(description="Conditions on a yes/no field.")
class BooleanFilter:
    eq: bool | None = strawberry.UNSET
    is_null: bool | None = strawberry.UNSET


@strawberry.input(description="Conditions on a reference to another record, by global id.")
class IDFilter:
    eq: relay.GlobalID | None = strawberry.UNSET
    neq: relay.GlobalID | None = strawberry.UNSET
    in_: list[relay.GlobalID] | None = strawberry.field(default=strawberry.UNSET, name="in")
    is_null: bool | None = strawberry.UNSET


def _is_set(value: Any) -> bool:
    return value is not strawberry.UNSET and value is not None


def _node_uuid(value: relay.GlobalID) -> uuid.UUID | None:
    try:
        return uuid.UUID(value.node_id)
    except ValueError:
        return None


def scalar_condition(column: Any, condition: Any) -> ColumnElement[bool]:
    """SQL for one scalar filter object applied to ``column``."""
    parts: list[ColumnElement[bool]] = []
    ops = {
        "eq": lambda v: column == v,
        "neq": lambda v: column != v,
        "gt": lambda v: column > v,
        "gte": lambda v: column >= v,
        "lt": lambda v: column < v,
        "lte": lambda v: column <= v,
        "in_": lambda v: column.in_(v),
        "not_in": lambda v: column.not_in(v),
        "like": lambda v: column.like(v),
        "ilike": lambda v: column.ilike(v),
        "starts_with": lambda v: column.like(_escape_like(v) + "%", escape="\\"),
        "ends_with": lambda v: column.like("%" + _escape_like(v), escape="\\"),
        "contains": lambda v: column.ilike("%" + _escape_like(v) + "%", escape="\\"),
        "is_null": lambda v: column.is_(None) if v else column.is_not(None),
    }
    for field in dataclasses.fields(condition):
        value = getattr(condition, field.name)
        if value is strawberry.UNSET or (value is None and field.name != "is_null"):
            continue
        if isinstance(condition, IDFilter) and field.name != "is_null":
            ids = [_node_uuid(v) for v in value] if isinstance(value, list) else _node_uuid(value)
            value = [i for i in ids if i] if isinstance(ids, list) else ids
        if value is None:
            continue
        parts.append(ops[field.name](value))
    return and_(true(), *parts)


@dataclasses.dataclass(frozen=True)
class Custom:
    """A filter field that builds its own condition from its value (relations, tags, ...)."""

    build: Callable[[Any], ColumnElement[bool]]


# Filter field name -> a column (for a scalar filter) or a Custom condition.
FilterMap = Mapping[str, Any]


def compile_filter(condition: Any, fields: FilterMap) -> ColumnElement[bool]:
    """SQL for a ``<Type>Filter`` object, recursing through ``and``/``or``/``not``."""
    if condition is None or condition is strawberry.UNSET:
        return true()
    parts: list[ColumnElement[bool]] = []
    for field in dataclasses.fields(condition):
        value = getattr(condition, field.name)
        if not _is_set(value):
            continue
        name = field.name
        if name == "and_":
            parts.append(and_(true(), *(compile_filter(item, fields) for item in value)))
        elif name == "or_":
            parts.append(
                or_(*(compile_filter(item, fields) for item in value)) if value else true()
            )
        elif name == "not_":
            parts.append(not_(compile_filter(value, fields)))
        else:
            target = fields[name]
            if isinstance(target, Filterable):
                target = target.target
            if isinstance(target, Custom):
                parts.append(target.build(value))
            else:
                parts.append(scalar_condition(target, value))
    return and_(true(), *parts)


@dataclass(frozen=True)
class Filterable:
    """One field of a ``<Type>Filter``: its input type and what it filters."""

    input_type: Any
    target: Any
    description: str | None = None


def filter_input(
    fields: Mapping[str, Filterable], *, name: str | None = None, description: str | None = None
) -> Callable[[type[T]], type[T]]:
    """Make a class a ``<Type>Filter``: one optional field per entry, plus ``and``/``or``/``not``.

    The same ``fields`` are the map :func:`compile_filter` reads, so a field is named once::

        PAYMENT_FILTERS = {
            "amount": Filterable(DecimalFilter, PaymentRow.amount),
            "method": Filterable(list[PaymentMethod], Custom(lambda v: ...)),
        }

        @filter_input(PAYMENT_FILTERS, description="Conditions on payments; ...")
        class PaymentFilter: ...
    """

    def build(cls: type[T]) -> type[T]:
        annotations: dict[str, Any] = {}
        for field_name, field in fields.items():
            annotations[field_name] = field.input_type | None
            default = strawberry.field(default=strawberry.UNSET, description=field.description)
            setattr(cls, field_name, default)
        # The class exists already: the combinators refer to it directly.
        for python_name, graphql_name, kind in (
            ("and_", "and", list[cls] | None),  # type: ignore[valid-type]
            ("or_", "or", list[cls] | None),  # type: ignore[valid-type]
            ("not_", "not", cls | None),
        ):
            annotations[python_name] = kind
            setattr(cls, python_name, strawberry.field(default=strawberry.UNSET, name=graphql_name))
        cls.__annotations__ = annotations
        return strawberry.input(cls, name=name, description=description)

    return build
