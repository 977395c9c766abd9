"""Which CSV column feeds which customer field.

Headers match field names loosely (``first_name``, ``firstName`` and ``First name`` are the
same), custom fields are ``attributes.<key>``, and an explicit mapping (``col=field``) wins;
``col=`` ignores a column. Anything else is an unknown column, reported before any row is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ATTRIBUTE_PREFIX", "FIELDS", "ColumnPlan", "parse_mapping", "plan_columns"]

ATTRIBUTE_PREFIX = "attributes."
FIELDS = (
    "kind",
    "first_name",
    "last_name",
    "organization_name",
    "lifecycle_status",
    "tags",
    "industry",
    "occupation",
    "birth_date",
    "region",
    "source_channel",
    "notes",
    "email",
    "phone",
)


def _loose(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


LOOSE_FIELDS = {_loose(name): name for name in FIELDS}


def field_named(name: str) -> str | None:
    """The field a header or mapping target names, or None."""
    name = name.strip()
    if name.lower().startswith(ATTRIBUTE_PREFIX) and len(name) > len(ATTRIBUTE_PREFIX):
        return ATTRIBUTE_PREFIX + name[len(ATTRIBUTE_PREFIX) :].strip()
    return LOOSE_FIELDS.get(_loose(name))


@dataclass(frozen=True)
class ColumnPlan:
    fields: dict[str, str]  # CSV column -> field
    problems: list[tuple[str, str]]  # (column, problem)

    def column_of(self, field: str) -> str:
        """The column that feeds ``field`` (the field itself when no column does)."""
        return next((c for c, f in self.fields.items() if f == field), field)


def parse_mapping(specs: list[str]) -> dict[str, str]:
    """``["Mail=email", "Junk="]`` or ``["Mail=email,Junk="]`` -> {column: field or ""}."""
    mapping: dict[str, str] = {}
    for spec in specs:
        for item in spec.split(","):
            if not item.strip():
                continue
            column, sep, field = item.partition("=")
            if not sep or not column.strip():
                raise ValueError(f"{item!r} is not COLUMN=FIELD")
            mapping[column.strip()] = field.strip()
    return mapping


def plan_columns(headers: list[str], mapping: dict[str, str]) -> ColumnPlan:
    fields: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    for column in mapping:
        if column not in headers:
            problems.append((column, "the mapping names a column the file does not have"))
    for column in headers:
        if headers.count(column) > 1:
            problems.append((column, "the header names this column more than once"))
            continue
        target = mapping.get(column, column)
        if column in mapping and not target:
            continue
        field = field_named(target)
        if field is None:
            problems.append(
                (
                    column,
                    f"not a customer field; map it (--mapping '{column}=FIELD') or ignore it"
                    f" (--mapping '{column}=')",
                )
            )
        elif field in fields.values():
            problems.append((column, f"a second column for {field}"))
        else:
            fields[column] = field
    return ColumnPlan(fields, problems)
