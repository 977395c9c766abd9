"""The core demo data: registered as a demo loader, deterministic from its seed, and shaped like
a real customer base (households, employers, a year of interactions, due and overdue tasks)."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from rapport.core.demo_data import DemoSize, load_core_demo
from rapport.core.models import ContactPoint, Customer, Interaction, Relationship, Task, User
from rapport.core.runtime import Runtime
from rapport.core.tenancy import tenant_session
from rapport.core.workspaces import create_workspace

SMALL = DemoSize(customers=120)
TODAY = date(2026, 3, 15)


async def snapshot(runtime: Runtime, workspace_id: uuid.UUID) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    async with tenant_session(runtime.sessions, workspace_id) as session:
        for model in (Customer, ContactPoint, Relationship, Interaction, Task):
            rows = (await session.execute(select(model).order_by(model.id))).scalars()
            columns = [c.key for c in model.__table__.columns if c.key != "workspace_id"]
            found[model.__name__] = [tuple(getattr(row, c) for c in columns) for row in rows]
    return found


async def load(runtime: Runtime, seed: int, size: DemoSize = SMALL) -> uuid.UUID:
    workspace = await create_workspace(runtime, f"demo-{uuid.uuid4().hex[:8]}")
    async with tenant_session(runtime.sessions, workspace.id) as session, session.begin():
        await load_core_demo(session, workspace, random.Random(seed), TODAY, size)
    return workspace.id


async def test_same_seed_same_rows(runtime: Runtime) -> None:
    first = await snapshot(runtime, await load(runtime, 7))
    second = await snapshot(runtime, await load(runtime, 7))
    other = await snapshot(runtime, await load(runtime, 8))
    assert first == second
    assert first != other
    assert len(first["Customer"]) == SMALL.customers


async def test_registered_loader_fills_a_realistic_workspace(runtime: Runtime) -> None:
    loader = runtime.host.demo_loaders["core"].loader
    workspace = await create_workspace(runtime, f"demo-{uuid.uuid4().hex[:8]}")
    async with tenant_session(runtime.sessions, workspace.id) as session, session.begin():
        await loader(session, workspace, random.Random(1))
    now = datetime.now(UTC)
    async with tenant_session(runtime.sessions, workspace.id) as session:

        async def count(*conditions: Any, model: Any = Customer) -> int:
            statement = select(func.count()).select_from(model).where(*conditions)
            return int((await session.execute(statement)).scalar_one())

        customers = await count()
        assert customers == 3000
        assert 400 < await count(Customer.kind == "organization") < 800
        assert len(set((await session.execute(select(Customer.industry))).scalars())) >= 8
        assert await count(Customer.birth_date.is_not(None)) > 2000
        assert await count(model=ContactPoint) > 2 * customers
        assert await count(Relationship.type_key == "household_member", model=Relationship) > 300
        assert await count(Relationship.type_key == "employee_of", model=Relationship) > 800
        interactions = await count(model=Interaction)
        assert 8 * customers < interactions < 12 * customers
        oldest = (await session.execute(select(func.min(Interaction.occurred_at)))).scalar_one()
        assert now - oldest < timedelta(days=370)
        assert await count(Task.due_at < now, Task.status == "open", model=Task) > 100
        assert await count(Task.recurrence.is_not(None), model=Task) > 50
        assert await count(model=User) >= 3
