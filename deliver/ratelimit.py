"""A global requests-per-second cap: one token bucket that every request of
the run draws from before it is sent, so the rate holds however many requests
are in flight. (A sleep inside each worker's semaphore, seed 002's "limit",
caps nothing: eight workers sleeping 0.1 s send 80 requests a second.)"""

from __future__ import annotations

import asyncio
import time


class TokenBucket:
    """`rate` tokens a second, at most `burst` saved up. A taker that finds the
    bucket empty reserves the next token (the count goes negative) and sleeps
    until it is due while holding the lock, so takers leave in FIFO order,
    spaced exactly 1/rate apart; the count is recomputed from the clock each
    time, so oversleeping never accumulates into a lower rate."""

    def __init__(self, rate: float, burst: float = 1.0) -> None:
        self.rate = rate
        self.burst = max(1.0, burst)
        self._tokens = self.burst
        self._last = time.monotonic()
        self._lock = asyncio.Lock()

    async def take(self) -> None:
        if self.rate <= 0:  # --rps 0: unlimited
            return
        async with self._lock:
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            self._tokens -= 1.0
            if self._tokens < 0:
                await asyncio.sleep(-self._tokens / self.rate)
