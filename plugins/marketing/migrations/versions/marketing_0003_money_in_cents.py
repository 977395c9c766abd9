"""money stored exactly on SQLite: amounts as whole cents

SQLite kept NUMERIC amounts with decimals as binary floats; they are rewritten as whole
cents, which :class:`rapport.core.Money` reads and writes there. PostgreSQL is unchanged.

Revision ID: marketing_0003
Revises: marketing_0002
"""

from collections.abc import Sequence

from rapport.core.money_column import convert_stored_money

revision: str = "marketing_0003"
down_revision: str | Sequence[str] | None = "marketing_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY_COLUMNS = {
    "marketing_campaign_costs": ("amount",),
    "marketing_campaigns": ("budget", "expected_revenue"),
}


def upgrade() -> None:
    convert_stored_money(MONEY_COLUMNS)


def downgrade() -> None:
    convert_stored_money(MONEY_COLUMNS, to_cents=False)
