"""Expected failures of domain operations.

Services raise these; the GraphQL layer turns them into payload errors (``field``, ``code``,
``message``) after rolling the transaction back, so a failed operation changes no row.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = [
    "Conflict",
    "DomainCode",
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


class DomainCode(StrEnum):
    """The base of a domain's own error codes (core's, or a plugin's).

    Each member says which generic :class:`ErrorCode` it is a case of, so a client may branch
    on the generic code or on the precise one::

        class SalesErrorCode(DomainCode):
            OVERPAYMENT = "overpayment", ErrorCode.INVALID
    """

    kind: ErrorCode

    def __new__(cls, value: str, kind: ErrorCode = ErrorCode.INVALID) -> Any:
        member = str.__new__(cls, value)
        member._value_ = value
        member.kind = kind
        return member


@dataclass(frozen=True)
class FieldError:
    """``code`` is generic (``ErrorCode``) or precise (a domain's ``DomainCode``)."""

    field: str | None
    code: ErrorCode | DomainCode
    message: str

    @property
    def kind(self) -> ErrorCode:
        """The generic code: the code itself, or the one a precise code is a case of."""
        return self.code.kind if isinstance(self.code, DomainCode) else self.code

    @property
    def reason(self) -> DomainCode | None:
        return self.code if isinstance(self.code, DomainCode) else None


class DomainError(Exception):
    """An expected failure; carries one or more field errors."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field or '-'}: {e.message}" for e in errors))
        self.errors = errors


class ValidationFailed(DomainError):
    @classmethod
    def one(
        cls, field: str | None, message: str, code: ErrorCode | DomainCode = ErrorCode.INVALID
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
