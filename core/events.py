"""Typed domain events.

Each event type is an :class:`Event` subclass: a frozen dataclass whose ``name`` is
``<entity>.<verb>`` and whose fields are what happened. Services emit them with
``await op.emit(CustomerMerged(survivor_id=..., merged_ids=...))``. Each event is offered to the
before-commit handlers at once (inside the transaction, where a handler may veto by raising),
and to the after-commit handlers only once the transaction has committed, so none ever sees
rolled-back work. Webhook deliveries are written to the outbox in the same transaction as the
change they report, in the one serialisation :func:`event_data` gives.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar, cast, dataclass_transform

from rapport.core.db import utcnow

__all__ = ["DomainEvent", "Event", "event_data", "json_value"]


@dataclass_transform(kw_only_default=True, frozen_default=True)
class Event:
    """What happened. Each subclass is one event type, and a frozen dataclass of its fields::

        class CustomerMerged(Event, name="customer.merged", entity_type="Customer",
                             subject="survivor_id"):
            survivor_id: uuid.UUID
            merged_ids: tuple[uuid.UUID, ...]

    The record the event is about is the field named by ``subject`` (``id`` by default); an
    ``id`` field is the record's id and is not repeated in the serialised data. A subclass of an
    event type inherits its entity type and may name another event.
    """

    name: ClassVar[str]
    entity_type: ClassVar[str]
    subject: ClassVar[str] = "id"

    def __init_subclass__(
        cls,
        *,
        name: str | None = None,
        entity_type: str | None = None,
        subject: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        if name is not None:
            cls.name = name
        if entity_type is not None:
            cls.entity_type = entity_type
        if subject is not None:
            cls.subject = subject
        dataclass(frozen=True, kw_only=True)(cls)  # in place: the class stays the same object

    @property
    def entity_id(self) -> uuid.UUID:
        value = getattr(self, self.subject)
        assert isinstance(value, uuid.UUID), f"{type(self).__name__}.{self.subject} is an id"
        return value


def json_value(value: Any) -> Any:
    """A field's value as JSON: ids and money as strings, times in ISO 8601."""
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple | set | frozenset):
        items = [json_value(item) for item in value]
        return sorted(items) if isinstance(value, set | frozenset) else items
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    return value


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def event_data(event: Event) -> dict[str, Any]:
    """The event's fields as webhooks and subscriptions carry them: camelCase, JSON values."""
    return {
        _camel(item.name): json_value(getattr(event, item.name))
        for item in dataclasses.fields(cast(Any, event))
        if item.name != "id"
    }


@dataclass(frozen=True)
class DomainEvent:
    """An event as emitted: what happened (``payload``), where, by whom and when."""

    payload: Event
    workspace_id: uuid.UUID
    actor_id: uuid.UUID | None = None
    actor_role: str | None = None
    occurred_at: datetime = field(default_factory=utcnow)
    # Names the event once committed: its row in the event log, and notifications of it.
    id: uuid.UUID = field(default_factory=uuid.uuid4)

    @property
    def name(self) -> str:
        return self.payload.name

    @property
    def entity_type(self) -> str:
        return self.payload.entity_type

    @property
    def entity_id(self) -> uuid.UUID:
        return self.payload.entity_id

    @property
    def data(self) -> dict[str, Any]:
        return event_data(self.payload)

    def as_payload(self) -> dict[str, Any]:
        return {
            "event": self.name,
            "workspaceId": str(self.workspace_id),
            "entityType": self.entity_type,
            "entityId": str(self.entity_id),
            "occurredAt": self.occurred_at.isoformat(),
            "actorId": str(self.actor_id) if self.actor_id else None,
            "data": self.data,
        }
