"""The event log: every committed domain event, kept briefly for subscribers to read.

Each event is written in the transaction that made it, like a webhook's outbox row, so it is
there exactly when the change committed. On PostgreSQL the same transaction sends a
``NOTIFY`` naming the row; PostgreSQL delivers a notification only at commit, and never for a
rolled-back transaction, so every server process listening hears of committed events only.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.db import utcnow
from rapport.core.events import DomainEvent
from rapport.core.models import EventRecord
from rapport.core.tenancy import unscoped_session

__all__ = ["CHANNEL", "notification_of", "prune_event_log", "record_event"]

CHANNEL = "rapport_events"


def notification_of(event_workspace: Any, event_id: Any) -> str:
    """The text a notification carries: the workspace and the event's row."""
    return f"{event_workspace}:{event_id}"


async def record_event(event: DomainEvent, session: AsyncSession) -> None:
    session.add(
        EventRecord(
            workspace_id=event.workspace_id,
            id=event.id,
            event_type=event.name,
            payload=event.as_payload(),
            created_at=event.occurred_at,
        )
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        await session.execute(
            select(func.pg_notify(CHANNEL, notification_of(event.workspace_id, event.id)))
        )


async def prune_event_log(sessions: Any, retention: timedelta) -> None:
    async with unscoped_session(sessions) as session, session.begin():
        await session.execute(
            delete(EventRecord).where(EventRecord.created_at < utcnow() - retention)
        )
