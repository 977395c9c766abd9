"""Changes to who may call reach every server process at once.

Server processes cache the actor of a key for a few seconds, so that a request does not cost
two lookups. A change that must end access (a key revoked, a user deactivated or given another
role) is announced in the transaction that makes it, in two ways:

- the workspace's ``credentials_epoch`` is raised, so a process can compare a cached actor with
  the epoch it was authenticated under (the way on SQLite, and on PostgreSQL whenever the
  listening connection is down);
- on PostgreSQL, ``NOTIFY`` tells every listening process, at commit and only at commit, to drop
  the workspace's cached actors (:class:`CredentialWatch`), so cache hits need no query.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable

import asyncpg
from sqlalchemy import func, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.models import Workspace

__all__ = ["CHANNEL", "CredentialWatch", "announce_credentials_changed"]

CHANNEL = "rapport_credentials"
RECONNECT_SECONDS = (0.5, 1.0, 2.0, 5.0)

log = logging.getLogger(__name__)


async def announce_credentials_changed(session: AsyncSession, workspace_id: uuid.UUID) -> None:
    """Mark every cached actor of the workspace stale, once the session's transaction commits."""
    await session.execute(
        update(Workspace)
        .where(Workspace.id == workspace_id)
        .values(credentials_epoch=Workspace.credentials_epoch + 1)
    )
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_notify(CHANNEL, str(workspace_id))))


class CredentialWatch:
    """A PostgreSQL connection that LISTENs for announced changes, reconnecting when lost.

    ``on_change`` receives the workspace id of each announcement, or None when the connection
    was lost: changes may have been missed, so everything cached must go.
    """

    def __init__(self, database_url: str, on_change: Callable[[str | None], None]) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self._on_change = on_change
        self._connection: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._lost = asyncio.Event()

    @property
    def listening(self) -> bool:
        return self._connection is not None and not self._connection.is_closed()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._keep_listening())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._disconnect()

    async def _keep_listening(self) -> None:
        attempt = 0
        while True:
            try:
                await self._listen()
                attempt = 0
                await self._lost.wait()
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("cannot listen for credential changes: %s", exc)
            await self._disconnect()
            self._on_change(None)
            await asyncio.sleep(RECONNECT_SECONDS[min(attempt, len(RECONNECT_SECONDS) - 1)])
            attempt += 1

    async def _listen(self) -> None:
        self._lost.clear()
        connection = await asyncpg.connect(self._dsn)
        connection.add_termination_listener(lambda _connection: self._lost.set())
        await connection.add_listener(CHANNEL, self._notified)
        self._connection = connection

    def _notified(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        self._on_change(payload)

    async def _disconnect(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            with contextlib.suppress(OSError, asyncpg.PostgresError):
                await connection.close(timeout=2)
