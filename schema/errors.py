"""How failures reach the client.

Expected failures are payload errors (``UserError``: field, code, message) next to the record.
Authentication and permission failures are top-level errors with ``extensions.code``. Anything
unexpected is masked, so no stack detail or SQL leaks.
"""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from rapport.core.errors import DomainError, ErrorCode

__all__ = [
    "BadRequest",
    "ErrorCodeEnum",
    "Forbidden",
    "Unauthenticated",
    "UserError",
    "should_mask",
    "user_errors",
]

ErrorCodeEnum = strawberry.enum(
    ErrorCode, description="Why an operation was refused; stable, for programs to branch on."
)


@strawberry.type(description="An expected failure of a mutation, tied to the input field.")
class UserError:
    field: str | None = strawberry.field(description="Input path, dotted (`input.email`).")
    code: ErrorCode
    message: str


def user_errors(error: DomainError) -> list[UserError]:
    return [
        UserError(field=item.field, code=item.code, message=item.message) for item in error.errors
    ]


class Unauthenticated(GraphQLError):
    def __init__(self, message: str = "authentication required") -> None:
        super().__init__(message, extensions={"code": "UNAUTHENTICATED"})


class Forbidden(GraphQLError):
    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "FORBIDDEN"})


class BadRequest(GraphQLError):
    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "BAD_USER_INPUT"})


def should_mask(error: GraphQLError) -> bool:
    """Mask errors that come from an unexpected exception; keep ours and GraphQL's own."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    return not (error.extensions and "code" in error.extensions)
