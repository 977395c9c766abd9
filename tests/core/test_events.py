"""The relationship and task-cancellation services emit their domain events on commit."""

from __future__ import annotations

import types
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from rapport.core.auth import Actor
from rapport.core.config import Settings
from rapport.core.hookspecs import hookimpl
from rapport.core.models import Customer, User
from rapport.core.plugins import PluginInfo
from rapport.core.runtime import Runtime
from rapport.core.services.operation import Operation
from rapport.core.services.relationships import (
    RelationshipFields,
    create_relationship,
    delete_relationship,
    update_relationship,
)
from rapport.core.services.tasks import TaskFields, cancel_task, create_task
from rapport.core.tenancy import tenant_session
from rapport.core.workspaces import create_workspace


def recorder() -> tuple[types.ModuleType, list[str]]:
    seen: list[str] = []
    module = types.ModuleType("event_recorder")
    module.plugin_info = PluginInfo(name="event_recorder", version="0", description="test")  # type: ignore[attr-defined]

    @hookimpl
    def after_commit(event: Any) -> None:
        seen.append(event.name)

    module.after_commit = after_commit  # type: ignore[attr-defined]
    return module, seen


@pytest.fixture
async def recording(runtime: Runtime) -> AsyncIterator[tuple[Runtime, list[str]]]:
    module, seen = recorder()
    listening = Runtime.create(Settings(database_url=runtime.settings.database_url), [module])
    yield listening, seen
    await listening.dispose()


async def test_events_follow_commits(recording: tuple[Runtime, list[str]]) -> None:
    runtime, seen = recording
    workspace = await create_workspace(runtime, f"events-{uuid.uuid4().hex[:8]}")
    async with tenant_session(runtime.sessions, workspace.id) as session:
        user = User(email="a@b.co", display_name="A", role="admin")
        ada = Customer(kind="person", display_name="Ada")
        acme = Customer(kind="organization", display_name="Acme")
        session.add_all([user, ada, acme])
        await session.commit()
        op = Operation(session, Actor(workspace.id, user.id, "admin", frozenset()), runtime.host)
        async with op.transaction():
            edge = await create_relationship(
                op,
                RelationshipFields(
                    type_key="employee_of", from_customer_id=ada.id, to_customer_id=acme.id
                ),
            )
        async with op.transaction():
            await update_relationship(op, edge.id, RelationshipFields(role="CTO"))
        async with op.transaction():
            await delete_relationship(op, edge.id)
        async with op.transaction():
            task = await create_task(op, TaskFields(title="Maybe"))
        async with op.transaction():
            await cancel_task(op, task.id)
    assert seen == [
        "relationship.created",
        "relationship.updated",
        "relationship.deleted",
        "task.created",
        "task.cancelled",
    ]
