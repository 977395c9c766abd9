"""Reminders and due dates fire once, to the assignee, however many workers run."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import func, select

from rapport.core.config import Settings
from rapport.core.db import utcnow
from rapport.core.models import EventRecord, Task
from rapport.core.reminders import fire_due_moments
from rapport.core.runtime import Runtime
from rapport.core.tenancy import unscoped_session
from rapport.core.workspaces import system_operations
from tests.conftest import Client

CREATE = """mutation($input: CreateTaskInput!) {
  createTask(input: $input) { task { id assignee { id } } errors { field code message } }
}"""
UPDATE = """mutation($id: ID!, $input: UpdateTaskInput!) {
  updateTask(id: $id, input: $input) { errors { code } }
}"""
TASKS = """query($filter: TaskFilter) { tasks(filter: $filter) { edges { node { title } } } }"""


async def _fire(runtime: Runtime) -> int:
    fired = 0
    async for unit in system_operations(runtime):
        async with unit as operation:
            fired += await fire_due_moments(operation)
    return fired


async def _events(runtime: Runtime, task_ids: list[str], name: str) -> list[dict]:  # type: ignore[type-arg]
    from rapport.schema.relay import row_id_of

    wanted = {str(row_id_of(task, "Task", "id")) for task in task_ids}
    async with unscoped_session(runtime.sessions) as session:
        found = await session.execute(select(EventRecord).where(EventRecord.event_type == name))
        return [r.payload for r in found.scalars() if r.payload["entityId"] in wanted]


async def _task(client: Client, **given: object) -> str:
    data = await client.query(CREATE, {"input": {"title": f"Call {uuid.uuid4().hex[:6]}", **given}})
    assert data["createTask"]["errors"] == []
    return str(data["createTask"]["task"]["id"])


async def test_a_reminder_and_a_due_date_fire_once_to_the_assignee(
    client: Client, runtime: Runtime
) -> None:
    past = (utcnow() - timedelta(minutes=5)).isoformat()
    later = (utcnow() + timedelta(hours=5)).isoformat()
    remind = await _task(client, remindAt=past, dueAt=later)
    overdue = await _task(client, dueAt=past)
    await _task(client, remindAt=later, dueAt=later)  # not yet
    await _fire(runtime)
    await _fire(runtime)  # nothing fires twice

    [reminder] = await _events(runtime, [remind, overdue], "task.reminder_due")
    [late] = await _events(runtime, [remind, overdue], "task.overdue")
    assert reminder["data"]["assigneeId"]
    assert reminder["data"]["assigneeId"] == late["data"]["assigneeId"]
    assert late["entityType"] == "Task"

    # Moved, the reminder fires again at its new time.
    await client.query(
        UPDATE, {"id": remind, "input": {"remindAt": (utcnow() - timedelta(minutes=1)).isoformat()}}
    )
    await _fire(runtime)
    assert len(await _events(runtime, [remind], "task.reminder_due")) == 2


async def test_done_tasks_do_not_fire(client: Client, runtime: Runtime) -> None:
    past = (utcnow() - timedelta(minutes=5)).isoformat()
    task = await _task(client, dueAt=past, remindAt=past)
    await client.query(
        "mutation($id: ID!) { completeTask(id: $id) { errors { code } } }", {"id": task}
    )
    await _fire(runtime)
    assert await _events(runtime, [task], "task.overdue") == []


async def test_two_workers_racing_fire_each_moment_once(client: Client, runtime: Runtime) -> None:
    past = (utcnow() - timedelta(minutes=5)).isoformat()
    tasks = [await _task(client, remindAt=past, dueAt=past) for _ in range(12)]
    # A second worker process: its own engine and connections on the same database.
    other = Runtime.create(Settings(database_url=runtime.settings.database_url))
    try:
        counts = await asyncio.gather(_fire(runtime), _fire(other), _fire(runtime), _fire(other))
    finally:
        await other.dispose()
    assert sum(counts) >= 24
    for name in ("task.reminder_due", "task.overdue"):
        fired = await _events(runtime, tasks, name)
        assert sorted(e["entityId"] for e in fired) == sorted({e["entityId"] for e in fired})
        assert len(fired) == 12
    from rapport.schema.relay import row_id_of

    ids = [row_id_of(task, "Task", "id") for task in tasks]
    async with unscoped_session(runtime.sessions) as session:
        # This test's tasks only: other tests leave reminders older than the catch-up window.
        unfired = await session.execute(
            select(func.count())
            .select_from(Task)
            .where(
                Task.id.in_(ids),
                Task.remind_at.is_not(None),
                Task.reminder_fired_at.is_(None),
                Task.remind_at < utcnow(),
                Task.status == "open",
            )
        )
    assert unfired.scalar_one() == 0


async def test_tasks_can_be_filtered_by_their_reminder_time(client: Client) -> None:
    soon = (utcnow() + timedelta(hours=1)).isoformat()
    late = (utcnow() + timedelta(days=3)).isoformat()
    await _task(client, title="soon", remindAt=soon)
    await _task(client, title="late", remindAt=late)
    await _task(client, title="none")
    cutoff = (utcnow() + timedelta(days=1)).isoformat()
    data = await client.query(TASKS, {"filter": {"remindAt": {"lt": cutoff}}})
    assert [e["node"]["title"] for e in data["tasks"]["edges"]] == ["soon"]
    data = await client.query(TASKS, {"filter": {"remindAt": {"isNull": True}}})
    assert [e["node"]["title"] for e in data["tasks"]["edges"]] == ["none"]


async def test_moments_older_than_the_catch_up_window_do_not_fire(
    client: Client, runtime: Runtime
) -> None:
    long_ago = (utcnow() - timedelta(days=30)).isoformat()
    task = await _task(client, dueAt=long_ago)
    await _fire(runtime)
    assert await _events(runtime, [task], "task.overdue") == []
