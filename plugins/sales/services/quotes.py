"""Quotes (draft -> sent -> accepted | rejected | expired) and orders from accepted quotes.

A quote's total is always the sum of its lines, recomputed on every line change, and lines
only change while the quote is a draft, so what the customer accepted is what the order holds.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, select

from rapport.core import Conflict, InvalidTransition, Operation, get_customer, utcnow
from rapport.plugins.sales.error_codes import SalesErrorCode
from rapport.plugins.sales.events import QUOTE_TRANSITIONS, OrderCreated
from rapport.plugins.sales.models import Opportunity, Order, OrderLine, Product, Quote, QuoteLine
from rapport.plugins.sales.services.common import Problems, get_row, money
from rapport.plugins.sales.services.products import price_of

__all__ = [
    "QuoteLineFields",
    "create_order",
    "create_quote",
    "decide_quote",
    "expire_lapsed_quotes",
    "expire_quote",
    "lines_of",
    "send_quote",
    "set_quote_lines",
]

HUNDRED = Decimal("100")


@dataclass
class QuoteLineFields:
    product_id: uuid.UUID
    quantity: Decimal
    unit_price: Decimal | None = None
    discount_percent: Decimal | None = None
    description: str | None = None


def line_total(quantity: Decimal, unit_price: Decimal, discount_percent: Decimal) -> Decimal:
    return money(quantity * unit_price * (HUNDRED - discount_percent) / HUNDRED)


async def create_quote(
    op: Operation,
    *,
    customer_id: uuid.UUID | None,
    opportunity_id: uuid.UUID | None,
    currency: str | None,
    valid_until: date | None,
    lines: list[QuoteLineFields],
) -> Quote:
    problems = Problems()
    opportunity = await problems.exists(
        op, "opportunityId", Opportunity, opportunity_id, "opportunity"
    )
    if opportunity is not None:
        customer_id = customer_id or opportunity.customer_id
        currency = currency or opportunity.currency
        if customer_id != opportunity.customer_id:
            problems.add(
                "customerId",
                "the opportunity belongs to another customer",
                SalesErrorCode.CUSTOMER_MISMATCH,
            )
    problems.required("customerId", customer_id)
    problems.required("currency", currency)
    problems.currency("currency", currency)
    problems.raise_if_any()
    assert customer_id is not None
    assert currency is not None
    await get_customer(op, customer_id, "input.customerId")
    quote = Quote(
        workspace_id=op.workspace_id,
        customer_id=customer_id,
        opportunity_id=opportunity_id,
        currency=currency,
        status="draft",
        valid_until=valid_until,
        total=Decimal("0"),
    )
    op.session.add(quote)
    await op.session.flush()
    await _write_lines(op, quote, lines)
    op.audit(
        "Quote", quote.id, "create", {"total": [None, str(quote.total)]}, customer_id=customer_id
    )
    return quote


async def lines_of(op: Operation, quote_id: uuid.UUID) -> list[QuoteLine]:
    statement = select(QuoteLine).where(QuoteLine.quote_id == quote_id).order_by(QuoteLine.position)
    return list((await op.session.execute(statement)).scalars())


async def _write_lines(op: Operation, quote: Quote, lines: list[QuoteLineFields]) -> None:
    problems = Problems("input.")
    rows: list[QuoteLine] = []
    for index, line in enumerate(lines):
        prefix = f"lines.{index}."
        product = await problems.exists(
            op, f"{prefix}productId", Product, line.product_id, "product"
        )
        problems.money(f"{prefix}quantity", line.quantity, None, positive=True)
        discount = line.discount_percent if line.discount_percent is not None else Decimal("0")
        problems.percent(f"{prefix}discountPercent", discount)
        problems.money(f"{prefix}unitPrice", line.unit_price, quote.currency)
        unit_price = line.unit_price
        if unit_price is None and product is not None:
            listed = await price_of(op, product.id, quote.currency)
            if listed is None:
                problems.add(f"{prefix}unitPrice", f"the product has no {quote.currency} price")
            else:
                unit_price = listed.unit_price
        if product is None or unit_price is None:
            continue
        rows.append(
            QuoteLine(
                workspace_id=op.workspace_id,
                quote_id=quote.id,
                position=index,
                product_id=product.id,
                description=line.description or product.name,
                quantity=line.quantity,
                unit_price=money(unit_price),
                discount_percent=discount,
                line_total=line_total(line.quantity, money(unit_price), discount),
            )
        )
    problems.raise_if_any()
    op.session.add_all(rows)
    quote.total = money(sum((row.line_total for row in rows), Decimal("0")))
    await op.session.flush()


async def set_quote_lines(
    op: Operation, quote_id: uuid.UUID, lines: list[QuoteLineFields]
) -> Quote:
    """Replace the lines of a draft quote; the total follows."""
    quote = await get_row(op, Quote, quote_id, "id", "quote")
    if quote.status != "draft":
        raise InvalidTransition(
            "id", f"only a draft quote's lines change; this one is {quote.status}"
        )
    before = quote.total
    await op.session.execute(delete(QuoteLine).where(QuoteLine.quote_id == quote.id))
    await _write_lines(op, quote, lines)
    op.audit(
        "Quote",
        quote.id,
        "lines",
        {"total": [str(before), str(quote.total)]},
        customer_id=quote.customer_id,
    )
    return quote


async def _move(op: Operation, quote: Quote, allowed_from: tuple[str, ...], to: str) -> Quote:
    if quote.status not in allowed_from:
        raise InvalidTransition(
            "id", f"a {quote.status} quote cannot become {to} (only from {', '.join(allowed_from)})"
        )
    before = quote.status
    quote.status = to
    if to == "sent":
        quote.sent_at = utcnow()
    else:
        quote.decided_at = utcnow()
    await op.session.flush()
    op.audit("Quote", quote.id, to, {"status": [before, to]}, customer_id=quote.customer_id)
    await op.emit(QUOTE_TRANSITIONS[to](id=quote.id, total=quote.total, currency=quote.currency))
    return quote


async def send_quote(op: Operation, quote_id: uuid.UUID) -> Quote:
    quote = await get_row(op, Quote, quote_id, "id", "quote")
    if quote.status == "draft" and not await lines_of(op, quote.id):
        raise InvalidTransition("id", "a quote needs at least one line before it is sent")
    return await _move(op, quote, ("draft",), "sent")


async def decide_quote(op: Operation, quote_id: uuid.UUID, *, accepted: bool) -> Quote:
    quote = await get_row(op, Quote, quote_id, "id", "quote")
    valid_until = quote.valid_until
    if accepted and quote.status == "sent" and valid_until and valid_until < utcnow().date():
        raise InvalidTransition("id", f"the quote expired on {valid_until.isoformat()}")
    return await _move(op, quote, ("sent",), "accepted" if accepted else "rejected")


async def expire_quote(op: Operation, quote_id: uuid.UUID) -> Quote:
    quote = await get_row(op, Quote, quote_id, "id", "quote")
    return await _move(op, quote, ("sent",), "expired")


async def expire_lapsed_quotes(op: Operation) -> list[Quote]:
    """Expire every sent quote whose validity ended before today."""
    lapsed = await op.session.execute(
        select(Quote.id).where(Quote.status == "sent", Quote.valid_until < utcnow().date())
    )
    return [await expire_quote(op, quote_id) for quote_id in lapsed.scalars().all()]


async def create_order(op: Operation, quote_id: uuid.UUID) -> Order:
    """The order for an accepted quote, with the quote's lines and total."""
    quote = await get_row(op, Quote, quote_id, "quoteId", "quote")
    if quote.status != "accepted":
        raise InvalidTransition(
            "quoteId", f"only an accepted quote is ordered; this one is {quote.status}"
        )
    existing = await op.session.execute(select(Order.id).where(Order.quote_id == quote.id))
    if existing.first() is not None:
        raise Conflict("quoteId", "the quote has been ordered already")
    owner_id = op.actor.user_id
    if quote.opportunity_id is not None:
        opportunity = await op.session.get(Opportunity, (op.workspace_id, quote.opportunity_id))
        if opportunity is not None and opportunity.owner_id is not None:
            owner_id = opportunity.owner_id
    order = Order(
        workspace_id=op.workspace_id,
        quote_id=quote.id,
        customer_id=quote.customer_id,
        opportunity_id=quote.opportunity_id,
        owner_id=owner_id,
        currency=quote.currency,
        total=quote.total,
    )
    op.session.add(order)
    await op.session.flush()
    lines = await lines_of(op, quote.id)
    families = {
        product.id: product.family
        for product in (
            await op.session.execute(
                select(Product).where(Product.id.in_([line.product_id for line in lines]))
            )
        ).scalars()
    }
    op.session.add_all(
        OrderLine(
            workspace_id=op.workspace_id,
            order_id=order.id,
            position=line.position,
            product_id=line.product_id,
            family=families.get(line.product_id),
            quantity=line.quantity,
            unit_price=line.unit_price,
            line_total=line.line_total,
        )
        for line in lines
    )
    await op.session.flush()
    op.audit(
        "Order",
        order.id,
        "create",
        {"total": [None, str(order.total)]},
        customer_id=order.customer_id,
    )
    await op.emit(
        OrderCreated(
            id=order.id, total=order.total, currency=order.currency, customer_id=order.customer_id
        )
    )
    return order
