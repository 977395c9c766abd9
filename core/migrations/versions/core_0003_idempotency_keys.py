"""idempotency keys

The first response of a write sent with an ``Idempotency-Key`` header, per workspace, caller and
key, so that a retry replays it instead of writing twice.

Revision ID: core_0003
Revises: core_0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import rapport.core.db

revision: str = "core_0003"
down_revision: str | Sequence[str] | None = "core_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("caller_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("claim", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("created_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.Column("claimed_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.Column("expires_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint(
            "workspace_id",
            "caller_id",
            "key",
            name=op.f("uq_idempotency_keys_workspace_id_caller_id_key"),
        ),
    )
    op.create_index(
        "ix_idempotency_keys_expires_at", "idempotency_keys", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_expires_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
