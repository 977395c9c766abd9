"""Follow-up tasks and reminders, with recurrence for periodic callbacks."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rapport.core.db import Base, TenantMixin, TimestampMixin, tenant_fk


class Task(TenantMixin, TimestampMixin, Base):
    __tablename__ = "tasks"
    __table_args__ = (
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        tenant_fk("assignee_id", "users", ondelete="SET NULL"),
        Index("ix_tasks_ws_assignee_status_due", "workspace_id", "assignee_id", "status", "due_at"),
        Index("ix_tasks_ws_customer", "workspace_id", "customer_id", "status"),
        Index("ix_tasks_ws_link", "workspace_id", "link_type", "link_id"),
        # The reminder job's scans: open tasks whose moment has come and not yet fired.
        Index("ix_tasks_remind_at", "remind_at"),
        Index("ix_tasks_due_at", "due_at"),
    )

    customer_id: Mapped[uuid.UUID | None]
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    due_at: Mapped[datetime | None]
    remind_at: Mapped[datetime | None]
    # When `task.reminder_due` / `task.overdue` fired; cleared when the time is moved, so a
    # rescheduled task fires again, and set by one conditional UPDATE, so it fires once.
    reminder_fired_at: Mapped[datetime | None]
    overdue_fired_at: Mapped[datetime | None]
    assignee_id: Mapped[uuid.UUID | None]
    created_by_id: Mapped[uuid.UUID | None]
    # iCalendar-style rule, e.g. "FREQ=MONTHLY;INTERVAL=3"; completing schedules the next one.
    recurrence: Mapped[str | None] = mapped_column(String(100))
    series_id: Mapped[uuid.UUID | None]
    completed_at: Mapped[datetime | None]
    link_type: Mapped[str | None] = mapped_column(String(64))
    link_id: Mapped[uuid.UUID | None]
    deleted_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
