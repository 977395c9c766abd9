"""The per-request context every resolver receives as ``info.context``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from rapport.core.auth import Actor
from rapport.core.permissions import PermissionDenied
from rapport.core.runtime import Runtime
from rapport.core.services.operation import Operation
from rapport.schema.errors import Forbidden, Unauthenticated

__all__ = ["Info", "RequestContext", "context_of", "event_scope"]


@dataclass
class OperationState:
    """What one operation reads through: its session, its loaders and its unit of work."""

    session: AsyncSession | None = None
    # One connection serves the whole operation; sibling resolvers (and DataLoader batches)
    # run concurrently, so they take turns on it.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    loaders: dict[Any, Any] = field(default_factory=dict)
    operation: Operation | None = None


# Set while a subscription answers one event: that event's own state. Several subscriptions
# share a WebSocket connection's context and answer events concurrently, each in its own
# task, so the state is per task rather than on the shared context.
_event_state: ContextVar[OperationState | None] = ContextVar("rapport_event_state", default=None)


@dataclass
class RequestContext:
    runtime: Runtime
    actor: Actor | None
    request: HTTPConnection | None = None
    # The operation the request names (``operationName``), None when it names none.
    operation_name: str | None = None
    # What a WebSocket client sent in `connection_init` (strawberry sets it).
    connection_params: dict[str, Any] | None = None
    # Looks the caller's key up again (a subscription does, per event): None once revoked.
    reauthenticate: Callable[[], Awaitable[Actor | None]] | None = None
    _own: OperationState = field(default_factory=OperationState)

    @property
    def _state(self) -> OperationState:
        return _event_state.get() or self._own

    @property
    def session(self) -> AsyncSession | None:
        return self._state.session

    @session.setter
    def session(self, value: AsyncSession | None) -> None:
        self._state.session = value

    @property
    def lock(self) -> asyncio.Lock:
        return self._state.lock

    @property
    def _loaders(self) -> dict[Any, Any]:
        return self._state.loaders

    @property
    def settings(self) -> Any:
        return self.runtime.settings

    def require_actor(self) -> Actor:
        if self.actor is None:
            raise Unauthenticated()
        return self.actor

    def require(self, permission: str) -> Actor:
        actor = self.require_actor()
        try:
            actor.require(permission)
        except PermissionDenied as denied:
            raise Forbidden(str(denied)) from denied
        return actor

    @asynccontextmanager
    async def db(self) -> AsyncIterator[AsyncSession]:
        """The operation's session, held exclusively for the block."""
        if self.session is None:
            raise RuntimeError("no session: the operation extension did not run")
        async with self.lock:
            yield self.session

    @property
    def operation(self) -> Operation:
        """The unit of work for service calls (mutations hold :meth:`db` around it)."""
        state = self._state
        if state.operation is None:
            if state.session is None:
                raise RuntimeError("no session: the operation extension did not run")
            state.operation = Operation(state.session, self.require_actor(), self.runtime.host)
        return state.operation

    def loader(self, name: str) -> Any:
        """The request's DataLoader registered under ``name`` (created on first use)."""
        found = self._loaders.get(name)
        if found is None:
            factory = self.runtime.host.dataloader_factories.get(name)
            if factory is None:
                raise KeyError(f"no dataloader named {name!r} is registered")
            found = self._loaders[name] = factory(self)
        return found

    def loader_for(self, key: Any, build: Any) -> Any:
        """A request-scoped loader identified by ``key``, made by ``build(context)`` once."""
        found = self._loaders.get(key)
        if found is None:
            found = self._loaders[key] = build(self)
        return found


class Info(strawberry.Info[RequestContext, None]):
    """A resolver's ``info``, its ``context`` typed as Rapport's :class:`RequestContext`.

    Every schema Rapport builds makes its resolvers' ``info`` one of these.
    """


def context_of(info: strawberry.Info[Any, Any]) -> RequestContext:
    """The request context, for code that holds a plain strawberry ``Info``."""
    context = info.context
    assert isinstance(context, RequestContext)
    return context


class event_scope:
    """A fresh session and loaders for answering one event of a subscription.

    Rows loaded for an earlier event are not reused (they may have changed), and no pooled
    connection is held while the subscription waits for the next event. A class rather than
    an ``asynccontextmanager``, because a subscription's generator is suspended inside it and
    may be closed from anywhere.
    """

    def __init__(self, context: RequestContext) -> None:
        assert context.actor is not None
        self.session = context.runtime.session_for(context.actor)

    async def __aenter__(self) -> None:
        _event_state.set(OperationState(session=self.session))

    async def __aexit__(self, *_exc: object) -> None:
        _event_state.set(None)
        await self.session.close()
