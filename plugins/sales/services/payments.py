"""Payments received against an order or directly from a customer; each earns commission."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select

from rapport.core import ErrorCode, Operation, get_customer, utcnow
from rapport.plugins.sales.error_codes import SalesErrorCode
from rapport.plugins.sales.events import PaymentReceived
from rapport.plugins.sales.models import Order, Payment
from rapport.plugins.sales.services.commissions import earn_commission
from rapport.plugins.sales.services.common import Problems, money

__all__ = ["PAYMENT_METHODS", "PaymentFields", "paid_on_order", "record_payment"]

PAYMENT_METHODS = ("bank_transfer", "card", "cash", "check", "direct_debit", "other")


@dataclass
class PaymentFields:
    amount: Decimal
    method: str
    order_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
    currency: str | None = None
    received_at: datetime | None = None
    reference: str | None = None


async def paid_on_order(op: Operation, order_id: uuid.UUID) -> Decimal:
    total = await op.session.execute(
        select(func.coalesce(func.sum(Payment.amount), 0)).where(Payment.order_id == order_id)
    )
    return Decimal(str(total.scalar_one()))


async def record_payment(op: Operation, data: PaymentFields) -> Payment:
    problems = Problems()
    if (data.order_id is None) == (data.customer_id is None):
        problems.add(
            "orderId",
            "pay against an order or a customer (one of the two)",
            SalesErrorCode.ONE_TARGET_REQUIRED,
        )
    if data.method not in PAYMENT_METHODS:
        problems.add("method", f"must be one of {', '.join(PAYMENT_METHODS)}")
    problems.currency("currency", data.currency)
    if data.received_at is not None and data.received_at.tzinfo is None:
        # A time without a zone is taken as UTC, the zone everything is stored in.
        data.received_at = data.received_at.replace(tzinfo=UTC)
    if data.received_at is not None and data.received_at > utcnow():
        problems.add("receivedAt", "must not be in the future", SalesErrorCode.IN_THE_FUTURE)
    order = None
    if data.order_id is not None:
        # Locked (on PostgreSQL) so two payments at once cannot both fit the same balance.
        found = await op.session.execute(
            select(Order).where(Order.id == data.order_id).with_for_update()
        )
        order = found.scalar_one_or_none()
        if order is None:
            problems.add("orderId", "order not found", ErrorCode.NOT_FOUND)
    problems.money("amount", data.amount, order.currency if order else data.currency, positive=True)
    problems.raise_if_any()
    amount = money(data.amount)
    if order is not None:
        customer_id, currency, owner_id = order.customer_id, order.currency, order.owner_id
        if data.currency is not None and data.currency != currency:
            problems.add(
                "currency", f"the order is in {currency}", SalesErrorCode.CURRENCY_MISMATCH
            )
        outstanding = order.total - await paid_on_order(op, order.id)
        if amount > outstanding:
            problems.add(
                "amount",
                f"more than the {outstanding} {currency} still due on the order",
                SalesErrorCode.OVERPAYMENT,
            )
        problems.raise_if_any()
    else:
        assert data.customer_id is not None
        customer = await get_customer(op, data.customer_id, "input.customerId")
        problems.required("currency", data.currency)
        problems.raise_if_any()
        assert data.currency is not None
        customer_id, currency, owner_id = customer.id, data.currency, customer.owner_id
    payment = Payment(
        workspace_id=op.workspace_id,
        order_id=data.order_id,
        customer_id=customer_id,
        owner_id=owner_id,
        amount=amount,
        currency=currency,
        received_at=data.received_at or utcnow(),
        method=data.method,
        reference=data.reference,
    )
    op.session.add(payment)
    await op.session.flush()
    await earn_commission(op, payment)
    op.audit(
        "Payment", payment.id, "receive", {"amount": [None, str(amount)]}, customer_id=customer_id
    )
    await op.emit(
        PaymentReceived(
            id=payment.id,
            amount=amount,
            currency=currency,
            customer_id=customer_id,
            order_id=data.order_id,
        )
    )
    return payment
