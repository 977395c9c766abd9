"""Relay plumbing: nodes backed by tenant tables, and keyset-paginated connections.

Cursors are the base64 of the JSON list of the row's sort values followed by its id, so a cursor
stays valid while rows are added or removed around it, and pages never use OFFSET. The id is
always the last sort key, which makes the order total and the cursors stable.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import orjson
import strawberry
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import QueryableAttribute
from strawberry import relay

from rapport.core.db import AnySelect
from rapport.core.errors import ErrorCode
from rapport.schema.context import Info, RequestContext, context_of
from rapport.schema.errors import BadRequest
from rapport.schema.loaders import by_id_loader
from rapport.schema.node_rows import node_from_row

__all__ = [
    "Connection",
    "Edge",
    "ModelNode",
    "OrderDirection",
    "PageInfo",
    "SortKey",
    "after_condition",
    "argument_row_id",
    "decode_cursor",
    "decode_node_id",
    "encode_cursor",
    "optional_row_id_of",
    "page_size",
    "paginate",
    "python_type_of",
    "row_id_of",
]

NodeT = TypeVar("NodeT")


class HasSettings(Protocol):
    """Whatever reads pages: a request's context, or the read compiler."""

    @property
    def settings(self) -> Any: ...


@strawberry.enum
class OrderDirection(Enum):
    ASC = "asc"
    DESC = "desc"


class ModelNode(relay.Node):
    """A ``Node`` whose rows live in a tenant table.

    Subclasses set ``__model__`` (the SQLAlchemy class), ``__permission__`` (needed to read
    one) and ``__columns__`` (:mod:`rapport.schema.entities`); ``node(id:)`` then works for
    them, batched per request and scoped to the caller's workspace by the session, and
    ``from_model`` builds the node from its row by the declaration.
    """

    __model__: ClassVar[Any]
    __permission__: ClassVar[str]
    __hide_deleted__: ClassVar[bool] = True

    @classmethod
    def from_model(cls, row: Any) -> Any:
        return node_from_row(cls, row)

    @classmethod
    def _rows(cls, context: RequestContext) -> Any:
        return context.loader_for(
            ("node", cls.__name__),
            lambda ctx: by_id_loader(ctx, cls.__model__, include_deleted=not cls.__hide_deleted__),
        )

    @classmethod
    def load_rows(cls, context: RequestContext, ids: Iterable[uuid.UUID]) -> Any:
        return cls._rows(context).load_many(list(ids))

    @classmethod
    async def resolve_nodes(
        cls,
        *,
        info: strawberry.Info[Any, Any],
        node_ids: Iterable[str],
        required: bool = False,
    ) -> list[Any]:
        context = context_of(info)
        context.require(cls.__permission__)
        ids: list[uuid.UUID | None] = []
        for raw in node_ids:
            try:
                ids.append(uuid.UUID(str(raw)))
            except ValueError:
                ids.append(None)
        valid = [i for i in ids if i is not None]
        rows = dict(zip(valid, await cls.load_rows(context, valid), strict=True))
        return [cls.from_model(rows[i]) if i is not None and rows.get(i) else None for i in ids]

    @classmethod
    async def resolve_pk(cls, info: Info, pk: uuid.UUID | None) -> Any:
        """The node for one row id (None for None), batched with its siblings."""
        if pk is None:
            return None
        context = context_of(info)
        context.require(cls.__permission__)
        row = await cls._rows(context).load(pk)
        return cls.from_model(row) if row is not None else None


def row_id_of(value: relay.GlobalID | str, type_name: str | None, field: str) -> uuid.UUID:
    """The row id inside a global id that names ``type_name`` (any type when None).

    A ValidationFailed on ``field`` otherwise, so input mistakes come back as payload errors.
    """
    from rapport.core.errors import ValidationFailed

    try:
        global_id = value if isinstance(value, relay.GlobalID) else relay.GlobalID.from_id(value)
        if type_name is not None and global_id.type_name != type_name:
            raise ValueError
        return uuid.UUID(global_id.node_id)
    except (ValueError, TypeError) as exc:
        what = type_name or "record"
        raise ValidationFailed.one(field, f"not an id of a {what}", ErrorCode.INVALID) from exc


def optional_row_id_of(
    value: relay.GlobalID | str | None, type_name: str | None, field: str
) -> uuid.UUID | None:
    """:func:`row_id_of` for an input that may be absent (``None`` or ``UNSET``)."""
    return (
        None if value is None or value is strawberry.UNSET else row_id_of(value, type_name, field)
    )


def argument_row_id(value: relay.GlobalID | str, type_name: str | None, argument: str) -> uuid.UUID:
    """:func:`row_id_of` for a query's argument: a wrong id is a bad request, as queries have
    no payload to carry it."""
    from rapport.core.errors import ValidationFailed

    try:
        return row_id_of(value, type_name, argument)
    except ValidationFailed as exc:
        what = type_name or "record"
        raise BadRequest(f"{argument}: not an id of a {what}") from exc


def decode_node_id(value: relay.GlobalID | str, expected: type[ModelNode], field: str) -> uuid.UUID:
    """The row id inside a global id that must name ``expected``; a ValidationFailed if not."""
    return row_id_of(value, expected.__name__, field)


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    node: NodeT
    cursor: str


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    # Counts only when a client asks for totalCount: a statement of its own for a list, a
    # DataLoader for the lists under many parents.
    _count: strawberry.Private[Callable[[], Awaitable[int]] | None] = None

    @strawberry.field(description="How many rows match the filter, across all pages.")
    async def total_count(self) -> int:
        if self._count is None:
            return len(self.edges)
        return await self._count()

    @strawberry.field(description="The nodes of this page, without edges.")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]


@dataclass(frozen=True)
class SortKey:
    """One sort column; ``expression`` must not be NULL (wrap nullable columns in coalesce)."""

    expression: ColumnElement[Any] | QueryableAttribute[Any]
    descending: bool = False


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    raw = orjson.dumps([_encode_value(v) for v in values])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, keys: Sequence[SortKey], argument: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = orjson.loads(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError, orjson.JSONDecodeError) as exc:
        raise BadRequest(f"{argument}: not a cursor of this list") from exc
    if not isinstance(values, list) or len(values) != len(keys):
        raise BadRequest(f"{argument}: not a cursor of this list (its ordering differs)")
    decoded: list[Any] = []
    for key, value in zip(keys, values, strict=True):
        python_type = python_type_of(key.expression)
        try:
            if value is None:
                decoded.append(None)
            elif python_type is datetime:
                decoded.append(datetime.fromisoformat(value))
            elif python_type is date:
                decoded.append(date.fromisoformat(value))
            elif python_type is uuid.UUID:
                decoded.append(uuid.UUID(value))
            elif python_type is Decimal:
                decoded.append(Decimal(value))
            else:
                decoded.append(value)
        except (TypeError, ValueError) as exc:
            raise BadRequest(f"{argument}: not a cursor of this list") from exc
    return decoded


def python_type_of(expression: ColumnElement[Any] | QueryableAttribute[Any]) -> type | None:
    """The Python type of a sort expression's values, where its SQL type knows one."""
    try:
        return expression.type.python_type
    except NotImplementedError:
        return None


def after_condition(
    keys: Sequence[SortKey], values: Sequence[Any], forward: bool
) -> ColumnElement[bool]:
    """Rows strictly after ``values`` in the (possibly reversed) sort order."""
    clauses = []
    for depth, key in enumerate(keys):
        # Ascending read forwards, or descending read backwards, continues upwards.
        upwards = key.descending != forward
        column, value = key.expression, values[depth]
        step = column > value if upwards else column < value
        equals = [keys[i].expression == values[i] for i in range(depth)]
        clauses.append(and_(*equals, step))
    return or_(*clauses)


def ordering(keys: Sequence[SortKey], forward: bool = True) -> list[Any]:
    return [
        key.expression.desc() if key.descending == forward else key.expression.asc() for key in keys
    ]


def page_size(context: HasSettings, first: int | None, last: int | None = None) -> int:
    """The requested page size, checked against the settings' cap."""
    settings = context.settings
    if first is not None and last is not None:
        raise BadRequest("pass `first` or `last`, not both")
    size = first if first is not None else last
    if size is None:
        size = settings.default_page_size
    if size < 0:
        raise BadRequest("`first`/`last` must not be negative")
    if size > settings.max_page_size:
        raise BadRequest(f"`first`/`last` may be at most {settings.max_page_size}")
    return int(size)


async def paginate(
    context: RequestContext,
    statement: AnySelect,
    *,
    keys: Sequence[SortKey],
    to_node: Callable[[Any], Any],
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Connection[Any]:
    """One page of ``statement`` (a select of one entity) as a connection."""
    size = page_size(context, first, last)
    forward = last is None
    page = statement
    if after is not None:
        page = page.where(after_condition(keys, decode_cursor(after, keys, "after"), True))
    if before is not None:
        page = page.where(after_condition(keys, decode_cursor(before, keys, "before"), False))
    page = page.order_by(*ordering(keys, forward)).limit(size + 1)
    columns = [key.expression for key in keys]
    async with context.db() as session:
        result = list((await session.execute(page.add_columns(*columns))).all())
    has_more = len(result) > size
    result = result[:size]
    if not forward:
        result.reverse()
    edges = [Edge(node=to_node(row[0]), cursor=encode_cursor(row[1:])) for row in result]
    page_info = PageInfo(
        has_next_page=has_more if forward else before is not None,
        has_previous_page=has_more if not forward else after is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    counting = select(func.count()).select_from(statement.order_by(None).subquery())

    async def count() -> int:
        async with context.db() as session:
            return int((await session.execute(counting)).scalar_one())

    return Connection(edges=edges, page_info=page_info, _count=count)
