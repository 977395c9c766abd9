"""workspace phone region

The region a workspace's phone numbers without ``+country code`` are read in, set by its
admins; the deployment's ``default_phone_region`` applies where a workspace sets none.

Revision ID: core_0007
Revises: core_0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "core_0007"
down_revision: str | Sequence[str] | None = "core_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspaces") as batch:
        batch.add_column(sa.Column("phone_region", sa.String(length=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspaces") as batch:
        batch.drop_column("phone_region")
