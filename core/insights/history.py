"""Each customer's purchase history, summarised as the lifetime-value models take it.

A purchase is a day with money received (several payments on one day are one purchase, as in
the CDNOW data the models were checked on); ``repeats`` counts the days after the first, and
``repeat_spend`` is the mean spent on them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.contributions import ValueSource
from rapport.core.insights.sources import revenue_rows

__all__ = ["PurchaseHistory", "moment_of", "purchase_histories"]


@dataclass(frozen=True)
class PurchaseHistory:
    first_at: datetime
    last_at: datetime
    repeats: int
    total: Decimal
    repeat_total: Decimal

    @property
    def repeat_spend(self) -> float:
        return float(self.repeat_total) / self.repeats if self.repeats else 0.0


async def purchase_histories(
    session: AsyncSession, sources: list[ValueSource], workspace_id: uuid.UUID, currency: str
) -> dict[uuid.UUID, PurchaseHistory]:
    revenue = revenue_rows(sources, workspace_id, currency)
    day = func.date(revenue.c.occurred_at)
    daily = (
        select(
            revenue.c.customer_id,
            func.min(revenue.c.occurred_at).label("at"),
            func.sum(revenue.c.amount).label("amount"),
            func.row_number().over(partition_by=revenue.c.customer_id, order_by=day).label("nth"),
        )
        .group_by(revenue.c.customer_id, day)
        .subquery("daily")
    )
    statement = select(
        daily.c.customer_id,
        func.min(daily.c.at),
        func.max(daily.c.at),
        func.count(),
        func.sum(daily.c.amount),
        func.sum(case((daily.c.nth > 1, daily.c.amount), else_=0)),
    ).group_by(daily.c.customer_id)
    rows = (await session.execute(statement)).all()
    return {
        customer_id: PurchaseHistory(
            first_at=moment_of(first),
            last_at=moment_of(last),
            repeats=int(days) - 1,
            total=Decimal(str(total)),
            repeat_total=Decimal(str(repeat_total)),
        )
        for customer_id, first, last, days, total, repeat_total in rows
    }


def moment_of(value: datetime | str) -> datetime:
    """SQLite hands back an aggregate of timestamps as text; PostgreSQL as a timestamp."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
