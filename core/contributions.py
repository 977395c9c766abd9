"""What plugins register: one typed object per contribution, checked by the host.

Each ``register_*`` hook receives a ``register`` callback that takes exactly one of these
objects. A misspelt field is a ``TypeError`` when the plugin builds the object, and the host
names the plugin in that error and in every other one, at startup.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypeVar

if TYPE_CHECKING:
    from random import Random

    from sqlalchemy.ext.asyncio import AsyncSession

    from rapport.core.auth import Actor
    from rapport.core.db import AnySelect
    from rapport.core.events import DomainEvent, Event
    from rapport.core.models import Workspace
    from rapport.core.services.operation import Operation
    from rapport.core.worker import JobContext

__all__ = [
    "AccessPolicy",
    "ChurnSignal",
    "CustomerLink",
    "DataLoaderFactory",
    "DemoData",
    "ErrorCodes",
    "EventHandler",
    "EventType",
    "GraphQLPart",
    "InteractionKind",
    "Job",
    "MergeResolver",
    "MigrationBranch",
    "Permission",
    "PotentialValueSource",
    "Register",
    "RelationshipType",
    "Role",
    "ValueKind",
    "ValueSource",
]

T = TypeVar("T")

Register: TypeAlias = Callable[[T], None]
"""The callback a contribution hook receives: ``register(Permission(...))``."""


@dataclass(frozen=True)
class MigrationBranch:
    """The folder of a plugin's Alembic revisions, on a branch of its own."""

    name: str
    path: Path


@dataclass(frozen=True)
class Permission:
    """A permission name; ``roles`` are the standard roles that get it by default."""

    name: str
    description: str
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Role:
    """A named set of permissions, possibly on top of the permissions of other roles."""

    name: str
    description: str
    permissions: tuple[str, ...] = ()
    inherits: tuple[str, ...] = ()


@dataclass(frozen=True)
class RelationshipType:
    """A kind of edge between two customers, read from ``from`` to ``to``."""

    key: str
    label: str
    inverse_label: str | None = None  # how it reads from ``to``; the label when None
    symmetric: bool = False
    # The customer kinds each end may be (``("person",)``); empty: any kind.
    from_kinds: tuple[str, ...] = ()
    to_kinds: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.key

    @property
    def inverse(self) -> str:
        return self.inverse_label if self.inverse_label is not None else self.label


@dataclass(frozen=True)
class InteractionKind:
    """A kind of entry on the customer timeline (a call, a visit, a webinar...)."""

    key: str
    label: str

    @property
    def name(self) -> str:
        return self.key


@dataclass(frozen=True)
class EventType:
    """A domain event a plugin emits: its class names it and carries its fields."""

    event: type[Event]
    description: str

    @property
    def name(self) -> str:
        return self.event.name


EventPhase = Literal["before_commit", "after_commit"]


@dataclass(frozen=True)
class EventHandler:
    """Runs on one event type: ``before_commit`` inside the transaction (raise to veto), or
    ``after_commit`` once it has committed. The event type must be registered by an enabled
    plugin."""

    event: type[Event]
    run: Callable[[DomainEvent, Operation | None], Awaitable[None] | None]
    phase: EventPhase = "before_commit"


MergeResolver: TypeAlias = Callable[["Operation", uuid.UUID, list[uuid.UUID]], Awaitable[None]]
"""``resolve(op, survivor_id, merged_ids)``: settles rows that would clash once re-pointed."""


@dataclass(frozen=True)
class CustomerLink:
    """A table whose rows belong to the customers named in ``columns``.

    Access policies on the customer scope limit these rows too; a row naming several customers
    is visible only when every one it names is. When customers merge, core
    re-points every column at the survivor (bumping ``version`` where the table has one);
    ``resolve`` runs first, for rows that would clash, and ``repoint=False`` leaves the rows
    where they are (history that stays with the merged record, or rows ``resolve`` moves).
    """

    model: type[Any]
    columns: tuple[str, ...] = ("customer_id",)
    resolve: MergeResolver | None = None
    repoint: bool = True


@dataclass(frozen=True)
class AccessPolicy:
    """Limits the rows an actor may see and change; see ``register_access_policies``."""

    target: Any  # a model, or CUSTOMER_SCOPE for customers and every customer-linked table
    policy: Callable[[Actor], Any]


@dataclass(frozen=True)
class GraphQLPart:
    """Fields for the root types, extra types, and fields added onto existing types."""

    query: type | None = None
    mutation: type | None = None
    types: tuple[type, ...] = ()
    extend: Mapping[str, type] = field(default_factory=dict)
    subscription: type | None = None


@dataclass(frozen=True)
class DataLoaderFactory:
    """``factory(context)`` builds the request's loader named ``name`` on first use."""

    name: str
    factory: Callable[[Any], Any]


@dataclass(frozen=True)
class Job:
    """A background job ``rapport worker`` runs every ``every_seconds``."""

    name: str
    every_seconds: float
    run: Callable[[JobContext], Awaitable[Any]]


@dataclass(frozen=True)
class DemoData:
    """Sample data for ``serve --demo``: ``loader(session, workspace, rng)``."""

    name: str
    loader: Callable[[AsyncSession, Workspace, Random], Awaitable[None] | None]


@dataclass(frozen=True)
class ErrorCodes:
    """A domain's error codes: an enum of :class:`~rapport.core.errors.DomainCode` members.

    They join the SDL's ``ErrorReason`` enum as ``<DOMAIN>_<CODE>``, so clients branch on
    codes, never on message text.
    """

    domain: str
    codes: type[StrEnum]

    @property
    def name(self) -> str:
        return self.domain


class ValueKind(StrEnum):
    """What a value source's rows are: money received, or a sign of engagement."""

    REVENUE = "revenue"
    ENGAGEMENT = "engagement"


# ``build(workspace_id)``: a select whose columns are labelled as the kind requires.
SelectBuilder: TypeAlias = Callable[[uuid.UUID], "AnySelect"]


@dataclass(frozen=True)
class ValueSource:
    """Where customer insights learn what customers did; see ``register_value_sources``.

    ``build(workspace_id)`` returns a select of one workspace's rows labelled
    ``customer_id, occurred_at, amount, currency`` for :attr:`ValueKind.REVENUE` (a null
    currency means the workspace's reporting currency) or ``customer_id, occurred_at, kind``
    for :attr:`ValueKind.ENGAGEMENT`.
    """

    name: str
    kind: ValueKind
    build: SelectBuilder
    description: str = ""


@dataclass(frozen=True)
class ChurnSignal:
    """A reason a customer may be about to leave: ``build(workspace_id, now)`` selects
    ``customer_id, weight`` (0 to 1: how strongly it points to leaving) for the customers it
    holds for today; ``reason`` names it in a customer's churn reasons."""

    reason: str
    description: str
    build: Callable[[uuid.UUID, Any], AnySelect]

    @property
    def name(self) -> str:
        return self.reason


@dataclass(frozen=True)
class PotentialValueSource:
    """Value a customer may still bring: ``build(workspace_id)`` selects ``customer_id,
    amount, currency`` (open weighted pipeline, suggested products)."""

    name: str
    build: SelectBuilder
    description: str = ""
