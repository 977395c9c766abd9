"""Tasks: create, update with versions, complete (recurring too), cancel, list and filter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rapport.core.runtime import Runtime
from tests.conftest import Client
from tests.schema.factories import errors_of, interaction, person, run, task

UPDATE = """
mutation($id: ID!, $input: UpdateTaskInput!, $version: Int) {
  updateTask(id: $id, input: $input, version: $version) {
    task { id title priority version } errors { field code message }
  }
}
"""
COMPLETE = """
mutation($id: ID!) {
  completeTask(id: $id) {
    task { id status completedAt }
    nextTask { id title status dueAt remindAt recurrence }
    errors { field code message }
  }
}
"""
CANCEL = """
mutation($id: ID!) { cancelTask(id: $id) { task { id status } errors { field code } } }
"""
LIST = """
query($filter: TaskFilter, $order: [TaskOrder!]) {
  tasks(filter: $filter, orderBy: $order) { totalCount edges { node { title } } }
}
"""
SHOW = "query($id: ID!) { node(id: $id) { ... on Task { title priority version status } } }"


async def titles(
    client: Client, filter: dict | None = None, order: list | None = None
) -> list[str]:
    data = await client.query(LIST, {"filter": filter, "order": order})
    return [e["node"]["title"] for e in data["tasks"]["edges"]]


async def test_update_with_version_and_stale_conflict(client: Client) -> None:
    made = await task(client, "Call back", dueAt="2025-05-01T09:00:00Z")
    assert made["version"] == 1
    payload = await run(
        client, UPDATE, {"id": made["id"], "input": {"priority": "HIGH"}, "version": 1}
    )
    assert payload["task"]["version"] == 2
    assert await errors_of(
        client, UPDATE, {"id": made["id"], "input": {"title": "Lost update"}, "version": 1}
    ) == [("input.version", "CONFLICT")]
    shown = (await client.query(SHOW, {"id": made["id"]}))["node"]
    assert shown == {"title": "Call back", "priority": "HIGH", "version": 2, "status": "OPEN"}


async def test_bad_inputs(client: Client, other_client: Client) -> None:
    theirs = await person(other_client, "Eve", "Other")
    assert await errors_of(
        client,
        "mutation($input: CreateTaskInput!) { createTask(input: $input) { errors { field code } } }",
        {"input": {"title": "x", "recurrence": "FREQ=HOURLY", "dueAt": "2025-05-01T09:00:00Z"}},
    ) == [("input.recurrence", "INVALID")]
    cases = [
        ({"title": " "}, [("input.title", "REQUIRED")]),
        ({"title": "x", "recurrence": "FREQ=WEEKLY"}, [("input.dueAt", "REQUIRED")]),
        (
            {"title": "x", "dueAt": "2025-05-01T09:00:00Z", "remindAt": "2025-05-02T09:00:00Z"},
            [("input.remindAt", "INVALID")],
        ),
        ({"title": "x", "customerId": theirs}, [("input.customerId", "NOT_FOUND")]),
    ]
    for given, expected in cases:
        assert (
            await errors_of(
                client,
                "mutation($input: CreateTaskInput!) { createTask(input: $input) { errors { field code } } }",
                {"input": given},
            )
            == expected
        )
    assert await titles(client) == []


async def test_completing_a_recurring_task_schedules_the_next(client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace")
    made = await task(
        client,
        "Quarterly review",
        customerId=ada,
        dueAt="2025-01-31T09:00:00Z",
        remindAt="2025-01-30T09:00:00Z",
        recurrence="freq=monthly;interval=3",
    )
    assert made["recurrence"] == "FREQ=MONTHLY;INTERVAL=3"
    payload = await run(client, COMPLETE, {"id": made["id"]})
    assert payload["task"]["status"] == "DONE"
    following = payload["nextTask"]
    assert following["dueAt"] == "2025-04-30T09:00:00+00:00"
    assert following["remindAt"] == "2025-04-29T09:00:00+00:00"
    assert following["status"] == "OPEN"
    data = await client.query(
        "query($id: ID!) { customer(id: $id) { openTasks { id } } }", {"id": ada}
    )
    assert data["customer"]["openTasks"] == [{"id": following["id"]}]
    # Done is final: completing again is refused and creates nothing.
    assert await errors_of(client, COMPLETE, {"id": made["id"]}) == [("id", "CONFLICT")]
    assert await titles(client, {"status": ["OPEN"]}) == ["Quarterly review"]


async def test_a_counted_series_ends(client: Client) -> None:
    made = await task(
        client, "Twice", dueAt="2025-01-01T09:00:00Z", recurrence="FREQ=WEEKLY;COUNT=2"
    )
    second = (await run(client, COMPLETE, {"id": made["id"]}))["nextTask"]
    assert second["dueAt"] == "2025-01-08T09:00:00+00:00"
    assert (await run(client, COMPLETE, {"id": second["id"]}))["nextTask"] is None


async def test_cancel(client: Client) -> None:
    made = await task(client, "Maybe")
    payload = await run(client, CANCEL, {"id": made["id"]})
    assert payload["task"]["status"] == "CANCELLED"
    assert await errors_of(client, CANCEL, {"id": made["id"]}) == [("id", "INVALID_TRANSITION")]
    assert await errors_of(client, COMPLETE, {"id": made["id"]}) == [("id", "CONFLICT")]


async def test_my_open_tasks_due_this_week(client: Client, runtime: Runtime) -> None:
    colleague = await client.as_role(runtime, "member", email="colleague@example.org")
    viewer = await colleague.query("{ viewer { user { id } } }")
    colleague_id = viewer["viewer"]["user"]["id"]
    now = datetime.now(UTC)
    week_start = (now - timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    week_end = week_start + timedelta(days=7)
    at = lambda d: (week_start + timedelta(days=d, hours=10)).isoformat()  # noqa: E731
    await task(client, "mine this week", dueAt=at(2))
    await task(client, "mine next week", dueAt=at(9))
    await task(client, "mine no date")
    done = await task(client, "mine done", dueAt=at(3))
    await run(client, COMPLETE, {"id": done["id"]})
    await task(client, "theirs this week", dueAt=at(1), assigneeId=colleague_id)

    week = {"gte": week_start.isoformat(), "lt": week_end.isoformat()}
    assert await titles(
        client, {"mine": True, "status": ["OPEN", "IN_PROGRESS"], "dueAt": week}
    ) == ["mine this week"]
    assert await titles(client, {"mine": False}) == ["theirs this week"]
    assert await titles(colleague, {"mine": True}) == ["theirs this week"]
    assert await titles(client, {"assignee": {"eq": colleague_id}}) == ["theirs this week"]
    assert await titles(client, {"status": ["DONE"]}) == ["mine done"]
    assert await titles(client, {"dueAt": {"isNull": True}}) == ["mine no date"]
    # Soonest due first; undated last; the same order a page at a time.
    soonest = ["mine this week", "mine next week", "mine no date"]
    assert await titles(client, {"mine": True, "status": ["OPEN"]}) == soonest
    paged: list[str] = []
    after = None
    for _ in range(3):
        data = await client.query(
            """query($after: String) { tasks(filter: {mine: true, status: [OPEN]}, first: 1, after: $after) {
                edges { node { title } } pageInfo { endCursor hasNextPage } } }""",
            {"after": after},
        )
        paged += [e["node"]["title"] for e in data["tasks"]["edges"]]
        after = data["tasks"]["pageInfo"]["endCursor"]
    assert paged == soonest
    assert data["tasks"]["pageInfo"]["hasNextPage"] is False


async def test_order_by_priority_is_by_urgency(client: Client) -> None:
    for title, priority in (("a", "LOW"), ("b", "URGENT"), ("c", "NORMAL"), ("d", "HIGH")):
        await task(client, title, priority=priority)
    order = [{"field": "PRIORITY", "direction": "DESC"}]
    assert await titles(client, order=order) == ["b", "d", "c", "a"]


async def test_overdue_customer_and_link_filters(client: Client) -> None:
    ada = await person(client, "Ada", "Lovelace")
    call = await interaction(client, ada, "call", "2025-01-01T10:00:00Z")
    await task(client, "late", dueAt="2020-01-01T00:00:00Z", customerId=ada, link=call)
    await task(client, "later", dueAt="2199-01-01T00:00:00Z")
    assert await titles(client, {"overdue": True}) == ["late"]
    assert await titles(client, {"overdue": False}) == ["later"]
    assert await titles(client, {"customer": {"eq": ada}}) == ["late"]
    assert await titles(client, {"linkedTo": call}) == ["late"]
    data = await client.query(
        "{ tasks(filter: {overdue: true}) { edges { node { linkedRecord { id } customer { displayName } } } } }"
    )
    node = data["tasks"]["edges"][0]["node"]
    assert node == {"linkedRecord": {"id": call}, "customer": {"displayName": "Ada Lovelace"}}


async def test_other_workspaces_cannot_see_or_change_tasks(
    client: Client, other_client: Client
) -> None:
    made = await task(client, "Private")
    for mutation, variables in (
        (UPDATE, {"id": made["id"], "input": {"title": "x"}}),
        (COMPLETE, {"id": made["id"]}),
        (CANCEL, {"id": made["id"]}),
    ):
        assert await errors_of(other_client, mutation, variables) == [("id", "NOT_FOUND")]
    assert await titles(other_client) == []
    assert (await other_client.query(SHOW, {"id": made["id"]}))["node"] is None
    assert (await client.query(SHOW, {"id": made["id"]}))["node"]["status"] == "OPEN"
