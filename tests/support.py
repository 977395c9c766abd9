"""Helpers for tests that call services directly, as a given workspace's admin."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from rapport.core.auth import find_workspace
from rapport.core.models import Workspace
from rapport.core.runtime import Runtime
from rapport.core.services.contact_points import ContactPointFields, add_contact_point
from rapport.core.services.customers import CustomerFields, create_customer
from rapport.core.services.interactions import InteractionFields, log_interaction
from rapport.core.services.operation import Operation
from rapport.core.tenancy import tenant_session, unscoped_session
from rapport.core.workspaces import create_workspace, operator_operation


async def new_workspace(runtime: Runtime) -> Workspace:
    return await create_workspace(runtime, f"ws-{uuid.uuid4().hex[:10]}")


async def workspace_named(runtime: Runtime, name: str) -> Workspace:
    async with unscoped_session(runtime.sessions) as session:
        found = await find_workspace(session, name)
    assert found is not None
    return found


@asynccontextmanager
async def operation(runtime: Runtime, workspace: Workspace) -> AsyncIterator[Operation]:
    """An admin's operation in ``workspace``, committed at the end of the block."""
    async with operator_operation(runtime, workspace.name) as op:
        yield op


async def person(op: Operation, first: str, last: str, **fields: Any) -> uuid.UUID:
    customer = await create_customer(
        op, CustomerFields(kind="person", first_name=first, last_name=last, **fields)
    )
    return customer.id


async def contact(
    op: Operation, customer_id: uuid.UUID, kind: str, value: str, primary: bool = False
) -> uuid.UUID:
    point = await add_contact_point(
        op, customer_id, ContactPointFields(kind=kind, value=value, is_primary=primary)
    )
    return point.id


async def interaction(
    op: Operation, customer_id: uuid.UUID, subject: str, body: str = "", **extra: Any
) -> uuid.UUID:
    logged = await log_interaction(
        op,
        InteractionFields(
            customer_id=customer_id,
            kind="call",
            occurred_at=datetime(2026, 1, 5, tzinfo=UTC),
            subject=subject,
            body=body,
            **extra,
        ),
    )
    return logged.id


async def count_rows(runtime: Runtime, model: Any, workspace: Workspace) -> int:
    async with tenant_session(runtime.sessions, workspace.id) as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())
