"""Webhook subscriptions, the outbox the worker delivers from, and the event log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rapport.core.db import Base, JSONType, TenantMixin, tenant_fk, utcnow


class Webhook(TenantMixin, Base):
    __tablename__ = "webhooks"

    target_url: Mapped[str] = mapped_column(String(1000))
    secret: Mapped[str] = mapped_column(String(100))
    # Event names or patterns such as "customer.*"; ["*"] for all.
    event_types: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # Conditions on the payload, all of which must hold: [{"path": "data.kind", "in": [...]}].
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxEvent(TenantMixin, Base):
    """A committed domain event waiting to be delivered to one webhook."""

    __tablename__ = "outbox_events"
    # Written by the system from values checked where they came in (rapport.core.stored_values).
    stored_as_given = True
    __table_args__ = (
        tenant_fk("webhook_id", "webhooks", ondelete="CASCADE"),
        Index("ix_outbox_events_due", "delivered_at", "next_attempt_at"),
    )

    webhook_id: Mapped[uuid.UUID]
    event_type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class EventRecord(TenantMixin, Base):
    """A committed domain event, kept briefly so subscribers in any process can read it.

    Written in the transaction that made the event, so it exists exactly when the change
    committed; its id is what a notification names.
    """

    __tablename__ = "event_log"
    __table_args__ = (Index("ix_event_log_created_at", "created_at"),)

    event_type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
