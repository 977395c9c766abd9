"""Lookups and checks every service module shares."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from rapport.core import (
    DomainCode,
    ErrorCode,
    FieldError,
    NotFound,
    Operation,
    User,
    ValidationFailed,
    money_error,
    utcnow,
)
from rapport.plugins.service.error_codes import ServiceErrorCode

__all__ = ["Problems", "get_row", "moment", "parse_uuid", "settings_of"]

RowT = TypeVar("RowT")


async def get_row(
    op: Operation, model: type[RowT], row_id: uuid.UUID, field: str, what: str
) -> RowT:
    """A row of this workspace (the session scopes the lookup), or NotFound naming ``field``."""
    row = await op.session.get(model, (op.workspace_id, row_id))
    if row is None:
        raise NotFound(field, what)
    return row


def parse_uuid(value: str, field: str) -> uuid.UUID:
    """A plain row id (of a row that is not a node), or ValidationFailed naming ``field``."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationFailed([FieldError(field, ErrorCode.INVALID, "not an id")]) from None


def settings_of(op: Operation) -> dict[str, Any]:
    """This plugin's section of the settings' ``extra`` table (``[service]`` in rapport.toml)."""
    section = op.host.settings.extra.get("service", {})
    return section if isinstance(section, dict) else {}


def moment(value: datetime | None) -> datetime:
    """When something happened: now by default; a time without a zone is taken as UTC."""
    if value is None:
        return utcnow()
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Problems:
    """Collects field errors so one call reports every bad input at once."""

    def __init__(self, prefix: str = "input.") -> None:
        self.prefix = prefix
        self.errors: list[FieldError] = []

    def add(
        self, field: str, message: str, code: ErrorCode | DomainCode = ErrorCode.INVALID
    ) -> None:
        self.errors.append(FieldError(f"{self.prefix}{field}", code, message))

    def required(self, field: str, value: Any, message: str = "required") -> None:
        if value is None or (isinstance(value, str) and not value.strip()):
            self.add(field, message, ErrorCode.REQUIRED)

    def one_of(self, field: str, value: str | None, allowed: tuple[str, ...]) -> None:
        if value is not None and value not in allowed:
            self.add(field, f"must be one of {', '.join(allowed)}")

    def money(
        self, field: str, value: Decimal, currency: str | None, *, positive: bool = False
    ) -> None:
        """The core rules for an amount (finite, bounded, no finer than ``currency``)."""
        error = money_error(f"{self.prefix}{field}", value, currency, positive=positive)
        if error is not None:
            self.errors.append(error)

    def length(self, field: str, value: str | None, most: int) -> None:
        if value is not None and len(value) > most:
            self.add(field, f"at most {most} characters")

    def not_future(self, field: str, value: datetime | None) -> None:
        if value is not None and moment(value) > utcnow():
            self.add(field, "must not be in the future", ServiceErrorCode.IN_THE_FUTURE)

    async def user(self, op: Operation, field: str, user_id: uuid.UUID | None) -> None:
        if user_id is not None and await op.session.get(User, (op.workspace_id, user_id)) is None:
            self.add(field, "no such user in this workspace", ErrorCode.NOT_FOUND)

    async def exists(
        self, op: Operation, field: str, model: Any, row_id: uuid.UUID | None, what: str
    ) -> Any:
        if row_id is None:
            return None
        row = await op.session.get(model, (op.workspace_id, row_id))
        if row is None or getattr(row, "deleted_at", None) is not None:
            self.add(field, f"{what} not found", ErrorCode.NOT_FOUND)
            return None
        return row

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)
