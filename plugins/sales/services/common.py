"""Lookups and checks every sales service shares."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from rapport.core import (
    DomainCode,
    ErrorCode,
    FieldError,
    NotFound,
    Operation,
    Settings,
    User,
    ValidationFailed,
    money_error,
    number_error,
)

__all__ = [
    "Problems",
    "day_span",
    "get_row",
    "money",
    "settings_of",
]

RowT = TypeVar("RowT")
CURRENCY = re.compile(r"^[A-Z]{3}$")
CENT = Decimal("0.01")


def day_span(first: date, last: date) -> tuple[datetime, datetime]:
    """The instants from the start of ``first`` to the end of ``last`` (UTC), half open."""
    start = datetime.combine(first, time.min, tzinfo=UTC)
    return start, datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC)


def money(value: Decimal) -> Decimal:
    """Round to cents, half up, as invoices do."""
    return value.quantize(CENT, rounding="ROUND_HALF_UP")


async def get_row(
    op: Operation, model: type[RowT], row_id: uuid.UUID, field: str, what: str
) -> RowT:
    """A row of this workspace (the session scopes the lookup), or NotFound naming ``field``."""
    row = await op.session.get(model, (op.workspace_id, row_id))
    if row is None:
        raise NotFound(field, what)
    return row


def settings_of(settings: Settings) -> dict[str, Any]:
    """This plugin's section of the settings' ``extra`` table (``[sales]`` in rapport.toml)."""
    section = settings.extra.get("sales", {})
    return section if isinstance(section, dict) else {}


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

    def currency(self, field: str, value: str | None) -> None:
        if value is not None and not CURRENCY.match(value):
            self.add(field, "an ISO 4217 code in capitals, such as EUR")

    def money(
        self, field: str, value: Decimal | None, currency: str | None, *, positive: bool = False
    ) -> bool:
        """Whether ``value`` is an amount in ``currency`` (the core rules); if not, say why."""
        error = money_error(f"{self.prefix}{field}", value, currency, positive=positive)
        if error is not None:
            self.errors.append(error)
        return error is None

    def number(self, field: str, value: Decimal | None, decimals: int) -> bool:
        """Whether ``value`` is a finite number of at most ``decimals`` places; if not, why."""
        error = number_error(f"{self.prefix}{field}", value, decimals, negative_allowed=True)
        if error is not None:
            self.errors.append(error)
        return error is None

    def percent(self, field: str, value: int | Decimal | None) -> None:
        if isinstance(value, Decimal) and not self.number(field, value, 2):
            return
        if value is not None and not 0 <= value <= 100:
            self.add(field, "must be between 0 and 100")

    async def user(self, op: Operation, field: str, user_id: uuid.UUID | None) -> None:
        if user_id is not None and await op.session.get(User, (op.workspace_id, user_id)) is None:
            self.add(field, "no such user in this workspace", ErrorCode.NOT_FOUND)

    async def exists(
        self, op: Operation, field: str, model: Any, row_id: uuid.UUID | None, what: str
    ) -> Any:
        if row_id is None:
            return None
        row = await op.session.get(model, (op.workspace_id, row_id))
        if row is None:
            self.add(field, f"{what} not found", ErrorCode.NOT_FOUND)
        return row

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)
