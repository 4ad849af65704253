"""A small, thread-safe cache whose entries are reused for a few seconds only (``TtlCache``).

Used where a value is looked up on every request but may change in another process: the handler
behind an API token (``jikimi.handlers``). A change made through the same process clears the
cache at once; one made elsewhere is seen within the cache's seconds."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    """``get`` answers what ``put`` kept less than ``seconds`` ago; at ``limit`` entries it starts over."""

    def __init__(
        self, seconds: float, *, limit: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._seconds, self._limit, self._clock = seconds, limit, clock
        self._kept: dict[K, tuple[float, V]] = {}
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        kept = self._kept.get(key)
        if kept is None or self._clock() - kept[0] >= self._seconds:
            return None
        return kept[1]

    def put(self, key: K, value: V) -> None:
        with self._lock:
            if len(self._kept) >= self._limit:
                self._kept = {}
            self._kept[key] = (self._clock(), value)

    def clear(self) -> None:
        with self._lock:
            self._kept = {}
