"""Interactions and tasks that core stores with a link to an opportunity show on it."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event
from strawberry import relay

from rapport.core import Actor, Operation
from rapport.core.auth import find_workspace
from rapport.core.runtime import Runtime
from rapport.core.services.interactions import InteractionFields, log_interaction
from rapport.core.services.tasks import TaskFields, create_task
from rapport.core.tenancy import tenant_session, unscoped_session
from tests.conftest import Client
from tests.plugins.sales.helpers import customer, me, opportunity


def row_id(global_id: str) -> uuid.UUID:
    return uuid.UUID(relay.GlobalID.from_id(global_id).node_id)


async def test_opportunity_shows_linked_interactions_and_tasks(
    client: Client, other_client: Client, runtime: Runtime
) -> None:
    acme = await customer(client)
    first = await opportunity(client, acme)
    second = await opportunity(client, acme)
    user = row_id(await me(client))
    async with unscoped_session(runtime.sessions) as session:
        workspace = await find_workspace(session, client.workspace)
    assert workspace is not None
    actor = Actor(workspace.id, user, "admin", runtime.roles.permissions_of("admin"))
    async with tenant_session(runtime.sessions, workspace.id) as session:
        op = Operation(session, actor, runtime.host)
        async with op.transaction():
            for subject, deal in (("kick-off", first), ("demo", first), ("other", second)):
                await log_interaction(
                    op,
                    InteractionFields(
                        customer_id=row_id(acme),
                        kind="meeting",
                        subject=subject,
                        link_type="Opportunity",
                        link_id=row_id(deal["id"]),
                    ),
                )
            await log_interaction(op, InteractionFields(customer_id=row_id(acme), kind="note"))
            await create_task(
                op,
                TaskFields(
                    title="Send proposal",
                    customer_id=row_id(acme),
                    link_type="Opportunity",
                    link_id=row_id(first["id"]),
                ),
            )
    data = await client.query(
        "{ opportunities(orderBy: [{field: CREATED_AT}]) { nodes { "
        "interactions { subject kind customerId } tasks { title status } } } }"
    )
    one, two = data["opportunities"]["nodes"]
    assert sorted(i["subject"] for i in one["interactions"]) == ["demo", "kick-off"]
    assert one["interactions"][0]["customerId"] == acme
    assert one["tasks"] == [{"title": "Send proposal", "status": "OPEN"}]
    assert [i["subject"] for i in two["interactions"]] == ["other"]
    assert two["tasks"] == []
    theirs = await other_client.query("{ opportunities { nodes { interactions { subject } } } }")
    assert theirs["opportunities"]["nodes"] == []


async def test_relations_of_a_page_are_read_in_one_query_each(
    client: Client, runtime: Runtime
) -> None:
    acme = await customer(client)
    for _ in range(4):
        await opportunity(client, acme)
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        data = await client.query(
            "{ opportunities { nodes { interactions { subject } tasks { title } "
            "stageHistory { toStageId } quotes { id } stage { name } } } }"
        )
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(data["opportunities"]["nodes"]) == 4
    for table in ("interactions", "tasks", "sales_stage_history", "sales_quotes", "sales_stages"):
        reads = [s for s in statements if f"FROM {table}" in s]
        assert len(reads) == 1, (table, len(reads))
