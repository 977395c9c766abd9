"""core tables

Revision ID: core_0001
Revises:
"""

from collections.abc import Sequence

import rapport.core.db
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "core_0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("core",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_entries",
        sa.Column("entity_type", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("occurred_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.Column(
            "changes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_entries_ws_customer",
            ["workspace_id", "customer_id", "occurred_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_audit_entries_ws_entity",
            ["workspace_id", "entity_type", "entity_id", "occurred_at"],
            unique=False,
        )

    op.create_table(
        "custom_field_definitions",
        sa.Column("entity", sa.String(length=50), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("field_type", sa.String(length=20), nullable=False),
        sa.Column(
            "options",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_custom_field_definitions")),
        sa.UniqueConstraint(
            "workspace_id",
            "entity",
            "key",
            name=op.f("uq_custom_field_definitions_workspace_id_entity_key"),
        ),
    )
    op.create_table(
        "relationship_types",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("inverse_label", sa.String(length=100), nullable=False),
        sa.Column("symmetric", sa.Boolean(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_relationship_types")),
        sa.UniqueConstraint(
            "workspace_id", "key", name=op.f("uq_relationship_types_workspace_id_key")
        ),
    )
    op.create_table(
        "webhooks",
        sa.Column("target_url", sa.String(length=1000), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column(
            "event_types",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_webhooks")),
    )
    op.create_table(
        "workspaces",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspaces")),
        sa.UniqueConstraint("name", name=op.f("uq_workspaces_name")),
    )
    op.create_table(
        "outbox_events",
        sa.Column("webhook_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.Column("delivered_at", rapport.core.db.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "webhook_id"],
            ["webhooks.workspace_id", "webhooks.id"],
            name=op.f("fk_outbox_events_workspace_id_webhook_id_webhooks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_outbox_events")),
    )
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_events_due", ["delivered_at", "next_attempt_at"], unique=False
        )

    op.create_table(
        "users",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=50), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_users_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_users")),
        sa.UniqueConstraint("workspace_id", "email", name=op.f("uq_users_workspace_id_email")),
    )
    op.create_table(
        "api_keys",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=50), nullable=False),
        sa.Column("created_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.Column("last_used_at", rapport.core.db.UTCDateTime(), nullable=True),
        sa.Column("revoked_at", rapport.core.db.UTCDateTime(), nullable=True),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "user_id"],
            ["users.workspace_id", "users.id"],
            name=op.f("fk_api_keys_workspace_id_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint(
            "workspace_id", "key_hash", name=op.f("uq_api_keys_workspace_id_key_hash")
        ),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index("ix_api_keys_key_hash", ["key_hash"], unique=False)

    op.create_table(
        "customers",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("display_name", sa.String(length=300), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=True),
        sa.Column("last_name", sa.String(length=100), nullable=True),
        sa.Column("organization_name", sa.String(length=200), nullable=True),
        sa.Column("lifecycle_status", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column(
            "tags",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("industry", sa.String(length=100), nullable=True),
        sa.Column("occupation", sa.String(length=100), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("source_channel", sa.String(length=50), nullable=True),
        sa.Column("value_grade", sa.String(length=1), nullable=True),
        sa.Column("churn_risk", sa.Double(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "attributes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("merged_into_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", rapport.core.db.UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "owner_id"],
            ["users.workspace_id", "users.id"],
            name=op.f("fk_customers_workspace_id_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_customers")),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customers_ws_created", ["workspace_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_customers_ws_lifecycle", ["workspace_id", "lifecycle_status"], unique=False
        )
        batch_op.create_index(
            "ix_customers_ws_name", ["workspace_id", "display_name"], unique=False
        )

    op.create_table(
        "contact_points",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=50), nullable=True),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.Column("normalized_value", sa.String(length=500), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("consent_marketing", sa.Boolean(), nullable=False),
        sa.Column("do_not_contact", sa.Boolean(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "customer_id"],
            ["customers.workspace_id", "customers.id"],
            name=op.f("fk_contact_points_workspace_id_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_contact_points")),
    )
    with op.batch_alter_table("contact_points", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contact_points_ws_customer", ["workspace_id", "customer_id"], unique=False
        )
        batch_op.create_index(
            "ix_contact_points_ws_kind_value",
            ["workspace_id", "kind", "normalized_value"],
            unique=False,
        )
        batch_op.create_index(
            "uq_contact_points_primary",
            ["workspace_id", "customer_id", "kind"],
            unique=True,
            sqlite_where=sa.text("is_primary"),
            postgresql_where=sa.text("is_primary"),
        )

    op.create_table(
        "interactions",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=100), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("link_type", sa.String(length=64), nullable=True),
        sa.Column("link_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", rapport.core.db.UTCDateTime(), nullable=True),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "customer_id"],
            ["customers.workspace_id", "customers.id"],
            name=op.f("fk_interactions_workspace_id_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "user_id"],
            ["users.workspace_id", "users.id"],
            name=op.f("fk_interactions_workspace_id_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_interactions")),
    )
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_interactions_ws_customer_time",
            ["workspace_id", "customer_id", "occurred_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_interactions_ws_link", ["workspace_id", "link_type", "link_id"], unique=False
        )
        batch_op.create_index(
            "ix_interactions_ws_time", ["workspace_id", "occurred_at"], unique=False
        )

    op.create_table(
        "relationships",
        sa.Column("type_key", sa.String(length=64), nullable=False),
        sa.Column("from_customer_id", sa.Uuid(), nullable=False),
        sa.Column("to_customer_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "from_customer_id"],
            ["customers.workspace_id", "customers.id"],
            name=op.f("fk_relationships_workspace_id_from_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "to_customer_id"],
            ["customers.workspace_id", "customers.id"],
            name=op.f("fk_relationships_workspace_id_to_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_relationships")),
    )
    with op.batch_alter_table("relationships", schema=None) as batch_op:
        batch_op.create_index(
            "ix_relationships_ws_from",
            ["workspace_id", "from_customer_id", "type_key"],
            unique=False,
        )
        batch_op.create_index(
            "ix_relationships_ws_to", ["workspace_id", "to_customer_id", "type_key"], unique=False
        )

    op.create_table(
        "tasks",
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("due_at", rapport.core.db.UTCDateTime(), nullable=True),
        sa.Column("remind_at", rapport.core.db.UTCDateTime(), nullable=True),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("recurrence", sa.String(length=100), nullable=True),
        sa.Column("series_id", sa.Uuid(), nullable=True),
        sa.Column("completed_at", rapport.core.db.UTCDateTime(), nullable=True),
        sa.Column("link_type", sa.String(length=64), nullable=True),
        sa.Column("link_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", rapport.core.db.UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", rapport.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "assignee_id"],
            ["users.workspace_id", "users.id"],
            name=op.f("fk_tasks_workspace_id_assignee_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "customer_id"],
            ["customers.workspace_id", "customers.id"],
            name=op.f("fk_tasks_workspace_id_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_tasks")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tasks_ws_assignee_status_due",
            ["workspace_id", "assignee_id", "status", "due_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_tasks_ws_customer", ["workspace_id", "customer_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_tasks_ws_link", ["workspace_id", "link_type", "link_id"], unique=False
        )

    op.create_table(
        "interaction_participants",
        sa.Column("interaction_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("role", sa.String(length=50), nullable=True),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "customer_id"],
            ["customers.workspace_id", "customers.id"],
            name=op.f("fk_interaction_participants_workspace_id_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "interaction_id"],
            ["interactions.workspace_id", "interactions.id"],
            name=op.f("fk_interaction_participants_workspace_id_interaction_id_interactions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "user_id"],
            ["users.workspace_id", "users.id"],
            name=op.f("fk_interaction_participants_workspace_id_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "id", name=op.f("pk_interaction_participants")),
    )
    with op.batch_alter_table("interaction_participants", schema=None) as batch_op:
        batch_op.create_index(
            "ix_interaction_participants_ws_customer", ["workspace_id", "customer_id"], unique=False
        )
        batch_op.create_index(
            "ix_interaction_participants_ws_interaction",
            ["workspace_id", "interaction_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("interaction_participants", schema=None) as batch_op:
        batch_op.drop_index("ix_interaction_participants_ws_interaction")
        batch_op.drop_index("ix_interaction_participants_ws_customer")

    op.drop_table("interaction_participants")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_ws_link")
        batch_op.drop_index("ix_tasks_ws_customer")
        batch_op.drop_index("ix_tasks_ws_assignee_status_due")

    op.drop_table("tasks")
    with op.batch_alter_table("relationships", schema=None) as batch_op:
        batch_op.drop_index("ix_relationships_ws_to")
        batch_op.drop_index("ix_relationships_ws_from")

    op.drop_table("relationships")
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_index("ix_interactions_ws_time")
        batch_op.drop_index("ix_interactions_ws_link")
        batch_op.drop_index("ix_interactions_ws_customer_time")

    op.drop_table("interactions")
    with op.batch_alter_table("contact_points", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_contact_points_primary",
            sqlite_where=sa.text("is_primary"),
            postgresql_where=sa.text("is_primary"),
        )
        batch_op.drop_index("ix_contact_points_ws_kind_value")
        batch_op.drop_index("ix_contact_points_ws_customer")

    op.drop_table("contact_points")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_ws_name")
        batch_op.drop_index("ix_customers_ws_lifecycle")
        batch_op.drop_index("ix_customers_ws_created")

    op.drop_table("customers")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_api_keys_key_hash")

    op.drop_table("api_keys")
    op.drop_table("users")
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_events_due")

    op.drop_table("outbox_events")
    op.drop_table("workspaces")
    op.drop_table("webhooks")
    op.drop_table("relationship_types")
    op.drop_table("custom_field_definitions")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entries_ws_entity")
        batch_op.drop_index("ix_audit_entries_ws_customer")

    op.drop_table("audit_entries")
