"""Typed domain events.

Services emit events into the operation's :class:`~rapport.core.services.Operation`. Each
event is offered to the ``before_commit`` hooks at once (inside the transaction, where a hook
may veto by raising), and to the ``after_commit`` hooks only once the transaction has
committed, so no hook ever sees rolled-back work. Webhook deliveries are written to the outbox
in the same transaction as the change they report.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rapport.core.db import utcnow

__all__ = ["DomainEvent"]


@dataclass(frozen=True)
class DomainEvent:
    """``name`` is ``<entity>.<verb>`` (``customer.created``, ``opportunity.big_deal``)."""

    name: str
    workspace_id: uuid.UUID
    entity_type: str
    entity_id: uuid.UUID
    data: dict[str, Any] = field(default_factory=dict)
    actor_id: uuid.UUID | None = None
    actor_role: str | None = None
    occurred_at: datetime = field(default_factory=utcnow)

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
