"""knowledge-base search indexes

Revision ID: service_0002
Revises: service_0001

PostgreSQL: a full-text expression index (``simple`` configuration, as core's search) on an
article's title and body, named ``*_search`` so that autogenerate leaves it alone. SQLite: an FTS5 external-content table kept current by triggers;
it indexes ``workspace_id`` too, so every query can require the caller's workspace.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "service_0002"
down_revision: str | Sequence[str] | None = "service_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Must equal the expression the search query uses, or the planner ignores the index.
POSTGRES_DOCUMENT = "to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(body, ''))"
COLUMNS = "workspace_id, title, body"
NEW = "new.workspace_id, new.title, new.body"
OLD = "old.workspace_id, old.title, old.body"
REMOVE = (
    "INSERT INTO fts_service_articles(fts_service_articles, rowid, workspace_id, title, body) "
    f"VALUES ('delete', old.rowid, {OLD});"
)
ADD = f"INSERT INTO fts_service_articles(rowid, {COLUMNS}) VALUES (new.rowid, {NEW});"
SQLITE_UP = [
    f"CREATE VIRTUAL TABLE fts_service_articles USING fts5({COLUMNS}, "
    "content='service_articles', content_rowid='rowid', "
    "tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    f"CREATE TRIGGER fts_service_articles_insert AFTER INSERT ON service_articles BEGIN {ADD} END",
    f"CREATE TRIGGER fts_service_articles_delete AFTER DELETE ON service_articles BEGIN {REMOVE} END",
    "CREATE TRIGGER fts_service_articles_update AFTER UPDATE OF title, body ON service_articles "
    f"BEGIN {REMOVE} {ADD} END",
    "INSERT INTO fts_service_articles(fts_service_articles) VALUES ('rebuild')",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "CREATE INDEX ix_service_articles_search ON service_articles "
            f"USING gin ({POSTGRES_DOCUMENT})"
        )
    elif dialect == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_service_articles_search")
    elif dialect == "sqlite":
        for suffix in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS fts_service_articles_{suffix}")
        op.execute("DROP TABLE IF EXISTS fts_service_articles")
