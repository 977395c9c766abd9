"""search indexes

PostgreSQL: a generated, stored ``search_vector`` (tsvector, ``simple`` configuration) on
customers and interactions with a GIN index each (stored, because ranking reads the vector of
every match, and recomputing it per row was the largest cost of a query), an expression GIN
index on contact points (their text is short), and pg_trgm indexes for fuzzy and substring
matches. PostgreSQL maintains all of them on every write, COPY included. SQLite: FTS5
external-content tables over the same columns, kept current by triggers. The contact point
expression must stay identical to ``rapport.core.search.postgres.CONTACT_DOCUMENT``; a test
checks that the planner uses these indexes.

Revision ID: core_0002
Revises: core_0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "core_0002"
down_revision: str | Sequence[str] | None = "core_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """ALTER TABLE customers ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', coalesce(display_name, '')), 'A')
        || setweight(to_tsvector('simple', coalesce(first_name, '') || ' '
            || coalesce(last_name, '') || ' ' || coalesce(organization_name, '')), 'B')
        || setweight(jsonb_to_tsvector('simple', tags, '["string"]'), 'B')
        || setweight(to_tsvector('simple', coalesce(industry, '') || ' ' || coalesce(occupation, '')
            || ' ' || coalesce(region, '')), 'C')
        || setweight(to_tsvector('simple', coalesce(notes, '')), 'D')
    ) STORED""",
    "CREATE INDEX ix_customers_search ON customers USING gin (search_vector)",
    "CREATE INDEX ix_customers_name_trgm ON customers USING gin (lower(display_name) gin_trgm_ops)",
    """CREATE INDEX ix_contact_points_search ON contact_points
        USING gin ((to_tsvector('simple', value || ' ' || normalized_value)))""",
    """CREATE INDEX ix_contact_points_value_trgm ON contact_points
        USING gin (normalized_value gin_trgm_ops)""",
    """ALTER TABLE interactions ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', coalesce(subject, '')), 'A')
        || setweight(to_tsvector('simple', coalesce(body, '')), 'C')
    ) STORED""",
    "CREATE INDEX ix_interactions_search ON interactions USING gin (search_vector)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_interactions_search",
    "ALTER TABLE interactions DROP COLUMN IF EXISTS search_vector",
    "DROP INDEX IF EXISTS ix_contact_points_value_trgm",
    "DROP INDEX IF EXISTS ix_contact_points_search",
    "DROP INDEX IF EXISTS ix_customers_name_trgm",
    "DROP INDEX IF EXISTS ix_customers_search",
    "ALTER TABLE customers DROP COLUMN IF EXISTS search_vector",
]

# (FTS table, content table, indexed columns). workspace_id is indexed too: every query
# matches it, so the index itself never yields another workspace's rows.
SQLITE_INDEXES = [
    (
        "fts_customers",
        "customers",
        [
            "workspace_id",
            "display_name",
            "first_name",
            "last_name",
            "organization_name",
            "industry",
            "occupation",
            "region",
            "tags",
            "notes",
        ],
    ),
    ("fts_contact_points", "contact_points", ["workspace_id", "value", "normalized_value"]),
    ("fts_interactions", "interactions", ["workspace_id", "subject", "body"]),
]


def _sqlite_up(fts: str, table: str, columns: list[str]) -> list[str]:
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    # The external-content 'delete' command must be given the old values exactly.
    remove = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.rowid, {old});"
    add = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.rowid, {new});"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}', "
        "content_rowid='rowid', tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {remove} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {names} ON {table} BEGIN {remove} {add} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in POSTGRES_UP:
            op.execute(statement)
    elif dialect == "sqlite":
        for fts, table, columns in SQLITE_INDEXES:
            for statement in _sqlite_up(fts, table, columns):
                op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in POSTGRES_DOWN:
            op.execute(statement)
    elif dialect == "sqlite":
        for fts, _table, _columns in SQLITE_INDEXES:
            for suffix in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
