"""The events a subscriber may see: committed, of its workspace, about records it can read now.

A subscription never trusts what it was allowed when it began. For each committed event it
looks the caller's key up again (a revoked key ends the subscription) and reads the event's
record under the caller's own access: the workspace, the permission to read that type, and
every access policy (a banking manager's book, say) apply exactly as they do to a query. An
event about a record the caller cannot read, or about a type that is not a readable record
(an import), is not delivered. The record is read including soft-deleted rows, so that a
subscriber hears that a customer it could read was deleted.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

from sqlalchemy import select

from rapport.core.event_broker import SlowSubscriber, TooManySubscriptions
from rapport.schema.context import Info, RequestContext, context_of, event_scope
from rapport.schema.errors import RateLimited, SubscriberDropped, Unauthenticated
from rapport.schema.relay import ModelNode

__all__ = ["EventPayload", "visible_events"]

EventPayload = dict[str, Any]


def _node_type(info: Info, entity_type: str) -> type[ModelNode] | None:
    definition = info.schema.get_type_by_name(entity_type)
    origin = getattr(definition, "origin", None)
    if isinstance(origin, type) and issubclass(origin, ModelNode):
        return origin
    return None


async def _may_read(info: Info, context: RequestContext, payload: EventPayload) -> bool:
    node_type = _node_type(info, str(payload.get("entityType")))
    actor = context.actor
    if node_type is None or actor is None or not actor.can(node_type.__permission__):
        return False
    try:
        row_id = uuid.UUID(str(payload.get("entityId")))
    except ValueError:
        return False
    model = node_type.__model__
    async with context.db() as session:
        found = await session.execute(select(model.id).where(model.id == row_id).limit(1))
        return found.first() is not None


async def visible_events(
    info: Info, wanted: Callable[[EventPayload], bool]
) -> AsyncIterator[EventPayload]:
    """Committed events ``wanted`` picks that the caller may see, each inside its own
    :func:`event_scope`, so the fields selected on what the subscription yields are read
    under the caller's access as of that event."""
    context = context_of(info)
    actor = context.require_actor()
    broker = context.runtime.events
    try:
        subscriber = broker.subscribe(actor)
    except TooManySubscriptions as exc:
        raise RateLimited(str(exc)) from exc
    try:
        while True:
            try:
                payload = await subscriber.next_event()
            except SlowSubscriber as exc:
                raise SubscriberDropped(str(exc)) from exc
            if not wanted(payload):
                continue
            if context.reauthenticate is not None:
                context.actor = await context.reauthenticate()
                if context.actor is None:
                    raise Unauthenticated("the API key of this subscription is no longer valid")
            async with event_scope(context):
                if await _may_read(info, context, payload):
                    yield payload
    finally:
        broker.unsubscribe(subscriber)
