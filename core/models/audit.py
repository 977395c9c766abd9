"""Who changed which fields of which record, when, from what to what."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rapport.core.db import Base, JSONType, TenantMixin, utcnow


class AuditEntry(TenantMixin, Base):
    __tablename__ = "audit_entries"
    # Written by the system from values checked where they came in (rapport.core.stored_values).
    stored_as_given = True
    __table_args__ = (
        Index(
            "ix_audit_entries_ws_entity", "workspace_id", "entity_type", "entity_id", "occurred_at"
        ),
        Index("ix_audit_entries_ws_customer", "workspace_id", "customer_id", "occurred_at"),
    )

    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[uuid.UUID]
    # The customer whose timeline shows this entry, when there is one.
    customer_id: Mapped[uuid.UUID | None]
    # The other customer a record joining two names (a relationship's `to` end): the entry is
    # seen only by whoever may see both, as the record itself is.
    other_customer_id: Mapped[uuid.UUID | None]
    action: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[uuid.UUID | None]
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    changes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    note: Mapped[str | None] = mapped_column(Text)
