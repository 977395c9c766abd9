"""Pieces every sales GraphQL module shares: ids, ordering, listings, money, periods."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, overload

import strawberry
from graphql import GraphQLError
from strawberry import relay

from rapport.plugins.sales.analytics import Period
from rapport.plugins.sales.models import ProductPrice as ProductPriceRow
from rapport.schema import (
    Info,
    columns,
    node_from_row,
)

__all__ = [
    "MANAGE",
    "READ",
    "WRITE",
    "DeclaredRow",
    "Money",
    "PeriodInput",
    "global_id",
    "node_named",
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


async def node_named(info: Info, types: Mapping[str, Any], value: relay.GlobalID | None) -> Any:
    """The node ``value`` names, if it is of one of ``types`` (by GraphQL name) and visible.

    For figures computed in Python (a forecast row, a commission line) that name a record by
    its global id: the record comes through its type's loader, batched with its siblings.
    """
    node_type = types.get(value.type_name) if value is not None else None
    if value is None or node_type is None:
        return None
    return await node_type.resolve_pk(info, uuid.UUID(value.node_id))


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
