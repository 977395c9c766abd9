"""``customerStats``: how many customers fall in each group, in one GROUP BY query."""

from __future__ import annotations

import uuid
from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, func, select
from strawberry import relay

from rapport.core.ages import age_band_sql
from rapport.core.models import Customer as CustomerRow
from rapport.schema.context import Info, context_of
from rapport.schema.errors import BadRequest
from rapport.schema.filters import compile_filter
from rapport.schema.types.customer import CUSTOMER_FILTERS, CustomerFilter, today

__all__ = ["StatsQueries"]

MAX_DIMENSIONS = 4


@strawberry.enum
class CustomerDimension(Enum):
    INDUSTRY = "industry"
    REGION = "region"
    AGE_BAND = "age_band"
    OCCUPATION = "occupation"
    LIFECYCLE_STATUS = "lifecycle_status"
    OWNER = "owner"
    KIND = "kind"
    VALUE_GRADE = "value_grade"


def _expression(dimension: CustomerDimension) -> ColumnElement[Any]:
    if dimension == CustomerDimension.AGE_BAND:
        return age_band_sql(CustomerRow.birth_date, today())
    if dimension == CustomerDimension.OWNER:
        owner: ColumnElement[Any] = CustomerRow.owner_id.expression
        return owner
    column: ColumnElement[Any] = getattr(CustomerRow, dimension.value)
    return column


def _key_text(dimension: CustomerDimension, value: Any) -> str | None:
    if value is None:
        return None
    if dimension == CustomerDimension.OWNER and isinstance(value, uuid.UUID):
        return str(relay.GlobalID("User", str(value)))
    return str(value)


@strawberry.type(description="Customers sharing one value of each grouping dimension.")
class CustomerGroup:
    keys: list[str | None] = strawberry.field(
        description="One per `groupBy` entry, in order; owners as User ids, bands as keys."
    )
    count: int


@strawberry.type
class CustomerStats:
    total: int = strawberry.field(description="Customers matching the filter.")
    groups: list[CustomerGroup] = strawberry.field(description="Largest first.")


@strawberry.type
class StatsQueries:
    @strawberry.field(description="Counts of (live) customers matching a filter, grouped.")
    async def customer_stats(
        self,
        info: Info,
        group_by: list[CustomerDimension],
        filter: CustomerFilter | None = None,
    ) -> CustomerStats:
        context = context_of(info)
        context.require("customers:read")
        dimensions = list(dict.fromkeys(group_by))
        if len(dimensions) > MAX_DIMENSIONS:
            raise BadRequest(f"groupBy: at most {MAX_DIMENSIONS} dimensions")
        # Keys are computed in a subquery and grouped outside it, so each expression (the age
        # band's bound "today" included) appears once and both engines accept the GROUP BY.
        keyed = (
            select(
                CustomerRow.id,
                *(_expression(d).label(f"key_{i}") for i, d in enumerate(dimensions)),
            )
            .where(CustomerRow.deleted_at.is_(None), compile_filter(filter, CUSTOMER_FILTERS))
            .subquery()
        )
        keys = [keyed.c[f"key_{i}"] for i in range(len(dimensions))]
        count = func.count().label("count")
        statement = select(*keys, count).select_from(keyed).group_by(*keys)
        async with context.db() as session:
            rows = (await session.execute(statement)).all()
        groups = [
            CustomerGroup(
                keys=[_key_text(d, row[i]) for i, d in enumerate(dimensions)],
                count=int(row[-1]),
            )
            for row in rows
            # Without dimensions an empty selection still yields one row, counting zero.
            if row[-1]
        ]
        groups.sort(key=lambda g: (-g.count, [(k is None, k or "") for k in g.keys]))
        return CustomerStats(total=sum(g.count for g in groups), groups=groups)
