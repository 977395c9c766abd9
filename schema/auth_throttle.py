"""Failed authentications, counted per client address, so keys cannot be guessed at speed.

An address that presented more than ``limit`` unknown keys within the last ``window`` seconds
is refused (HTTP 429, ``Retry-After``) until the oldest of those failures leaves the window;
valid keys are never counted. Per process: each server counts what it sees.
"""

from __future__ import annotations

from collections import OrderedDict, deque

__all__ = ["AuthThrottle", "TooManyFailures"]

# Addresses remembered at once; the least recently failing are forgotten first.
MAX_ADDRESSES = 10_000


class TooManyFailures(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__("too many failed authentications from this address")
        self.retry_after = retry_after


class AuthThrottle:
    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def check(self, address: str, now: float) -> None:
        """Raise :class:`TooManyFailures` while ``address`` is over its limit."""
        failures = self._failures.get(address)
        if self.limit <= 0 or failures is None:
            return
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if len(failures) >= self.limit:
            raise TooManyFailures(failures[0] + self.window - now)

    def failed(self, address: str, now: float) -> None:
        failures = self._failures.pop(address, None) or deque(maxlen=max(self.limit, 1))
        failures.append(now)
        self._failures[address] = failures
        if len(self._failures) > MAX_ADDRESSES:
            self._failures.popitem(last=False)
