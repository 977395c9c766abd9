"""What customer insights computed for each customer, and a person's override of the grade."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rapport.core.db import Base, JSONType, TenantMixin, tenant_fk

Money = Numeric(18, 2)


class CustomerInsight(TenantMixin, Base):
    """One row per customer, replaced by each recomputation except the override columns."""

    __tablename__ = "customer_insights"
    __table_args__ = (
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        tenant_fk("grade_override_by_id", "users", ondelete="SET NULL"),
        UniqueConstraint("workspace_id", "customer_id"),
        Index("ix_customer_insights_ws_segment", "workspace_id", "segment"),
    )

    customer_id: Mapped[uuid.UUID]
    computed_at: Mapped[datetime]
    # Of the reporting currency; amounts in others are left out (see rapport.core.insights).
    currency: Mapped[str] = mapped_column(String(3))
    recency_days: Mapped[int | None]
    frequency: Mapped[int] = mapped_column(default=0)
    monetary: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    recency_score: Mapped[int | None]
    frequency_score: Mapped[int | None]
    monetary_score: Mapped[int | None]
    segment: Mapped[str | None] = mapped_column(String(30))
    realised_value: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    potential_value: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    expected_purchases: Mapped[float | None]
    p_alive: Mapped[float | None]
    lifetime_value: Mapped[Decimal | None] = mapped_column(Money)
    # "bgnbd" (the fitted models) or "margin_retention" (the fallback formula).
    lifetime_value_method: Mapped[str | None] = mapped_column(String(20))
    churn_risk: Mapped[float] = mapped_column(default=0.0)
    # [{"reason": ..., "weight": ...}], strongest first.
    churn_reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    # Set when insights moved the customer to `churned`; kept across recomputations.
    churn_reason: Mapped[str | None] = mapped_column(String(50))
    churned_at: Mapped[datetime | None]
    derived_grade: Mapped[str | None] = mapped_column(String(1))
    grade_override: Mapped[str | None] = mapped_column(String(1))
    grade_override_by_id: Mapped[uuid.UUID | None]
    grade_override_at: Mapped[datetime | None]


class InsightSettingsRow(TenantMixin, Base):
    """A workspace's own insight settings, over the deployment's defaults."""

    __tablename__ = "insight_settings"
    __table_args__ = (UniqueConstraint("workspace_id", "scope"),)

    # One row per workspace today; the key leaves room for per-segment settings.
    scope: Mapped[str] = mapped_column(String(30), default="workspace")
    values: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    updated_at: Mapped[datetime]
