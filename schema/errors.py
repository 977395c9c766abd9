"""How failures reach the client.

Expected failures are payload errors (``UserError``: field, code, message) next to the record.
Authentication and permission failures are top-level errors with ``extensions.code``. Anything
unexpected is masked, so no stack detail or SQL leaks (:mod:`rapport.schema.failures`).
"""

from __future__ import annotations

import strawberry
from graphql import GraphQLError

from rapport.core.errors import DomainCode, DomainError, ErrorCode

__all__ = [
    "BadRequest",
    "ErrorCodeEnum",
    "Forbidden",
    "RateLimited",
    "SubscriberDropped",
    "Unauthenticated",
    "UserError",
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
    reason_code: strawberry.Private[DomainCode | None] = None

    @strawberry.field(
        description="Whether the same request can succeed if sent again (after reloading the "
        "record, for a conflict)."
    )
    def retryable(self) -> bool:
        return self.code == ErrorCode.CONFLICT


def user_errors(error: DomainError) -> list[UserError]:
    return [
        UserError(field=item.field, code=item.kind, message=item.message, reason_code=item.reason)
        for item in error.errors
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


class RateLimited(GraphQLError):
    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "RATE_LIMITED"})


class SubscriberDropped(GraphQLError):
    """A subscription ended because its client did not keep up; it may subscribe again."""

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "SLOW_CONSUMER"})
