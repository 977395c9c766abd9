"""Expected failures of domain operations.

Services raise these; the GraphQL layer turns them into payload errors (``field``, ``code``,
``message``) after rolling the transaction back, so a failed operation changes no row.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "Conflict",
    "DomainError",
    "ErrorCode",
    "FieldError",
    "InvalidTransition",
    "NotFound",
    "ValidationFailed",
]


class ErrorCode(StrEnum):
    INVALID = "invalid"
    REQUIRED = "required"
    UNKNOWN_FIELD = "unknown_field"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    DUPLICATE = "duplicate"
    INVALID_TRANSITION = "invalid_transition"
    LIMIT_EXCEEDED = "limit_exceeded"
    FORBIDDEN = "forbidden"


@dataclass(frozen=True)
class FieldError:
    field: str | None
    code: ErrorCode
    message: str


class DomainError(Exception):
    """An expected failure; carries one or more field errors."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field or '-'}: {e.message}" for e in errors))
        self.errors = errors


class ValidationFailed(DomainError):
    @classmethod
    def one(
        cls, field: str | None, message: str, code: ErrorCode = ErrorCode.INVALID
    ) -> ValidationFailed:
        return cls([FieldError(field, code, message)])


class NotFound(DomainError):
    def __init__(self, field: str | None, what: str) -> None:
        super().__init__([FieldError(field, ErrorCode.NOT_FOUND, f"{what} not found")])


class Conflict(DomainError):
    def __init__(self, field: str | None, message: str) -> None:
        super().__init__([FieldError(field, ErrorCode.CONFLICT, message)])


class InvalidTransition(DomainError):
    def __init__(self, field: str | None, message: str) -> None:
        super().__init__([FieldError(field, ErrorCode.INVALID_TRANSITION, message)])
