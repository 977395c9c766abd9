"""Idempotency keys: the first result of a write, kept so that a retry replays it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rapport.core.db import Base, TenantMixin, utcnow


class IdempotencyRecord(TenantMixin, Base):
    """One client-chosen key of one caller (an API key, else a user) in one workspace.

    ``state`` is ``claimed`` while the first request runs, ``applied`` once one of its writes
    committed (in that write's own transaction) and ``completed`` once its response is kept.
    ``claim`` changes when a retry takes over a claim whose request died before writing, so
    a late write of the dead request fails instead of doubling the retry's.
    """

    __tablename__ = "idempotency_keys"
    # Written by the system from values checked where they came in (rapport.core.stored_values).
    stored_as_given = True
    __table_args__ = (
        UniqueConstraint("workspace_id", "caller_id", "key"),
        Index("ix_idempotency_keys_expires_at", "expires_at"),
    )

    caller_id: Mapped[uuid.UUID]
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    claim: Mapped[uuid.UUID]
    state: Mapped[str] = mapped_column(String(12))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
