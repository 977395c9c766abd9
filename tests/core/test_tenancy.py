"""Tenancy holds at the session, below any resolver or service."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select, update

from rapport.core.models import Customer
from rapport.core.runtime import Runtime
from rapport.core.tenancy import CrossTenantError, tenant_session
from rapport.core.workspaces import create_workspace


async def _two_workspaces(runtime: Runtime) -> tuple:
    import uuid

    first = await create_workspace(runtime, f"t-{uuid.uuid4().hex[:8]}")
    second = await create_workspace(runtime, f"t-{uuid.uuid4().hex[:8]}")
    return first.id, second.id


async def test_reads_updates_and_deletes_see_only_the_sessions_workspace(runtime: Runtime) -> None:
    first, second = await _two_workspaces(runtime)
    for workspace, name in ((first, "Mine"), (second, "Theirs")):
        async with tenant_session(runtime.sessions, workspace) as session, session.begin():
            session.add(Customer(kind="person", display_name=name, last_name=name))
    async with tenant_session(runtime.sessions, first) as session, session.begin():
        names = (await session.execute(select(Customer.display_name))).scalars().all()
        assert names == ["Mine"]
        # A join through an alias is scoped too.
        other = select(Customer).subquery()
        count = await session.execute(select(func.count()).select_from(other))
        assert count.scalar_one() == 1
        changed = await session.execute(update(Customer).values(region="X"))
        assert changed.rowcount == 1
    async with tenant_session(runtime.sessions, second) as session:
        regions = (await session.execute(select(Customer.region))).scalars().all()
        assert regions == [None]


async def test_writing_another_workspaces_row_is_refused(runtime: Runtime) -> None:
    first, second = await _two_workspaces(runtime)
    async with tenant_session(runtime.sessions, first) as session:
        session.add(Customer(workspace_id=second, kind="person", display_name="X", last_name="X"))
        with pytest.raises(CrossTenantError):
            await session.flush()
    async with tenant_session(runtime.sessions, first) as session:
        row = {"workspace_id": second, "kind": "person", "display_name": "Y"}
        with pytest.raises(CrossTenantError):
            await session.execute(insert(Customer), [row])


async def test_a_session_without_a_workspace_cannot_touch_tenant_tables(runtime: Runtime) -> None:
    async with runtime.sessions() as session:
        with pytest.raises(CrossTenantError):
            await session.execute(select(Customer))
        session.add(Customer(kind="person", display_name="Z", last_name="Z"))
        with pytest.raises(CrossTenantError):
            await session.flush()
