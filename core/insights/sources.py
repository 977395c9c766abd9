"""The registered value sources of one kind, as one SQL union insights select from."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Numeric,
    String,
    Subquery,
    Uuid,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)

from rapport.core.contributions import ValueKind, ValueSource
from rapport.core.db import UTCDateTime
from rapport.core.money_column import as_money

__all__ = ["engagement_rows", "revenue_rows"]

REVENUE_COLUMNS = ("customer_id", "occurred_at", "amount", "currency")
ENGAGEMENT_COLUMNS = ("customer_id", "occurred_at", "kind")


def _union(
    sources: list[ValueSource], kind: ValueKind, workspace_id: uuid.UUID, columns: tuple[str, ...]
) -> list[Any]:
    selects = []
    for source in sources:
        if source.kind is not kind:
            continue
        built = source.build(workspace_id).subquery()
        missing = [name for name in columns if name not in built.c]
        if missing:
            raise ValueError(f"value source {source.name!r} selects no {', '.join(missing)}")
        # A source may give dates (a month's revenue): every row is read as a moment.
        selects.append(select(*(_column(built, name) for name in columns)))
    return selects


def _column(built: Subquery, name: str) -> Any:
    """A source's column as every source gives it: moments for times (a source may give a
    month's date) and money for amounts (a source may give plain numbers)."""
    if name == "occurred_at":
        return type_coerce(built.c[name], UTCDateTime()).label(name)
    if name == "amount":
        return as_money(built.c[name]).label(name)
    return built.c[name]


def revenue_rows(sources: list[ValueSource], workspace_id: uuid.UUID, currency: str) -> Subquery:
    """Money received, in the reporting ``currency`` only (a null currency is taken as it)."""
    selects = _union(sources, ValueKind.REVENUE, workspace_id, REVENUE_COLUMNS)
    if not selects:
        return _empty(REVENUE_COLUMNS)
    every = union_all(*selects).subquery("revenue_any_currency")
    in_currency: ColumnElement[bool] = or_(
        every.c.currency.is_(None), func.upper(every.c.currency) == currency.upper()
    )
    return (
        select(every.c.customer_id, every.c.occurred_at, every.c.amount)
        .where(in_currency)
        .subquery("revenue")
    )


def engagement_rows(sources: list[ValueSource], workspace_id: uuid.UUID) -> Subquery:
    selects = _union(sources, ValueKind.ENGAGEMENT, workspace_id, ENGAGEMENT_COLUMNS)
    if not selects:
        return _empty(ENGAGEMENT_COLUMNS)
    return union_all(*selects).subquery("engagement")


# The column types of an empty union, so PostgreSQL can sum and compare them.
COLUMN_TYPES: dict[str, Any] = {
    "customer_id": Uuid(),
    "occurred_at": UTCDateTime(),
    "amount": Numeric(18, 2),
    "currency": String(3),
    "kind": String(50),
}


def _empty(columns: tuple[str, ...]) -> Subquery:
    """No source of the kind is enabled: a select of no rows with the same columns."""
    typed = (cast(null(), COLUMN_TYPES[name]).label(name) for name in columns)
    return select(*typed).where(literal(False)).subquery()
