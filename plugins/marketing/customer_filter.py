"""Stored customer filters: the ``customers(filter:)`` input kept as JSON, checked and compiled.

A segment stores its filter exactly as a GraphQL client writes the ``CustomerFilter``
variable (camelCase names, enum names, global ids as strings). It is checked against the
input type the API serves today, with graphql-core's own coercion, so a stored filter means
what the same filter means in a ``customers`` query, and one that no longer fits (a field
removed since) is reported instead of silently matching something else.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLInputType
from graphql.utilities import coerce_input_value, validate_input_value
from sqlalchemy import ColumnElement
from strawberry.types.arguments import convert_argument

from rapport.core import FieldError, ValidationFailed
from rapport.plugins.marketing.error_codes import MarketingErrorCode
from rapport.schema import CUSTOMER_FILTERS, CustomerFilter, compile_filter

__all__ = ["check_customer_filter", "customer_condition"]


@strawberry.type
class _FilterHolder:
    """A schema of one field, so the filter is coerced by the very input type the API uses."""

    @strawberry.field
    def customers(self, filter: CustomerFilter | None = None) -> int:
        return 0


_SCHEMA = strawberry.Schema(query=_FilterHolder)
_ARGUMENT = _FilterHolder.__strawberry_definition__.fields[0].arguments[0]  # type: ignore[attr-defined]


def _graphql_type() -> GraphQLInputType:
    query = _SCHEMA._schema.query_type
    assert query is not None
    return query.fields["customers"].args["filter"].type


def check_customer_filter(value: Any, field: str) -> Any:
    """The ``CustomerFilter`` a stored filter stands for; ValidationFailed at ``field`` if none."""
    if not isinstance(value, dict):
        raise ValidationFailed.one(
            field, "a CustomerFilter object", MarketingErrorCode.FILTER_INVALID
        )
    problems: list[FieldError] = []

    def collect(error: GraphQLError, path: Any) -> None:
        where = ".".join([field, *(str(part) for part in path)])
        problems.append(FieldError(where, MarketingErrorCode.FILTER_INVALID, error.message))

    validate_input_value(value, _graphql_type(), collect)
    if problems:
        raise ValidationFailed(problems)
    coerced = coerce_input_value(value, _graphql_type())
    return convert_argument(
        coerced, _ARGUMENT.type, _SCHEMA.schema_converter.scalar_registry, _SCHEMA.config
    )


def customer_condition(value: dict[str, Any] | None, field: str = "filter") -> ColumnElement[bool]:
    """The SQL condition on ``customers`` for a stored filter."""
    return compile_filter(check_customer_filter(value, field), CUSTOMER_FILTERS)
