"""What any text or date a service stores may be, declared once on the model's column.

Every row core or a plugin adds or changes through the ORM is checked before it is flushed, so
no service can forget: text has no NUL and no lone surrogate (PostgreSQL cannot store the one,
no encoder the other, and neither is ever meant), and no more characters than its column
allows (``String(n)``, or ``info={"max_length": n}``, or :data:`TEXT_LENGTH` for ``Text``);
strings inside JSON columns (tags, custom fields) likewise; dates fall in a plausible range
(:data:`PLAUSIBLE`, or ``info={"dates": DateRange(...)}``). A column made from others
(``info={"derived": True}``) is left to the checks of those. A failure is a
:class:`ValidationFailed` naming the input field (the attribute in camelCase), so the
operation is refused with a payload error and rolled back, on both engines alike.

Rows a model marks ``stored_as_given = True`` (audit entries, the outbox, idempotency records)
are written by the system from values already checked, and are not checked again.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, String, Text, event
from sqlalchemy import inspect as inspect_row
from sqlalchemy.orm import ColumnProperty, Mapper, Session
from sqlalchemy.orm.attributes import NO_VALUE
from strawberry.utils.str_converters import to_camel_case

from rapport.core.error_codes import CoreErrorCode
from rapport.core.errors import FieldError, ValidationFailed

__all__ = [
    "BIRTH_DATES",
    "PLAUSIBLE",
    "TEXT_LENGTH",
    "DateRange",
    "text_error",
    "value_errors",
]

TEXT_LENGTH = 20_000  # a Text column without its own limit: notes, descriptions, bodies
JSON_TEXT_LENGTH = 2_000  # a string inside a JSON column (a tag, a custom field's value)


@dataclass(frozen=True)
class DateRange:
    """The dates a column may hold: from ``earliest`` to ``latest``, or up to ``ahead`` from
    today (``timedelta(0)``: nothing in the future)."""

    earliest: date
    latest: date | None = None
    ahead: timedelta | None = None

    def problem(self, day: date) -> tuple[CoreErrorCode, str] | None:
        if day < self.earliest:
            return CoreErrorCode.OUT_OF_RANGE, f"must not be before {self.earliest.isoformat()}"
        if self.ahead is not None and day > date.today() + self.ahead:
            if not self.ahead:
                return CoreErrorCode.IN_THE_FUTURE, "must not be in the future"
            return CoreErrorCode.OUT_OF_RANGE, f"must be within {self.ahead.days} days from now"
        if self.latest is not None and day > self.latest:
            return CoreErrorCode.OUT_OF_RANGE, f"must not be after {self.latest.isoformat()}"
        return None


# Any date of a CRM record: a meeting, a payment, a contract. Year 1 and 9999 are typing errors.
PLAUSIBLE = DateRange(date(1900, 1, 1), date(2199, 12, 31))
# Birth dates go back further (historical figures in an archive), never into the future.
BIRTH_DATES = DateRange(date(1600, 1, 1), ahead=timedelta(0))


def text_error(field: str, value: str, limit: int | None) -> FieldError | None:
    """Why ``value`` cannot be stored as ``field``'s text, or None."""
    if "\x00" in value:
        return FieldError(field, CoreErrorCode.CONTROL_CHARACTER, "contains a NUL character")
    if any("\ud800" <= c <= "\udfff" for c in value):
        return FieldError(
            field, CoreErrorCode.CONTROL_CHARACTER, "contains a lone surrogate (invalid Unicode)"
        )
    if limit is not None and len(value) > limit:
        return FieldError(field, CoreErrorCode.TOO_LONG, f"at most {limit} characters")
    return None


def _json_errors(field: str, value: Any, limit: int) -> Iterator[FieldError]:
    if isinstance(value, str):
        if (error := text_error(field, value, limit)) is not None:
            yield error
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _json_errors(f"{field}.{key}", str(key), limit)
            yield from _json_errors(f"{field}.{key}", item, limit)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _json_errors(f"{field}.{index}", item, limit)


def _column_errors(prop: ColumnProperty[Any], field: str, value: Any) -> Iterator[FieldError]:
    column = prop.columns[0]
    kind = column.type
    if isinstance(kind, JSON):
        yield from _json_errors(field, value, column.info.get("max_length", JSON_TEXT_LENGTH))
    elif isinstance(value, str) and isinstance(kind, String):
        limit = column.info.get("max_length", kind.length)
        if limit is None and isinstance(kind, Text):
            limit = TEXT_LENGTH
        if (error := text_error(field, value, limit)) is not None:
            yield error
    elif isinstance(value, date):
        day = value.date() if isinstance(value, datetime) else value
        found = column.info.get("dates", PLAUSIBLE).problem(day)
        if found is not None:
            yield FieldError(field, found[0], found[1])


def value_errors(
    mapper: Mapper[Any], values: Mapping[str, Any], prefix: str = "input."
) -> list[FieldError]:
    """The problems of ``values`` (attribute name to value) as columns of ``mapper``'s model."""
    errors: list[FieldError] = []
    for name, value in values.items():
        prop = mapper.attrs.get(name)
        if (
            value is not None
            and isinstance(prop, ColumnProperty)
            and not prop.columns[0].info.get("derived")
        ):
            errors.extend(_column_errors(prop, prefix + to_camel_case(name), value))
    return errors


def _written(row: Any) -> dict[str, Any]:
    """The column values of ``row`` this flush writes: all of a new row, the changed of others."""
    state = inspect_row(row)
    written: dict[str, Any] = {}
    for prop in state.mapper.column_attrs:
        attribute = state.attrs[prop.key]
        if state.pending or attribute.history.added:
            value = attribute.loaded_value
            if value is not NO_VALUE:
                written[prop.key] = value
    return written


@event.listens_for(Session, "before_flush")
def _check_written_values(session: Session, _context: Any, _instances: Any) -> None:
    errors: list[FieldError] = []
    for row in [*session.new, *session.dirty]:
        if getattr(row, "stored_as_given", False):
            continue
        errors.extend(value_errors(inspect_row(row).mapper, _written(row)))
    if errors:
        raise ValidationFailed(errors)
