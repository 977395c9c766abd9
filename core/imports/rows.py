"""One CSV row to customer values, or the problems that keep it out.

Text is parsed per field (dates ISO, tags split on ``,`` ``;`` or ``|``, emails and phones
through :func:`normalize_contact`), then checked by the same rules as the customer service, so
an imported customer is exactly as valid as one created through the API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import inspect

from rapport.core.errors import ErrorCode, FieldError
from rapport.core.imports.columns import ATTRIBUTE_PREFIX, ColumnPlan
from rapport.core.models import Customer, CustomFieldDefinition
from rapport.core.services.contact_points import normalize_contact
from rapport.core.services.custom_fields import check_attributes
from rapport.core.services.customers import check_customer_fields
from rapport.core.stored_values import value_errors

__all__ = ["ParsedRow", "RowProblem", "parse_row"]

LIST_SEPARATORS = re.compile(r"[,;|]")
TRUE_WORDS = {"true", "yes", "y", "1"}
FALSE_WORDS = {"false", "no", "n", "0"}


@dataclass(frozen=True)
class RowProblem:
    row: int  # position in the file; the header is row 1
    column: str | None
    problem: str
    code: ErrorCode = ErrorCode.INVALID


@dataclass
class ParsedRow:
    row: int
    values: dict[str, Any]
    contacts: dict[str, tuple[str, str]] = field(default_factory=dict)  # kind -> (value, norm)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _split(text: str) -> list[str]:
    return [part.strip() for part in LIST_SEPARATORS.split(text) if part.strip()]


def _attribute(definition: CustomFieldDefinition, text: str) -> Any:
    kind = definition.field_type
    if kind == "number":
        return float(text)
    if kind == "integer":
        return int(text)
    if kind == "boolean":
        word = text.lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            raise ValueError("expected true or false")
        return word in TRUE_WORDS
    if kind == "multiselect":
        return _split(text)
    return text


def _parse_value(
    name: str, text: str, known: dict[str, CustomFieldDefinition], region: str | None
) -> tuple[str, Any]:
    """(where it goes, the value); ValueError with the reason when the text does not parse."""
    if name.startswith(ATTRIBUTE_PREFIX):
        key = name[len(ATTRIBUTE_PREFIX) :]
        definition = known.get(key)
        if definition is None:
            raise ValueError(f"no custom field {key!r}")
        try:
            return name, _attribute(definition, text)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a valid {definition.field_type}") from exc
    if name in ("email", "phone"):
        return name, (text, normalize_contact(name, text, region))
    if name == "tags":
        return name, _split(text)
    if name == "birth_date":
        try:
            return name, date.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a date as YYYY-MM-DD") from exc
    if name in ("kind", "lifecycle_status"):
        return name, text.lower()
    return name, text


def _infer_kind(values: dict[str, Any]) -> str:
    named = values.get("first_name") or values.get("last_name")
    return "organization" if values.get("organization_name") and not named else "person"


def parse_row(
    number: int,
    raw: dict[str | None, Any],
    plan: ColumnPlan,
    known: dict[str, CustomFieldDefinition],
    region: str | None = None,
) -> ParsedRow | list[RowProblem]:
    problems: list[RowProblem] = []
    if raw.get(None):
        problems.append(RowProblem(number, None, "more values than the header has columns"))
    parsed = ParsedRow(number, {})
    attributes: dict[str, Any] = {}
    for column, name in plan.fields.items():
        text = (raw.get(column) or "").strip()
        if not text:
            continue
        if "\x00" in text:
            # PostgreSQL cannot store it in text, and no real value contains one.
            problems.append(RowProblem(number, column, "contains a NUL character"))
            continue
        try:
            target, value = _parse_value(name, text, known, region)
        except ValueError as exc:
            problems.append(RowProblem(number, column, str(exc)))
            continue
        if target.startswith(ATTRIBUTE_PREFIX):
            attributes[target[len(ATTRIBUTE_PREFIX) :]] = value
        elif target in ("email", "phone"):
            parsed.contacts[target] = value
        else:
            parsed.values[target] = value
    values = parsed.values
    values.setdefault("kind", _infer_kind(values))
    errors: list[FieldError] = check_customer_fields(values, dict(values), "")
    values["attributes"], attribute_errors = check_attributes(known, attributes, {}, "")
    # Imports insert in bulk, past the ORM's flush check: the same column rules, asked here.
    stored = value_errors(inspect(Customer), values, "")
    for error in [*errors, *attribute_errors, *stored]:
        name = error.field or ""
        column = plan.column_of(name if name.startswith(ATTRIBUTE_PREFIX) else _snake(name))
        problems.append(RowProblem(number, column, error.message, error.kind))
    return problems or parsed
