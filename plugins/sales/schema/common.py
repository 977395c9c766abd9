"""Pieces every sales GraphQL module shares: ids, ordering, listings, money, periods."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, overload

import strawberry
from graphql import GraphQLError
from sqlalchemy import ColumnElement
from strawberry import relay

from rapport.core import ValidationFailed
from rapport.plugins.sales.analytics import Period
from rapport.plugins.sales.models import ProductPrice as ProductPriceRow
from rapport.schema import (
    Listing,
    OrderDirection,
    Scope,
    SortKey,
    columns,
    compile_filter,
    node_from_row,
    row_id_of,
)

__all__ = [
    "MANAGE",
    "READ",
    "WRITE",
    "DeclaredRow",
    "Money",
    "PeriodInput",
    "argument_id",
    "filtered_listing",
    "global_id",
    "list_order",
    "optional_id",
    "page_keys",
    "required_id",
]

READ = "sales:read"
WRITE = "sales:write"
MANAGE = "sales:manage"


@overload
def global_id(type_name: str, row_id: uuid.UUID) -> relay.GlobalID: ...


@overload
def global_id(type_name: str, row_id: uuid.UUID | None) -> relay.GlobalID | None: ...


def global_id(type_name: str, row_id: uuid.UUID | None) -> relay.GlobalID | None:
    """The global id of a row of another type (a Customer, a User) without its GraphQL type."""
    return relay.GlobalID(type_name, str(row_id)) if row_id is not None else None


def required_id(value: relay.GlobalID, type_name: str, field: str) -> uuid.UUID:
    """The row id inside a global id that must name ``type_name``; ValidationFailed if not."""
    return row_id_of(value, type_name, field)


def argument_id(value: relay.GlobalID, type_name: str, argument: str) -> uuid.UUID:
    """A query argument's row id; a wrong id is a bad request (queries have no payload)."""
    try:
        return required_id(value, type_name, argument)
    except ValidationFailed as exc:
        raise GraphQLError(
            f"{argument}: not an id of a {type_name}", extensions={"code": "BAD_USER_INPUT"}
        ) from exc


def optional_id(value: relay.GlobalID | None, type_name: str, field: str) -> uuid.UUID | None:
    return None if value is None else required_id(value, type_name, field)


class DeclaredRow:
    """A type that is not a node but reads one row by its ``__columns__`` (a line, a change).

    ``from_model`` builds it as a node's default does.
    """

    @classmethod
    def from_model(cls, row: Any) -> Any:
        return node_from_row(cls, row)


# Named for the plugin: another plugin may well define its own `Money`.
@strawberry.type(name="SalesAmount", description="An amount in one currency.")
class Money(DeclaredRow):
    # Read from the price list (a product's prices); sums (revenue) are built in Python.
    __model__ = ProductPriceRow
    __permission__ = READ
    __columns__ = columns("currency", amount="unit_price")

    amount: Decimal
    currency: str


@strawberry.input(
    name="SalesPeriod", description="Whole days; both the first and the last day are included."
)
class PeriodInput:
    start: date
    end: date

    def to_period(self) -> Period:
        if self.end < self.start:
            raise GraphQLError(
                "period: the end comes before the start", extensions={"code": "BAD_USER_INPUT"}
            )
        return Period(self.start, self.end)


# A list's default order: (attribute of the listed row, direction), the id breaking ties.
Ordering = Sequence[tuple[str, OrderDirection]]


def page_keys(row: Any, order_by: Sequence[Any] | None, default: Ordering) -> list[SortKey]:
    """Keyset sort keys from ``[{field, direction}]``: field values name attributes of ``row``.

    The id comes last, in the direction of the key before it, so the order is total.
    """
    chosen = [(item.field.value, item.direction) for item in order_by or []] or list(default)
    # Column expressions rather than ORM attributes: the read compiler adapts keys to the alias
    # a list under a parent reads from, and an attribute would escape that adaptation.
    keys = [
        SortKey(getattr(row, name).expression, direction == OrderDirection.DESC)
        for name, direction in chosen
    ]
    return [*keys, SortKey(row.id.expression, keys[-1].descending)]


def list_order(row: Any, order_by: Sequence[Any] | None, default: Ordering) -> list[Any]:
    """The ORDER BY of a plain list: the keys :func:`page_keys` would page by."""
    return [
        key.expression.desc() if key.descending else key.expression.asc()
        for key in page_keys(row, order_by, default)
    ]


def filtered_listing(
    target: Callable[[], Any],
    filters: Mapping[str, Any],
    default: Ordering,
    *,
    also: Callable[[Scope], Sequence[ColumnElement[bool]]] = lambda _scope: (),
) -> Listing:
    """A connection of ``target`` rows: its ``filter`` through ``filters`` (and ``also``),
    paged in its ``orderBy`` order (``default`` without one)."""
    return Listing(
        target=target,
        where=lambda scope: [compile_filter(scope.args.get("filter"), filters), *also(scope)],
        keys=lambda scope: page_keys(target().__model__, scope.args.get("order_by"), default),
    )
