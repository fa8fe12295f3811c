"""The sender: httpx's async client, a global token bucket, a cap on requests
in flight, retries with backoff, and the journal. Each payload ends either
`delivered` (a success status arrived) or `failed` (a non-retryable answer, or
the retries ran out), and that outcome is journaled before it counts."""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import Counter
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import httpx
from pydantic import BaseModel, ConfigDict

from corpusc.deliver.errors import DeliveryError
from corpusc.deliver.journal import Journal
from corpusc.deliver.ratelimit import TokenBucket
from corpusc.deliver.redact import Redactor
from corpusc.deliver.retry import backoff, retry_after, retryable_status

EXCERPT = 200
CONNECTIONS_PER_CLIENT = 8  # httpcore's pool scans every connection per request: O(n^2) at 64


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)
    url: str
    rps: float = 10.0
    concurrency: int = 8
    retries: int = 5
    connect_timeout: float = 30.0
    read_timeout: float = 30.0
    headers: dict[str, str] = {}
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    ok_status: tuple[int, ...] = tuple(range(200, 300))


@dataclass
class Prepared:
    """What one payload sends: the identity, and the httpx `post` arguments
    (content=..., or data=... and files=...), rebuilt for each attempt."""
    call_id: str
    key: str
    build: Callable[[], dict[str, Any]]
    content_type: str | None = None
    sha256: str = ""  # of the payload file itself, checked against the manifest


@dataclass
class Failure:
    call_id: str
    key: str
    code: str  # E0805 unreadable, E0807 rejected, E0808 retries exhausted
    reason: str
    http_status: int | None = None
    attempts: int = 0


@dataclass
class Stats:
    requests: int = 0
    retried: int = 0
    delivered: int = 0
    status_counts: Counter = field(default_factory=Counter)
    error_counts: Counter = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    first_send: float | None = None
    last_send: float | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None


def _excerpt(resp: httpx.Response) -> str:
    try:
        text = resp.text
    except Exception:  # noqa: BLE001 - an undecodable body is still a failure to report
        text = repr(resp.content[:EXCERPT])
    text = " ".join(text.split())
    return text[:EXCERPT] + ("…" if len(text) > EXCERPT else "")


async def deliver(items: Iterable[tuple[str, Callable[[], Prepared]]], settings: Settings, journal: Journal,
                  redactor: Redactor, progress: Callable[[int], None] = lambda n: None,
                  rng: random.Random | None = None) -> Stats:
    """Send every item; `items` yields (call id, thunk) so payload files are
    read only when their turn comes (constant memory in the number of payloads)."""
    stats = Stats()
    rng = rng or random.Random()
    bucket = TokenBucket(settings.rps)
    inflight = asyncio.Semaphore(settings.concurrency)
    window = asyncio.Semaphore(max(64, settings.concurrency * 4))
    timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout, pool=None)
    n_clients = math.ceil(settings.concurrency / CONNECTIONS_PER_CLIENT)
    per_client = math.ceil(settings.concurrency / n_clients)
    limits = httpx.Limits(max_connections=per_client, max_keepalive_connections=per_client)

    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(httpx.AsyncClient(timeout=timeout, limits=limits,
                                                                     follow_redirects=False))
                   for _ in range(n_clients)]
        pool = _Clients(clients)

        async def one(call_id: str, thunk: Callable[[], Prepared]) -> None:
            try:
                try:
                    item = thunk()
                except DeliveryError as e:  # unreadable: nothing sent, nothing journaled
                    stats.failures.append(Failure(call_id, "", e.code, redactor.text(e.message)))
                    return
                await _attempts(pool, item, settings, journal, redactor, bucket, inflight, stats, rng)
            finally:
                window.release()
                progress(1)

        tasks: set[asyncio.Task] = set()
        for call_id, thunk in items:
            await window.acquire()
            t = asyncio.create_task(one(call_id, thunk))
            tasks.add(t)
            t.add_done_callback(tasks.discard)
        while tasks:
            await asyncio.gather(*list(tasks))
    stats.finished = time.monotonic()
    return stats


class _Clients:
    """Several small connection pools instead of one big one; a request goes
    to the least busy, so none holds more than its share of --concurrency."""

    def __init__(self, clients: list[httpx.AsyncClient]) -> None:
        self.clients, self.load = clients, [0] * len(clients)

    async def post(self, url: str, **kw) -> httpx.Response:
        j = min(range(len(self.clients)), key=self.load.__getitem__)
        self.load[j] += 1
        try:
            return await self.clients[j].post(url, **kw)
        finally:
            self.load[j] -= 1


async def _attempts(client: _Clients, item: Prepared, s: Settings, journal: Journal,
                    redactor: Redactor, bucket: TokenBucket, inflight: asyncio.Semaphore, stats: Stats,
                    rng: random.Random) -> None:
    headers = dict(s.headers)
    headers["Idempotency-Key"] = item.key
    if item.content_type:
        headers["Content-Type"] = item.content_type
    attempt = 0
    while True:
        wait: float | None = None
        status: int | None = None
        latency: float | None = None
        async with inflight:
            await bucket.take()
            t0 = time.monotonic()
            stats.first_send = t0 if stats.first_send is None else stats.first_send
            stats.last_send = t0
            stats.requests += 1
            try:
                resp = await client.post(s.url, headers=headers, **item.build())
            except httpx.TimeoutException as e:
                stats.error_counts["timeout"] += 1
                reason, retry = f"timed out ({type(e).__name__})", True
            except httpx.TransportError as e:
                stats.error_counts["connection"] += 1
                reason, retry = f"connection error ({type(e).__name__}: {e})", True
            except httpx.HTTPError as e:
                stats.error_counts["other"] += 1
                reason, retry = f"request error ({type(e).__name__}: {e})", False
            else:
                latency = (time.monotonic() - t0) * 1000.0
                stats.latencies_ms.append(latency)
                status = resp.status_code
                stats.status_counts[status] += 1
                if status in s.ok_status:
                    journal.record(item.key, item.call_id, "delivered", attempt + 1, status, "", latency)
                    stats.delivered += 1
                    return
                retry = retryable_status(status)
                reason = f"HTTP {status}"
                if 300 <= status < 400:
                    reason += " (redirects are not followed: use the final URL)"
                body = _excerpt(resp)
                if body:
                    reason += f": {body}"
                if retry:
                    wait = retry_after(resp.headers.get("retry-after"))
        if not retry or attempt >= s.retries:
            code = "E0808" if retry else "E0807"
            if retry:
                reason = f"gave up after {attempt + 1} attempts; last: {reason}"
            reason = redactor.text(reason)
            journal.record(item.key, item.call_id, "failed", attempt + 1, status, reason, latency)
            stats.failures.append(Failure(item.call_id, item.key, code, reason, status, attempt + 1))
            return
        await asyncio.sleep(wait if wait is not None else backoff(attempt, s.backoff_base, s.backoff_max, rng))
        attempt += 1
        stats.retried += 1
