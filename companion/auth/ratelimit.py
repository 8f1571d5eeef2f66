"""Token buckets in memory, one per key or client address (per process: each worker has its own)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from companion.core.errors import CompanionError


class RateLimitedError(CompanionError):
    """Too many requests; `retry_after` says when one more will be accepted."""

    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, retry_after: float) -> None:
        super().__init__(detail)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        """`Retry-After` in whole seconds (at least 1)."""
        return {"Retry-After": str(max(1, math.ceil(self.retry_after)))}


class TokenBuckets:
    """A token bucket per name: `burst` requests at once, refilled at `per_minute`.

    Args:
        per_minute: sustained requests per minute.
        burst: bucket size.
        clock: seconds from an arbitrary start (tests pass a fake).
        max_buckets: buckets kept before full (idle) ones are forgotten.
    """

    def __init__(
        self,
        per_minute: float,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        max_buckets: int = 10_000,
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = max(1, burst)
        self.clock = clock
        self.max_buckets = max_buckets
        self._buckets: dict[str, tuple[float, float]] = {}  # name -> (tokens, updated)
        self._lock = threading.Lock()

    def take(self, name: str) -> float:
        """Take one token; 0.0 when granted, else the seconds until one is available."""
        now = self.clock()
        with self._lock:
            tokens, updated = self._buckets.get(name, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - updated) * self.rate)
            if tokens >= 1.0:
                self._buckets[name] = (tokens - 1.0, now)
                self._forget_idle(now)
                return 0.0
            self._buckets[name] = (tokens, now)
            return 60.0 if self.rate <= 0 else (1.0 - tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        if len(self._buckets) <= self.max_buckets:
            return
        # A bucket that has refilled is the same as no bucket.
        full = [n for n, (t, u) in self._buckets.items() if t + (now - u) * self.rate >= self.burst]
        for name in full:
            del self._buckets[name]

    def check(self, name: str, what: str) -> None:
        """Take a token or raise `RateLimitedError` naming `what` was limited."""
        wait = self.take(name)
        if wait:
            raise RateLimitedError(
                f"too many requests from this {what}; try again in {max(1, math.ceil(wait))} s",
                retry_after=wait,
            )
