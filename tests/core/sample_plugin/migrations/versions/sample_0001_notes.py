"""sample notes

Revision ID: sample_0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "sample_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("sample",)
depends_on: str | Sequence[str] | None = ("core_0001",)


def upgrade() -> None:
    op.create_table(
        "sample_notes",
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_sample_notes")),
    )


def downgrade() -> None:
    op.drop_table("sample_notes")
