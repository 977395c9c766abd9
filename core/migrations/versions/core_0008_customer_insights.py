"""customer insights

What insights computed per customer (RFM, grade and its override, lifetime value, churn risk),
and each workspace's insight settings.

Revision ID: core_0008
Revises: core_0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import rapport.core.db

revision: str = "core_0008"
down_revision: str | Sequence[str] | None = "core_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
MONEY = sa.Numeric(precision=18, scale=2)


def upgrade() -> None:
    op.create_table(
        "customer_insights",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("computed_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("recency_days", sa.Integer(), nullable=True),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.Column("monetary", MONEY, nullable=False),
        sa.Column("recency_score", sa.Integer(), nullable=True),
        sa.Column("frequency_score", sa.Integer(), nullable=True),
        sa.Column("monetary_score", sa.Integer(), nullable=True),
        sa.Column("segment", sa.String(length=30), nullable=True),
        sa.Column("realised_value", MONEY, nullable=False),
        sa.Column("potential_value", MONEY, nullable=False),
        sa.Column("expected_purchases", sa.Double(), nullable=True),
        sa.Column("p_alive", sa.Double(), nullable=True),
        sa.Column("lifetime_value", MONEY, nullable=True),
        sa.Column("lifetime_value_method", sa.String(length=20), nullable=True),
        sa.Column("churn_risk", sa.Double(), nullable=False),
        sa.Column("churn_reasons", JSON, nullable=False),
        sa.Column("churn_reason", sa.String(length=50), nullable=True),
        sa.Column("churned_at", rapport.core.db.UTCDateTime(), nullable=True),
        sa.Column("derived_grade", sa.String(length=1), nullable=True),
        sa.Column("grade_override", sa.String(length=1), nullable=True),
        sa.Column("grade_override_by_id", sa.Uuid(), nullable=True),
        sa.Column("grade_override_at", rapport.core.db.UTCDateTime(), nullable=True),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "customer_id"],
            ["customers.workspace_id", "customers.id"],
            name=op.f("fk_customer_insights_workspace_id_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "grade_override_by_id"],
            ["users.workspace_id", "users.id"],
            name=op.f("fk_customer_insights_workspace_id_grade_override_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_customer_insights")),
        sa.UniqueConstraint(
            "workspace_id",
            "customer_id",
            name=op.f("uq_customer_insights_workspace_id_customer_id"),
        ),
    )
    op.create_index(
        "ix_customer_insights_ws_segment", "customer_insights", ["workspace_id", "segment"]
    )
    op.create_table(
        "insight_settings",
        sa.Column("scope", sa.String(length=30), nullable=False),
        sa.Column("values", JSON, nullable=False),
        sa.Column("updated_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_insight_settings")),
        sa.UniqueConstraint(
            "workspace_id", "scope", name=op.f("uq_insight_settings_workspace_id_scope")
        ),
    )


def downgrade() -> None:
    op.drop_table("insight_settings")
    op.drop_index("ix_customer_insights_ws_segment", table_name="customer_insights")
    op.drop_table("customer_insights")
