"""The ``Subscription`` root: committed domain events, and typed ones where a screen needs them.

Each field is a stream of what committed after it began (nothing is replayed), filtered to
what the subscriber may read now; see :mod:`rapport.schema.event_stream`. Served over
graphql-transport-ws (WebSocket) and GraphQL over SSE on ``/graphql``.
"""

from __future__ import annotations

import fnmatch
import uuid
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any, cast

import strawberry
from strawberry import relay
from strawberry.utils.str_converters import to_camel_case

from rapport.core.vocabulary import build_vocabulary
from rapport.schema.context import Info, context_of
from rapport.schema.errors import BadRequest
from rapport.schema.event_stream import EventPayload, visible_events
from rapport.schema.relay import argument_row_id
from rapport.schema.scalars import JSON
from rapport.schema.types.customer import Customer
from rapport.schema.types.interaction import Interaction
from rapport.schema.types.task import Task
from rapport.schema.types.timeline import TimelineKind, TimelineRecord

__all__ = ["Subscriptions"]

TIMELINE_EVENTS = {
    "interaction.logged": TimelineKind.INTERACTION,
    "task.created": TimelineKind.TASK,
}
REMINDER_EVENTS = ("task.reminder_due", "task.overdue")


@strawberry.type(description="A committed domain event, with the names and data webhooks use.")
class DomainEvent:
    id: strawberry.ID = strawberry.field(description="The event's own id.")
    name: str = strawberry.field(description='What happened: "customer.updated".')
    entity_type: str
    entity_id: strawberry.ID = strawberry.field(description="The record's global id.")
    occurred_at: datetime
    actor_id: strawberry.ID | None = strawberry.field(description="Who did it: a User's id.")
    data: JSON = strawberry.field(description="The event's fields: the changed ones, and more.")

    @classmethod
    def from_payload(cls, payload: EventPayload) -> DomainEvent:
        actor = payload.get("actorId")
        return cls(
            id=strawberry.ID(str(payload["id"])),
            name=str(payload["event"]),
            entity_type=str(payload["entityType"]),
            entity_id=strawberry.ID(relay.to_base64(payload["entityType"], payload["entityId"])),
            occurred_at=datetime.fromisoformat(str(payload["occurredAt"])),
            actor_id=strawberry.ID(relay.to_base64("User", actor)) if actor else None,
            data=cast(JSON, payload.get("data") or {}),
        )


@strawberry.type(description="A customer changed: updated, deleted, restored or merged into.")
class CustomerChange:
    event: DomainEvent
    fields: list[str] = strawberry.field(
        description='The fields an update changed, as Customer names them ("displayName").'
    )
    customer: Customer | None = strawberry.field(description="As it is now; null once deleted.")


@strawberry.type(description="Something new on a customer's timeline.")
class TimelineAddition:
    event: DomainEvent
    kind: TimelineKind
    node: TimelineRecord | None


@strawberry.type(description="A task's reminder time came, or its due time passed.")
class Reminder:
    event: DomainEvent
    at: datetime = strawberry.field(description="The reminder or due time that came.")
    task: Task | None


def _event_filter(info: Info, types: list[str] | None) -> Any:
    known = build_vocabulary(context_of(info).runtime.host).event_types
    patterns = list(dict.fromkeys(types or ())) or ["*"]
    for pattern in patterns:
        if not any(fnmatch.fnmatchcase(name, pattern) for name in known):
            raise BadRequest(f"types: {pattern!r} matches no known event")
    return lambda payload: any(fnmatch.fnmatchcase(payload["event"], p) for p in patterns)


def _data(payload: EventPayload) -> dict[str, Any]:
    return cast(dict[str, Any], payload.get("data") or {})


@strawberry.type
class Subscriptions:
    @strawberry.subscription(
        description="Committed domain events the caller may read; `types` as webhooks take them "
        '("customer.*"), all by default.'
    )
    async def events(
        self, info: Info, types: list[str] | None = None
    ) -> AsyncGenerator[DomainEvent, None]:
        async for payload in visible_events(info, _event_filter(info, types)):
            yield DomainEvent.from_payload(payload)

    @strawberry.subscription(description="Changes to one customer.")
    async def customer_changed(
        self, info: Info, id: relay.GlobalID
    ) -> AsyncGenerator[CustomerChange, None]:
        customer_id = argument_row_id(id, "Customer", "id")

        def wanted(payload: EventPayload) -> bool:
            return payload["entityType"] == "Customer" and payload["entityId"] == str(customer_id)

        async for payload in visible_events(info, wanted):
            yield CustomerChange(
                event=DomainEvent.from_payload(payload),
                fields=[to_camel_case(str(name)) for name in _data(payload).get("fields") or ()],
                customer=await Customer.resolve_pk(info, customer_id),
            )

    @strawberry.subscription(description="Interactions and tasks added to a customer's timeline.")
    async def timeline_added(
        self, info: Info, customer_id: relay.GlobalID
    ) -> AsyncGenerator[TimelineAddition, None]:
        wanted_id = str(argument_row_id(customer_id, "Customer", "customerId"))

        def wanted(payload: EventPayload) -> bool:
            return (
                payload["event"] in TIMELINE_EVENTS
                and _data(payload).get("customerId") == wanted_id
            )

        async for payload in visible_events(info, wanted):
            kind = TIMELINE_EVENTS[payload["event"]]
            node_type = Interaction if kind is TimelineKind.INTERACTION else Task
            yield TimelineAddition(
                event=DomainEvent.from_payload(payload),
                kind=kind,
                node=await node_type.resolve_pk(info, uuid.UUID(payload["entityId"])),
            )

    @strawberry.subscription(
        description="Reminders and due dates of the caller's own tasks, as they come."
    )
    async def my_reminders(self, info: Info) -> AsyncGenerator[Reminder, None]:
        me = str(context_of(info).require_actor().user_id)

        def wanted(payload: EventPayload) -> bool:
            return payload["event"] in REMINDER_EVENTS and _data(payload).get("assigneeId") == me

        async for payload in visible_events(info, wanted):
            yield Reminder(
                event=DomainEvent.from_payload(payload),
                at=datetime.fromisoformat(str(_data(payload)["at"])),
                task=await Task.resolve_pk(info, uuid.UUID(payload["entityId"])),
            )
