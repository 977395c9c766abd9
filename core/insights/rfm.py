"""Recency, frequency and monetary value over a window, scored 1-5 by quintile in SQL.

Scores are ``NTILE(5)`` over the workspace's customers who bought in the window: 5 is the most
recent, most frequent, biggest-spending fifth. Equal values are split by customer id, so the
same data always gives the same scores.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Over, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.contributions import ValueSource
from rapport.core.db import AnySelect
from rapport.core.insights.history import moment_of
from rapport.core.insights.sources import revenue_rows

__all__ = ["RfmScore", "rfm_scores", "rfm_statement"]


@dataclass(frozen=True)
class RfmScore:
    last_purchase_at: datetime
    frequency: int
    monetary: Decimal
    recency: int
    frequency_score: int
    monetary_score: int

    @property
    def total(self) -> int:
        return self.recency + self.frequency_score + self.monetary_score


def rfm_statement(
    sources: list[ValueSource], workspace_id: uuid.UUID, currency: str, since: datetime
) -> AnySelect:
    revenue = revenue_rows(sources, workspace_id, currency)
    per_customer = (
        select(
            revenue.c.customer_id,
            func.max(revenue.c.occurred_at).label("last_at"),
            func.count().label("frequency"),
            func.sum(revenue.c.amount).label("monetary"),
        )
        .where(revenue.c.occurred_at >= since)
        .group_by(revenue.c.customer_id)
        .subquery("per_customer")
    )

    def quintile(column: ColumnElement[Any]) -> Over[int]:
        return func.ntile(5).over(order_by=(column, per_customer.c.customer_id))

    return select(
        per_customer.c.customer_id,
        per_customer.c.last_at,
        per_customer.c.frequency,
        per_customer.c.monetary,
        quintile(per_customer.c.last_at).label("r"),
        quintile(per_customer.c.frequency).label("f"),
        quintile(per_customer.c.monetary).label("m"),
    )


async def rfm_scores(
    session: AsyncSession,
    sources: list[ValueSource],
    workspace_id: uuid.UUID,
    currency: str,
    now: datetime,
    window_days: int,
) -> dict[uuid.UUID, RfmScore]:
    statement = rfm_statement(sources, workspace_id, currency, now - timedelta(days=window_days))
    rows = (await session.execute(statement)).all()
    return {
        customer_id: RfmScore(
            last_purchase_at=moment_of(last_at),
            frequency=int(frequency),
            monetary=Decimal(str(monetary)).quantize(Decimal("0.01")),
            recency=int(r),
            frequency_score=int(f),
            monetary_score=int(m),
        )
        for customer_id, last_at, frequency, monetary, r, f, m in rows
    }
