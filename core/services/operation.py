"""The unit of work every service function runs in.

An :class:`Operation` holds one tenant session, the acting user and the plugin host. Services
validate, write through the session, append audit entries with :meth:`Operation.audit` and
emit domain events with :meth:`Operation.emit`; :meth:`Operation.transaction` commits all of it
at once or none of it.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.auth import Actor
from rapport.core.db import WRITES, write_transaction
from rapport.core.events import DomainEvent, Event
from rapport.core.models import AuditEntry
from rapport.core.plugins import PluginError, PluginHost

__all__ = ["Operation", "Savepoint"]


@dataclass
class Savepoint:
    """Handle of :meth:`Operation.savepoint`; set ``keep = False`` to undo the block's work."""

    keep: bool = True


@dataclass
class Operation:
    session: AsyncSession
    actor: Actor
    host: PluginHost
    pending_events: list[DomainEvent] = field(default_factory=list)
    _depth: int = 0
    # A rehearsal's transaction is open: the next transaction rolls it back, never commits it.
    _rehearsed: bool = False

    @property
    def workspace_id(self) -> uuid.UUID:
        return self.actor.workspace_id

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """Commit everything done inside, or roll all of it back; then notify after-commit."""
        if self._depth:
            # Nested use (a service calling another): the outer transaction decides.
            yield
            return
        await self._end_previous()
        self.pending_events = []
        self._depth += 1
        try:
            async with write_transaction(self.session):
                yield
        finally:
            self._depth -= 1
            committed, self.pending_events = self.pending_events, []
        for event in committed:
            await self.host.after_commit(event)

    async def _end_previous(self) -> None:
        if self._rehearsed:
            self._rehearsed = False
            await self.session.rollback()
        elif self.session.in_transaction():
            # Only reads can have begun one (resolving the previous mutation's payload).
            await self.session.commit()

    @asynccontextmanager
    async def rehearsal(self) -> AsyncIterator[None]:
        """A transaction that is never committed: a dry run.

        What the block writes stays visible to the session's reads until the next transaction
        begins or the session closes, and is then rolled back, so a dry run's answer can show
        records exactly as the real thing would leave them. No event reaches after-commit
        hooks; an exception rolls back at once.
        """
        await self._end_previous()
        self._depth += 1
        try:
            await self.session.begin()
            await self.session.connection(execution_options={WRITES: True})
            yield
            await self.session.flush()
        except BaseException:
            await self.session.rollback()
            raise
        finally:
            self._depth -= 1
            self.pending_events = []
        self._rehearsed = True

    @asynccontextmanager
    async def savepoint(self, *, keep: bool = True) -> AsyncIterator[Savepoint]:
        """A nested transaction inside the current one.

        An exception rolls the block back and propagates; so does ``point.keep = False`` at
        the end of the block (dry runs, all-or-nothing batches), without an exception. Events
        emitted inside a rolled-back block are forgotten, so no after-commit hook sees them.
        """
        point = Savepoint(keep)
        mark = len(self.pending_events)
        nested = await self.session.begin_nested()
        try:
            yield point
        except BaseException:
            await nested.rollback()
            del self.pending_events[mark:]
            raise
        if point.keep:
            await nested.commit()
        else:
            await nested.rollback()
            del self.pending_events[mark:]

    async def emit(self, payload: Event) -> None:
        """Offer ``payload`` to the before-commit handlers now, and to the rest on commit."""
        registered = self.host.event_types.get(payload.name)
        if registered is None or registered.item.event is not type(payload):
            raise PluginError(
                f"the event {payload.name!r} ({type(payload).__name__}) is not registered"
            )
        event = DomainEvent(
            payload,
            workspace_id=self.workspace_id,
            actor_id=self.actor.user_id,
            actor_role=self.actor.role,
        )
        await self.host.before_commit(event, self.session, self)
        self.pending_events.append(event)

    def audit(
        self,
        entity_type: str,
        entity_id: uuid.UUID,
        action: str,
        changes: dict[str, Any] | None = None,
        *,
        customer_id: uuid.UUID | None = None,
        other_customer_id: uuid.UUID | None = None,
        note: str | None = None,
    ) -> None:
        self.session.add(
            AuditEntry(
                workspace_id=self.workspace_id,
                entity_type=entity_type,
                entity_id=entity_id,
                customer_id=customer_id,
                other_customer_id=other_customer_id,
                action=action,
                actor_id=self.actor.user_id,
                changes=changes or {},
                note=note,
            )
        )
