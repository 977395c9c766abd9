"""Quotes and orders in GraphQL."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy import ColumnElement, cast, func, literal_column, select
from sqlalchemy.orm import aliased
from strawberry import relay

from rapport.plugins.sales.models import Money
from rapport.plugins.sales.models import Order as OrderRow
from rapport.plugins.sales.models import OrderLine as OrderLineRow
from rapport.plugins.sales.models import Payment as PaymentRow
from rapport.plugins.sales.models import Quote as QuoteRow
from rapport.plugins.sales.models import QuoteLine as QuoteLineRow
from rapport.plugins.sales.schema.common import (
    READ,
    WRITE,
    DeclaredRow,
)
from rapport.plugins.sales.schema.payments import PAYMENT_ORDER, Payment, PaymentOrder
from rapport.plugins.sales.schema.products import Product
from rapport.plugins.sales.services import quotes as service
from rapport.schema import (
    Connection,
    Custom,
    Customer,
    DateFilter,
    DateTimeFilter,
    DecimalFilter,
    Filterable,
    IDFilter,
    Info,
    ModelNode,
    OrderDirection,
    Reference,
    Scope,
    StringFilter,
    ToMany,
    ToOne,
    User,
    UserError,
    columns,
    connection,
    filter_input,
    filtered_listing,
    list_order,
    mutate,
    optional_row_id_of,
    order_input,
    read_many,
    read_one,
    reads,
    related,
    row_id_of,
)

if TYPE_CHECKING:
    from rapport.plugins.sales.schema.opportunities import Opportunity

__all__ = [
    "DOCUMENT_ORDER",
    "ORDERS",
    "DocumentOrder",
    "Order",
    "OrderFilter",
    "Quote",
    "QuoteMutations",
    "QuoteQueries",
]


@strawberry.enum
class QuoteStatus(Enum):
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"


OPPORTUNITIES_MODULE = "rapport.plugins.sales.schema.opportunities"


def _opportunity_type() -> Any:
    # Opportunities list their quotes: the opportunity type is looked up late.
    from rapport.plugins.sales.schema.opportunities import Opportunity

    return Opportunity


@order_input(
    {"POSITION": "position", "LINE_TOTAL": "line_total"},
    name="SalesLineOrder",
    description="Ordering of quote and order lines.",
)
class LineOrder: ...


@order_input(
    {"CREATED_AT": "created_at", "TOTAL": "total"},
    name="SalesDocumentOrder",
    description="Ordering of quotes and orders.",
)
class DocumentOrder: ...


DOCUMENT_ORDER = [("created_at", OrderDirection.ASC)]
LINE_PRODUCT = ToOne(lambda: Product, lambda scope: scope.row.product_id)


def _lines_of(target: Any, document: str) -> ToMany:
    """The lines of a quote or an order, by position unless ordered otherwise."""
    return ToMany(
        target=target,
        link=lambda scope: getattr(scope.row, document) == scope.parent_row.id,
        order=lambda scope: list_order(
            scope.row, scope.args.get("order_by"), [("position", OrderDirection.ASC)]
        ),
    )


@strawberry.type
class QuoteLine(DeclaredRow):
    __model__ = QuoteLineRow
    __permission__ = READ
    __columns__ = columns(
        "description",
        "quantity",
        "unit_price",
        "discount_percent",
        "line_total",
        product_id=Reference("Product", "product_id"),
    )

    product_id: relay.GlobalID
    description: str | None
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    line_total: Decimal
    row: strawberry.Private[QuoteLineRow]

    product: Product | None = related(LINE_PRODUCT)


QUOTE_CUSTOMER = ToOne(lambda: Customer, lambda scope: scope.row.customer_id)
QUOTE_OPPORTUNITY = ToOne(_opportunity_type, lambda scope: scope.row.opportunity_id)
QUOTE_LINES = _lines_of(lambda: QuoteLine, "quote_id")


@strawberry.type(description="An offer to a customer: draft, sent, then accepted or not.")
class Quote(ModelNode):
    __model__ = QuoteRow
    __permission__ = READ
    __columns__ = columns(
        "currency",
        "status",
        "valid_until",
        "total",
        "sent_at",
        "decided_at",
        "created_at",
        customer_id=Reference("Customer", "customer_id"),
        opportunity_id=Reference("Opportunity", "opportunity_id"),
    )

    id: relay.NodeID[str]
    customer_id: relay.GlobalID
    opportunity_id: relay.GlobalID | None
    currency: str
    status: QuoteStatus
    valid_until: date | None
    total: Decimal = strawberry.field(description="The sum of the line totals.")
    sent_at: datetime | None
    decided_at: datetime | None
    created_at: datetime
    row: strawberry.Private[QuoteRow]

    @strawberry.field(metadata=reads(QUOTE_LINES))
    async def lines(self, info: Info, order_by: list[LineOrder] | None = None) -> list[QuoteLine]:
        return await read_many(info, QUOTE_LINES, self, order_by=order_by)

    customer: Customer | None = related(QUOTE_CUSTOMER, description="Who it is offered to.")

    @strawberry.field(metadata=reads(QUOTE_OPPORTUNITY), description="The deal it quotes.")
    async def opportunity(
        self, info: Info
    ) -> Annotated[Opportunity, strawberry.lazy(OPPORTUNITIES_MODULE)] | None:
        return await read_one(info, QUOTE_OPPORTUNITY, self)


@strawberry.type
class OrderLine(DeclaredRow):
    __model__ = OrderLineRow
    __permission__ = READ
    __columns__ = columns(
        "family",
        "quantity",
        "unit_price",
        "line_total",
        product_id=Reference("Product", "product_id"),
    )

    product_id: relay.GlobalID
    family: str | None
    quantity: Decimal
    unit_price: Decimal
    line_total: Decimal
    row: strawberry.Private[OrderLineRow]

    product: Product | None = related(LINE_PRODUCT)


def _paid(scope: Scope) -> ColumnElement[Any]:
    """What was paid against the order: Decimal("0.00") when nothing was, as the resolver says."""
    payment = aliased(PaymentRow)
    total = (
        select(func.coalesce(func.sum(payment.amount), literal_column("0.00")))
        .where(payment.order_id == scope.row.id)
        .correlate_except(payment)
    )
    return cast(total.scalar_subquery(), Money)


ORDER_QUOTE = ToOne(lambda: Quote, lambda scope: scope.row.quote_id)
ORDER_CUSTOMER = ToOne(lambda: Customer, lambda scope: scope.row.customer_id)
ORDER_OPPORTUNITY = ToOne(_opportunity_type, lambda scope: scope.row.opportunity_id)
ORDER_OWNER = ToOne(lambda: User, lambda scope: scope.row.owner_id)
ORDER_LINES = _lines_of(lambda: OrderLine, "order_id")
ORDER_PAYMENTS = ToMany(
    target=lambda: Payment,
    link=lambda scope: scope.row.order_id == scope.parent_row.id,
    order=lambda scope: list_order(scope.row, scope.args.get("order_by"), PAYMENT_ORDER),
)


@strawberry.type(description="What a customer ordered by accepting a quote.")
class Order(ModelNode):
    __model__ = OrderRow
    __permission__ = READ
    __columns__ = columns(
        "currency",
        "total",
        "created_at",
        customer_id=Reference("Customer", "customer_id"),
        opportunity_id=Reference("Opportunity", "opportunity_id"),
        owner_id=Reference("User", "owner_id"),
        paid_amount=_paid,
        balance=lambda scope: cast(scope.row.total - _paid(scope), Money),
    )

    id: relay.NodeID[str]
    customer_id: relay.GlobalID
    opportunity_id: relay.GlobalID | None
    owner_id: relay.GlobalID | None
    currency: str
    total: Decimal
    created_at: datetime
    row: strawberry.Private[OrderRow]

    quote: Quote | None = related(ORDER_QUOTE)

    @strawberry.field(metadata=reads(ORDER_LINES))
    async def lines(self, info: Info, order_by: list[LineOrder] | None = None) -> list[OrderLine]:
        return await read_many(info, ORDER_LINES, self, order_by=order_by)

    @strawberry.field(description="Payments received against it so far.")
    async def paid_amount(self, info: Info) -> Decimal:
        payments = await read_many(info, ORDER_PAYMENTS, self, order_by=None)
        return sum((payment.amount for payment in payments), Decimal("0.00"))

    @strawberry.field(description="What is still due.")
    async def balance(self, info: Info) -> Decimal:
        return self.row.total - await self.paid_amount(info)

    @strawberry.field(
        metadata=reads(ORDER_PAYMENTS), description="Payments received against it, oldest first."
    )
    async def payments(
        self, info: Info, order_by: list[PaymentOrder] | None = None
    ) -> list[Payment]:
        return await read_many(info, ORDER_PAYMENTS, self, order_by=order_by)

    customer: Customer | None = related(ORDER_CUSTOMER, description="Who ordered.")

    @strawberry.field(metadata=reads(ORDER_OPPORTUNITY), description="The deal it closed.")
    async def opportunity(
        self, info: Info
    ) -> Annotated[Opportunity, strawberry.lazy(OPPORTUNITIES_MODULE)] | None:
        return await read_one(info, ORDER_OPPORTUNITY, self)

    owner: User | None = related(ORDER_OWNER, description="Who is credited with it.")


QUOTE_FILTERS = {
    "status": Filterable(
        list[QuoteStatus], Custom(lambda v: QuoteRow.status.in_([s.value for s in v]))
    ),
    "customer": Filterable(IDFilter, QuoteRow.customer_id),
    "opportunity": Filterable(IDFilter, QuoteRow.opportunity_id),
    "currency": Filterable(StringFilter, QuoteRow.currency),
    "total": Filterable(DecimalFilter, QuoteRow.total),
    "valid_until": Filterable(DateFilter, QuoteRow.valid_until),
    "created_at": Filterable(DateTimeFilter, QuoteRow.created_at),
}


@filter_input(QUOTE_FILTERS, description="Conditions on quotes; all given conditions must hold.")
class QuoteFilter: ...


@strawberry.input(description="Conditions on orders; all given conditions must hold.")
class OrderFilter:
    customer: IDFilter | None = strawberry.UNSET
    opportunity: IDFilter | None = strawberry.UNSET
    owner: IDFilter | None = strawberry.UNSET
    currency: StringFilter | None = strawberry.UNSET
    total: DecimalFilter | None = strawberry.UNSET
    created_at: DateTimeFilter | None = strawberry.UNSET
    and_: list[OrderFilter] | None = strawberry.field(default=strawberry.UNSET, name="and")
    or_: list[OrderFilter] | None = strawberry.field(default=strawberry.UNSET, name="or")
    not_: OrderFilter | None = strawberry.field(default=strawberry.UNSET, name="not")


ORDER_FILTERS = {
    "customer": OrderRow.customer_id,
    "opportunity": OrderRow.opportunity_id,
    "owner": OrderRow.owner_id,
    "currency": OrderRow.currency,
    "total": OrderRow.total,
    "created_at": OrderRow.created_at,
}


QUOTES = filtered_listing(lambda: Quote, QUOTE_FILTERS, DOCUMENT_ORDER)
ORDERS = filtered_listing(lambda: Order, ORDER_FILTERS, DOCUMENT_ORDER)


@strawberry.type
class QuoteQueries:
    quotes: Connection[Quote] = connection(
        QUOTES,
        filter=QuoteFilter,
        order=DocumentOrder,
        description="Quotes, filtered and ordered, a page at a time.",
    )

    orders: Connection[Order] = connection(
        ORDERS,
        filter=OrderFilter,
        order=DocumentOrder,
        description="Orders, filtered and ordered, a page at a time.",
    )


@strawberry.input
class QuoteLineInput:
    product_id: relay.GlobalID
    quantity: Decimal
    unit_price: Decimal | None = strawberry.field(
        default=None, description="Default: the product's price in the quote's currency."
    )
    discount_percent: Decimal | None = None
    description: str | None = None


def _lines(lines: list[QuoteLineInput]) -> list[service.QuoteLineFields]:
    return [
        service.QuoteLineFields(
            product_id=row_id_of(line.product_id, "Product", f"input.lines.{i}.productId"),
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            description=line.description,
        )
        for i, line in enumerate(lines)
    ]


@strawberry.input
class QuoteInput:
    customer_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Default: the opportunity's customer."
    )
    opportunity_id: relay.GlobalID | None = None
    currency: str | None = strawberry.field(
        default=None, description="Default: the opportunity's currency."
    )
    valid_until: date | None = None
    lines: list[QuoteLineInput] = strawberry.field(default_factory=list)


@strawberry.type
class QuotePayload:
    quote: Quote | None
    errors: list[UserError]


@strawberry.type
class OrderPayload:
    order: Order | None
    errors: list[UserError]


def _quote(result: tuple[Any, list[UserError]]) -> QuotePayload:
    row, errors = result
    return QuotePayload(quote=Quote.from_model(row) if row else None, errors=errors)


@strawberry.type
class QuoteMutations:
    @strawberry.mutation(description="A draft quote; its total is the sum of its lines.")
    async def create_quote(self, info: Info, input: QuoteInput) -> QuotePayload:
        async def work(op: Any) -> QuoteRow:
            return await service.create_quote(
                op,
                customer_id=optional_row_id_of(input.customer_id, "Customer", "input.customerId"),
                opportunity_id=optional_row_id_of(
                    input.opportunity_id, "Opportunity", "input.opportunityId"
                ),
                currency=input.currency,
                valid_until=input.valid_until,
                lines=_lines(input.lines),
            )

        return _quote(await mutate(info, WRITE, work))

    @strawberry.mutation(description="Replace the lines of a draft quote.")
    async def set_quote_lines(
        self, info: Info, id: relay.GlobalID, lines: list[QuoteLineInput]
    ) -> QuotePayload:
        async def work(op: Any) -> QuoteRow:
            return await service.set_quote_lines(op, row_id_of(id, "Quote", "id"), _lines(lines))

        return _quote(await mutate(info, WRITE, work))

    @strawberry.mutation(description="draft -> sent.")
    async def send_quote(self, info: Info, id: relay.GlobalID) -> QuotePayload:
        async def work(op: Any) -> QuoteRow:
            return await service.send_quote(op, row_id_of(id, "Quote", "id"))

        return _quote(await mutate(info, WRITE, work))

    @strawberry.mutation(description="sent -> accepted (while valid).")
    async def accept_quote(self, info: Info, id: relay.GlobalID) -> QuotePayload:
        async def work(op: Any) -> QuoteRow:
            return await service.decide_quote(op, row_id_of(id, "Quote", "id"), accepted=True)

        return _quote(await mutate(info, WRITE, work))

    @strawberry.mutation(description="sent -> rejected.")
    async def reject_quote(self, info: Info, id: relay.GlobalID) -> QuotePayload:
        async def work(op: Any) -> QuoteRow:
            return await service.decide_quote(op, row_id_of(id, "Quote", "id"), accepted=False)

        return _quote(await mutate(info, WRITE, work))

    @strawberry.mutation(description="sent -> expired.")
    async def expire_quote(self, info: Info, id: relay.GlobalID) -> QuotePayload:
        async def work(op: Any) -> QuoteRow:
            return await service.expire_quote(op, row_id_of(id, "Quote", "id"))

        return _quote(await mutate(info, WRITE, work))

    @strawberry.mutation(description="The order for an accepted quote (one per quote).")
    async def create_order(self, info: Info, quote_id: relay.GlobalID) -> OrderPayload:
        async def work(op: Any) -> OrderRow:
            return await service.create_order(op, row_id_of(quote_id, "Quote", "quoteId"))

        row, errors = await mutate(info, WRITE, work)
        return OrderPayload(order=Order.from_model(row) if row else None, errors=errors)
