"""When to try a request again, and how long to wait first: exponential
backoff with full jitter (a random wait in [0, base * 2^attempt], capped), or
exactly what the receiver asked for in `Retry-After`."""

from __future__ import annotations

import email.utils
import random
import time

RETRY_STATUS = frozenset({408, 429})
MAX_RETRY_AFTER = 300.0


def retryable_status(status: int) -> bool:
    return status >= 500 or status in RETRY_STATUS


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a `Retry-After` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        secs = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when is None:
            return None
        secs = when.timestamp() - (time.time() if now is None else now)
    if secs != secs:  # NaN
        return None
    return min(max(secs, 0.0), MAX_RETRY_AFTER)


def backoff(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Full jitter (AWS architecture blog): spreads retries of many payloads
    that failed together instead of sending them back in lockstep."""
    return rng.uniform(0.0, min(cap, base * (2 ** attempt)))
