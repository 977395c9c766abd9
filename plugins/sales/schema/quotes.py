"""Quotes and orders in GraphQL."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from rapport.plugins.sales.models import Order as OrderRow
from rapport.plugins.sales.models import OrderLine as OrderLineRow
from rapport.plugins.sales.models import Payment as PaymentRow
from rapport.plugins.sales.models import Quote as QuoteRow
from rapport.plugins.sales.models import QuoteLine as QuoteLineRow
from rapport.plugins.sales.schema.common import (
    READ,
    WRITE,
    Listing,
    global_id,
    load_grouped,
    optional_id,
    required_id,
)
from rapport.plugins.sales.services import quotes as service
from rapport.schema import (
    Connection,
    Custom,
    DateFilter,
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

__all__ = ["ORDERS", "Order", "OrderFilter", "Quote", "QuoteMutations", "QuoteQueries"]


@strawberry.enum
class QuoteStatus(Enum):
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"


@strawberry.type
class QuoteLine:
    product_id: relay.GlobalID
    description: str | None
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    line_total: Decimal


@strawberry.type(description="An offer to a customer: draft, sent, then accepted or not.")
class Quote(ModelNode):
    __model__ = QuoteRow
    __permission__ = READ

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

    @classmethod
    def from_model(cls, row: QuoteRow) -> Quote:
        return cls(
            id=str(row.id),
            customer_id=global_id("Customer", row.customer_id),
            opportunity_id=global_id("Opportunity", row.opportunity_id),
            currency=row.currency,
            status=QuoteStatus(row.status),
            valid_until=row.valid_until,
            total=row.total,
            sent_at=row.sent_at,
            decided_at=row.decided_at,
            created_at=row.created_at,
            row=row,
        )

    @strawberry.field
    async def lines(self, info: Info) -> list[QuoteLine]:
        rows = await load_grouped(
            context_of(info), QuoteLineRow, "quote_id", self.row.id, QuoteLineRow.position
        )
        return [
            QuoteLine(
                product_id=global_id("Product", row.product_id),
                description=row.description,
                quantity=row.quantity,
                unit_price=row.unit_price,
                discount_percent=row.discount_percent,
                line_total=row.line_total,
            )
            for row in rows
        ]


@strawberry.type
class OrderLine:
    product_id: relay.GlobalID
    family: str | None
    quantity: Decimal
    unit_price: Decimal
    line_total: Decimal


@strawberry.type(description="What a customer ordered by accepting a quote.")
class Order(ModelNode):
    __model__ = OrderRow
    __permission__ = READ

    id: relay.NodeID[str]
    customer_id: relay.GlobalID
    opportunity_id: relay.GlobalID | None
    owner_id: relay.GlobalID | None
    currency: str
    total: Decimal
    created_at: datetime
    row: strawberry.Private[OrderRow]

    @classmethod
    def from_model(cls, row: OrderRow) -> Order:
        return cls(
            id=str(row.id),
            customer_id=global_id("Customer", row.customer_id),
            opportunity_id=global_id("Opportunity", row.opportunity_id),
            owner_id=global_id("User", row.owner_id),
            currency=row.currency,
            total=row.total,
            created_at=row.created_at,
            row=row,
        )

    @strawberry.field
    async def quote(self, info: Info) -> Quote | None:
        return (await Quote.resolve_nodes(info=info, node_ids=[str(self.row.quote_id)]))[0]

    @strawberry.field
    async def lines(self, info: Info) -> list[OrderLine]:
        rows = await load_grouped(
            context_of(info), OrderLineRow, "order_id", self.row.id, OrderLineRow.position
        )
        return [
            OrderLine(
                product_id=global_id("Product", row.product_id),
                family=row.family,
                quantity=row.quantity,
                unit_price=row.unit_price,
                line_total=row.line_total,
            )
            for row in rows
        ]

    @strawberry.field(description="Payments received against it so far.")
    async def paid_amount(self, info: Info) -> Decimal:
        rows = await load_grouped(context_of(info), PaymentRow, "order_id", self.row.id)
        return sum((row.amount for row in rows), Decimal("0"))

    @strawberry.field(description="What is still due.")
    async def balance(self, info: Info) -> Decimal:
        return self.row.total - await self.paid_amount(info)


@strawberry.input(description="Conditions on quotes; all given conditions must hold.")
class QuoteFilter:
    status: list[QuoteStatus] | None = strawberry.UNSET
    customer: IDFilter | None = strawberry.UNSET
    opportunity: IDFilter | None = strawberry.UNSET
    currency: StringFilter | None = strawberry.UNSET
    total: DecimalFilter | None = strawberry.UNSET
    valid_until: DateFilter | None = strawberry.UNSET
    created_at: DateTimeFilter | None = strawberry.UNSET
    and_: list[QuoteFilter] | None = strawberry.field(default=strawberry.UNSET, name="and")
    or_: list[QuoteFilter] | None = strawberry.field(default=strawberry.UNSET, name="or")
    not_: QuoteFilter | None = strawberry.field(default=strawberry.UNSET, name="not")


QUOTE_FILTERS = {
    "status": Custom(lambda v: QuoteRow.status.in_([s.value for s in v])),
    "customer": QuoteRow.customer_id,
    "opportunity": QuoteRow.opportunity_id,
    "currency": QuoteRow.currency,
    "total": QuoteRow.total,
    "valid_until": QuoteRow.valid_until,
    "created_at": QuoteRow.created_at,
}


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


@strawberry.enum(name="SalesDocumentOrderField")
class DocumentOrderField(Enum):
    CREATED_AT = "created_at"
    TOTAL = "total"


@strawberry.input(name="SalesDocumentOrder", description="Ordering of quotes and orders.")
class DocumentOrder:
    field: DocumentOrderField
    direction: OrderDirection = OrderDirection.ASC


DOCUMENT_ORDER = "created_at"
QUOTES = Listing(
    QuoteRow,
    QUOTE_FILTERS,
    {"created_at": QuoteRow.created_at, "total": QuoteRow.total},
    DOCUMENT_ORDER,
    Quote.from_model,
)
ORDERS = Listing(
    OrderRow,
    ORDER_FILTERS,
    {"created_at": OrderRow.created_at, "total": OrderRow.total},
    DOCUMENT_ORDER,
    Order.from_model,
)


@strawberry.type
class QuoteQueries:
    @strawberry.field(description="Quotes, filtered and ordered, a page at a time.")
    async def quotes(
        self,
        info: Info,
        filter: QuoteFilter | None = None,
        order_by: list[DocumentOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Quote]:
        return await QUOTES.page(
            context_of(info), filter, order_by, first=first, after=after, last=last, before=before
        )

    @strawberry.field(description="Orders, filtered and ordered, a page at a time.")
    async def orders(
        self,
        info: Info,
        filter: OrderFilter | None = None,
        order_by: list[DocumentOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Order]:
        return await ORDERS.page(
            context_of(info), filter, order_by, first=first, after=after, last=last, before=before
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
            product_id=required_id(line.product_id, "Product", f"input.lines.{i}.productId"),
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
                customer_id=optional_id(input.customer_id, "Customer", "input.customerId"),
                opportunity_id=optional_id(
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
            return await service.set_quote_lines(op, required_id(id, "Quote", "id"), _lines(lines))

        return _quote(await mutate(info, WRITE, work))

    @strawberry.mutation(description="draft -> sent.")
    async def send_quote(self, info: Info, id: relay.GlobalID) -> QuotePayload:
        async def work(op: Any) -> QuoteRow:
            return await service.send_quote(op, required_id(id, "Quote", "id"))

        return _quote(await mutate(info, WRITE, work))

    @strawberry.mutation(description="sent -> accepted (while valid).")
    async def accept_quote(self, info: Info, id: relay.GlobalID) -> QuotePayload:
        async def work(op: Any) -> QuoteRow:
            return await service.decide_quote(op, required_id(id, "Quote", "id"), accepted=True)

        return _quote(await mutate(info, WRITE, work))

    @strawberry.mutation(description="sent -> rejected.")
    async def reject_quote(self, info: Info, id: relay.GlobalID) -> QuotePayload:
        async def work(op: Any) -> QuoteRow:
            return await service.decide_quote(op, required_id(id, "Quote", "id"), accepted=False)

        return _quote(await mutate(info, WRITE, work))

    @strawberry.mutation(description="sent -> expired.")
    async def expire_quote(self, info: Info, id: relay.GlobalID) -> QuotePayload:
        async def work(op: Any) -> QuoteRow:
            return await service.expire_quote(op, required_id(id, "Quote", "id"))

        return _quote(await mutate(info, WRITE, work))

    @strawberry.mutation(description="The order for an accepted quote (one per quote).")
    async def create_order(self, info: Info, quote_id: relay.GlobalID) -> OrderPayload:
        async def work(op: Any) -> OrderRow:
            return await service.create_order(op, required_id(quote_id, "Quote", "quoteId"))

        row, errors = await mutate(info, WRITE, work)
        return OrderPayload(order=Order.from_model(row) if row else None, errors=errors)
