"""Customers (people and organisations), their contact points and custom field definitions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from rapport.core.db import Base, JSONType, TenantMixin, TimestampMixin, tenant_fk
from rapport.core.stored_values import BIRTH_DATES


class Customer(TenantMixin, TimestampMixin, Base):
    __tablename__ = "customers"
    __table_args__ = (
        tenant_fk("owner_id", "users", ondelete="SET NULL"),
        Index("ix_customers_ws_created", "workspace_id", "created_at", "id"),
        Index("ix_customers_ws_name", "workspace_id", "display_name"),
        Index("ix_customers_ws_lifecycle", "workspace_id", "lifecycle_status"),
    )

    kind: Mapped[str] = mapped_column(String(20))
    # Made from the names, whose own checks report a bad value on the field it came in.
    display_name: Mapped[str] = mapped_column(String(300), info={"derived": True})
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    organization_name: Mapped[str | None] = mapped_column(String(200))
    lifecycle_status: Mapped[str] = mapped_column(String(20), default="lead")
    owner_id: Mapped[uuid.UUID | None]
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list, info={"max_length": 64})
    industry: Mapped[str | None] = mapped_column(String(100))
    occupation: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[date | None] = mapped_column(info={"dates": BIRTH_DATES})
    region: Mapped[str | None] = mapped_column(String(100))
    source_channel: Mapped[str | None] = mapped_column(String(50))
    # The grade and risk customer insights computed (or a person set, for the grade), kept
    # here so customers filter and group by them; never written through customer inputs.
    value_grade: Mapped[str | None] = mapped_column(String(1), info={"derived": True})
    churn_risk: Mapped[float | None] = mapped_column(info={"derived": True})
    notes: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    merged_into_id: Mapped[uuid.UUID | None]
    deleted_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class ContactPoint(TenantMixin, TimestampMixin, Base):
    __tablename__ = "contact_points"
    __table_args__ = (
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        Index("ix_contact_points_ws_customer", "workspace_id", "customer_id"),
        # Duplicate detection and import look customers up by normalised value.
        Index("ix_contact_points_ws_kind_value", "workspace_id", "kind", "normalized_value"),
        # One primary contact point per kind and customer.
        Index(
            "uq_contact_points_primary",
            "workspace_id",
            "customer_id",
            "kind",
            unique=True,
            sqlite_where=text("is_primary"),
            postgresql_where=text("is_primary"),
        ),
    )

    customer_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str | None] = mapped_column(String(50))
    value: Mapped[str] = mapped_column(String(500))
    normalized_value: Mapped[str] = mapped_column(String(500), info={"derived": True})
    is_primary: Mapped[bool] = mapped_column(default=False)
    consent_marketing: Mapped[bool] = mapped_column(default=False)
    do_not_contact: Mapped[bool] = mapped_column(default=False)
    verified: Mapped[bool] = mapped_column(default=False)


class CustomFieldDefinition(TenantMixin, TimestampMixin, Base):
    """A workspace's own field on customers, validated by type on every write."""

    __tablename__ = "custom_field_definitions"
    __table_args__ = (UniqueConstraint("workspace_id", "entity", "key"),)

    entity: Mapped[str] = mapped_column(String(50), default="customer")
    key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    field_type: Mapped[str] = mapped_column(String(20))
    options: Mapped[list[str]] = mapped_column(JSONType, default=list)
    required: Mapped[bool] = mapped_column(default=False)
    description: Mapped[str | None] = mapped_column(Text)
