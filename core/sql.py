"""SQL expressions that SQLite and PostgreSQL spell differently, compiled per dialect.

Filters and aggregates build these like any other SQLAlchemy expression; the dialect picks the
spelling when the statement is compiled, so callers never branch on the engine.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    Float,
    Integer,
    String,
    case,
    cast,
    column,
    func,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB, array
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseList, ColumnClause, literal
from sqlalchemy.sql.functions import FunctionElement

__all__ = ["age_on", "json_array_has", "json_field", "register_sqlite_functions"]


class _AgeOn(FunctionElement[int]):
    """Whole years from a birth date to a day: a birthday counts from the day itself."""

    type = Integer()
    inherit_cache = True
    name = "age_on"


class _JsonArrayHas(FunctionElement[bool]):
    """A JSON array column holds any (or, in the subclass, all) of the given strings.

    Whether all are required is the class, and the strings are bound arguments, so both are
    part of the statement cache key.
    """

    type = Boolean()
    inherit_cache = True
    name = "json_array_has_any"
    require_all = False


class _JsonArrayHasAll(_JsonArrayHas):
    inherit_cache = True
    name = "json_array_has_all"
    require_all = True


def age_on(birth_date: Any, today: date) -> ColumnElement[int]:
    return _AgeOn(birth_date, literal(today, Date()))


def json_array_has(target: Any, values: Sequence[str], *, require_all: bool) -> ColumnElement[bool]:
    """``target`` (a JSON array of strings) holds any, or all, of ``values`` (not empty)."""
    wanted = [literal(value, String()) for value in dict.fromkeys(values)]
    if not wanted:
        raise ValueError("json_array_has needs at least one value")
    kind = _JsonArrayHasAll if require_all else _JsonArrayHas
    return kind(target, *wanted)


def _grouped(sql: Any) -> str:
    # Parenthesised: SQLite compares a boolean expression with `= 1`, which must not bind
    # tighter than the comparison inside.
    return f"({sql})"


def _arguments(element: FunctionElement[Any]) -> list[Any]:
    clauses = element.clauses
    assert isinstance(clauses, ClauseList)
    return list(clauses.clauses)


@compiles(_AgeOn, "postgresql")
def _age_on_postgresql(element: _AgeOn, compiler: Any, **kw: Any) -> str:
    birth, today = _arguments(element)
    expression = cast(func.date_part("year", func.age(cast(today, Date), birth)), Integer)
    return _grouped(compiler.process(expression, **kw))


@compiles(_AgeOn)
def _age_on_default(element: _AgeOn, compiler: Any, **kw: Any) -> str:
    # SQLite keeps dates as ISO text: subtract the years, then one more if the month-day of
    # the birthday is still ahead (29 Feb birthdays count from 1 Mar in common years).
    birth, today = _arguments(element)
    years = cast(func.substr(today, 1, 4), Integer) - cast(func.substr(birth, 1, 4), Integer)
    ahead = cast(func.substr(birth, 6, 5) > func.substr(today, 6, 5), Integer)
    return _grouped(compiler.process(years - ahead, **kw))


@compiles(_JsonArrayHas, "postgresql")
def _json_array_has_postgresql(element: _JsonArrayHas, compiler: Any, **kw: Any) -> str:
    target, *values = _arguments(element)
    document = type_coerce(target, JSONB)
    wanted = array(values)
    condition = document.has_all(wanted) if element.require_all else document.has_any(wanted)
    return _grouped(compiler.process(condition, **kw))


@compiles(_JsonArrayHas)
def _json_array_has_default(element: _JsonArrayHas, compiler: Any, **kw: Any) -> str:
    target, *values = _arguments(element)
    items = func.json_each(target).table_valued("value").alias("tag_items")
    value: ColumnClause[Any] = column("value")
    matching = select(func.count(value.distinct())).select_from(items).where(value.in_(values))
    needed = len(values) if element.require_all else 1
    return _grouped(compiler.process(matching.scalar_subquery() >= needed, **kw))


_POSTGRES_TYPES = {"number": ("number",), "string": ("string",), "boolean": ("boolean",)}
_SQLITE_TYPES = {"number": ("integer", "real"), "string": ("text",), "boolean": ("true", "false")}


class _JsonField(FunctionElement[Any]):
    """One key of a JSON object column, as a SQL value of one kind; NULL when it is another.

    Typed access keeps a comparison from failing on a value of another JSON type (a number
    compared with text), which a plain cast would turn into an error on PostgreSQL. The kind
    is the subclass, so it is part of the statement cache key.
    """

    inherit_cache = True
    name = "json_field"
    kind = "present"
    type = String()


def _json_field_class(kind: str, sql_type: Any) -> type[_JsonField]:
    namespace = {"inherit_cache": True, "kind": kind, "type": sql_type, "name": f"json_{kind}"}
    return type(f"_Json{kind.title()}", (_JsonField,), namespace)


_JSON_FIELDS = {
    "number": _json_field_class("number", Float()),
    "string": _json_field_class("string", String()),
    "boolean": _json_field_class("boolean", Boolean()),
    "present": _JsonField,
}


def json_field(target: Any, key: str, kind: str) -> ColumnElement[Any]:
    """``target[key]`` as a number, string or boolean; ``present`` is NULL when it is missing."""
    if kind not in _JSON_FIELDS:
        raise ValueError(f"kind must be one of {', '.join(_JSON_FIELDS)}")
    return _JSON_FIELDS[kind](target, literal(key, String()))


@compiles(_JsonField, "postgresql")
def _json_field_postgresql(element: _JsonField, compiler: Any, **kw: Any) -> str:
    target, key = _arguments(element)
    document = type_coerce(target, JSONB)
    item = document.op("->")(key)
    if element.kind == "present":
        return _grouped(compiler.process(item, **kw))
    text_value = document.op("->>")(key)
    value: Any = text_value
    if element.kind == "number":
        value = cast(text_value, Float)
    elif element.kind == "boolean":
        value = cast(text_value, Boolean)
    typed = func.jsonb_typeof(item).in_(_POSTGRES_TYPES[element.kind])
    return _grouped(compiler.process(case((typed, value)), **kw))


@compiles(_JsonField)
def _json_field_default(element: _JsonField, compiler: Any, **kw: Any) -> str:
    target, key = _arguments(element)
    path = func.printf('$."%w"', key)
    kind = func.json_type(target, path)
    if element.kind == "present":
        return _grouped(compiler.process(kind, **kw))
    typed = kind.in_(_SQLITE_TYPES[element.kind])
    return _grouped(compiler.process(case((typed, func.json_extract(target, path))), **kw))


def _base64(text: str | None) -> str | None:
    return None if text is None else base64.b64encode(text.encode()).decode()


def _base64url(text: str | None) -> str | None:
    if text is None:
        return None
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def register_sqlite_functions(dbapi_connection: Any) -> None:
    """Base64 for SQLite, which has none: compiled reads write global ids and cursors with it."""
    dbapi_connection.create_function("rapport_base64", 1, _base64, deterministic=True)
    dbapi_connection.create_function("rapport_base64url", 1, _base64url, deterministic=True)
