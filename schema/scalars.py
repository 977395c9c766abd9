"""Custom scalars shared by the schema, and what the built-in ones mean in Rapport."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.scalars import JSON
from strawberry.types.scalar import ScalarDefinition

from rapport.core.error_codes import CoreErrorCode
from rapport.core.money import UnreadableNumber

__all__ = ["JSON", "SCALAR_OVERRIDES", "DecimalDefinition"]

# Plain decimal notation in ASCII digits; an exponent is allowed (the money rules bound size).
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def parse_decimal(value: object) -> Decimal:
    """A decimal from a string (or a JSON number).

    ``Decimal`` itself also reads ``NaN``, ``Infinity`` and digits of any script (``"١٢٣"``);
    those come back as :class:`UnreadableNumber`, so the service refuses them as a payload error
    on the field they were given for. Anything else that is not a number is a coercion error.
    """
    text = str(value).strip() if isinstance(value, str | int | float) else None
    if text is None or isinstance(value, bool):
        raise StrawberryInputCoercionError(f"Value cannot represent a Decimal: {value!r}.")
    if PLAIN_NUMBER.fullmatch(text):
        return Decimal(text)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise StrawberryInputCoercionError(
            f"Value cannot represent a Decimal: {value!r}."
        ) from None
    if number.is_finite():
        return UnreadableNumber(text, CoreErrorCode.NON_ASCII_DIGITS)
    return UnreadableNumber(text, CoreErrorCode.NOT_A_NUMBER)


DecimalDefinition = ScalarDefinition(
    name="Decimal",
    description=(
        'An exact decimal number, as a string (`"1250.50"`) so that no digit is lost. An '
        "amount has at most as many decimals as its currency (EUR 2, JPY 0); `NaN`, "
        "`Infinity` and digits other than 0-9 are refused."
    ),
    specified_by_url=None,
    serialize=str,
    parse_value=parse_decimal,
    parse_literal=None,
    origin=Decimal,
)

SCALAR_OVERRIDES = {Decimal: DecimalDefinition}
