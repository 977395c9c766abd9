"""The actors of recently seen API keys, kept only as long as they are certainly current.

A cached actor is used while it is young and either the process is listening for credential
changes (PostgreSQL: a change drops the workspace's entries the moment it commits) or the
workspace's credentials epoch still equals the one the actor was authenticated under (one small
query; SQLite, or PostgreSQL while the listening connection is down).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from rapport.core.auth import Actor, check_key, credentials_epoch, hash_key
from rapport.core.credentials import CHANNEL
from rapport.core.listening import ChannelListener
from rapport.core.runtime import Runtime

__all__ = ["KeyCache"]

# A cached actor is looked up again after this long, even when nothing was announced.
KEY_CACHE_SECONDS = 30.0
KEY_CACHE_SIZE = 10_000


@dataclass(frozen=True)
class _Entry:
    expires: float
    actor: Actor | None
    epoch: int
    # Looked up or checked while listening, with no purge meanwhile: current until purged.
    trusted: bool


class KeyCache:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._entries: dict[str, _Entry] = {}
        self._generation = 0
        self._watch: ChannelListener | None = None
        if runtime.engine.dialect.name == "postgresql":
            self._watch = ChannelListener(
                runtime.settings.database_url, CHANNEL, self.purge, lambda: self.purge(None)
            )
            runtime.on_dispose(self._watch.close)

    def purge(self, workspace_id: str | None) -> None:
        """Drop the cached actors of a workspace (None: of every workspace), and those of keys
        that did not authenticate, which may belong to it."""
        self._generation += 1
        if workspace_id is None:
            self._entries.clear()
            return
        self._entries = {
            digest: entry
            for digest, entry in self._entries.items()
            if entry.actor is not None and str(entry.actor.workspace_id) != workspace_id
        }

    async def actor(self, key: str, now: float) -> Actor | None:
        # By digest, so raw keys are not kept in memory.
        digest = hash_key(key)
        entry = self._entries.get(digest)
        if entry is not None and entry.expires > now:
            if entry.trusted and self._listening():
                return entry.actor
            if entry.actor is not None:
                listening, generation = self._listening(), self._generation
                if await self._epoch(entry.actor.workspace_id) == entry.epoch:
                    # Current now; and from now on, any change will be heard.
                    self._keep(digest, entry, listening and generation == self._generation)
                    return entry.actor
        listening, generation = self._listening(), self._generation
        found = await check_key(self.runtime.sessions, key, self.runtime.roles)
        if found.actor is None and not listening:
            return None  # an unknown key cannot be checked against an epoch: not worth keeping
        # A purge during the lookup may concern it: then it is checked by epoch.
        self._keep(
            digest,
            _Entry(now + KEY_CACHE_SECONDS, found.actor, found.credentials_epoch, False),
            listening and generation == self._generation,
        )
        return found.actor

    def _keep(self, digest: str, entry: _Entry, trusted: bool) -> None:
        if len(self._entries) >= KEY_CACHE_SIZE:
            self._entries.clear()
        self._entries[digest] = replace(entry, trusted=trusted)

    def _listening(self) -> bool:
        if self._watch is None:
            return False
        self._watch.start()  # with the first request, in the server's own event loop
        return self._watch.listening

    async def _epoch(self, workspace_id: uuid.UUID) -> int | None:
        return await credentials_epoch(self.runtime.sessions, workspace_id)
