"""Hands committed events to the subscribers this process holds, from any process's writes.

On PostgreSQL one connection per process ``LISTEN``\\ s on the event log's channel; a
notification names a committed event, which is read back once and offered to each
subscriber of its workspace. On SQLite (one process) the after-commit hook does the same, in
process. Each subscriber has a bounded queue: one that cannot keep up is dropped (told so),
never buffered without bound. Deciding whether a subscriber may see an event is the
subscriber's business (it re-reads the record under its own access); this module only says
that the event happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rapport.core.auth import Actor
from rapport.core.event_log import CHANNEL
from rapport.core.events import DomainEvent
from rapport.core.hookspecs import hookimpl
from rapport.core.listening import ChannelListener
from rapport.core.models import EventRecord
from rapport.core.tenancy import tenant_session

if TYPE_CHECKING:
    from rapport.core.runtime import Runtime

__all__ = ["EventBroker", "SlowSubscriber", "Subscriber", "TooManySubscriptions"]

log = logging.getLogger("rapport.events")


class TooManySubscriptions(Exception):
    """One key holds as many subscriptions as this process allows it."""


class SlowSubscriber(Exception):
    """A subscriber's queue filled up: it was dropped rather than buffered without bound."""


@dataclass(eq=False)
class Subscriber:
    actor: Actor
    queue: asyncio.Queue[dict[str, Any] | None]
    dropped: bool = False

    async def next_event(self) -> dict[str, Any]:
        """The next committed event of the subscriber's workspace, as webhooks carry it."""
        item = await self.queue.get()
        if item is None:
            raise SlowSubscriber(
                f"more than {self.queue.maxsize} events were waiting for this subscriber"
            )
        return item

    def offer(self, payload: dict[str, Any]) -> None:
        if self.dropped:
            return
        if self.queue.qsize() >= self.queue.maxsize - 1:
            # The last place is kept for the marker that ends the subscription.
            self.dropped = True
            self.queue.put_nowait(None)
            return
        self.queue.put_nowait(payload)


@dataclass(eq=False)
class EventBroker:
    runtime: Runtime
    _subscribers: dict[uuid.UUID, set[Subscriber]] = field(default_factory=lambda: defaultdict(set))
    _per_key: dict[Any, int] = field(default_factory=lambda: defaultdict(int))
    _pending: asyncio.Queue[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=asyncio.Queue)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _listener: ChannelListener | None = None

    def subscribe(self, actor: Actor) -> Subscriber:
        """A new subscriber to the actor's workspace, within the per-key limit."""
        settings = self.runtime.settings
        key = actor.key_id or actor.user_id
        if self._per_key[key] >= settings.subscriptions_per_key:
            raise TooManySubscriptions(
                f"this key holds {settings.subscriptions_per_key} subscriptions already"
            )
        self._start()
        subscriber = Subscriber(actor, asyncio.Queue(maxsize=settings.subscription_queue_size + 1))
        self._per_key[key] += 1
        self._subscribers[actor.workspace_id].add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        found = self._subscribers.get(subscriber.actor.workspace_id)
        if found is None or subscriber not in found:
            return
        found.discard(subscriber)
        if not found:
            del self._subscribers[subscriber.actor.workspace_id]
        key = subscriber.actor.key_id or subscriber.actor.user_id
        self._per_key[key] -= 1
        if not self._per_key[key]:
            del self._per_key[key]

    @property
    def subscriber_count(self) -> int:
        return sum(len(found) for found in self._subscribers.values())

    def _start(self) -> None:
        if self._tasks:
            return
        self._tasks.append(asyncio.create_task(self._fan_out()))
        if self.runtime.settings.is_sqlite:
            self.runtime.host.pm.register(self, name=f"event-broker-{id(self)}")
        else:
            self._listener = ChannelListener(
                self.runtime.settings.database_url, CHANNEL, self._heard
            )
            self._listener.start()

    async def close(self) -> None:
        if self.runtime.host.pm.is_registered(self):
            self.runtime.host.pm.unregister(self)
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self._listener is not None:
            await self._listener.close()
            self._listener = None

    @hookimpl
    def after_commit(self, event: DomainEvent) -> None:
        """In process (SQLite): the event's transaction has committed."""
        self._pending.put_nowait((event.workspace_id, event.id))

    def _heard(self, text: str) -> None:
        workspace, _, event = text.partition(":")
        try:
            self._pending.put_nowait((uuid.UUID(workspace), uuid.UUID(event)))
        except ValueError:
            log.warning("ignored a malformed event notification %r", text)

    async def _fan_out(self) -> None:
        while True:
            workspace_id, event_id = await self._pending.get()
            if not self._subscribers.get(workspace_id):
                continue
            try:
                payload = await self._read(workspace_id, event_id)
            except Exception:  # a failed read loses one event, not the broker
                log.exception("cannot read event %s", event_id)
                continue
            if payload is None:
                continue
            for subscriber in list(self._subscribers.get(workspace_id, ())):
                subscriber.offer(payload)

    async def _read(self, workspace_id: uuid.UUID, event_id: uuid.UUID) -> dict[str, Any] | None:
        async with tenant_session(self.runtime.sessions, workspace_id) as session:
            record = await session.get(EventRecord, (workspace_id, event_id))
            return {**record.payload, "id": str(record.id)} if record is not None else None
