"""Churn risk in [0, 1] and its reasons: P(alive) and every registered churn signal.

Each reason is a weight in [0, 1]; they combine as independent chances of leaving,
``1 - (1 - w1)(1 - w2)...``, so one strong reason is enough and weak ones add up without ever
passing 1. Falling engagement (fewer interactions, responses, cases in the last quarter than
in the one before, from the engagement sources) is core's own reason.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import case, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.contributions import ChurnSignal, ValueSource
from rapport.core.insights.sources import engagement_rows

__all__ = ["ChurnReasons", "churn_risk_of", "signal_weights"]

ChurnReasons = dict[str, float]
QUARTER = timedelta(days=91)
NOT_ALIVE = "unlikely_to_buy_again"
FALLING_ENGAGEMENT = "falling_engagement"
FALLING_ENGAGEMENT_WEIGHT = 0.3
# Reasons weaker than this are not worth showing.
SHOWN_FROM = 0.05


async def signal_weights(
    session: AsyncSession,
    signals: list[ChurnSignal],
    sources: list[ValueSource],
    workspace_id: uuid.UUID,
    now: datetime,
) -> dict[uuid.UUID, ChurnReasons]:
    """Every customer's reasons other than P(alive), strongest weight per reason."""
    found: dict[uuid.UUID, ChurnReasons] = {}
    selects = []
    for signal in signals:
        built = signal.build(workspace_id, now).subquery()
        selects.append(
            select(built.c.customer_id, literal(signal.reason).label("reason"), built.c.weight)
        )
    if selects:
        every = union_all(*selects).subquery("signals")
        statement = select(every.c.customer_id, every.c.reason, func.max(every.c.weight)).group_by(
            every.c.customer_id, every.c.reason
        )
        for customer_id, reason, weight in (await session.execute(statement)).all():
            found.setdefault(customer_id, {})[reason] = min(max(float(weight), 0.0), 1.0)
    for customer_id in await _falling_engagement(session, sources, workspace_id, now):
        found.setdefault(customer_id, {})[FALLING_ENGAGEMENT] = FALLING_ENGAGEMENT_WEIGHT
    return found


async def _falling_engagement(
    session: AsyncSession, sources: list[ValueSource], workspace_id: uuid.UUID, now: datetime
) -> list[uuid.UUID]:
    rows = engagement_rows(sources, workspace_id)
    recent = func.sum(case((rows.c.occurred_at >= now - QUARTER, 1), else_=0))
    before = func.sum(case((rows.c.occurred_at < now - QUARTER, 1), else_=0))
    statement = (
        select(rows.c.customer_id)
        .where(rows.c.occurred_at >= now - 2 * QUARTER, rows.c.occurred_at < now)
        .group_by(rows.c.customer_id)
        .having(recent * 2 < before)
    )
    return list((await session.execute(statement)).scalars())


def churn_risk_of(p_alive: float | None, reasons: ChurnReasons) -> tuple[float, ChurnReasons]:
    """The combined risk, and the reasons worth showing."""
    every = dict(reasons)
    if p_alive is not None:
        every[NOT_ALIVE] = round(1.0 - p_alive, 4)
    staying = 1.0
    for weight in every.values():
        staying *= 1.0 - weight
    shown = {reason: weight for reason, weight in every.items() if weight >= SHOWN_FROM}
    return round(1.0 - staying, 4), shown
