"""Pieces every sales GraphQL module shares: ids, ordering, money, periods, loaders."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, overload

import strawberry
from graphql import GraphQLError
from sqlalchemy import ColumnElement, select
from strawberry import relay

from rapport.core import ValidationFailed
from rapport.plugins.sales.analytics import Period
from rapport.schema import (
    Connection,
    OrderDirection,
    RequestContext,
    Scope,
    SortKey,
    compile_filter,
    grouped_loader,
    paginate,
    row_id_of,
)
from rapport.schema import Listing as DeclaredListing
from rapport.schema.batched_pages import paginate_per_parent

__all__ = [
    "MANAGE",
    "READ",
    "WRITE",
    "Listing",
    "Money",
    "PeriodInput",
    "argument_id",
    "filtered_listing",
    "global_id",
    "list_order",
    "load_grouped",
    "optional_id",
    "page_keys",
    "required_id",
    "sort_keys",
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


# Named for the plugin: another plugin may well define its own `Money`.
@strawberry.type(name="SalesAmount", description="An amount in one currency.")
class Money:
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


def sort_keys(
    order_by: Sequence[Any] | None, columns: dict[str, Any], default: str, id_column: Any
) -> list[SortKey]:
    """Sort keys from ``[{field, direction}]`` (field values name ``columns``), id last."""
    chosen = [(item.field.value, item.direction) for item in order_by or []] or [
        (default, OrderDirection.ASC)
    ]
    keys = [SortKey(columns[name], direction == OrderDirection.DESC) for name, direction in chosen]
    return [*keys, SortKey(id_column, keys[-1].descending)]


# A list's default order: (attribute of the listed row, direction), the id breaking ties.
Ordering = Sequence[tuple[str, OrderDirection]]


def page_keys(row: Any, order_by: Sequence[Any] | None, default: Ordering) -> list[SortKey]:
    """Keyset sort keys from ``[{field, direction}]``: field values name attributes of ``row``.

    The id comes last, in the direction of the key before it, so the order is total.
    """
    chosen = [(item.field.value, item.direction) for item in order_by or []] or list(default)
    keys = [
        SortKey(getattr(row, name), direction == OrderDirection.DESC) for name, direction in chosen
    ]
    return [*keys, SortKey(row.id, keys[-1].descending)]


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
) -> DeclaredListing:
    """A connection of ``target`` rows: its ``filter`` through ``filters`` (and ``also``),
    paged in its ``orderBy`` order (``default`` without one)."""
    return DeclaredListing(
        target=target,
        where=lambda scope: [compile_filter(scope.args.get("filter"), filters), *also(scope)],
        keys=lambda scope: page_keys(target().__model__, scope.args.get("order_by"), default),
    )


@dataclass(frozen=True)
class Listing:
    """How one type is listed: its filter fields, the columns it orders by, and its node."""

    model: Any
    filters: Mapping[str, Any]
    order_columns: Mapping[str, Any]
    default_order: str
    to_node: Callable[[Any], Any]

    async def page(
        self,
        context: RequestContext,
        filter: Any,
        order_by: Sequence[Any] | None,
        *,
        where: ColumnElement[bool] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Any]:
        """One page of the rows matching ``filter`` (and ``where``), as a connection."""
        context.require(READ)
        statement = select(self.model).where(compile_filter(filter, self.filters))
        if where is not None:
            statement = statement.where(where)
        keys = sort_keys(order_by, dict(self.order_columns), self.default_order, self.model.id)
        return await paginate(
            context,
            statement,
            keys=keys,
            to_node=self.to_node,
            first=first,
            after=after,
            last=last,
            before=before,
        )

    async def page_of_parent(
        self,
        context: RequestContext,
        filter: Any,
        order_by: Sequence[Any] | None,
        *,
        parent: Any,
        parent_id: uuid.UUID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Any]:
        """The page under one parent (a customer), batched with its siblings' pages."""
        context.require(READ)
        statement = select(self.model).where(compile_filter(filter, self.filters))
        keys = sort_keys(order_by, dict(self.order_columns), self.default_order, self.model.id)
        # Input objects print the same for the same arguments; siblings share one batch.
        batch = (self.model.__name__, str(parent), repr(filter), repr(order_by), first, after)
        return await paginate_per_parent(
            context,
            statement,
            parent=parent,
            parent_id=parent_id,
            keys=keys,
            to_node=self.to_node,
            batch=batch,
            first=first,
            after=after,
        )


async def load_grouped(
    context: RequestContext, model: Any, parent: str, parent_id: Hashable, *order: Any
) -> list[Any]:
    """Every row of ``model`` whose ``parent`` column is ``parent_id``, batched per request."""
    column = getattr(model, parent)

    def build(ctx: RequestContext) -> Any:
        return grouped_loader(
            ctx,
            lambda keys: select(model).where(column.in_(keys)).order_by(*order, model.id),
            lambda row: getattr(row, parent),
        )

    return list(await context.loader_for(("sales-grouped", model, parent), build).load(parent_id))
