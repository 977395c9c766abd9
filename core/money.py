"""What a money amount may be: finite, in range, no finer than its currency, within its bounds.

Every service that takes an amount asks :func:`money_error` (or :func:`check_money`), so the
rules are the same in core and every plugin. An amount has as many decimals as its currency's
minor unit (ISO 4217, from the CLDR data ``babel`` ships: EUR 2, JPY 0, KWD 3) and never more
than the two a money column stores (:mod:`rapport.core.money_column`).
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import get_currency_precision

from rapport.core.error_codes import CoreErrorCode
from rapport.core.errors import FieldError, ValidationFailed

__all__ = [
    "MONEY_LIMIT",
    "STORED_DECIMALS",
    "UnreadableNumber",
    "check_money",
    "currency_decimals",
    "money_error",
    "number_error",
]

# Money columns (rapport.core.Money) are NUMERIC(18, 2) on PostgreSQL and whole cents, a
# 64-bit integer, on SQLite: both exact far beyond this. The limit keeps an amount's cents
# (10^15) within the 53 bits a float holds exactly, so a share or a rate applied to it in
# SQL on SQLite (cents x a REAL factor) is still right to the cent, and leaves room for sums
# of many amounts below the 16 integer digits NUMERIC(18, 2) can hold.
MONEY_LIMIT = Decimal("10000000000000")
STORED_DECIMALS = 2


class UnreadableNumber(Decimal):
    """A number the API read but will not take (``NaN``, ``Infinity``, digits of another
    script), kept as a NaN that says why, so the service refuses it on its own field."""

    reason: CoreErrorCode
    text: str

    def __new__(cls, text: str, reason: CoreErrorCode) -> UnreadableNumber:
        number = super().__new__(cls, "NaN")
        number.text = text
        number.reason = reason
        return number


def currency_decimals(currency: str | None) -> int:
    """The decimals an amount in ``currency`` may have: its minor unit, at most the stored two."""
    if currency is None:
        return STORED_DECIMALS
    return min(get_currency_precision(currency), STORED_DECIMALS)


def money_error(
    field: str,
    value: Decimal | None,
    currency: str | None,
    *,
    positive: bool = False,
    negative_allowed: bool = False,
) -> FieldError | None:
    """Why ``value`` is not an amount ``field`` may hold, or None when it is (or is absent)."""
    return number_error(
        field,
        value,
        currency_decimals(currency),
        f"{currency} has" if currency else "amounts have",
        positive=positive,
        negative_allowed=negative_allowed,
    )


def number_error(
    field: str,
    value: Decimal | None,
    decimals: int,
    unit: str = "it has",
    *,
    positive: bool = False,
    negative_allowed: bool = False,
) -> FieldError | None:
    """Why ``value`` is not a number ``field`` may hold: the money rules for any decimal (a
    rate, a quantity) with ``decimals`` places at most; ``unit`` starts the message on them."""
    if value is None:
        return None
    if isinstance(value, UnreadableNumber):
        return FieldError(field, value.reason, f"{value.text!r} is not an amount")
    if not value.is_finite():
        return FieldError(field, CoreErrorCode.NOT_A_NUMBER, f"{value} is not an amount")
    if abs(value) >= MONEY_LIMIT:
        return FieldError(
            field, CoreErrorCode.OUT_OF_RANGE, f"must be below {MONEY_LIMIT:,} in size"
        )
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > decimals:
        return FieldError(
            field, CoreErrorCode.TOO_MANY_DECIMALS, f"{unit} at most {decimals} decimal(s)"
        )
    if positive and value <= 0:
        return FieldError(field, CoreErrorCode.NOT_POSITIVE, "must be more than zero")
    if not negative_allowed and value < 0:
        return FieldError(field, CoreErrorCode.NEGATIVE, "must not be negative")
    return None


def check_money(
    field: str,
    value: Decimal | None,
    currency: str | None,
    *,
    positive: bool = False,
    negative_allowed: bool = False,
) -> None:
    """Raise :class:`ValidationFailed` unless ``value`` is an amount ``field`` may hold."""
    error = money_error(
        field, value, currency, positive=positive, negative_allowed=negative_allowed
    )
    if error is not None:
        raise ValidationFailed([error])
