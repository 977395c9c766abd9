"""Workspaces (the tenants), their users and API keys."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rapport.core.db import Base, TenantMixin, new_id, tenant_fk, utcnow


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Counts the changes to who may call (a key revoked, a user deactivated), so that a process
    # holding cached keys can tell whether they still hold.
    credentials_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    # Where the workspace's phone numbers without +country code are read (ISO 3166 "GB");
    # None leaves it to the deployment's default_phone_region.
    phone_region: Mapped[str | None] = mapped_column(String(2))


class User(TenantMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("workspace_id", "email"),
        ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
    )

    email: Mapped[str] = mapped_column(String(320))
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(50))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(TenantMixin, Base):
    """A bearer key. Only its SHA-256 is stored: keys are 256-bit random, so a slow hash adds
    nothing but latency to every request."""

    __tablename__ = "api_keys"
    __table_args__ = (
        tenant_fk("user_id", "users", ondelete="CASCADE"),
        UniqueConstraint("workspace_id", "key_hash"),
        # Lookup happens before the workspace is known.
        Index("ix_api_keys_key_hash", "key_hash"),
    )

    user_id: Mapped[uuid.UUID]
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
