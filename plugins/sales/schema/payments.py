"""Payments in GraphQL."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from rapport.plugins.sales.models import Payment as PaymentRow
from rapport.plugins.sales.schema.common import READ, WRITE
from rapport.plugins.sales.services import payments as service
from rapport.schema import (
    Connection,
    Custom,
    Customer,
    DateTimeFilter,
    DecimalFilter,
    Filterable,
    IDFilter,
    Info,
    ModelNode,
    OrderDirection,
    Reference,
    StringFilter,
    ToOne,
    User,
    UserError,
    columns,
    connection,
    filter_input,
    filtered_listing,
    mutate,
    optional_row_id_of,
    order_input,
    related,
)

if TYPE_CHECKING:
    from rapport.plugins.sales.schema.quotes import Order

__all__ = [
    "PAYMENTS",
    "PAYMENT_ORDER",
    "Payment",
    "PaymentFilter",
    "PaymentMutations",
    "PaymentQueries",
]


@strawberry.enum
class PaymentMethod(Enum):
    BANK_TRANSFER = "bank_transfer"
    CARD = "card"
    CASH = "cash"
    CHECK = "check"
    DIRECT_DEBIT = "direct_debit"
    OTHER = "other"


QUOTES_MODULE = "rapport.plugins.sales.schema.quotes"


def _order_type() -> Any:
    # Orders list their payments: the order type is looked up late.
    from rapport.plugins.sales.schema.quotes import Order

    return Order


PAYMENT_ORDER_OF = ToOne(_order_type, lambda scope: scope.row.order_id)
PAYMENT_CUSTOMER = ToOne(lambda: Customer, lambda scope: scope.row.customer_id)
PAYMENT_OWNER = ToOne(lambda: User, lambda scope: scope.row.owner_id)


@strawberry.type(description="Money received against an order or from a customer.")
class Payment(ModelNode):
    __model__ = PaymentRow
    __permission__ = READ
    __columns__ = columns(
        "amount",
        "currency",
        "received_at",
        "method",
        "reference",
        order_id=Reference("Order", "order_id"),
        customer_id=Reference("Customer", "customer_id"),
        owner_id=Reference("User", "owner_id"),
    )

    id: relay.NodeID[str]
    order_id: relay.GlobalID | None
    customer_id: relay.GlobalID
    owner_id: relay.GlobalID | None = strawberry.field(description="Credited with the revenue.")
    amount: Decimal
    currency: str
    received_at: datetime
    method: PaymentMethod
    reference: str | None
    row: strawberry.Private[PaymentRow]

    order: Annotated[Order, strawberry.lazy(QUOTES_MODULE)] | None = related(
        PAYMENT_ORDER_OF, description="The order it pays."
    )

    customer: Customer | None = related(PAYMENT_CUSTOMER, description="Who paid.")

    owner: User | None = related(PAYMENT_OWNER, description="Credited with the revenue.")


PAYMENT_FILTERS = {
    "customer": Filterable(IDFilter, PaymentRow.customer_id),
    "order": Filterable(IDFilter, PaymentRow.order_id),
    "owner": Filterable(IDFilter, PaymentRow.owner_id),
    "method": Filterable(
        list[PaymentMethod], Custom(lambda v: PaymentRow.method.in_([m.value for m in v]))
    ),
    "amount": Filterable(DecimalFilter, PaymentRow.amount),
    "currency": Filterable(StringFilter, PaymentRow.currency),
    "received_at": Filterable(DateTimeFilter, PaymentRow.received_at),
}


@filter_input(
    PAYMENT_FILTERS, description="Conditions on payments; all given conditions must hold."
)
class PaymentFilter: ...


@order_input({"RECEIVED_AT": "received_at", "AMOUNT": "amount"})
class PaymentOrder: ...


PAYMENT_ORDER = [("received_at", OrderDirection.ASC)]
PAYMENTS = filtered_listing(lambda: Payment, PAYMENT_FILTERS, PAYMENT_ORDER)


@strawberry.type
class PaymentQueries:
    payments: Connection[Payment] = connection(
        PAYMENTS,
        filter=PaymentFilter,
        order=PaymentOrder,
        description="Payments, filtered and ordered, a page at a time.",
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
                    order_id=optional_row_id_of(input.order_id, "Order", "input.orderId"),
                    customer_id=optional_row_id_of(
                        input.customer_id, "Customer", "input.customerId"
                    ),
                    currency=input.currency,
                    received_at=input.received_at,
                    reference=input.reference,
                ),
            )

        row, errors = await mutate(info, WRITE, work)
        return PaymentPayload(payment=Payment.from_model(row) if row else None, errors=errors)
