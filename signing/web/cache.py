"""A bounded, thread-safe map that forgets the least recently used entry first."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """At most ``size`` entries and, with ``weight``, at most ``max_weight`` in all (each
    value's weight, e.g. its size, taken when it is put; a value heavier than that on
    its own is returned but not kept)."""

    def __init__(self, size: int, *, max_weight: int | None = None,
                 weight: Callable[[V], int] | None = None) -> None:
        self.size = size
        self.max_weight = max_weight
        self._weigh = weight
        self.total_weight = 0
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: K, value: V) -> V:
        """Keep ``value`` under ``key`` and return it."""
        weight = self._weigh(value) if self._weigh is not None else 0
        if self.max_weight is not None and weight > self.max_weight:
            return value
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.total_weight -= old[1]
            self._entries[key] = (value, weight)
            self.total_weight += weight
            while len(self._entries) > self.size or (
                    self.max_weight is not None and self.total_weight > self.max_weight):
                _, (_, dropped) = self._entries.popitem(last=False)
                self.total_weight -= dropped
        return value
