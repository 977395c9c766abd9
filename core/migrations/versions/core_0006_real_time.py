"""real time

The event log subscribers read committed events from; the moments a task's reminder and due
date fired; conditions a webhook puts on the payload.

Revision ID: core_0006
Revises: core_0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import rapport.core.db

revision: str = "core_0006"
down_revision: str | Sequence[str] | None = "core_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "event_log",
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("created_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_event_log")),
    )
    op.create_index("ix_event_log_created_at", "event_log", ["created_at"], unique=False)
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reminder_fired_at", rapport.core.db.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("overdue_fired_at", rapport.core.db.UTCDateTime(), nullable=True)
        )
        batch_op.create_index("ix_tasks_remind_at", ["remind_at"], unique=False)
        batch_op.create_index("ix_tasks_due_at", ["due_at"], unique=False)
    with op.batch_alter_table("webhooks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("conditions", JSON, nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("webhooks", schema=None) as batch_op:
        batch_op.drop_column("conditions")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_due_at")
        batch_op.drop_index("ix_tasks_remind_at")
        batch_op.drop_column("overdue_fired_at")
        batch_op.drop_column("reminder_fired_at")
    op.drop_index("ix_event_log_created_at", table_name="event_log")
    op.drop_table("event_log")
