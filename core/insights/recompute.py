"""Recompute a workspace's customer insights from the registered sources, and store them.

Scores are relative to the whole workspace (quintiles) and the models are fitted on all of it,
so even one customer's recomputation reads the workspace; it writes only that customer's row.
A person's grade override is kept across recomputations.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Collection
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select, update

from rapport.core.db import table_of, utcnow
from rapport.core.imports.writer import insert_rows
from rapport.core.insights.churn import churn_risk_of, signal_weights
from rapport.core.insights.grades import grade_of
from rapport.core.insights.history import purchase_histories
from rapport.core.insights.lifecycle import apply_lifecycle
from rapport.core.insights.lifetime_value import predict_lifetime_values
from rapport.core.insights.potential import potential_values
from rapport.core.insights.rfm import rfm_scores
from rapport.core.insights.segments import LAPSED, segment_of
from rapport.core.insights.settings import workspace_insight_settings
from rapport.core.models import Customer, CustomerInsight
from rapport.core.services.operation import Operation

__all__ = ["recompute_insights"]

# What recomputation keeps: a person's grade, and when and why the customer churned.
KEPT_COLUMNS = (
    "grade_override",
    "grade_override_by_id",
    "grade_override_at",
    "churn_reason",
    "churned_at",
)
ZERO = Decimal("0.00")


async def computed_within(op: Operation, seconds: float) -> bool:
    """Whether the workspace's insights were computed less than ``seconds`` ago."""
    latest = select(func.max(CustomerInsight.computed_at)).where(
        CustomerInsight.workspace_id == op.workspace_id
    )
    computed = (await op.session.execute(latest)).scalar_one_or_none()
    return computed is not None and (utcnow() - computed).total_seconds() < seconds


async def recompute_insights(
    op: Operation,
    customer_ids: Collection[uuid.UUID] | None = None,
    *,
    now: datetime | None = None,
) -> int:
    """Recompute every live customer's insights (or those of ``customer_ids``); the count."""
    now = now or utcnow()
    session, host, workspace_id = op.session, op.host, op.workspace_id
    settings = await workspace_insight_settings(session, host.settings)
    sources = host.value_sources
    rfm = await rfm_scores(
        session, sources, workspace_id, settings.currency, now, settings.window_days
    )
    histories = await purchase_histories(session, sources, workspace_id, settings.currency)
    # The fits are seconds of numerical work: off the event loop, which may be serving requests
    # (jobs run inside `serve`).
    predictions = await asyncio.to_thread(predict_lifetime_values, histories, now, settings)
    reasons = await signal_weights(session, host.churn_signals, sources, workspace_id, now)
    potential = await potential_values(
        session, host.potential_value_sources, workspace_id, settings.currency
    )
    customers = table_of(Customer)
    live = select(customers.c.id).where(
        customers.c.workspace_id == workspace_id,
        customers.c.deleted_at.is_(None),
        customers.c.merged_into_id.is_(None),
    )
    if customer_ids is not None:
        live = live.where(customers.c.id.in_(list(customer_ids)))
    ids = list((await session.execute(live)).scalars())
    insights = table_of(CustomerInsight)
    kept = await _kept(op, ids)
    rows: list[dict[str, Any]] = []
    for customer_id in ids:
        score, history = rfm.get(customer_id), histories.get(customer_id)
        prediction = predictions.get(customer_id)
        p_alive = prediction.p_alive if prediction else None
        risk, shown = churn_risk_of(p_alive, reasons.get(customer_id, {}))
        realised = score.monetary if score else ZERO
        override = kept.get(customer_id, dict.fromkeys(KEPT_COLUMNS))
        rows.append(
            {
                "workspace_id": workspace_id,
                "id": uuid.uuid4(),
                "customer_id": customer_id,
                "computed_at": now,
                "currency": settings.currency,
                "recency_days": (now - history.last_at).days if history else None,
                "frequency": score.frequency if score else 0,
                "monetary": realised,
                "recency_score": score.recency if score else None,
                "frequency_score": score.frequency_score if score else None,
                "monetary_score": score.monetary_score if score else None,
                "segment": segment_of(score) if score else (LAPSED if history else None),
                "realised_value": realised,
                "potential_value": potential.get(customer_id, ZERO),
                "expected_purchases": prediction.expected_purchases if prediction else None,
                "p_alive": p_alive,
                "lifetime_value": prediction.value if prediction else None,
                "lifetime_value_method": prediction.method if prediction else None,
                "churn_risk": risk,
                "churn_reasons": [
                    {"reason": reason, "weight": weight}
                    for reason, weight in sorted(shown.items(), key=lambda kv: (-kv[1], kv[0]))
                ],
                "derived_grade": grade_of(realised, score, settings),
                **override,
            }
        )
    await apply_lifecycle(op, rows, histories, now, settings)
    where = [insights.c.workspace_id == workspace_id]
    if customer_ids is not None:
        where.append(insights.c.customer_id.in_(ids))
    await session.execute(delete(insights).where(*where))
    await insert_rows(session, insights, rows)
    await _mirror_on_customers(op, ids if customer_ids is not None else None)
    return len(rows)


async def _kept(op: Operation, ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    insights = table_of(CustomerInsight)
    statement = select(insights.c.customer_id, *(insights.c[c] for c in KEPT_COLUMNS)).where(
        insights.c.workspace_id == op.workspace_id,
        insights.c.grade_override.is_not(None) | insights.c.churned_at.is_not(None),
    )
    wanted = set(ids)
    return {
        row.customer_id: {c: getattr(row, c) for c in KEPT_COLUMNS}
        for row in (await op.session.execute(statement)).all()
        if row.customer_id in wanted
    }


async def _mirror_on_customers(op: Operation, ids: list[uuid.UUID] | None) -> None:
    """Copy the effective grade and the risk onto the customers, which filter and group by
    them; a computed field is no edit, so neither ``version`` nor ``updated_at`` moves."""
    customers, insights = table_of(Customer), table_of(CustomerInsight)
    mine = (insights.c.workspace_id == customers.c.workspace_id) & (
        insights.c.customer_id == customers.c.id
    )
    grade = (
        select(func.coalesce(insights.c.grade_override, insights.c.derived_grade))
        .where(mine)
        .scalar_subquery()
    )
    risk = select(insights.c.churn_risk).where(mine).scalar_subquery()
    statement = (
        update(customers)
        .where(customers.c.workspace_id == op.workspace_id, customers.c.deleted_at.is_(None))
        .values(value_grade=grade, churn_risk=risk)
    )
    if ids is not None:
        statement = statement.where(customers.c.id.in_(ids))
    await op.session.execute(statement)
