"""Custom scalars shared by the schema, and what the built-in ones mean in Rapport."""

import dataclasses
import decimal

from strawberry.scalars import JSON
from strawberry.schema.types.base_scalars import DecimalDefinition

__all__ = ["JSON", "SCALAR_OVERRIDES"]

# Money and rates travel as strings so that no client rounds them through a float; the SDL
# says so, for the generated types of a typed client.
DECIMAL = dataclasses.replace(
    DecimalDefinition,
    description=(
        'An exact decimal number, as a string (`"1234.50"`), never a float. A money amount '
        "has at most as many decimals as its currency (2 for EUR, 0 for JPY); rates and shares "
        "as many as they need. Inputs take the same string form."
    ),
)

SCALAR_OVERRIDES = {decimal.Decimal: DECIMAL}
