"""The events core emits: one class per event type, registered by core like any plugin's."""

from __future__ import annotations

import uuid
from dataclasses import field
from datetime import datetime

from rapport.core.contributions import EventType
from rapport.core.events import Event

__all__ = [
    "CORE_EVENT_TYPES",
    "CustomerChurned",
    "CustomerCreated",
    "CustomerDeleted",
    "CustomerImported",
    "CustomerMerged",
    "CustomerRestored",
    "CustomerUpdated",
    "CustomerWonBack",
    "InteractionLogged",
    "RelationshipCreated",
    "RelationshipDeleted",
    "RelationshipUpdated",
    "TaskCancelled",
    "TaskCompleted",
    "TaskCreated",
    "TaskOverdue",
    "TaskReminderDue",
]


class CustomerCreated(Event, name="customer.created", entity_type="Customer"):
    id: uuid.UUID
    display_name: str


class CustomerUpdated(Event, name="customer.updated", entity_type="Customer"):
    id: uuid.UUID
    fields: tuple[str, ...]


class CustomerDeleted(Event, name="customer.deleted", entity_type="Customer"):
    id: uuid.UUID


class CustomerRestored(Event, name="customer.restored", entity_type="Customer"):
    id: uuid.UUID


class CustomerMerged(Event, name="customer.merged", entity_type="Customer", subject="survivor_id"):
    """The merged customers' rows now belong to the survivor; the merged ones are deleted."""

    survivor_id: uuid.UUID
    merged_ids: tuple[uuid.UUID, ...]
    counts: dict[str, int] = field(default_factory=dict)


class CustomerImported(Event, name="customer.imported", entity_type="Import"):
    """One event per import, about the import itself."""

    id: uuid.UUID
    source: str | None
    mode: str
    dedupe: str
    rows: int
    created: int
    updated: int
    skipped: int
    failed: int


class InteractionLogged(Event, name="interaction.logged", entity_type="Interaction"):
    id: uuid.UUID
    customer_id: uuid.UUID
    kind: str


class TaskCreated(Event, name="task.created", entity_type="Task"):
    id: uuid.UUID
    customer_id: uuid.UUID | None


class TaskCompleted(Event, name="task.completed", entity_type="Task"):
    id: uuid.UUID
    next_task_id: uuid.UUID | None  # the next occurrence of a recurring task


class TaskCancelled(Event, name="task.cancelled", entity_type="Task"):
    id: uuid.UUID
    customer_id: uuid.UUID | None


class _TaskMomentEvent(Event, entity_type="Task"):
    """A task's moment came; ``assignee_id`` is who it is addressed to."""

    id: uuid.UUID
    assignee_id: uuid.UUID | None
    customer_id: uuid.UUID | None
    title: str
    at: datetime


class TaskReminderDue(_TaskMomentEvent, name="task.reminder_due"):
    """An open task's ``remindAt`` has come."""


class TaskOverdue(_TaskMomentEvent, name="task.overdue"):
    """An open task's ``dueAt`` has passed."""


class _RelationshipEvent(Event, entity_type="Relationship"):
    id: uuid.UUID
    type: str
    from_id: uuid.UUID
    to_id: uuid.UUID


class RelationshipCreated(_RelationshipEvent, name="relationship.created"):
    """Two customers were related."""


class RelationshipUpdated(_RelationshipEvent, name="relationship.updated"):
    """A relationship's type, role, dates or notes changed."""


class RelationshipDeleted(_RelationshipEvent, name="relationship.deleted"):
    """A relationship was removed."""


class CustomerChurned(Event, name="customer.churned", entity_type="Customer"):
    """Insights moved a customer to ``churned``; ``reason`` is from the churn vocabulary."""

    id: uuid.UUID
    reason: str


class CustomerWonBack(Event, name="customer.won_back", entity_type="Customer"):
    """A churned customer bought again."""

    id: uuid.UUID
    churn_reason: str | None


CORE_EVENT_TYPES: tuple[EventType, ...] = (
    EventType(CustomerCreated, "a customer was created"),
    EventType(CustomerUpdated, "a customer's fields changed"),
    EventType(CustomerDeleted, "a customer was soft-deleted"),
    EventType(CustomerRestored, "a deleted customer was restored"),
    EventType(CustomerMerged, "customers were merged into a survivor"),
    EventType(CustomerImported, "customers were imported in bulk (one event per import)"),
    EventType(CustomerChurned, "insights found a customer gone, and moved them to churned"),
    EventType(CustomerWonBack, "a churned customer bought again"),
    EventType(InteractionLogged, "an interaction was logged"),
    EventType(TaskCreated, "a task was created"),
    EventType(TaskCompleted, "a task was completed"),
    EventType(TaskCancelled, "an open task was cancelled"),
    EventType(TaskReminderDue, "an open task's reminder time came (to its assignee)"),
    EventType(TaskOverdue, "an open task's due time passed (to its assignee)"),
    EventType(RelationshipCreated, "two customers were related"),
    EventType(RelationshipUpdated, "a relationship's type, role, dates or notes changed"),
    EventType(RelationshipDeleted, "a relationship was removed"),
)
