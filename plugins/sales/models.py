"""The sales tables: leads, pipelines and opportunities, products, quotes, orders, payments,
territories, quotas and commissions.

Money is exact (:class:`rapport.core.Money`: ``NUMERIC(18, 2)``, whole cents on SQLite) with
its ISO currency beside it; probabilities are whole percents. A stage's category (open, won,
lost) is stored, never inferred from its probability, so a workspace can run a "won at 90 %"
stage or a "lost, 10 % chance of coming back" stage.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rapport.core import Base, JSONType, TenantMixin, TimestampMixin, tenant_fk, utcnow
from rapport.core import Money as MoneyColumn

__all__ = [
    "CommissionLine",
    "CommissionPlan",
    "Lead",
    "Opportunity",
    "Order",
    "OrderLine",
    "Payment",
    "Pipeline",
    "Product",
    "ProductPrice",
    "Quota",
    "Quote",
    "QuoteLine",
    "Stage",
    "StageChange",
    "Territory",
    "TerritoryMember",
]

Money = MoneyColumn()
Rate = Numeric(8, 4)
# A count of items, which may be fractional (2.5 hours); not money, so not stored in cents.
Quantity = Numeric(18, 2)


class Pipeline(TenantMixin, TimestampMixin, Base):
    __tablename__ = "sales_pipelines"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    name: Mapped[str] = mapped_column(String(100))
    is_default: Mapped[bool] = mapped_column(default=False)


class Stage(TenantMixin, Base):
    __tablename__ = "sales_stages"
    __table_args__ = (
        tenant_fk("pipeline_id", "sales_pipelines", ondelete="CASCADE"),
        Index("ix_sales_stages_ws_pipeline", "workspace_id", "pipeline_id", "position"),
    )

    pipeline_id: Mapped[uuid.UUID]
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int]
    probability: Mapped[int]
    # open | won | lost
    category: Mapped[str] = mapped_column(String(10))


class Territory(TenantMixin, TimestampMixin, Base):
    __tablename__ = "sales_territories"
    __table_args__ = (
        tenant_fk("parent_id", "sales_territories", ondelete="SET NULL"),
        UniqueConstraint("workspace_id", "name"),
    )

    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[uuid.UUID | None]


class TerritoryMember(TenantMixin, Base):
    __tablename__ = "sales_territory_members"
    __table_args__ = (
        tenant_fk("territory_id", "sales_territories", ondelete="CASCADE"),
        tenant_fk("user_id", "users", ondelete="CASCADE"),
        UniqueConstraint("workspace_id", "territory_id", "user_id"),
    )

    territory_id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID]


class Lead(TenantMixin, TimestampMixin, Base):
    __tablename__ = "sales_leads"
    __table_args__ = (
        tenant_fk("owner_id", "users", ondelete="SET NULL"),
        tenant_fk("customer_id", "customers", ondelete="SET NULL"),
        Index("ix_sales_leads_ws_status", "workspace_id", "status", "created_at"),
    )

    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    company: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(50))
    source: Mapped[str | None] = mapped_column(String(50))
    # new | working | qualified | disqualified | converted
    status: Mapped[str] = mapped_column(String(20), default="new")
    owner_id: Mapped[uuid.UUID | None]
    disqualify_reason: Mapped[str | None] = mapped_column(String(300))
    customer_id: Mapped[uuid.UUID | None]
    opportunity_id: Mapped[uuid.UUID | None]
    converted_at: Mapped[datetime | None]


class Opportunity(TenantMixin, TimestampMixin, Base):
    __tablename__ = "sales_opportunities"
    __table_args__ = (
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        tenant_fk("owner_id", "users", ondelete="SET NULL"),
        tenant_fk("pipeline_id", "sales_pipelines"),
        tenant_fk("stage_id", "sales_stages"),
        tenant_fk("territory_id", "sales_territories", ondelete="SET NULL"),
        Index("ix_sales_opportunities_ws_customer", "workspace_id", "customer_id"),
        Index("ix_sales_opportunities_ws_stage", "workspace_id", "pipeline_id", "stage_id"),
        Index("ix_sales_opportunities_ws_owner_close", "workspace_id", "owner_id", "closed_at"),
    )

    name: Mapped[str] = mapped_column(String(200))
    customer_id: Mapped[uuid.UUID]
    owner_id: Mapped[uuid.UUID | None]
    pipeline_id: Mapped[uuid.UUID]
    stage_id: Mapped[uuid.UUID]
    territory_id: Mapped[uuid.UUID | None]
    amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3))
    probability: Mapped[int]
    # Set by hand: stage changes then leave the probability alone until it is reset.
    probability_manual: Mapped[bool] = mapped_column(default=False)
    expected_close_date: Mapped[date | None]
    source_campaign_id: Mapped[str | None] = mapped_column(String(64))
    lost_reason: Mapped[str | None] = mapped_column(String(300))
    competitor: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[datetime | None]
    lead_id: Mapped[uuid.UUID | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class StageChange(TenantMixin, Base):
    """One row per stage an opportunity entered, its creation included (``from_stage_id`` null)."""

    __tablename__ = "sales_stage_history"
    __table_args__ = (
        tenant_fk("opportunity_id", "sales_opportunities", ondelete="CASCADE"),
        Index("ix_sales_stage_history_ws_opportunity", "workspace_id", "opportunity_id"),
        Index("ix_sales_stage_history_ws_to_stage", "workspace_id", "to_stage_id", "changed_at"),
    )

    opportunity_id: Mapped[uuid.UUID]
    from_stage_id: Mapped[uuid.UUID | None]
    to_stage_id: Mapped[uuid.UUID]
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[uuid.UUID | None]
    reopened: Mapped[bool] = mapped_column(default=False)


class Product(TenantMixin, TimestampMixin, Base):
    __tablename__ = "sales_products"
    __table_args__ = (UniqueConstraint("workspace_id", "sku"),)

    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    family: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)


class ProductPrice(TenantMixin, Base):
    """The price list: one unit price per product and currency."""

    __tablename__ = "sales_product_prices"
    __table_args__ = (
        tenant_fk("product_id", "sales_products", ondelete="CASCADE"),
        UniqueConstraint("workspace_id", "product_id", "currency"),
    )

    product_id: Mapped[uuid.UUID]
    currency: Mapped[str] = mapped_column(String(3))
    unit_price: Mapped[Decimal] = mapped_column(Money)


class Quote(TenantMixin, TimestampMixin, Base):
    __tablename__ = "sales_quotes"
    __table_args__ = (
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        tenant_fk("opportunity_id", "sales_opportunities", ondelete="SET NULL"),
        Index("ix_sales_quotes_ws_customer", "workspace_id", "customer_id"),
    )

    customer_id: Mapped[uuid.UUID]
    opportunity_id: Mapped[uuid.UUID | None]
    currency: Mapped[str] = mapped_column(String(3))
    # draft | sent | accepted | rejected | expired
    status: Mapped[str] = mapped_column(String(20), default="draft")
    valid_until: Mapped[date | None]
    total: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    sent_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]


class QuoteLine(TenantMixin, Base):
    __tablename__ = "sales_quote_lines"
    __table_args__ = (
        tenant_fk("quote_id", "sales_quotes", ondelete="CASCADE"),
        tenant_fk("product_id", "sales_products"),
        Index("ix_sales_quote_lines_ws_quote", "workspace_id", "quote_id", "position"),
    )

    quote_id: Mapped[uuid.UUID]
    position: Mapped[int]
    product_id: Mapped[uuid.UUID]
    description: Mapped[str | None] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    discount_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    line_total: Mapped[Decimal] = mapped_column(Money)


class Order(TenantMixin, TimestampMixin, Base):
    __tablename__ = "sales_orders"
    __table_args__ = (
        tenant_fk("quote_id", "sales_quotes"),
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        tenant_fk("opportunity_id", "sales_opportunities", ondelete="SET NULL"),
        tenant_fk("owner_id", "users", ondelete="SET NULL"),
        # One order per accepted quote.
        UniqueConstraint("workspace_id", "quote_id"),
        Index("ix_sales_orders_ws_customer", "workspace_id", "customer_id"),
    )

    quote_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID]
    opportunity_id: Mapped[uuid.UUID | None]
    owner_id: Mapped[uuid.UUID | None]
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[Decimal] = mapped_column(Money)


class OrderLine(TenantMixin, Base):
    __tablename__ = "sales_order_lines"
    __table_args__ = (
        tenant_fk("order_id", "sales_orders", ondelete="CASCADE"),
        tenant_fk("product_id", "sales_products"),
        Index("ix_sales_order_lines_ws_order", "workspace_id", "order_id"),
    )

    order_id: Mapped[uuid.UUID]
    position: Mapped[int]
    product_id: Mapped[uuid.UUID]
    # Copied from the product so commissions keep the family the sale was made under.
    family: Mapped[str | None] = mapped_column(String(100))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    line_total: Mapped[Decimal] = mapped_column(Money)


class Payment(TenantMixin, TimestampMixin, Base):
    __tablename__ = "sales_payments"
    __table_args__ = (
        tenant_fk("order_id", "sales_orders"),
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        tenant_fk("owner_id", "users", ondelete="SET NULL"),
        Index("ix_sales_payments_ws_customer", "workspace_id", "customer_id", "received_at"),
        Index("ix_sales_payments_ws_received", "workspace_id", "received_at"),
    )

    order_id: Mapped[uuid.UUID | None]
    customer_id: Mapped[uuid.UUID]
    # Who is credited with the revenue: the order's owner, else the customer's.
    owner_id: Mapped[uuid.UUID | None]
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    received_at: Mapped[datetime]
    method: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str | None] = mapped_column(String(100))


class Quota(TenantMixin, TimestampMixin, Base):
    """A target for one user or one territory (with its sub-territories) over a period."""

    __tablename__ = "sales_quotas"
    __table_args__ = (
        tenant_fk("user_id", "users", ondelete="CASCADE"),
        tenant_fk("territory_id", "sales_territories", ondelete="CASCADE"),
        Index("ix_sales_quotas_ws_period", "workspace_id", "period_start"),
    )

    user_id: Mapped[uuid.UUID | None]
    territory_id: Mapped[uuid.UUID | None]
    period_start: Mapped[date]
    period_end: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))


class CommissionPlan(TenantMixin, TimestampMixin, Base):
    """A flat rate, optionally overridden per product family, multiplied in tiers above quota.

    A plan with no user applies to every user without a plan of their own.
    """

    __tablename__ = "sales_commission_plans"
    __table_args__ = (
        tenant_fk("user_id", "users", ondelete="CASCADE"),
        UniqueConstraint("workspace_id", "name"),
    )

    name: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[uuid.UUID | None]
    rate: Mapped[Decimal] = mapped_column(Rate)
    # {"family": "0.0800"}: rates as strings, exact.
    family_rates: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # [{"attainment": "1.0", "multiplier": "1.5"}, ...]: revenue credited beyond
    # attainment x quota earns rate x multiplier, up to the next tier.
    tiers: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    active: Mapped[bool] = mapped_column(default=True)


class CommissionLine(TenantMixin, Base):
    __tablename__ = "sales_commission_lines"
    __table_args__ = (
        tenant_fk("payment_id", "sales_payments", ondelete="CASCADE"),
        tenant_fk("plan_id", "sales_commission_plans", ondelete="CASCADE"),
        tenant_fk("user_id", "users", ondelete="CASCADE"),
        Index("ix_sales_commission_lines_ws_user", "workspace_id", "user_id", "earned_at"),
    )

    payment_id: Mapped[uuid.UUID]
    plan_id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID]
    family: Mapped[str | None] = mapped_column(String(100))
    base_amount: Mapped[Decimal] = mapped_column(Money)
    rate: Mapped[Decimal] = mapped_column(Rate)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    # The tier multiplier the rate includes (1 below the first tier).
    multiplier: Mapped[Decimal] = mapped_column(Rate, default=Decimal("1"))
    earned_at: Mapped[datetime]
