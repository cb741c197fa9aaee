"""A bounded, thread-safe cache whose entries expire: registry answers are facts only for a while."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    def __init__(self, ttl: float, size: int = 1024, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.size, self.clock = ttl, size, clock
        self.entries: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self.lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: K) -> V | None:
        with self.lock:
            found = self.entries.get(key)
            if found is None or found[0] <= self.clock():
                self.entries.pop(key, None)
                self.misses += 1
                return None
            self.entries.move_to_end(key)
            self.hits += 1
            return found[1]

    def peek(self, key: K) -> V | None:
        """Like get, without counting or reordering."""
        with self.lock:
            found = self.entries.get(key)
            return found[1] if found is not None and found[0] > self.clock() else None

    def put(self, key: K, value: V, ttl: float | None = None) -> None:
        with self.lock:
            self.entries[key] = (self.clock() + (self.ttl if ttl is None else ttl), value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
