"""audit entries name both customers of a record that joins two

An entry about a relationship is seen only by whoever may see both of its ends, so it records
the ``to`` end beside ``customer_id``. Existing entries take it from the relationship, or, for
an edge deleted since, from the ``to`` its creation entry recorded.

Revision ID: core_0005
Revises: core_0004
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "core_0005"
down_revision: str | Sequence[str] | None = "core_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

audit = sa.table(
    "audit_entries",
    sa.column("workspace_id", sa.Uuid()),
    sa.column("id", sa.Uuid()),
    sa.column("entity_type", sa.String()),
    sa.column("entity_id", sa.Uuid()),
    sa.column("action", sa.String()),
    sa.column("changes", sa.JSON()),
    sa.column("other_customer_id", sa.Uuid()),
)
relationships = sa.table(
    "relationships",
    sa.column("workspace_id", sa.Uuid()),
    sa.column("id", sa.Uuid()),
    sa.column("to_customer_id", sa.Uuid()),
)


def _to_ends(bind: sa.Connection) -> dict[tuple[uuid.UUID, uuid.UUID], uuid.UUID]:
    """The ``to`` end of every relationship that has an audit entry, live or deleted."""
    ends: dict[tuple[uuid.UUID, uuid.UUID], uuid.UUID] = {}
    created = bind.execute(
        sa.select(audit.c.workspace_id, audit.c.entity_id, audit.c.changes).where(
            audit.c.entity_type == "Relationship", audit.c.action == "create"
        )
    )
    for workspace_id, entity_id, changes in created:
        to = (changes or {}).get("to")
        if isinstance(to, list) and len(to) == 2 and to[1]:
            ends[(workspace_id, entity_id)] = uuid.UUID(str(to[1]))
    live = bind.execute(
        sa.select(relationships.c.workspace_id, relationships.c.id, relationships.c.to_customer_id)
    )
    for workspace_id, relationship_id, to_customer_id in live:
        ends[(workspace_id, relationship_id)] = to_customer_id
    return ends


def upgrade() -> None:
    with op.batch_alter_table("audit_entries") as batch:
        batch.add_column(sa.Column("other_customer_id", sa.Uuid(), nullable=True))
    bind = op.get_bind()
    ends = _to_ends(bind)
    entries = bind.execute(
        sa.select(audit.c.workspace_id, audit.c.id, audit.c.entity_id).where(
            audit.c.entity_type == "Relationship"
        )
    )
    for workspace_id, entry_id, entity_id in list(entries):
        other = ends.get((workspace_id, entity_id))
        if other is not None:
            bind.execute(
                audit.update()
                .where(audit.c.workspace_id == workspace_id, audit.c.id == entry_id)
                .values(other_customer_id=other)
            )


def downgrade() -> None:
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_column("other_customer_id")
