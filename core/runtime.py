"""Everything one app instance shares across requests, built once from the settings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from types import ModuleType
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from rapport.core import migrate
from rapport.core.access import CUSTOMER_SCOPE, scope_conditions
from rapport.core.auth import Actor
from rapport.core.config import Settings
from rapport.core.contributions import CustomerLink
from rapport.core.db import create_engine, session_factory
from rapport.core.event_broker import EventBroker
from rapport.core.permissions import RoleBook, build_role_book
from rapport.core.plugins import PluginHost
from rapport.core.tenancy import RowPolicies, tenant_session
from rapport.core.vocabulary import Vocabulary, build_vocabulary

__all__ = ["Runtime"]


@dataclass
class Runtime:
    settings: Settings
    host: PluginHost
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    # What routes and their helpers opened beside the engine (listening connections, ...).
    _closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    @classmethod
    def create(cls, settings: Settings, extra_plugins: Iterable[ModuleType] = ()) -> Runtime:
        host = PluginHost(settings, extra_plugins)
        engine = create_engine(settings.database_url, statement_timeout=settings.statement_timeout)
        runtime = cls(settings, host, engine, session_factory(engine))
        # Roles and vocabularies are checked now, so a bad registration fails at startup.
        _ = runtime.roles, runtime.vocabulary
        return runtime

    @cached_property
    def roles(self) -> RoleBook:
        return build_role_book(self.host)

    @property
    def vocabulary(self) -> Vocabulary:
        return build_vocabulary(self.host)

    @cached_property
    def _policies(self) -> list[tuple[Any, Callable[[Actor], Any]]]:
        return [
            (found.item.target, found.item.policy)
            for found in self.host.collect("register_access_policies")
        ]

    @cached_property
    def customer_links(self) -> list[CustomerLink]:
        """Tables whose rows belong to customers, as the enabled plugins declare them."""
        return [found.item for found in self.host.customer_links]

    def row_policies(self, actor: Actor) -> RowPolicies:
        """The row conditions that apply to ``actor`` (none for most roles)."""
        found: list[tuple[type, Any]] = []
        for target, policy in self._policies:
            condition = policy(actor)
            if condition is None:
                continue
            if target is CUSTOMER_SCOPE:
                found.extend(scope_conditions(condition, self.customer_links))
            else:
                found.append((target, condition))
        return tuple(found)

    def session_for(self, actor: Actor, policies: RowPolicies | None = None) -> AsyncSession:
        """A session confined to the actor's workspace and to the rows its policies allow.

        ``policies`` are the actor's :meth:`row_policies`, for a caller that has them already.
        """
        if policies is None:
            policies = self.row_policies(actor)
        return tenant_session(self.sessions, actor.workspace_id, policies)

    @cached_property
    def events(self) -> EventBroker:
        """Committed events for this process's subscribers (started with the first one)."""
        return EventBroker(self)

    async def migrate(self) -> None:
        await migrate.upgrade(self.engine, self.host)

    def on_dispose(self, close: Callable[[], Awaitable[None]]) -> None:
        self._closers.append(close)

    async def dispose(self) -> None:
        for close in reversed(self._closers):
            await close()
        self._closers.clear()
        if "events" in self.__dict__:
            await self.events.close()
        await self.engine.dispose()
