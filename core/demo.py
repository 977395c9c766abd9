"""``serve --demo``: a workspace named ``demo`` filled by every enabled plugin's loader."""

from __future__ import annotations

import random
from collections.abc import Collection

from rapport.core.auth import IssuedKey, find_workspace
from rapport.core.insights import recompute_insights
from rapport.core.models import Workspace
from rapport.core.plugins import await_maybe
from rapport.core.runtime import Runtime
from rapport.core.tenancy import tenant_session, unscoped_session
from rapport.core.workspaces import create_api_key, create_workspace, operator_operation

__all__ = ["DEMO_WORKSPACE", "prepare_demo"]

DEMO_WORKSPACE = "demo"
DEMO_SEED = 20261123
DEMO_ADMIN = "admin@demo.example"


async def load_demo_data(
    runtime: Runtime,
    workspace: Workspace,
    seed: int = DEMO_SEED,
    only: Collection[str] | None = None,
) -> None:
    """Run every enabled plugin's demo loader (or the ``only`` ones), in plugin order."""
    rng = random.Random(seed)
    for name, demo in runtime.host.demo_loaders.items():
        if only is not None and name not in only:
            continue
        async with tenant_session(runtime.sessions, workspace.id) as session, session.begin():
            await await_maybe(demo.loader(session, workspace, rng))
        print(f"  demo data: {name}")
    # Grades and churn risks follow from what the loaders recorded, as they would in use.
    async with operator_operation(runtime, workspace.name, DEMO_ADMIN) as op, op.transaction():
        await recompute_insights(op)


async def prepare_demo(runtime: Runtime) -> IssuedKey:
    """Create and fill the demo workspace once; return a fresh admin key for it."""
    async with unscoped_session(runtime.sessions) as session:
        workspace = await find_workspace(session, DEMO_WORKSPACE)
    if workspace is None:
        workspace = await create_workspace(runtime, DEMO_WORKSPACE)
        await create_api_key(runtime, DEMO_WORKSPACE, role="admin", email=DEMO_ADMIN)
        await load_demo_data(runtime, workspace)
    return await create_api_key(
        runtime, DEMO_WORKSPACE, role="admin", email=DEMO_ADMIN, name="graphiql"
    )
