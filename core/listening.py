"""A PostgreSQL connection that LISTENs on one channel, reconnecting when it is lost.

Notifications are delivered at commit, to every listening process: what the server processes
use to hear of each other's changes (credential changes, committed events).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg
from sqlalchemy.engine import make_url

__all__ = ["ChannelListener"]

RECONNECT_SECONDS = (0.5, 1.0, 2.0, 5.0)

log = logging.getLogger(__name__)


class ChannelListener:
    """Calls ``on_notify(payload)`` for each notification on ``channel``, and ``on_lost()``
    whenever the connection is lost, since notifications may have been missed meanwhile."""

    def __init__(
        self,
        database_url: str,
        channel: str,
        on_notify: Callable[[str], None],
        on_lost: Callable[[], None] = lambda: None,
    ) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self._channel = channel
        self._on_notify = on_notify
        self._on_lost = on_lost
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
                log.warning("cannot listen on %s: %s", self._channel, exc)
            await self._disconnect()
            self._on_lost()
            await asyncio.sleep(RECONNECT_SECONDS[min(attempt, len(RECONNECT_SECONDS) - 1)])
            attempt += 1

    async def _listen(self) -> None:
        self._lost.clear()
        connection = await asyncpg.connect(self._dsn)
        connection.add_termination_listener(lambda _connection: self._lost.set())
        await connection.add_listener(self._channel, self._notified)
        self._connection = connection

    def _notified(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        self._on_notify(payload)

    async def _disconnect(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            with contextlib.suppress(OSError, asyncpg.PostgresError):
                await connection.close(timeout=2)
