"""Typed, directed edges between customers, and the workspace's own relationship types."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rapport.core.db import Base, TenantMixin, TimestampMixin, tenant_fk


class RelationshipTypeRow(TenantMixin, TimestampMixin, Base):
    """A relationship type a workspace defined itself; plugin types live in the registry."""

    __tablename__ = "relationship_types"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(100))
    inverse_label: Mapped[str] = mapped_column(String(100))
    symmetric: Mapped[bool] = mapped_column(default=False)


class Relationship(TenantMixin, TimestampMixin, Base):
    __tablename__ = "relationships"
    __table_args__ = (
        tenant_fk("from_customer_id", "customers", ondelete="CASCADE"),
        tenant_fk("to_customer_id", "customers", ondelete="CASCADE"),
        Index("ix_relationships_ws_from", "workspace_id", "from_customer_id", "type_key"),
        Index("ix_relationships_ws_to", "workspace_id", "to_customer_id", "type_key"),
    )

    type_key: Mapped[str] = mapped_column(String(64))
    from_customer_id: Mapped[uuid.UUID]
    to_customer_id: Mapped[uuid.UUID]
    role: Mapped[str | None] = mapped_column(String(100))
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    notes: Mapped[str | None] = mapped_column(Text)
