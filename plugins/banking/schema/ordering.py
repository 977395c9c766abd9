"""Ordering of the banking lists: the ``orderBy`` items of a list, or its default order.

Every order input has a ``field`` (an enum whose values are the row's attribute names) and a
``direction``. The row's id always comes last so that equal values keep one order on every
engine, for lists and for connections' cursors alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rapport.schema import OrderDirection, SortKey

__all__ = ["order_columns", "sort_keys"]

# (attribute name, descending), in the order they sort.
Default = Sequence[tuple[str, bool]]


def _items(order_by: Sequence[Any] | None, default: Default) -> list[tuple[str, bool]]:
    if not order_by:
        return list(default)
    return [(item.field.value, item.direction == OrderDirection.DESC) for item in order_by]


def sort_keys(row: Any, order_by: Sequence[Any] | None, default: Default) -> list[SortKey]:
    """A connection's keys; a default may end with its own id key, the caller's never do."""
    items = _items(order_by, default)
    keys = [SortKey(getattr(row, name), descending) for name, descending in items]
    if items[-1][0] != "id":
        keys.append(SortKey(row.id, keys[-1].descending))
    return keys


def order_columns(row: Any, order_by: Sequence[Any] | None, default: Default) -> list[Any]:
    """A plain list's ORDER BY, from the same items as :func:`sort_keys`."""
    return [
        key.expression.desc() if key.descending else key.expression
        for key in sort_keys(row, order_by, default)
    ]
