"""Tasks in GraphQL: follow-ups and reminders, their list, mutations and ``Customer.openTasks``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import case, false, func, select
from strawberry import relay

from rapport.core.models import Task as TaskRow
from rapport.core.services import tasks as service
from rapport.schema.context import Info, RequestContext, context_of
from rapport.schema.declared import related
from rapport.schema.entities import ToOne, columns
from rapport.schema.errors import UserError
from rapport.schema.filters import Custom, DateTimeFilter, FilterMap, IDFilter, compile_filter
from rapport.schema.inputs import explicit_nulls, to_service_fields
from rapport.schema.links import LINK_FIELDS, link_condition, linked_record, resolve_link
from rapport.schema.loaders import grouped_loader
from rapport.schema.mutations import mutate
from rapport.schema.relay import (
    Connection,
    ModelNode,
    OrderDirection,
    SortKey,
    decode_node_id,
    paginate,
)
from rapport.schema.types.customer import Customer
from rapport.schema.types.identity import User

__all__ = ["CustomerTaskFields", "Task", "TaskMutations", "TaskQueries"]


@strawberry.enum
class TaskStatus(Enum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


@strawberry.enum
class TaskPriority(Enum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


TASK_CUSTOMER = ToOne(lambda: Customer, lambda scope: scope.row.customer_id)
TASK_ASSIGNEE = ToOne(lambda: User, lambda scope: scope.row.assignee_id)


@strawberry.type(description="A follow-up or reminder, once or recurring.")
class Task(ModelNode):
    __model__ = TaskRow
    __permission__ = "tasks:read"
    __columns__ = columns(
        "title",
        "description",
        "status",
        "priority",
        "due_at",
        "remind_at",
        "recurrence",
        "completed_at",
        "created_at",
        "updated_at",
        "version",
    )

    id: relay.NodeID[str]
    title: str
    description: str | None
    status: TaskStatus
    priority: TaskPriority
    due_at: datetime | None
    remind_at: datetime | None
    recurrence: str | None = strawberry.field(description="e.g. FREQ=MONTHLY;INTERVAL=3")
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int = strawberry.field(description="Pass back on update to detect lost updates.")
    row: strawberry.Private[Any]

    customer: Customer | None = related(TASK_CUSTOMER)

    assignee: User | None = related(TASK_ASSIGNEE)

    @strawberry.field(description="The record this task is about, of any type.")
    async def linked_record(self, info: Info) -> relay.Node | None:
        return await linked_record(info, self.row.link_type, self.row.link_id)


@strawberry.input(description="Conditions on tasks; all given conditions must hold.")
class TaskFilter:
    mine: bool | None = strawberry.field(
        default=strawberry.UNSET, description="true: assigned to the caller; false: to others."
    )
    assignee: IDFilter | None = strawberry.UNSET
    status: list[TaskStatus] | None = strawberry.UNSET
    priority: list[TaskPriority] | None = strawberry.UNSET
    due_at: DateTimeFilter | None = strawberry.UNSET
    remind_at: DateTimeFilter | None = strawberry.UNSET
    overdue: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Open and due before now (or not)."
    )
    customer: IDFilter | None = strawberry.UNSET
    linked_to: relay.GlobalID | None = strawberry.UNSET
    created_at: DateTimeFilter | None = strawberry.UNSET
    and_: list[TaskFilter] | None = strawberry.field(default=strawberry.UNSET, name="and")
    or_: list[TaskFilter] | None = strawberry.field(default=strawberry.UNSET, name="or")
    not_: TaskFilter | None = strawberry.field(default=strawberry.UNSET, name="not")


OPEN = TaskRow.status.in_(service.OPEN_STATUSES)


def _task_filters(user_id: uuid.UUID, now: datetime) -> FilterMap:
    # Built per request: `mine` and `overdue` depend on who asks and when.
    def mine(value: bool) -> Any:
        return (
            TaskRow.assignee_id == user_id
            if value
            else TaskRow.assignee_id.is_distinct_from(user_id)
        )

    def overdue(value: bool) -> Any:
        late = OPEN & (TaskRow.due_at < now)
        return late if value else ~late | TaskRow.due_at.is_(None)

    return {
        "mine": Custom(mine),
        "assignee": TaskRow.assignee_id,
        "status": Custom(lambda v: TaskRow.status.in_([s.value for s in v]) if v else false()),
        "priority": Custom(lambda v: TaskRow.priority.in_([p.value for p in v]) if v else false()),
        "due_at": TaskRow.due_at,
        "remind_at": TaskRow.remind_at,
        "overdue": Custom(overdue),
        "customer": TaskRow.customer_id,
        "linked_to": Custom(lambda v: link_condition(TaskRow, v)),
        "created_at": TaskRow.created_at,
    }


@strawberry.enum
class TaskOrderField(Enum):
    DUE_AT = "due_at"
    CREATED_AT = "created_at"
    PRIORITY = "priority"


@strawberry.input
class TaskOrder:
    field: TaskOrderField
    direction: OrderDirection = OrderDirection.ASC


# Tasks without a due date sort after every dated one.
NO_DUE_DATE = datetime(9999, 12, 31, tzinfo=UTC)
# Priorities sort by urgency, not by name.
PRIORITY_RANK = case(
    {name: rank for rank, name in enumerate(service.TASK_PRIORITIES)}, value=TaskRow.priority
)
SORT_EXPRESSIONS: dict[TaskOrderField, Any] = {
    TaskOrderField.DUE_AT: func.coalesce(TaskRow.due_at, NO_DUE_DATE),
    TaskOrderField.CREATED_AT: TaskRow.created_at,
    TaskOrderField.PRIORITY: PRIORITY_RANK,
}


def _sort_keys(order_by: list[TaskOrder] | None) -> list[SortKey]:
    keys = [
        SortKey(SORT_EXPRESSIONS[item.field], item.direction == OrderDirection.DESC)
        for item in order_by or [TaskOrder(field=TaskOrderField.DUE_AT)]
    ]
    return [*keys, SortKey(TaskRow.id, keys[-1].descending)]


@strawberry.type
class TaskQueries:
    @strawberry.field(description="Tasks, soonest due first unless ordered otherwise.")
    async def tasks(
        self,
        info: Info,
        filter: TaskFilter | None = None,
        order_by: list[TaskOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Task]:
        context = context_of(info)
        actor = context.require("tasks:read")
        filters = _task_filters(actor.user_id, datetime.now(UTC))
        statement = select(TaskRow).where(
            TaskRow.deleted_at.is_(None), compile_filter(filter, filters)
        )
        return await paginate(
            context,
            statement,
            keys=_sort_keys(order_by),
            to_node=Task.from_model,
            first=first,
            after=after,
            last=last,
            before=before,
        )


def _open_tasks_loader(context: RequestContext) -> Any:
    return grouped_loader(
        context,
        lambda ids: (
            select(TaskRow)
            .where(TaskRow.customer_id.in_(ids), OPEN, TaskRow.deleted_at.is_(None))
            .order_by(func.coalesce(TaskRow.due_at, NO_DUE_DATE), TaskRow.id)
        ),
        lambda row: row.customer_id,
    )


@strawberry.type
class CustomerTaskFields:
    @strawberry.field(description="Open and in-progress tasks, soonest due first.")
    async def open_tasks(self: Customer, info: Info) -> list[Task]:
        context = context_of(info)
        context.require("tasks:read")
        loader = context.loader_for(("customer", "open_tasks"), _open_tasks_loader)
        rows: list[TaskRow] = await loader.load(self.pk)
        return [Task.from_model(row) for row in rows]


@strawberry.input(
    description="The fields to change: a field left out is kept, an explicit null clears it "
    "(refused for `title`, `status` and `priority`)."
)
class UpdateTaskInput:
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    customer_id: relay.GlobalID | None = strawberry.UNSET
    status: TaskStatus | None = strawberry.UNSET
    priority: TaskPriority | None = strawberry.UNSET
    due_at: datetime | None = strawberry.UNSET
    remind_at: datetime | None = strawberry.UNSET
    assignee_id: relay.GlobalID | None = strawberry.UNSET
    recurrence: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="FREQ=DAILY|WEEKLY|MONTHLY|YEARLY[;INTERVAL=n][;COUNT=n]",
    )
    link: relay.GlobalID | None = strawberry.field(
        default=strawberry.UNSET, description="The global id of any record this task is about."
    )


@strawberry.input(description="A new task: a title is required; it is assigned to the caller.")
class CreateTaskInput(UpdateTaskInput):
    title: str


async def _fields(info: Info, op: Any, given: UpdateTaskInput) -> service.TaskFields:
    fields = to_service_fields(
        given, service.TaskFields, id_types={"customer_id": "Customer", "assignee_id": "User"}
    )
    if given.link:
        fields.link_type, fields.link_id = await resolve_link(info, op, given.link, "input.link")
    fields.cleared = explicit_nulls(given, LINK_FIELDS)
    return fields


@strawberry.type
class TaskPayload:
    task: Task | None
    errors: list[UserError]


@strawberry.type
class CompleteTaskPayload:
    task: Task | None
    next_task: Task | None = strawberry.field(
        description="The next occurrence, when the task recurs."
    )
    errors: list[UserError]


def _payload(row: TaskRow | None, errors: list[UserError]) -> TaskPayload:
    return TaskPayload(task=Task.from_model(row) if row else None, errors=errors)


@strawberry.type
class TaskMutations:
    @strawberry.mutation(description="Create a task; it is assigned to the caller by default.")
    async def create_task(self, info: Info, input: CreateTaskInput) -> TaskPayload:
        async def work(op: Any) -> TaskRow:
            return await service.create_task(op, await _fields(info, op, input))

        return _payload(*await mutate(info, "tasks:write", work))

    @strawberry.mutation(description="Change the given fields; pass `version` to detect conflicts.")
    async def update_task(
        self, info: Info, id: relay.GlobalID, input: UpdateTaskInput, version: int | None = None
    ) -> TaskPayload:
        async def work(op: Any) -> TaskRow:
            task_id = decode_node_id(id, Task, "id")
            return await service.update_task(
                op, task_id, await _fields(info, op, input), expected_version=version
            )

        return _payload(*await mutate(info, "tasks:write", work))

    @strawberry.mutation(description="Mark a task done; a recurring one schedules the next.")
    async def complete_task(self, info: Info, id: relay.GlobalID) -> CompleteTaskPayload:
        async def work(op: Any) -> tuple[TaskRow, TaskRow | None]:
            return await service.complete_task(op, decode_node_id(id, Task, "id"))

        result, errors = await mutate(info, "tasks:write", work)
        done, following = result if result else (None, None)
        return CompleteTaskPayload(
            task=Task.from_model(done) if done else None,
            next_task=Task.from_model(following) if following else None,
            errors=errors,
        )

    @strawberry.mutation(description="Close an open task without doing it.")
    async def cancel_task(self, info: Info, id: relay.GlobalID) -> TaskPayload:
        async def work(op: Any) -> TaskRow:
            return await service.cancel_task(op, decode_node_id(id, Task, "id"))

        return _payload(*await mutate(info, "tasks:write", work))

    @strawberry.mutation(description="Remove a task made by mistake; restorable.")
    async def delete_task(self, info: Info, id: relay.GlobalID) -> TaskPayload:
        async def work(op: Any) -> TaskRow:
            return await service.delete_task(op, decode_node_id(id, Task, "id"))

        return _payload(*await mutate(info, "tasks:write", work))

    @strawberry.mutation(description="Bring a deleted task back.")
    async def restore_task(self, info: Info, id: relay.GlobalID) -> TaskPayload:
        async def work(op: Any) -> TaskRow:
            return await service.restore_task(op, decode_node_id(id, Task, "id"))

        return _payload(*await mutate(info, "tasks:write", work))
