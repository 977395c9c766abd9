"""Figures recorded per client that tiers and scorecards read: monthly revenue, survey scores."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from rapport.core import ErrorCode, FieldError, Operation, ValidationFailed, check_money
from rapport.plugins.banking.access import today
from rapport.plugins.banking.models import ClientRevenue, SurveyScore
from rapport.plugins.banking.services.common import require_customer

__all__ = ["record_revenue", "record_survey_score"]


async def record_revenue(
    op: Operation, customer_id: uuid.UUID, month: date, amount: Decimal
) -> ClientRevenue:
    """Set what a client earned the bank in a month (any day of it names the month)."""
    # Revenue is in the bank's reporting currency; a month may lose money.
    check_money("amount", amount, None, negative_allowed=True)
    first = month.replace(day=1)
    if first > today():
        raise ValidationFailed.one("month", "must not be in the future")
    await require_customer(op, customer_id, "customerId")
    row = (
        await op.session.execute(
            select(ClientRevenue).where(
                ClientRevenue.customer_id == customer_id, ClientRevenue.month == first
            )
        )
    ).scalar_one_or_none()
    before = None if row is None else str(row.amount)
    if row is None:
        row = ClientRevenue(
            workspace_id=op.workspace_id, customer_id=customer_id, month=first, amount=amount
        )
        op.session.add(row)
    else:
        row.amount = amount
    await op.session.flush()
    op.audit(
        "ClientRevenue",
        row.id,
        "record",
        {"amount": [before, str(amount)], "month": [None, first.isoformat()]},
        customer_id=customer_id,
    )
    return row


async def record_survey_score(
    op: Operation, customer_id: uuid.UUID, score: int, surveyed_on: date
) -> SurveyScore:
    errors: list[FieldError] = []
    if not 0 <= score <= 10:
        errors.append(FieldError("score", ErrorCode.INVALID, "0 to 10"))
    if surveyed_on > today():
        errors.append(FieldError("surveyedOn", ErrorCode.INVALID, "must not be in the future"))
    if errors:
        raise ValidationFailed(errors)
    await require_customer(op, customer_id, "customerId")
    row = SurveyScore(
        workspace_id=op.workspace_id, customer_id=customer_id, score=score, surveyed_on=surveyed_on
    )
    op.session.add(row)
    await op.session.flush()
    op.audit("SurveyScore", row.id, "record", {"score": [None, score]}, customer_id=customer_id)
    return row
