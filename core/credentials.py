"""Changes to who may call reach every server process at once.

Server processes cache the actor of a key for a few seconds, so that a request does not cost
two lookups. A change that must end access (a key revoked, a user deactivated or given another
role) is announced in the transaction that makes it, in two ways:

- the workspace's ``credentials_epoch`` is raised, so a process can compare a cached actor with
  the epoch it was authenticated under (the way on SQLite, and on PostgreSQL whenever the
  listening connection is down);
- on PostgreSQL, ``NOTIFY`` tells every listening process, at commit and only at commit, to drop
  the workspace's cached actors (a :class:`~rapport.core.listening.ChannelListener`), so cache
  hits need no query.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.models import Workspace

__all__ = ["CHANNEL", "announce_credentials_changed"]

CHANNEL = "rapport_credentials"


async def announce_credentials_changed(session: AsyncSession, workspace_id: uuid.UUID) -> None:
    """Mark every cached actor of the workspace stale, once the session's transaction commits."""
    await session.execute(
        update(Workspace)
        .where(Workspace.id == workspace_id)
        .values(credentials_epoch=Workspace.credentials_epoch + 1)
    )
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_notify(CHANNEL, str(workspace_id))))
