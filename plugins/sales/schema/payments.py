"""Payments in GraphQL."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from rapport.plugins.sales.models import Payment as PaymentRow
from rapport.plugins.sales.schema.common import (
    READ,
    WRITE,
    Listing,
    global_id,
    optional_id,
)
from rapport.plugins.sales.services import payments as service
from rapport.schema import (
    Connection,
    Custom,
    DateTimeFilter,
    DecimalFilter,
    IDFilter,
    ModelNode,
    OrderDirection,
    StringFilter,
    UserError,
    context_of,
    mutate,
)

__all__ = ["PAYMENTS", "Payment", "PaymentFilter", "PaymentMutations", "PaymentQueries"]


@strawberry.enum
class PaymentMethod(Enum):
    BANK_TRANSFER = "bank_transfer"
    CARD = "card"
    CASH = "cash"
    CHECK = "check"
    DIRECT_DEBIT = "direct_debit"
    OTHER = "other"


@strawberry.type(description="Money received against an order or from a customer.")
class Payment(ModelNode):
    __model__ = PaymentRow
    __permission__ = READ

    id: relay.NodeID[str]
    order_id: relay.GlobalID | None
    customer_id: relay.GlobalID
    owner_id: relay.GlobalID | None = strawberry.field(description="Credited with the revenue.")
    amount: Decimal
    currency: str
    received_at: datetime
    method: PaymentMethod
    reference: str | None

    @classmethod
    def from_model(cls, row: PaymentRow) -> Payment:
        return cls(
            id=str(row.id),
            order_id=global_id("Order", row.order_id),
            customer_id=global_id("Customer", row.customer_id),
            owner_id=global_id("User", row.owner_id),
            amount=row.amount,
            currency=row.currency,
            received_at=row.received_at,
            method=PaymentMethod(row.method),
            reference=row.reference,
        )


@strawberry.input(description="Conditions on payments; all given conditions must hold.")
class PaymentFilter:
    customer: IDFilter | None = strawberry.UNSET
    order: IDFilter | None = strawberry.UNSET
    owner: IDFilter | None = strawberry.UNSET
    method: list[PaymentMethod] | None = strawberry.UNSET
    amount: DecimalFilter | None = strawberry.UNSET
    currency: StringFilter | None = strawberry.UNSET
    received_at: DateTimeFilter | None = strawberry.UNSET
    and_: list[PaymentFilter] | None = strawberry.field(default=strawberry.UNSET, name="and")
    or_: list[PaymentFilter] | None = strawberry.field(default=strawberry.UNSET, name="or")
    not_: PaymentFilter | None = strawberry.field(default=strawberry.UNSET, name="not")


PAYMENT_FILTERS = {
    "customer": PaymentRow.customer_id,
    "order": PaymentRow.order_id,
    "owner": PaymentRow.owner_id,
    "method": Custom(lambda v: PaymentRow.method.in_([m.value for m in v])),
    "amount": PaymentRow.amount,
    "currency": PaymentRow.currency,
    "received_at": PaymentRow.received_at,
}


@strawberry.enum
class PaymentOrderField(Enum):
    RECEIVED_AT = "received_at"
    AMOUNT = "amount"


@strawberry.input
class PaymentOrder:
    field: PaymentOrderField
    direction: OrderDirection = OrderDirection.ASC


PAYMENTS = Listing(
    PaymentRow,
    PAYMENT_FILTERS,
    {"received_at": PaymentRow.received_at, "amount": PaymentRow.amount},
    "received_at",
    Payment.from_model,
)


@strawberry.type
class PaymentQueries:
    @strawberry.field(description="Payments, filtered and ordered, a page at a time.")
    async def payments(
        self,
        info: Info,
        filter: PaymentFilter | None = None,
        order_by: list[PaymentOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Payment]:
        return await PAYMENTS.page(
            context_of(info), filter, order_by, first=first, after=after, last=last, before=before
        )


@strawberry.input(description="Against an order (currency and customer follow it) or a customer.")
class PaymentInput:
    amount: Decimal
    method: PaymentMethod
    order_id: relay.GlobalID | None = None
    customer_id: relay.GlobalID | None = None
    currency: str | None = None
    received_at: datetime | None = strawberry.field(default=None, description="Default: now.")
    reference: str | None = None


@strawberry.type
class PaymentPayload:
    payment: Payment | None
    errors: list[UserError]


@strawberry.type
class PaymentMutations:
    @strawberry.mutation(description="Record a payment; it earns its owner commission.")
    async def record_payment(self, info: Info, input: PaymentInput) -> PaymentPayload:
        async def work(op: Any) -> PaymentRow:
            return await service.record_payment(
                op,
                service.PaymentFields(
                    amount=input.amount,
                    method=input.method.value,
                    order_id=optional_id(input.order_id, "Order", "input.orderId"),
                    customer_id=optional_id(input.customer_id, "Customer", "input.customerId"),
                    currency=input.currency,
                    received_at=input.received_at,
                    reference=input.reference,
                ),
            )

        row, errors = await mutate(info, WRITE, work)
        return PaymentPayload(payment=Payment.from_model(row) if row else None, errors=errors)
