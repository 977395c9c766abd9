"""money stored exactly on SQLite: amounts as whole cents

SQLite kept NUMERIC amounts with decimals as binary floats; they are rewritten as whole
cents, which :class:`rapport.core.Money` reads and writes there. PostgreSQL is unchanged.

Revision ID: sales_0002
Revises: sales_0001
"""

from collections.abc import Sequence

from rapport.core.money_column import convert_stored_money

revision: str = "sales_0002"
down_revision: str | Sequence[str] | None = "sales_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY_COLUMNS = {
    "sales_commission_lines": ("base_amount", "amount"),
    "sales_opportunities": ("amount",),
    "sales_order_lines": ("unit_price", "line_total"),
    "sales_orders": ("total",),
    "sales_payments": ("amount",),
    "sales_product_prices": ("unit_price",),
    "sales_quotas": ("amount",),
    "sales_quote_lines": ("unit_price", "line_total"),
    "sales_quotes": ("total",),
}


def upgrade() -> None:
    convert_stored_money(MONEY_COLUMNS)


def downgrade() -> None:
    convert_stored_money(MONEY_COLUMNS, to_cents=False)
