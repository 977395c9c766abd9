"""The order of a list: its ``orderBy`` items, or its default, with the row's id last.

Every order input has a ``field`` (an enum whose values name attributes of the listed row) and
a ``direction``. The id comes last, in the direction of the key before it unless the order
names the id itself, so that rows with equal values keep one order on every engine, for plain
lists and for connections' cursors alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from typing import Any, TypeVar, cast

import strawberry
from sqlalchemy import ColumnElement

from rapport.schema.entities import Listing, Scope
from rapport.schema.filters import compile_filter
from rapport.schema.relay import OrderDirection, SortKey

__all__ = ["Ordering", "filtered_listing", "list_order", "order_input", "order_keys"]

T = TypeVar("T")

# A list's default order: (attribute of the listed row, direction), in the order they sort.
Ordering = Sequence[tuple[str, OrderDirection]]


def order_input(
    fields: Mapping[str, str],
    *,
    direction: OrderDirection = OrderDirection.ASC,
    name: str | None = None,
    description: str | None = None,
) -> Callable[[type[T]], type[T]]:
    """Make a class the ``orderBy`` item of a list: ``{field: <NAME>, direction}``.

    ``fields`` maps each enum member to the attribute of the listed row it sorts by; the enum
    is named after the input (``<name>Field``). One line per list instead of an enum and an
    input written out each time::

        @order_input({"RECEIVED_AT": "received_at", "AMOUNT": "amount"})
        class PaymentOrder: ...
    """

    def build(cls: type[T]) -> type[T]:
        graphql_name = name or cls.__name__
        members = cast(type[Enum], Enum(f"{cls.__name__}Field", dict(fields)))
        enum = strawberry.enum(members, name=f"{graphql_name}Field")
        cls.__annotations__ = {"field": enum, "direction": OrderDirection}
        setattr(cls, "direction", direction)  # noqa: B010 - the input's default
        return strawberry.input(cls, name=name, description=description)

    return build


def order_keys(row: Any, order_by: Sequence[Any] | None, default: Ordering) -> list[SortKey]:
    """Keyset sort keys from ``[{field, direction}]`` (or ``default``), the id last."""
    chosen = [(item.field.value, item.direction) for item in order_by or []] or list(default)
    keys = [
        SortKey(getattr(row, name), direction == OrderDirection.DESC) for name, direction in chosen
    ]
    if not chosen or chosen[-1][0] != "id":
        keys.append(SortKey(row.id, keys[-1].descending if keys else False))
    return keys


def list_order(row: Any, order_by: Sequence[Any] | None, default: Ordering) -> list[Any]:
    """The ORDER BY of a plain list: the keys :func:`order_keys` would page by."""
    return [
        key.expression.desc() if key.descending else key.expression.asc()
        for key in order_keys(row, order_by, default)
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
        keys=lambda scope: order_keys(target().__model__, scope.args.get("order_by"), default),
    )
