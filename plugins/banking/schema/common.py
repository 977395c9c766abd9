"""Small helpers the banking schema modules share."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import tenant_session
from rapport.schema import RequestContext

__all__ = ["workspace_wide"]


@asynccontextmanager
async def workspace_wide(context: RequestContext) -> AsyncIterator[AsyncSession]:
    """A read session over the caller's whole workspace, without the row policies.

    For figures about something the caller may see that are computed from rows they may not:
    a manager's scorecard counts the clients that left the book, and a product's adoption
    among a client's peers counts clients of other books. Only such aggregates leave it.
    """
    actor = context.require_actor()
    async with tenant_session(context.runtime.sessions, actor.workspace_id) as session:
        yield session
