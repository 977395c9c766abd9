"""Sales fields on core's ``Customer``: its opportunities, orders, payments and revenue."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import strawberry
from sqlalchemy import func, select
from strawberry.dataloader import DataLoader

from rapport.plugins.sales.models import Payment as PaymentRow
from rapport.plugins.sales.schema.common import READ, Money
from rapport.plugins.sales.schema.opportunities import (
    OPPORTUNITIES,
    Opportunity,
    OpportunityFilter,
    OpportunityOrder,
)
from rapport.plugins.sales.schema.payments import (
    PAYMENTS,
    Payment,
    PaymentFilter,
    PaymentOrder,
)
from rapport.plugins.sales.schema.quotes import ORDERS, DocumentOrder, Order, OrderFilter
from rapport.schema import Connection, Customer, Info, Listing, connection, context_of

__all__ = ["CustomerSalesFields"]


def _revenue_loader(context: Any) -> DataLoader[Any, list[Money]]:
    """Payments summed per customer and currency: one grouped query per batch of customers."""

    async def load(keys: Any) -> list[list[Money]]:
        statement = (
            select(PaymentRow.customer_id, PaymentRow.currency, func.sum(PaymentRow.amount))
            .where(PaymentRow.customer_id.in_(list(keys)))
            .group_by(PaymentRow.customer_id, PaymentRow.currency)
            .order_by(PaymentRow.currency)
        )
        async with context.db() as session:
            rows = (await session.execute(statement)).all()
        found: dict[Any, list[Money]] = {key: [] for key in keys}
        for customer_id, currency, total in rows:
            found[customer_id].append(Money(amount=total, currency=currency))
        return [found[key] for key in keys]

    return DataLoader(load_fn=load)


def _of_customer(listing: Listing) -> Listing:
    """A root listing narrowed to the rows of one customer."""
    return replace(listing, link=lambda scope: scope.row.customer_id == scope.parent_row.id)


CUSTOMER_OPPORTUNITIES = _of_customer(OPPORTUNITIES)
CUSTOMER_ORDERS = _of_customer(ORDERS)
CUSTOMER_PAYMENTS = _of_customer(PAYMENTS)


@strawberry.type
class CustomerSalesFields:
    opportunities: Connection[Opportunity] = connection(
        CUSTOMER_OPPORTUNITIES,
        filter=OpportunityFilter,
        order=OpportunityOrder,
        description="Its opportunities, filtered and ordered, a page at a time.",
    )

    orders: Connection[Order] = connection(
        CUSTOMER_ORDERS,
        filter=OrderFilter,
        order=DocumentOrder,
        description="Its orders, newest first unless ordered otherwise.",
    )

    payments: Connection[Payment] = connection(
        CUSTOMER_PAYMENTS,
        filter=PaymentFilter,
        order=PaymentOrder,
        description="Payments received from it.",
    )

    @strawberry.field(description="Everything it has paid, per currency (payments received).")
    async def lifetime_revenue(self: Customer, info: Info) -> list[Money]:
        context = context_of(info)
        context.require(READ)
        loader = context.loader_for(("sales", "lifetime-revenue"), _revenue_loader)
        return list(await loader.load(self.pk))
