"""Entity declarations: what a GraphQL type reads from the database, said once.

A node type names its table, the permission to read it and which of its fields are columns
(:class:`Entity`, set as the type's ``__entity__``). A field that crosses to other rows says how
(:class:`ToOne`, :class:`ToMany`, :class:`Listing`; :class:`Expression` for a value computed
from the row) through :func:`reads`, which both the
field's resolver and the read compiler use, so the two paths cannot drift apart: the resolver
runs the declaration through the ORM one parent at a time (batched), the compiler turns the same
declaration into one SQL statement that builds the response's JSON.

Every callable of a declaration receives a :class:`Scope`: the row being read (the mapped class,
or an alias of it when the same table appears further up), the scope of its parent row, the
field's arguments by Python name, the runtime and the caller's permissions (so that a column can
be masked for callers who may not see it). Conditions written against the mapped class
(filter maps, sort keys) are adapted to the alias by the compiler.

A field with a resolver and no declaration is Python-computed: the compiler leaves the whole
root field to the resolvers.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement

__all__ = [
    "READS",
    "Caller",
    "Entity",
    "Expression",
    "Listing",
    "Reference",
    "Scope",
    "ToMany",
    "ToOne",
    "columns",
    "entity_of",
    "reads",
]

# Key of a strawberry field's metadata that holds its read declaration.
READS = "rapport.reads"


@dataclass(frozen=True)
class Caller:
    """Who calls: their workspace and user."""

    workspace_id: uuid.UUID
    user_id: uuid.UUID


@dataclass(frozen=True)
class Scope:
    """One row being read: its mapped class or alias, its parent's scope, the field's args."""

    row: Any
    parent: Scope | None = None
    args: Mapping[str, Any] = field(default_factory=dict)
    runtime: Any = None
    permissions: frozenset[str] = frozenset()
    # Who calls; reading it (``caller``) tells the compiler to keep the statement per caller.
    identify: Callable[[], Caller] | None = None

    def can(self, permission: str) -> bool:
        """Whether the caller holds ``permission``; compiled plans are cached per permissions."""
        return permission in self.permissions

    @property
    def caller(self) -> Caller:
        """Who calls (their workspace and user), for rows that depend on it ("my book").

        A compiled statement is shared by every caller with the same permissions unless it
        reads this: then it is compiled and kept for each caller.
        """
        if self.identify is None:
            raise LookupError("no caller in this scope")
        return self.identify()

    @property
    def parent_row(self) -> Any:
        """The row this one hangs from (a list's parent, a view's point of view)."""
        if self.parent is None:
            raise LookupError("a root row has no parent")
        return self.parent.row


@dataclass(frozen=True)
class Reference:
    """A field holding the global id of another type's row, read from the column with its id.

    Beside the field, the reference is usually exposed as the object itself (a :class:`ToOne`).
    """

    type_name: str
    column: str


# A column of the entity: the mapped attribute's name, a reference to another type's row, or an
# expression of the row's scope (which only the compiler can read: such a type writes its own
# ``from_model``).
ColumnSource = str | Reference | Callable[[Scope], ColumnElement[Any]]


def columns(*names: str, **sources: ColumnSource) -> dict[str, ColumnSource]:
    """Fields read straight from same-named attributes, plus ``sources`` read otherwise."""
    found: dict[str, ColumnSource] = {name: name for name in names}
    found.update(sources)
    return found


@dataclass(frozen=True)
class Entity:
    """A type whose rows live in ``model``.

    ``fields`` maps the type's Python field names to their columns; fields that are neither
    here nor declared with :func:`reads` are computed in Python. ``hide_deleted`` keeps
    soft-deleted rows out of ``node(id:)`` and of every reference to the type.
    """

    model: Any
    permission: str
    fields: Mapping[str, ColumnSource]
    hide_deleted: bool = True

    def column(self, name: str, scope: Scope) -> ColumnElement[Any] | None:
        source = self.fields.get(name)
        if source is None:
            return None
        if isinstance(source, str):
            return getattr(scope.row, source)
        if isinstance(source, Reference):
            return getattr(scope.row, source.column)
        return source(scope)

    def visible(self, row: Any) -> list[ColumnElement[bool]]:
        """Conditions every reference to a row of this type adds (soft delete)."""
        if self.hide_deleted and hasattr(row, "deleted_at"):
            return [row.deleted_at.is_(None)]
        return []


def entity_of(node_type: Any) -> Entity | None:
    """The declaration of a strawberry type, if it has one.

    A node type declares its columns as ``__columns__`` beside its ``__model__``,
    ``__permission__`` and ``__hide_deleted__``; other types set ``__entity__`` themselves.
    """
    found = node_type.__dict__.get("__entity__") if isinstance(node_type, type) else None
    if isinstance(found, Entity):
        return found
    declared = getattr(node_type, "__columns__", None) if isinstance(node_type, type) else None
    if declared is None or "__columns__" not in node_type.__dict__:
        return None
    entity = Entity(
        model=node_type.__model__,
        permission=node_type.__permission__,
        fields=declared,
        hide_deleted=getattr(node_type, "__hide_deleted__", True),
    )
    node_type.__entity__ = entity
    return entity


@dataclass(frozen=True)
class ToOne:
    """The row of ``target`` whose id is ``key``; null when it is missing, deleted or unseen.

    ``shows_deleted`` lets the field's arguments admit soft-deleted rows (``includeDeleted``).
    """

    target: Callable[[], Any]
    # None: no row can match (an id of another type), the field is null.
    key: Callable[[Scope], ColumnElement[Any] | None]
    shows_deleted: Callable[[Scope], bool] = lambda _scope: False


@dataclass(frozen=True)
class ToMany:
    """A plain list of ``target`` rows of the parent, in ``order``, at most ``limit`` of them.

    ``row`` is the entity the list is read from when the listed type is a view over another
    table (a relationship seen from one of its customers); by default the target's own.
    """

    target: Callable[[], Any]
    link: Callable[[Scope], ColumnElement[bool]]
    order: Callable[[Scope], Sequence[ColumnElement[Any]]]
    where: Callable[[Scope], Sequence[ColumnElement[bool]]] = lambda _scope: ()
    limit: Callable[[Scope], int | None] = lambda _scope: None
    permission: str | None = None
    row: Callable[[], Entity] | None = None


@dataclass(frozen=True)
class Listing:
    """A connection of ``target`` rows: filtered by ``where``, paged by ``keys``.

    ``where`` and ``keys`` read the field's arguments and are written against the target's
    mapped class (the compiler adapts them to an alias). ``link`` ties the rows to the parent
    row for a connection under each parent; a root list has none.
    """

    target: Callable[[], Any]
    where: Callable[[Scope], Sequence[ColumnElement[bool]]]
    keys: Callable[[Scope], Sequence[Any]]
    link: Callable[[Scope], ColumnElement[bool]] | None = None
    permission: str | None = None


@dataclass(frozen=True)
class Expression:
    """A field whose value is an SQL expression of its row, for a field that is not a column.

    A plugin adding a field to another plugin's type (an ``extend``) declares it this way; its
    resolver computes the same value in Python, and the compiled-reads test holds them equal.
    """

    value: Callable[[Scope], ColumnElement[Any]]


Reads = ToOne | ToMany | Listing | Expression


def reads(declaration: Reads) -> dict[str, Reads]:
    """A strawberry field's ``metadata`` that attaches a read declaration to the field."""
    return {READS: declaration}
