"""A request budget per API key and per workspace, so one client cannot starve the others.

Each budget is a bucket of ``per_minute`` requests that refills continuously: a client may send
a minute's worth at once, then as fast as the budget refills. Past it, requests are refused
(HTTP 429, ``Retry-After``) before any work is done. Per process: each server counts what it
sees, so behind a load balancer of N processes a caller may reach N times the budget.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict

from rapport.core.auth import Actor

__all__ = ["OverBudget", "RequestBudget"]

# Buckets remembered at once; the least recently used are forgotten (and so start full).
MAX_BUCKETS = 50_000


class OverBudget(Exception):
    def __init__(self, what: str, retry_after: float) -> None:
        super().__init__(f"too many requests for this {what}; slow down")
        self.retry_after = retry_after


class _Buckets:
    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.refill = per_minute / 60.0
        self._levels: OrderedDict[uuid.UUID, tuple[float, float]] = OrderedDict()

    def take(self, owner: uuid.UUID, now: float) -> float | None:
        """Spend one request of ``owner``'s budget; None, or the seconds until one is free."""
        level, then = self._levels.pop(owner, (self.capacity, now))
        level = min(self.capacity, level + (now - then) * self.refill)
        if level < 1.0:
            self._levels[owner] = (level, now)
            return (1.0 - level) / self.refill
        self._levels[owner] = (level - 1.0, now)
        if len(self._levels) > MAX_BUCKETS:
            self._levels.popitem(last=False)
        return None


class RequestBudget:
    """``per_key`` and ``per_workspace`` requests a minute; 0 switches a budget off."""

    def __init__(self, per_key: int, per_workspace: int) -> None:
        self._keys = _Buckets(per_key) if per_key > 0 else None
        self._workspaces = _Buckets(per_workspace) if per_workspace > 0 else None

    def spend(self, actor: Actor, now: float) -> None:
        """Count one request of ``actor``; raise :class:`OverBudget` past either budget."""
        if self._keys is not None:
            wait = self._keys.take(actor.key_id or actor.user_id, now)
            if wait is not None:
                raise OverBudget("API key", wait)
        if self._workspaces is not None:
            wait = self._workspaces.take(actor.workspace_id, now)
            if wait is not None:
                raise OverBudget("workspace", wait)
