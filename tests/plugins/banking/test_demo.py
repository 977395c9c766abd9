"""The demo bank loads, is the same for the same seed, and gives managers something to do."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from rapport.core.demo import load_demo_data
from rapport.core.runtime import Runtime
from rapport.core.tenancy import tenant_session
from rapport.core.workspaces import create_workspace
from rapport.plugins.banking.access import today
from rapport.plugins.banking.models import (
    Assignment,
    FinancialAccount,
    Household,
    KeyClientTier,
    RiskRating,
    TrainingRecord,
)


async def _load(runtime: Runtime) -> dict[str, Any]:
    workspace = await create_workspace(runtime, f"demo-{uuid.uuid4().hex[:8]}")
    await load_demo_data(runtime, workspace, seed=7, only=("banking",))
    async with tenant_session(runtime.sessions, workspace.id) as session:

        async def count(model: Any, *where: Any) -> int:
            statement = select(func.count()).select_from(model).where(*where)
            return int((await session.execute(statement)).scalar_one())

        numbers = (await session.execute(select(FinancialAccount.number))).scalars()
        tiers = (
            await session.execute(
                select(KeyClientTier.tier, func.count()).group_by(KeyClientTier.tier)
            )
        ).all()
        return {
            "numbers": sorted(numbers),
            "tiers": sorted(tuple(t) for t in tiers),
            "ended": await count(Assignment, Assignment.valid_to.is_not(None)),
            "households": await count(Household),
            "overdue": await count(RiskRating, RiskRating.next_review_on < today()),
            "training": await count(TrainingRecord),
        }


async def test_demo_bank_is_deterministic_and_complete(runtime: Runtime) -> None:
    first = await _load(runtime)
    second = await _load(runtime)
    assert first == second
    assert len(first["numbers"]) >= 40
    assert {tier for tier, _ in first["tiers"]} == {"A", "B", "C"}
    for key in ("ended", "households", "overdue", "training"):
        assert first[key] > 0, key
