"""The interaction timeline: calls, emails, meetings, notes, visits, complaints, ..."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rapport.core.db import Base, TenantMixin, TimestampMixin, tenant_fk


class Interaction(TenantMixin, TimestampMixin, Base):
    __tablename__ = "interactions"
    __table_args__ = (
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        tenant_fk("user_id", "users", ondelete="SET NULL"),
        # "The last N interactions of each customer" walks this index backwards.
        Index("ix_interactions_ws_customer_time", "workspace_id", "customer_id", "occurred_at"),
        Index("ix_interactions_ws_time", "workspace_id", "occurred_at"),
        Index("ix_interactions_ws_link", "workspace_id", "link_type", "link_id"),
    )

    customer_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(16), default="outbound")
    occurred_at: Mapped[datetime]
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text, info={"max_length": 200_000})  # an email
    outcome: Mapped[str | None] = mapped_column(String(100))
    duration_seconds: Mapped[int | None]
    user_id: Mapped[uuid.UUID | None]
    # A link to any other record (an opportunity, a case): its GraphQL type name and id.
    link_type: Mapped[str | None] = mapped_column(String(64))
    link_id: Mapped[uuid.UUID | None]
    deleted_at: Mapped[datetime | None]


class InteractionParticipant(TenantMixin, Base):
    """Another customer or a user who took part, beside the interaction's own customer."""

    __tablename__ = "interaction_participants"
    __table_args__ = (
        tenant_fk("interaction_id", "interactions", ondelete="CASCADE"),
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        tenant_fk("user_id", "users", ondelete="CASCADE"),
        Index("ix_interaction_participants_ws_interaction", "workspace_id", "interaction_id"),
        Index("ix_interaction_participants_ws_customer", "workspace_id", "customer_id"),
    )

    interaction_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID | None]
    user_id: Mapped[uuid.UUID | None]
    role: Mapped[str | None] = mapped_column(String(50))
