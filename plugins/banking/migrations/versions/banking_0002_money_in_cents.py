"""money stored exactly on SQLite: amounts as whole cents

SQLite kept NUMERIC amounts with decimals as binary floats; they are rewritten as whole
cents, which :class:`rapport.core.Money` reads and writes there. PostgreSQL is unchanged.

Revision ID: banking_0002
Revises: banking_0001
"""

from collections.abc import Sequence

from rapport.core.money_column import convert_stored_money

revision: str = "banking_0002"
down_revision: str | Sequence[str] | None = "banking_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY_COLUMNS = {
    "banking_accounts": ("balance",),
    "banking_balance_snapshots": ("balance",),
    "banking_client_revenues": ("amount",),
    "banking_key_client_tiers": ("assets", "revenue", "value"),
}


def upgrade() -> None:
    convert_stored_money(MONEY_COLUMNS)


def downgrade() -> None:
    convert_stored_money(MONEY_COLUMNS, to_cents=False)
