"""Reminders and due dates that fire: ``task.reminder_due`` at ``remindAt``, ``task.overdue``
at ``dueAt``, each addressed to the task's assignee.

Each fires once however many workers run: a worker claims a task's moment with one
conditional ``UPDATE ... WHERE <fired_at> IS NULL`` and emits the event only when that
statement changed the row. On PostgreSQL a second worker's UPDATE waits for the first one's
transaction and then finds the column set; on SQLite writers take turns. The event is
emitted in the same transaction as the claim, so it is delivered (webhooks, subscriptions)
exactly when the claim commits.

Only moments of the last :data:`CATCH_UP` fire: a worker that was down catches up on those,
while a database whose tasks predate the worker (or its first start) does not announce years
of past due dates at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from rapport.core.db import utcnow
from rapport.core.event_types import TaskOverdue, TaskReminderDue
from rapport.core.models import Task
from rapport.core.services.operation import Operation
from rapport.core.services.tasks import OPEN_STATUSES

__all__ = ["fire_due_moments"]

BATCH = 200
CATCH_UP = timedelta(hours=24)
# (the moment's column, the column recording that it fired, the event it fires)
MOMENTS: tuple[tuple[Any, Any, type[TaskReminderDue] | type[TaskOverdue]], ...] = (
    (Task.remind_at, Task.reminder_fired_at, TaskReminderDue),
    (Task.due_at, Task.overdue_fired_at, TaskOverdue),
)


async def fire_due_moments(op: Operation, now: datetime | None = None) -> int:
    """Fire every reminder and due date of the operation's workspace that has come; the count."""
    now = now or utcnow()
    fired = 0
    for moment, fired_at, event in MOMENTS:
        due = await op.session.execute(
            select(Task.id, Task.assignee_id, Task.customer_id, Task.title, moment)
            .where(
                moment <= now,
                moment > now - CATCH_UP,
                fired_at.is_(None),
                Task.status.in_(OPEN_STATUSES),
                Task.deleted_at.is_(None),
            )
            .order_by(moment)
            .limit(BATCH)
        )
        for task_id, assignee_id, customer_id, title, at in due.all():
            claimed = await op.session.execute(
                update(Task)
                .where(Task.id == task_id, fired_at.is_(None))
                .values({fired_at.key: now})
                .execution_options(synchronize_session=False)
            )
            if getattr(claimed, "rowcount", 0) != 1:
                continue  # another worker fired it
            await op.emit(
                event(
                    id=task_id,
                    assignee_id=assignee_id,
                    customer_id=customer_id,
                    title=title,
                    at=at,
                )
            )
            fired += 1
    return fired
