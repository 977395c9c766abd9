"""Background work run by ``rapport worker``."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from rapport.core import Actor, JobContext, Operation
from rapport.core.models import Workspace
from rapport.core.tenancy import tenant_session, unscoped_session
from rapport.plugins.banking.services.ratings import raise_overdue_review_tasks

__all__ = ["REVIEW_JOB_SECONDS", "raise_overdue_reviews"]

REVIEW_JOB_SECONDS = 3600
# Work the worker does on its own account is recorded as done by nobody in particular.
SYSTEM_USER = uuid.UUID(int=0)


async def raise_overdue_reviews(context: JobContext) -> int:
    """Raise the overdue review tasks of every workspace; returns how many were created."""
    runtime = context.runtime
    async with unscoped_session(runtime.sessions) as session:
        workspace_ids = list((await session.execute(select(Workspace.id))).scalars())
    created = 0
    for workspace_id in workspace_ids:
        actor = Actor(workspace_id, SYSTEM_USER, "system", frozenset())
        async with tenant_session(runtime.sessions, workspace_id) as session:
            op = Operation(session, actor, runtime.host)
            async with op.transaction():
                created += len(await raise_overdue_review_tasks(op))
    return created
