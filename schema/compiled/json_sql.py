"""How each engine spells the JSON a compiled read builds.

A compiled read returns the response's JSON from the database, so every scalar has to come out
exactly as the resolvers print it: global ids, ISO datetimes with their offset, Decimal strings,
enum names. PostgreSQL and SQLite differ in every one of these, and this module is the only place
that knows how; the planner asks for "an object of these pairs" or "this column as a DateTime".

SQLite has no base64, so two deterministic functions are registered on each of its connections
(:func:`rapport.core.sql.register_sqlite_functions`); everything else is plain SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Float,
    Integer,
    Numeric,
    String,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    null,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSON as PG_JSON
from sqlalchemy.dialects.postgresql import aggregate_order_by

from rapport.core.money_column import Money, money_text

__all__ = ["JsonSql", "PostgresJson", "SqliteJson", "json_sql_for"]


class JsonSql:
    """JSON building blocks of one engine. ``value`` arguments are SQL expressions."""

    # The engine's function that builds an object from key/value arguments, and its type.
    object_function = ""
    json_type: Any = Text
    # Whether an aggregate takes its order itself, so a list needs no sorted subquery.
    orders_inside_aggregates = False

    def object(self, pairs: Sequence[tuple[str, ColumnElement[Any]]]) -> ColumnElement[Any]:
        arguments: list[Any] = []
        for key, value in pairs:
            arguments.extend((literal_column(_quote(key)), value))
        return getattr(func, self.object_function)(*arguments, type_=self.json_type)

    def array(self, items: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
        raise NotImplementedError

    def aggregate(
        self, value: ColumnElement[Any], order: Any, where: Any = None
    ) -> ColumnElement[Any]:
        """A JSON array of ``value`` over the rows (those ``where`` holds), in ``order``.

        ``[]`` when there are none.
        """
        raise NotImplementedError

    def padded(self, number: ColumnElement[Any]) -> ColumnElement[Any]:
        """A positive integer as ten digits, so that text order is number order."""
        raise NotImplementedError

    def last_by_position(
        self, position: ColumnElement[Any], text: ColumnElement[Any], limit: int
    ) -> ColumnElement[Any]:
        """An aggregate: the ``text`` of the row with the highest ``position`` up to ``limit``."""
        tagged = case((position <= limit, self.padded(position).op("||")(text)))
        return func.substr(func.max(tagged), 11, type_=Text)

    def nested(self, subquery: ColumnElement[Any]) -> ColumnElement[Any]:
        """A JSON value computed by a scalar subquery, usable inside an object."""
        raise NotImplementedError

    def as_text(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        """The JSON value as text, so the driver hands it over without parsing it."""
        raise NotImplementedError

    def literal_json(self, text: str) -> ColumnElement[Any]:
        raise NotImplementedError

    def boolean(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        return value

    def stored_json(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        """A JSON column's value, embedded as JSON rather than as a string."""
        return value

    def float(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        """A float as Python writes it (``1.0``, not ``1``)."""
        return value

    def datetime(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        raise NotImplementedError

    def date(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        raise NotImplementedError

    def decimal(self, value: ColumnElement[Any], scale: int | None) -> ColumnElement[Any]:
        raise NotImplementedError

    def uuid(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        """A UUID as its canonical text (lower case, with dashes)."""
        raise NotImplementedError

    def base64(self, text: ColumnElement[Any]) -> ColumnElement[Any]:
        raise NotImplementedError

    def base64url(self, text: ColumnElement[Any]) -> ColumnElement[Any]:
        """URL-safe base64 without padding, as cursors are written."""
        raise NotImplementedError

    def json_text_array(self, items: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
        """The compact JSON text of an array of scalars, as ``orjson.dumps`` writes it."""
        raise NotImplementedError

    def global_id(self, type_name: str, row_id: ColumnElement[Any]) -> ColumnElement[Any]:
        return self.base64(literal(f"{type_name}:", String()) + self.uuid(row_id))


# PostgreSQL's base64 output breaks a line after this many input bytes (76 characters).
BASE64_LINE_BYTES = 57


class PostgresJson(JsonSql):
    object_function = "json_build_object"
    json_type = PG_JSON
    orders_inside_aggregates = True

    def array(self, items: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
        return func.json_build_array(*items, type_=PG_JSON)

    def aggregate(
        self, value: ColumnElement[Any], order: Any, where: Any = None
    ) -> ColumnElement[Any]:
        orders = list(order) if isinstance(order, list | tuple) else [order]
        aggregated: Any = func.json_agg(aggregate_order_by(value, *orders), type_=PG_JSON)
        if where is not None:
            aggregated = aggregated.filter(where)
        return func.coalesce(aggregated, self.literal_json("[]"), type_=PG_JSON)

    def padded(self, number: ColumnElement[Any]) -> ColumnElement[Any]:
        return func.lpad(cast(number, Text), 10, "0", type_=Text)

    def nested(self, subquery: ColumnElement[Any]) -> ColumnElement[Any]:
        return subquery

    def as_text(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        return cast(value, Text)

    def literal_json(self, text: str) -> ColumnElement[Any]:
        return cast(literal(text, Text()), PG_JSON)

    def datetime(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        utc = func.timezone("UTC", value)
        seconds = func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS', type_=Text)
        micros = cast(func.extract("microseconds", utc), Integer) % 1_000_000
        fraction = case((micros == 0, ""), else_=func.to_char(utc, ".US", type_=Text))
        return case((value.is_(None), null()), else_=seconds + fraction + "+00:00")

    def date(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        return func.to_char(value, "YYYY-MM-DD", type_=Text)

    def decimal(self, value: ColumnElement[Any], scale: int | None) -> ColumnElement[Any]:
        return cast(value, Text)

    def float(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        # PostgreSQL writes a whole float8 as "1"; Python as "1.0" (up to 1e16, where both
        # switch to an exponent, PostgreSQL already at 1e15: written out by hand there).
        number = cast(value, Float)
        whole = and_(number == func.trunc(number), func.abs(number) < 1e16)
        written = cast(func.trunc(number), Numeric).cast(Text) + literal(".0", Text())
        return case((whole, cast(written, PG_JSON)), else_=func.to_json(number, type_=PG_JSON))

    def uuid(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        return cast(value, Text)

    def base64(self, text: ColumnElement[Any]) -> ColumnElement[Any]:
        encoded = func.encode(func.convert_to(text, "UTF8"), "base64", type_=Text)
        # PostgreSQL breaks base64 lines at 76 characters.
        return func.translate(encoded, "\n", "", type_=Text)

    def global_id(self, type_name: str, row_id: ColumnElement[Any]) -> ColumnElement[Any]:
        text = literal(f"{type_name}:", String()) + self.uuid(row_id)
        if len(type_name.encode()) + 1 + 36 <= BASE64_LINE_BYTES:
            # Short enough for one base64 line: nothing to strip.
            return func.encode(func.convert_to(text, "UTF8"), "base64", type_=Text)
        return self.base64(text)

    def base64url(self, text: ColumnElement[Any]) -> ColumnElement[Any]:
        encoded = func.encode(func.convert_to(text, "UTF8"), "base64", type_=Text)
        return func.rtrim(func.translate(encoded, "+/\n", "-_", type_=Text), "=", type_=Text)

    def json_text_array(self, items: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
        # json_build_array's text has a space after each comma; orjson's does not.
        parts: list[Any] = [literal("[", Text())]
        for index, item in enumerate(items):
            if index:
                parts.append(literal(",", Text()))
            parts.append(cast(func.to_json(item), Text))
        parts.append(literal("]", Text()))
        return func.concat(*parts, type_=Text)


class SqliteJson(JsonSql):
    object_function = "json_object"

    def array(self, items: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
        return func.json_array(*items, type_=Text)

    def aggregate(
        self, value: ColumnElement[Any], order: Any, where: Any = None
    ) -> ColumnElement[Any]:
        # SQLite before 3.44 has no ORDER BY inside an aggregate; the rows arrive in the
        # order of the subquery the caller reads from, which it sorts.
        aggregated: Any = func.json_group_array(value, type_=Text)
        return aggregated.filter(where) if where is not None else aggregated

    def padded(self, number: ColumnElement[Any]) -> ColumnElement[Any]:
        return func.printf("%010d", number, type_=Text)

    def nested(self, subquery: ColumnElement[Any]) -> ColumnElement[Any]:
        # A subquery's result loses SQLite's JSON subtype; json() gives it back, so the
        # enclosing object embeds the value instead of quoting it.
        return func.json(subquery, type_=Text)

    def as_text(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        return type_coerce(value, Text)

    def literal_json(self, text: str) -> ColumnElement[Any]:
        return func.json(literal(text, Text()), type_=Text)

    def boolean(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        flag = type_coerce(value, Boolean)
        return func.json(case((flag.is_(None), null()), (flag, "true"), else_="false"), type_=Text)

    def stored_json(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        return func.json(type_coerce(value, Text), type_=Text)

    def datetime(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC; isoformat drops a zero fraction.
        text = type_coerce(value, Text)
        fraction = func.substr(text, 21, type_=Text)
        tail = case((fraction.in_(["", "000000"]), ""), else_="." + fraction)
        return case(
            (text.is_(None), null()),
            else_=func.replace(func.substr(text, 1, 19, type_=Text), " ", "T", type_=Text)
            + tail
            + "+00:00",
        )

    def date(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        return type_coerce(value, Text)

    def decimal(self, value: ColumnElement[Any], scale: int | None) -> ColumnElement[Any]:
        if isinstance(value.type, Money):
            return money_text(value, "sqlite")  # whole cents, written out exactly
        # SQLite keeps numerics as numbers; the ORM formats them with the column's scale.
        digits = 10 if scale is None else scale
        number = type_coerce(value, Text)
        return case((number.is_(None), null()), else_=func.printf(f"%.{digits}f", value))

    def uuid(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        hex_text = type_coerce(value, Text)
        pieces = [(1, 8), (9, 4), (13, 4), (17, 4), (21, 12)]
        parts: list[Any] = []
        for index, (start, length) in enumerate(pieces):
            if index:
                parts.append("-")
            parts.append(func.substr(hex_text, start, length, type_=Text))
        joined: Any = parts[0]
        for part in parts[1:]:
            joined = joined + part
        return joined

    def base64(self, text: ColumnElement[Any]) -> ColumnElement[Any]:
        return func.rapport_base64(text, type_=Text)

    def base64url(self, text: ColumnElement[Any]) -> ColumnElement[Any]:
        return func.rapport_base64url(text, type_=Text)

    def json_text_array(self, items: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
        # SQLite's arrays are already compact.
        return self.array(items)


def _quote(key: str) -> str:
    # Response keys are GraphQL names or aliases (letters, digits, _), checked by the parser.
    return "'" + key.replace("'", "''") + "'"


_ENGINES: dict[str, JsonSql] = {"postgresql": PostgresJson(), "sqlite": SqliteJson()}


def json_sql_for(dialect_name: str) -> JsonSql | None:
    """The JSON spelling of an engine, or None where reads are not compiled."""
    return _ENGINES.get(dialect_name)
