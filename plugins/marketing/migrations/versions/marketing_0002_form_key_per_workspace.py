"""form keys unique per workspace

A table distributed by workspace can enforce uniqueness only per workspace; the public
endpoint finds a form by its key alone through a plain index.

Revision ID: marketing_0002
Revises: marketing_0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "marketing_0002"
down_revision: str | Sequence[str] | None = "marketing_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("marketing_forms") as batch:
        batch.drop_constraint("uq_marketing_forms_key", type_="unique")
        batch.create_unique_constraint(
            "uq_marketing_forms_workspace_id_key", ["workspace_id", "key"]
        )
        batch.create_index("ix_marketing_forms_key", ["key"])


def downgrade() -> None:
    with op.batch_alter_table("marketing_forms") as batch:
        batch.drop_index("ix_marketing_forms_key")
        batch.drop_constraint("uq_marketing_forms_workspace_id_key", type_="unique")
        batch.create_unique_constraint("uq_marketing_forms_key", ["key"])
