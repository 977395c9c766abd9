"""A bounded map that forgets the entry used longest ago: the compiled path's caches."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Generic, TypeVar

__all__ = ["MISSING", "Lru"]

K = TypeVar("K")
V = TypeVar("V")

# What `get` answers for a key it does not hold (None is a value worth keeping: "not compilable").
MISSING = object()


class Lru(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | object:
        if key not in self._entries:
            return MISSING
        self._entries.move_to_end(key)
        return self._entries[key]

    def put(self, key: K, value: V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[K]:
        return iter(self._entries)
