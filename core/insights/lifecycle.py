"""Churned and won back: the lifecycle moves insights make, each with its event.

A customer who is ``active``, ``dormant`` or ``won_back`` becomes ``churned`` when their churn
risk reaches ``churn_risk_threshold`` and they have bought nothing for ``churn_after_days``;
the strongest of their churn reasons is recorded, from :data:`CHURN_REASONS`. A churned
customer who buys after that becomes ``won_back``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select

from rapport.core.db import table_of
from rapport.core.event_types import CustomerChurned, CustomerWonBack
from rapport.core.insights.history import PurchaseHistory
from rapport.core.insights.settings import InsightSettings
from rapport.core.models import Customer
from rapport.core.services.customers import CustomerFields, update_customer
from rapport.core.services.operation import Operation

__all__ = ["CHURN_REASONS", "apply_lifecycle"]

# What a churn is put down to; signals registered by plugins map onto these.
CHURN_REASONS = {
    "unlikely_to_buy_again": "stopped buying",
    "falling_engagement": "stopped engaging",
    "open_complaint": "service complaints",
    "sla_breached": "service complaints",
    "bad_survey": "dissatisfied",
    "detractor_survey": "dissatisfied",
    "account_closed": "moved to a competitor",
    "balances_running_down": "moved to a competitor",
}
OTHER_REASON = "other"
CAN_CHURN = ("active", "dormant", "won_back")


def _reason_of(reasons: list[dict[str, Any]]) -> str:
    if not reasons:
        return OTHER_REASON
    return CHURN_REASONS.get(reasons[0]["reason"], OTHER_REASON)


async def apply_lifecycle(
    op: Operation,
    rows: list[dict[str, Any]],
    histories: dict[uuid.UUID, PurchaseHistory],
    now: datetime,
    settings: InsightSettings,
) -> None:
    """Move customers per the rule; ``rows`` are the insight rows about to be stored."""
    customers = table_of(Customer)
    statuses = dict(
        (
            await op.session.execute(
                select(customers.c.id, customers.c.lifecycle_status).where(
                    customers.c.workspace_id == op.workspace_id,
                    customers.c.lifecycle_status.in_((*CAN_CHURN, "churned")),
                )
            )
        ).all()
    )
    for row in rows:
        customer_id = row["customer_id"]
        status, history = statuses.get(customer_id), histories.get(customer_id)
        if status is None or history is None:
            continue
        churned_at = row["churned_at"]
        if status == "churned" and churned_at is not None and history.last_at > churned_at:
            await update_customer(op, customer_id, CustomerFields(lifecycle_status="won_back"))
            await op.emit(CustomerWonBack(id=customer_id, churn_reason=row["churn_reason"]))
            continue
        gone = (now - history.last_at).days >= settings.churn_after_days
        if status in CAN_CHURN and gone and row["churn_risk"] >= settings.churn_risk_threshold:
            reason = _reason_of(row["churn_reasons"])
            await update_customer(op, customer_id, CustomerFields(lifecycle_status="churned"))
            row["churn_reason"], row["churned_at"] = reason, now
            await op.emit(CustomerChurned(id=customer_id, reason=reason))
