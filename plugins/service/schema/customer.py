"""Service fields on core's ``Customer``: its cases, its installed products, open cases."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import aliased
from strawberry.dataloader import DataLoader

from rapport.plugins.service.models import Case as CaseRow
from rapport.plugins.service.schema.assets import ASSETS, Asset, AssetFilter, AssetOrder
from rapport.plugins.service.schema.cases import CASES, Case, CaseFilter, CaseOrder
from rapport.plugins.service.schema.common import READ
from rapport.plugins.service.statuses import OPEN_CATEGORIES
from rapport.schema import (
    Connection,
    Customer,
    Expression,
    Info,
    Listing,
    Scope,
    connection,
    context_of,
    reads,
)

__all__ = ["CustomerServiceFields"]


def _of_customer(listing: Listing) -> Listing:
    return replace(listing, link=lambda scope: scope.row.customer_id == scope.parent_row.id)


CUSTOMER_CASES = _of_customer(CASES)
CUSTOMER_ASSETS = _of_customer(ASSETS)
OPEN = sorted(OPEN_CATEGORIES)


def _open_count(scope: Scope) -> ColumnElement[Any]:
    """The count in SQL, the same the resolver's loader makes."""
    case = aliased(CaseRow)
    return (
        select(func.count())
        .select_from(case)
        .where(case.customer_id == scope.row.id, case.status_category.in_(OPEN))
        .correlate_except(case)
        .scalar_subquery()
    )


def _open_loader(context: Any) -> DataLoader[Any, int]:
    async def load(keys: Any) -> list[int]:
        statement = (
            select(CaseRow.customer_id, func.count())
            .where(CaseRow.customer_id.in_(list(keys)), CaseRow.status_category.in_(OPEN))
            .group_by(CaseRow.customer_id)
        )
        async with context.db() as session:
            counts = {row[0]: row[1] for row in await session.execute(statement)}
        return [counts.get(key, 0) for key in keys]

    return DataLoader(load_fn=load)


@strawberry.type
class CustomerServiceFields:
    cases: Connection[Case] = connection(
        CUSTOMER_CASES,
        filter=CaseFilter,
        order=CaseOrder,
        description="Its cases, newest first unless ordered otherwise.",
    )

    assets: Connection[Asset] = connection(
        CUSTOMER_ASSETS, filter=AssetFilter, order=AssetOrder, description="Products it has."
    )

    @strawberry.field(
        metadata=reads(Expression(_open_count)),
        description="Cases neither solved, rejected nor duplicate.",
    )
    async def open_case_count(self: Customer, info: Info) -> int:
        context = context_of(info)
        context.require(READ)
        loader = context.loader_for(("service", "open-cases"), _open_loader)
        return int(await loader.load(self.pk))
