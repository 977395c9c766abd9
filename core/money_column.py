"""The column type of every money amount: exact on both engines.

PostgreSQL stores ``NUMERIC(18, 2)``. SQLite has no exact decimal: a ``NUMERIC`` value with
decimals is kept as a binary float (REAL), so ``0.1 + 0.2`` sums to
``0.30000000000000004``.
There the amount is stored as a whole number of minor units (cents), which the column's
NUMERIC affinity keeps as an exact 64-bit INTEGER, so sums, differences and comparisons in
SQL are exact integer arithmetic (the declared type stays ``NUMERIC(18, 2)``, so the tables
need no rebuild); the type turns cents
back into a ``Decimal`` when a value is read, and an amount into cents when one is written,
compared or added.

What that changes for SQL written over money columns, and how the type keeps it right:

- ``amount + amount``, ``amount - amount``, ``sum(amount)``, ``amount > 100``: both sides
  are cents (a literal compared with or added to an amount is converted as an amount is),
  and the result is read as money.
- ``amount * rate``, ``amount / 3``: the factor is a plain number, not converted; the result
  is still money (cents times a factor), read back as money with the digits the engine
  computed, for the caller to round. A divisor is made a decimal, as SQLite divides two
  integers as integers.
- ``amount / amount``: a ratio, the same on both engines; typed as a plain number.
- Formatting an amount in SQL (the compiled reads' JSON) goes through :func:`money_text`;
  whole-cent arithmetic written in SQL takes :class:`cents_of` and gives back
  :class:`from_cents`, which mean the same on both engines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Numeric,
    Text,
    case,
    func,
    literal,
    literal_column,
    null,
    type_coerce,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = ["Money", "as_money", "cents_of", "from_cents", "money_text", "stores_cents"]

SCALE = 2  # the decimals a money column keeps, as in NUMERIC(18, 2)
_FACTORS = (operators.mul, operators.truediv, operators.floordiv, operators.mod)


def stores_cents(dialect: Dialect) -> bool:
    """Whether money columns hold whole cents on this engine (SQLite) rather than NUMERIC."""
    return dialect.name == "sqlite"


class _WholeCents(Numeric):
    """SQLite's side of a money column: still declared ``NUMERIC(18, 2)`` (whose affinity
    keeps a whole number an exact INTEGER), but the values pass as the integers they are,
    not through the float conversion SQLAlchemy gives SQLite's numerics."""

    def bind_processor(self, dialect: Dialect) -> None:
        return None

    def result_processor(self, dialect: Dialect, coltype: object) -> None:
        return None


class Money(TypeDecorator[Decimal]):
    """An amount of money: ``NUMERIC(18, 2)`` on PostgreSQL, whole cents on SQLite."""

    impl = Numeric(18, SCALE)
    cache_ok = True

    class Comparator(TypeDecorator.Comparator[Decimal]):
        def operate(self, op: Any, *other: Any, **kwargs: Any) -> ColumnElement[Any]:
            if op is operators.truediv:
                # SQLite divides whole cents by a whole number as integers (7 / 2 = 3): the
                # divisor is made a decimal first, which PostgreSQL's numerics do not mind.
                divisor = other[0] if isinstance(other[0], ColumnElement) else literal(other[0])
                other = (divisor * literal_column("1.0"), *other[1:])
            return super().operate(op, *other, **kwargs)

        def _adapt_expression(self, op: Any, other_comparator: Any) -> tuple[Any, TypeEngine[Any]]:
            other_is_money = isinstance(other_comparator.type, Money)
            if op in _FACTORS and other_is_money and op is not operators.mul:
                return op, Numeric()  # a ratio of two amounts: no unit left
            if op in _FACTORS or op in (operators.add, operators.sub):
                return op, self.type
            return super()._adapt_expression(op, other_comparator)

    comparator_factory = Comparator

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if stores_cents(dialect):
            return _WholeCents(18, SCALE)
        return dialect.type_descriptor(Numeric(18, SCALE))

    def coerce_compared_value(self, op: Any, value: Any) -> Any:
        # A factor or divisor is a plain number; what is compared with or added to an amount
        # is an amount.
        if op in _FACTORS:
            return Numeric()
        return self

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or not stores_cents(dialect):
            return value
        cents = Decimal(str(value)).scaleb(SCALE).to_integral_value(ROUND_HALF_EVEN)
        return int(cents)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if not stores_cents(dialect):
            return value if isinstance(value, Decimal) else Decimal(str(value))
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int):
            return Decimal(value).scaleb(-SCALE)
        # Cents times a factor (a share, a rate) is no longer whole: kept to the digits the
        # float has, for the caller to round as it would round PostgreSQL's numeric.
        return Decimal(repr(float(value))).scaleb(-SCALE)


class cents_of(FunctionElement[int]):
    """An amount as a whole number of cents, on either engine (rounded to the cent)."""

    type = BigInteger()
    inherit_cache = True


@compiles(cents_of)
def _cents_numeric(element: cents_of, compiler: Any, **kw: Any) -> str:
    return f"CAST(ROUND(({compiler.process(element.clauses, **kw)}) * 100) AS BIGINT)"


@compiles(cents_of, "sqlite")
def _cents_sqlite(element: cents_of, compiler: Any, **kw: Any) -> str:
    return f"CAST(ROUND({compiler.process(element.clauses, **kw)}) AS INTEGER)"


class from_cents(FunctionElement[Decimal]):
    """A whole number of cents as an amount, on either engine."""

    type = Money()
    inherit_cache = True


@compiles(from_cents)
def _from_cents_numeric(element: from_cents, compiler: Any, **kw: Any) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)}) * 0.01 AS NUMERIC(18, 2))"


@compiles(from_cents, "sqlite")
def _from_cents_sqlite(element: from_cents, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)})"


def as_money(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """An amount in SQL as money: a money expression as it is, a plain number (in units, a
    third-party plugin's column) as the amount it stands for, so that a union of both sums
    and compares alike on either engine."""
    if isinstance(value.type, Money):
        return value
    return from_cents(func.round(type_coerce(value, Numeric()) * 100).cast(BigInteger))


def money_text(value: ColumnElement[Any], dialect_name: str) -> ColumnElement[Any]:
    """SQL writing an amount as the API prints it: ``"12.30"``, ``"-0.05"``, null for null."""
    if dialect_name != "sqlite":
        return type_coerce(value, Numeric()).cast(Text)
    # Rounded first: an amount worked out in SQL (cents times a share) may not be whole.
    cents = func.round(type_coerce(value, Numeric())).cast(BigInteger)
    whole = func.abs(cents)
    digits = func.printf("%d.%02d", whole / 100, whole % 100, type_=Text)
    return case(
        (cents.is_(None), null()),
        (cents < 0, "-" + digits),
        else_=digits,
    )


def convert_stored_money(tables: Mapping[str, Sequence[str]], *, to_cents: bool = True) -> None:
    """In a migration: rewrite SQLite's stored amounts (REAL) as whole cents, or back.

    PostgreSQL's NUMERIC columns are exact already and are left alone. ``tables`` maps each
    table to its money columns.
    """
    from alembic import op

    bind = op.get_bind()
    if not stores_cents(bind.dialect):
        return
    for table, columns in tables.items():
        if to_cents:
            values = ", ".join(f"{c} = CAST(ROUND({c} * 100) AS INTEGER)" for c in columns)
        else:
            values = ", ".join(f"{c} = {c} / 100.0" for c in columns)
        op.execute(f"UPDATE {table} SET {values}")
