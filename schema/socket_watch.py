"""Heartbeats and an idle limit on graphql-transport-ws connections.

A WebSocket whose client vanished without closing it (a laptop lid shut, a mobile network
gone) would hold its subscriptions, and the server's memory, until TCP noticed, which can take
hours. The server pings every ``heartbeat`` seconds; a client that has sent nothing, not even
the pong, for three heartbeats is taken for gone and its connection closed (1001). A
connection that holds no subscription for ``idle`` seconds is closed too (1000): a client that
wants events again reconnects, which costs it one handshake.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, ClassVar

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)

__all__ = ["MISSED_HEARTBEATS", "watched_transport_ws"]

MISSED_HEARTBEATS = 3


class _WatchedTransportWS(BaseGraphQLTransportWSHandler[Any, None]):
    heartbeat_seconds: ClassVar[float]
    idle_seconds: ClassVar[float]
    _watch: asyncio.Task[None] | None = None

    def on_request_accepted(self) -> None:
        super().on_request_accepted()
        self._last_heard = self._idle_since = time.monotonic()
        self._watch = asyncio.create_task(self._keep_watch())
        self._watch.add_done_callback(self._task_done)

    async def handle_message(self, message: Any) -> None:
        self._last_heard = time.monotonic()
        await super().handle_message(message)

    async def shutdown(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
        await super().shutdown()

    async def _keep_watch(self) -> None:
        tick = min(self.heartbeat_seconds, self.idle_seconds) / 3
        next_ping = time.monotonic() + self.heartbeat_seconds
        try:
            while True:
                await asyncio.sleep(tick)
                now = time.monotonic()
                if self.operations:
                    self._idle_since = now
                elif now - self._idle_since >= self.idle_seconds:
                    reason = f"no subscription for {self.idle_seconds:g} s"
                    await self.websocket.close(code=1000, reason=reason)
                    return
                if now - self._last_heard >= MISSED_HEARTBEATS * self.heartbeat_seconds:
                    await self.websocket.close(code=1001, reason="no answer to pings")
                    return
                if self.connection_acknowledged and now >= next_ping:
                    await self.send_message({"type": "ping"})
                    next_ping = now + self.heartbeat_seconds
        except Exception as error:  # a socket closed under the watch ends it; logged
            await self.handle_task_exception(error)


def watched_transport_ws(
    heartbeat_seconds: float, idle_seconds: float
) -> type[BaseGraphQLTransportWSHandler[Any, None]]:
    """The graphql-transport-ws handler with these limits."""
    return type(
        "WatchedTransportWS",
        (_WatchedTransportWS,),
        {"heartbeat_seconds": heartbeat_seconds, "idle_seconds": idle_seconds},
    )
