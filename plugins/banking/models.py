"""The banking tables: managers and their books, households, accounts, ratings, tiers, training.

Every table is a tenant table (``TenantMixin``); foreign keys to core rows go through
``tenant_fk`` so they carry the workspace, as the core's own do.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from rapport.core import Base, TenantMixin, TimestampMixin, tenant_fk, utcnow
from rapport.core import Money as MoneyColumn

__all__ = [
    "AccountHolder",
    "Assignment",
    "BalanceSnapshot",
    "ClientRevenue",
    "FinancialAccount",
    "FinancialProduct",
    "Household",
    "KeyClientTier",
    "RelationshipManager",
    "RiskRating",
    "SurveyScore",
    "TrainingRecord",
]

# Money is exact on both engines: NUMERIC(18, 2), or whole cents on SQLite.
Money = MoneyColumn()


class RelationshipManager(TenantMixin, TimestampMixin, Base):
    """The banking profile of a core user who manages clients."""

    __tablename__ = "banking_managers"
    __table_args__ = (
        tenant_fk("user_id", "users", ondelete="CASCADE"),
        tenant_fk("team_lead_user_id", "users", ondelete="SET NULL"),
        UniqueConstraint("workspace_id", "user_id"),
        Index("ix_banking_managers_ws_lead", "workspace_id", "team_lead_user_id"),
    )

    user_id: Mapped[uuid.UUID]
    branch: Mapped[str | None] = mapped_column(String(100))
    segment: Mapped[str | None] = mapped_column(String(50))
    grade: Mapped[str | None] = mapped_column(String(20))
    team_lead_user_id: Mapped[uuid.UUID | None]
    is_active: Mapped[bool] = mapped_column(default=True)


class Household(TenantMixin, TimestampMixin, Base):
    """A group of clients; its members are ``household_member`` relationships to the primary."""

    __tablename__ = "banking_households"
    __table_args__ = (
        tenant_fk("primary_customer_id", "customers", ondelete="CASCADE"),
        UniqueConstraint("workspace_id", "primary_customer_id"),
    )

    name: Mapped[str] = mapped_column(String(200))
    primary_customer_id: Mapped[uuid.UUID]


class Assignment(TenantMixin, Base):
    """A client (customer or household) in a manager's book for ``[valid_from, valid_to)``.

    Rows are never deleted: a reassignment closes the old row and opens a new one, so the
    history of who managed whom is the table itself.
    """

    __tablename__ = "banking_assignments"
    __table_args__ = (
        tenant_fk("manager_user_id", "users", ondelete="CASCADE"),
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        tenant_fk("household_id", "banking_households", ondelete="CASCADE"),
        CheckConstraint("(customer_id IS NULL) <> (household_id IS NULL)", name="one_client"),
        Index("ix_banking_assignments_ws_manager", "workspace_id", "manager_user_id", "valid_to"),
        Index("ix_banking_assignments_ws_customer", "workspace_id", "customer_id"),
        Index("ix_banking_assignments_ws_household", "workspace_id", "household_id"),
        # At most one open-ended PRIMARY per client; the service also refuses overlaps.
        Index(
            "uq_banking_assignments_open_primary_customer",
            "workspace_id",
            "customer_id",
            unique=True,
            sqlite_where=text("role = 'primary' AND valid_to IS NULL AND customer_id IS NOT NULL"),
            postgresql_where=text(
                "role = 'primary' AND valid_to IS NULL AND customer_id IS NOT NULL"
            ),
        ),
        Index(
            "uq_banking_assignments_open_primary_household",
            "workspace_id",
            "household_id",
            unique=True,
            sqlite_where=text("role = 'primary' AND valid_to IS NULL AND household_id IS NOT NULL"),
            postgresql_where=text(
                "role = 'primary' AND valid_to IS NULL AND household_id IS NOT NULL"
            ),
        ),
    )

    manager_user_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID | None]
    household_id: Mapped[uuid.UUID | None]
    role: Mapped[str] = mapped_column(String(20))
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[uuid.UUID | None]
    ended_reason: Mapped[str | None] = mapped_column(String(100))


class FinancialProduct(TenantMixin, TimestampMixin, Base):
    __tablename__ = "banking_products"
    __table_args__ = (UniqueConstraint("workspace_id", "code"),)

    code: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    is_active: Mapped[bool] = mapped_column(default=True)


class FinancialAccount(TenantMixin, TimestampMixin, Base):
    __tablename__ = "banking_accounts"
    __table_args__ = (
        tenant_fk("product_id", "banking_products", ondelete="RESTRICT"),
        UniqueConstraint("workspace_id", "number"),
        Index("ix_banking_accounts_ws_product", "workspace_id", "product_id"),
    )

    product_id: Mapped[uuid.UUID]
    # Stored in full; every output masks it unless the caller may see account numbers.
    number: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    status: Mapped[str] = mapped_column(String(20), default="open")
    opened_on: Mapped[date]
    closed_on: Mapped[date | None]
    balance: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    balance_as_of: Mapped[date | None]


class AccountHolder(TenantMixin, Base):
    __tablename__ = "banking_account_holders"
    __table_args__ = (
        tenant_fk("account_id", "banking_accounts", ondelete="CASCADE"),
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        UniqueConstraint("workspace_id", "account_id", "customer_id"),
        Index("ix_banking_account_holders_ws_customer", "workspace_id", "customer_id"),
    )

    account_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID]
    role: Mapped[str] = mapped_column(String(30), default="owner")
    # The one holder an account's assets count towards (no double counting of joint accounts).
    is_primary: Mapped[bool] = mapped_column(default=False)


class BalanceSnapshot(TenantMixin, Base):
    __tablename__ = "banking_balance_snapshots"
    __table_args__ = (
        tenant_fk("account_id", "banking_accounts", ondelete="CASCADE"),
        UniqueConstraint("workspace_id", "account_id", "as_of"),
    )

    account_id: Mapped[uuid.UUID]
    as_of: Mapped[date]
    balance: Mapped[Decimal] = mapped_column(Money)


class RiskRating(TenantMixin, Base):
    """One rating of one kind; a newer rating of the same kind supersedes it (history kept)."""

    __tablename__ = "banking_risk_ratings"
    __table_args__ = (
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        Index("ix_banking_risk_ratings_ws_customer", "workspace_id", "customer_id", "kind"),
        Index("ix_banking_risk_ratings_ws_review", "workspace_id", "is_current", "next_review_on"),
    )

    customer_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(20))
    rating: Mapped[str] = mapped_column(String(20))
    rated_at: Mapped[datetime]
    next_review_on: Mapped[date]
    rated_by_id: Mapped[uuid.UUID | None]
    notes: Mapped[str | None] = mapped_column(String(500))
    is_current: Mapped[bool] = mapped_column(default=True)


class ClientRevenue(TenantMixin, Base):
    """Revenue the bank earned from a client in one month (fees, interest margin)."""

    __tablename__ = "banking_client_revenues"
    __table_args__ = (
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        UniqueConstraint("workspace_id", "customer_id", "month"),
    )

    customer_id: Mapped[uuid.UUID]
    # First day of the month.
    month: Mapped[date]
    amount: Mapped[Decimal] = mapped_column(Money)


class KeyClientTier(TenantMixin, Base):
    """The latest tier computed for a client, with the figures it was computed from."""

    __tablename__ = "banking_key_client_tiers"
    __table_args__ = (
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        UniqueConstraint("workspace_id", "customer_id"),
        Index("ix_banking_key_client_tiers_ws_tier", "workspace_id", "tier"),
    )

    customer_id: Mapped[uuid.UUID]
    tier: Mapped[str] = mapped_column(String(1))
    assets: Mapped[Decimal] = mapped_column(Money)
    revenue: Mapped[Decimal] = mapped_column(Money)
    value: Mapped[Decimal] = mapped_column(Money)
    cumulative_share: Mapped[float]
    computed_at: Mapped[datetime]


class SurveyScore(TenantMixin, Base):
    """A client's answer to a satisfaction survey, 0 to 10."""

    __tablename__ = "banking_survey_scores"
    __table_args__ = (
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        Index("ix_banking_survey_scores_ws_customer", "workspace_id", "customer_id"),
    )

    customer_id: Mapped[uuid.UUID]
    score: Mapped[int]
    surveyed_on: Mapped[date]


class TrainingRecord(TenantMixin, Base):
    __tablename__ = "banking_training_records"
    __table_args__ = (
        tenant_fk("manager_user_id", "users", ondelete="CASCADE"),
        Index("ix_banking_training_ws_manager", "workspace_id", "manager_user_id", "completed_on"),
    )

    manager_user_id: Mapped[uuid.UUID]
    course: Mapped[str] = mapped_column(String(200))
    points: Mapped[int]
    completed_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
