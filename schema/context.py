"""The per-request context every resolver receives as ``info.context``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from rapport.core.auth import Actor
from rapport.core.permissions import PermissionDenied
from rapport.core.runtime import Runtime
from rapport.core.services.operation import Operation
from rapport.schema.errors import Forbidden, Unauthenticated

__all__ = ["Info", "RequestContext", "context_of"]


@dataclass
class RequestContext:
    runtime: Runtime
    actor: Actor | None
    request: Request | None = None
    session: AsyncSession | None = None
    # The operation the request names (``operationName``), None when it names none.
    operation_name: str | None = None
    # One connection serves the whole operation; sibling resolvers (and DataLoader batches)
    # run concurrently, so they take turns on it.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _loaders: dict[str, Any] = field(default_factory=dict)
    _operation: Operation | None = None

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
        if self._operation is None:
            if self.session is None:
                raise RuntimeError("no session: the operation extension did not run")
            self._operation = Operation(self.session, self.require_actor(), self.runtime.host)
        return self._operation

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
