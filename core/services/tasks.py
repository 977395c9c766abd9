"""Tasks: follow-ups and reminders, completed once or recurring."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from rapport.core.db import utcnow
from rapport.core.error_codes import CoreErrorCode
from rapport.core.errors import (
    Conflict,
    ErrorCode,
    FieldError,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from rapport.core.event_types import TaskCancelled, TaskCompleted, TaskCreated
from rapport.core.models import Task, User
from rapport.core.services.changes import apply_changes
from rapport.core.services.customers import customer_errors
from rapport.core.services.field_values import FieldValues
from rapport.core.services.operation import Operation
from rapport.core.services.recurrence import parse_recurrence
from rapport.core.services.soft_delete import restore_row, soft_delete_row

__all__ = [
    "OPEN_STATUSES",
    "TASK_PRIORITIES",
    "TASK_STATUSES",
    "TaskFields",
    "cancel_task",
    "complete_task",
    "create_task",
    "delete_task",
    "restore_task",
    "update_task",
]

TASK_STATUSES = ("open", "in_progress", "done", "cancelled")
OPEN_STATUSES = ("open", "in_progress")
TASK_PRIORITIES = ("low", "normal", "high", "urgent")


@dataclass
class TaskFields(FieldValues):
    title: str | None = None
    description: str | None = None
    customer_id: uuid.UUID | None = None
    status: str | None = None
    priority: str | None = None
    due_at: datetime | None = None
    remind_at: datetime | None = None
    assignee_id: uuid.UUID | None = None
    recurrence: str | None = None
    link_type: str | None = None
    link_id: uuid.UUID | None = None


async def _validate(
    op: Operation, fields: dict[str, object], merged: dict[str, object], prefix: str
) -> None:
    errors: list[FieldError] = []
    title = merged.get("title")
    if not isinstance(title, str) or not title.strip():
        errors.append(FieldError(f"{prefix}title", ErrorCode.REQUIRED, "a task needs a title"))
    if "status" in fields and fields["status"] not in TASK_STATUSES:
        errors.append(
            FieldError(
                f"{prefix}status",
                CoreErrorCode.NOT_ONE_OF,
                f"must be one of {', '.join(TASK_STATUSES)}",
            )
        )
    if "priority" in fields and fields["priority"] not in TASK_PRIORITIES:
        errors.append(
            FieldError(
                f"{prefix}priority",
                CoreErrorCode.NOT_ONE_OF,
                f"must be one of {', '.join(TASK_PRIORITIES)}",
            )
        )
    due, remind = merged.get("due_at"), merged.get("remind_at")
    if isinstance(due, datetime) and isinstance(remind, datetime) and remind > due:
        errors.append(
            FieldError(
                f"{prefix}remindAt",
                CoreErrorCode.REMINDER_AFTER_DUE,
                "a reminder must not come after the due time",
            )
        )
    rule = fields.get("recurrence")
    if isinstance(rule, str):
        try:
            fields["recurrence"] = parse_recurrence(rule).as_rule()
        except ValueError as exc:
            errors.append(
                FieldError(f"{prefix}recurrence", CoreErrorCode.RECURRENCE_INVALID, str(exc))
            )
        if merged.get("due_at") is None:
            errors.append(
                FieldError(
                    f"{prefix}dueAt", ErrorCode.REQUIRED, "a recurring task needs a due time"
                )
            )
    assignee = fields.get("assignee_id")
    if (
        isinstance(assignee, uuid.UUID)
        and await op.session.get(User, (op.workspace_id, assignee)) is None
    ):
        errors.append(
            FieldError(f"{prefix}assigneeId", ErrorCode.NOT_FOUND, "no such user in this workspace")
        )
    customer = fields.get("customer_id")
    if isinstance(customer, uuid.UUID):
        errors.extend(await customer_errors(op, customer, f"{prefix}customerId"))
    if errors:
        raise ValidationFailed(errors)


async def get_task(op: Operation, task_id: uuid.UUID, field: str = "id") -> Task:
    task = await op.session.get(Task, (op.workspace_id, task_id))
    if task is None or task.deleted_at is not None:
        raise NotFound(field, "task")
    return task


async def create_task(op: Operation, data: TaskFields, prefix: str = "input.") -> Task:
    fields = data.given()
    fields.setdefault("status", "open")
    fields.setdefault("priority", "normal")
    fields.setdefault("assignee_id", op.actor.user_id)
    await _validate(op, fields, dict(fields), prefix)
    task = Task(workspace_id=op.workspace_id, created_by_id=op.actor.user_id, **fields)
    op.session.add(task)
    await op.session.flush()
    if task.recurrence and task.series_id is None:
        task.series_id = task.id
    op.audit("Task", task.id, "create", {"title": [None, task.title]}, customer_id=task.customer_id)
    await op.emit(TaskCreated(id=task.id, customer_id=task.customer_id))
    return task


async def update_task(
    op: Operation,
    task_id: uuid.UUID,
    data: TaskFields,
    *,
    expected_version: int | None = None,
    prefix: str = "input.",
) -> Task:
    task = await get_task(op, task_id)
    if expected_version is not None and task.version != expected_version:
        raise Conflict(f"{prefix}version", f"task was changed since version {expected_version}")
    fields = data.patch(Task, prefix)
    current = {name: getattr(task, name) for name in TaskFields.names()}
    await _validate(op, fields, {**current, **fields}, prefix)
    changes = apply_changes(task, fields)
    # A moved moment fires again at its new time.
    if "remind_at" in changes:
        task.reminder_fired_at = None
    if "due_at" in changes:
        task.overdue_fired_at = None
    if changes:
        await op.session.flush()
        op.audit("Task", task.id, "update", changes, customer_id=task.customer_id)
    return task


async def complete_task(op: Operation, task_id: uuid.UUID) -> tuple[Task, Task | None]:
    """Mark a task done; a recurring one schedules its next occurrence, returned second."""
    task = await get_task(op, task_id)
    if task.status not in OPEN_STATUSES:
        raise Conflict("id", f"task is {task.status}; only open tasks can be completed")
    task.status = "done"
    task.completed_at = utcnow()
    following = None
    if task.recurrence and task.due_at is not None:
        rule = parse_recurrence(task.recurrence)
        series = task.series_id or task.id
        done_so_far = (
            await op.session.execute(
                select(func.count()).select_from(Task).where(Task.series_id == series)
            )
        ).scalar_one()
        if rule.count is None or done_so_far < rule.count:
            due = rule.next_after(task.due_at)
            lead = task.due_at - task.remind_at if task.remind_at else None
            following = Task(
                workspace_id=op.workspace_id,
                customer_id=task.customer_id,
                title=task.title,
                description=task.description,
                priority=task.priority,
                due_at=due,
                remind_at=due - lead if lead is not None else None,
                assignee_id=task.assignee_id,
                created_by_id=op.actor.user_id,
                recurrence=task.recurrence,
                series_id=series,
                link_type=task.link_type,
                link_id=task.link_id,
            )
            op.session.add(following)
    await op.session.flush()
    op.audit(
        "Task", task.id, "complete", {"status": ["open", "done"]}, customer_id=task.customer_id
    )
    await op.emit(TaskCompleted(id=task.id, next_task_id=following.id if following else None))
    return task, following


async def delete_task(op: Operation, task_id: uuid.UUID) -> Task:
    """Remove a task from lists (a mistake, say); unlike cancelling, it leaves no trace."""
    task = await get_task(op, task_id)
    await soft_delete_row(op, task, "Task")
    return task


async def restore_task(op: Operation, task_id: uuid.UUID) -> Task:
    return await restore_row(op, Task, task_id, "Task", "task")


async def cancel_task(op: Operation, task_id: uuid.UUID) -> Task:
    """Close an open task without doing it; a recurring series ends here."""
    task = await get_task(op, task_id)
    if task.status not in OPEN_STATUSES:
        raise InvalidTransition("id", f"task is {task.status}; only open tasks can be cancelled")
    previous = task.status
    task.status = "cancelled"
    await op.session.flush()
    op.audit(
        "Task", task.id, "cancel", {"status": [previous, "cancelled"]}, customer_id=task.customer_id
    )
    await op.emit(TaskCancelled(id=task.id, customer_id=task.customer_id))
    return task
