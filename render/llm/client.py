"""Chat completions through the openai SDK's async client (any
OpenAI-compatible `base_url`): bounded concurrency, request and token budgets
per minute, a pause when a server's `x-ratelimit-remaining-*` header says a
budget is spent, retries of 429, 5xx and lost connections that honour
`Retry-After` / `retry-after-ms`, and the cache in front of it all. A
`finish_reason` of `length` or `content_filter` comes back as such, for the
renderer to treat as a failure. The key is read from the environment
variable the options name, kept in memory, and scrubbed from every message
built from a server's answer."""

from __future__ import annotations

import asyncio
import collections
import email.utils
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpusc.render.llm.cache import Cache, key as cache_key, record_call
from corpusc.render.llm.errors import LlmError
from corpusc.render.llm.options import LlmOptions

MAX_ATTEMPTS = 6
MAX_WAIT = 60.0
OFFLINE_ENV = "CORPUSC_OFFLINE"  # set by `corpusc build --offline`: answers come from the cache only


class Deferred(Exception):
    """A batch round's cache miss: queued for the next batch (batch.py) instead of sent."""


def custom_id(tag: dict[str, Any]) -> str:
    """A batch request's id: call:segment:attempt (and :judge for a judge's question)."""
    return f"{tag.get('call')}:{tag.get('segment', 0)}:{tag.get('attempt', 0)}" + (":judge" if tag.get("judge") else "")


@dataclass
class Answer:
    content: str
    finish_reason: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    from_cache: bool = False
    batch: bool = False  # answered through the Batch API (priced at its discount)


def offline() -> bool:
    return os.environ.get(OFFLINE_ENV, "") not in ("", "0")


def estimate_tokens(messages: list[dict[str, str]]) -> int:
    """About four characters a token: the budget's estimate before the server counts."""
    return sum(len(m.get("content") or "") for m in messages) // 4 + 4 * len(messages)


class Client:
    """One per build process and options; its asyncio primitives belong to the loop that first uses them."""

    def __init__(self, opts: LlmOptions, cache: Cache, out: Path | None = None) -> None:
        self.opts = opts
        self.cache = cache
        self.out = out  # the build's output folder: per-call records for manifest.json
        # a batch round (batch.py): cache misses are queued here (key -> (custom_id, body)) instead of sent;
        # `pending` are the keys already in a batch being answered
        self.defer = None  # a batch.Spool while a round runs
        self.pending: set[str] = set()
        self.requests = 0  # made by this process (tests and the benchmark read it)
        self._sdk = None
        self._key = ""
        self._sem: asyncio.Semaphore | None = None
        self._budget: asyncio.Lock | None = None
        self._sent: collections.deque[tuple[float, int]] = collections.deque()
        self._pause_until = 0.0  # monotonic time before which nothing is sent (rate-limit headers)

    def sdk(self):
        """The openai SDK's async client (the key read now: E0731 when it is not set)."""
        return self._client()

    async def call(self, make, what: str):
        """One Batch API request (`make()` returns its awaitable), retried as chat requests are."""
        import openai
        delay = 0.5
        for attempt in range(MAX_ATTEMPTS):
            last = attempt == MAX_ATTEMPTS - 1
            try:
                self.requests += 1
                return await make()
            except openai.APIStatusError as e:
                if (e.status_code != 429 and e.status_code < 500) or last:
                    raise self._failed({"what": f"the Batch API ({what})"}, f"HTTP {e.status_code}", e)
                wait = retry_after(e.response) or delay
            except (openai.APIConnectionError, openai.APITimeoutError) as e:
                if last:
                    raise self._failed({"what": f"the Batch API ({what})"}, "no connection", e)
                wait = delay
            await asyncio.sleep(min(wait, MAX_WAIT))
            delay = min(delay * 2, MAX_WAIT)

    def _client(self):
        if self._sdk is None:
            key = os.environ.get(self.opts.api_key_env, "").strip()
            if not key:
                raise LlmError("E0731", f"`engine llm` needs an API key in the {self.opts.api_key_env} environment "
                               "variable, and it is not set",
                               help=f"export {self.opts.api_key_env}=... (read from the environment only, never "
                                    "written anywhere); a local server that needs none takes any value, e.g. "
                                    f"{self.opts.api_key_env}=none; or build --offline from the cache")
            import openai
            self._key = key
            base = self.opts.base_url or os.environ.get("OPENAI_BASE_URL") or None
            http = openai.DefaultAsyncHttpxClient(event_hooks={"response": [self._limits]})
            self._sdk = openai.AsyncOpenAI(api_key=key, base_url=base, max_retries=0, timeout=300.0, http_client=http)
        return self._sdk

    async def _limits(self, response) -> None:
        """A server's rate-limit headers on any answer: when a budget is spent
        (`x-ratelimit-remaining-requests: 0`, or of tokens), no request is sent
        before it resets (`x-ratelimit-reset-requests: 6m0s`)."""
        h = response.headers
        for kind in ("requests", "tokens"):
            if (h.get(f"x-ratelimit-remaining-{kind}") or "").strip() == "0":
                wait = reset_seconds(h.get(f"x-ratelimit-reset-{kind}") or "")
                if wait:
                    self._pause_until = max(self._pause_until, time.monotonic() + min(wait, MAX_WAIT))

    def note(self, entry: dict[str, Any]) -> None:
        """A call's outcome in the journal (not for a batch round's trial pass)."""
        if self.defer is None:
            self.cache.journal(entry)

    def record(self, entry: dict[str, Any]) -> None:
        """One rendered call's requests, tokens and cost (cost.manifest_section reads them)."""
        if self.out is not None and self.defer is None:
            record_call(self.out, entry)

    def scrub(self, text: str) -> str:
        return text.replace(self._key, "***") if self._key else text

    async def complete(self, body: dict[str, Any], tag: dict[str, Any]) -> Answer:
        """The answer to `body` (a chat.completions.create request), from the cache or the server."""
        k = cache_key(body)
        hit = self.cache.get(k)
        if hit is not None:
            return Answer(**{**hit, "from_cache": True})
        if self.defer is not None:
            if k not in self.pending:
                self.defer[k] = (custom_id(tag), body)
            raise Deferred(k)
        if offline():
            raise LlmError("E0734", f"call {tag.get('call')}: no cached answer and the build is --offline",
                           help="build once without --offline (with the API key set) to fill the cache in "
                                "OUT/.corpusc/llm/, or point `cache` at a folder that has it")
        sdk = self._client()
        if self._sem is None:
            self._sem = asyncio.Semaphore(self.opts.max_concurrency)
            self._budget = asyncio.Lock()
        async with self._sem:
            while (pause := self._pause_until - time.monotonic()) > 0:
                await asyncio.sleep(pause)
            await self._admit(estimate_tokens(body["messages"]) + body.get("max_tokens", 0) // 4)
            ans = await self._send(sdk, body, tag)
        self.cache.put(k, {kk: v for kk, v in ans.__dict__.items() if kk != "from_cache"})
        self.cache.journal({**tag, "key": k, "model": body["model"], "finish_reason": ans.finish_reason,
                            "prompt_tokens": ans.prompt_tokens, "completion_tokens": ans.completion_tokens,
                            "cached_tokens": ans.cached_tokens})
        return ans

    async def _admit(self, tokens: int) -> None:
        """Wait until the per-minute request and token budgets allow one more request."""
        rpm, tpm = self.opts.requests_per_minute, self.opts.tokens_per_minute
        if rpm is None and tpm is None:
            return
        assert self._budget is not None
        async with self._budget:
            while True:
                now = time.monotonic()
                while self._sent and now - self._sent[0][0] >= 60.0:
                    self._sent.popleft()
                n_ok = rpm is None or len(self._sent) < rpm
                t_ok = tpm is None or not self._sent or sum(t for _, t in self._sent) + tokens <= tpm
                if n_ok and t_ok:
                    self._sent.append((now, tokens))
                    return
                await asyncio.sleep(max(0.01, 60.0 - (now - self._sent[0][0])))

    async def _send(self, sdk, body: dict[str, Any], tag: dict[str, Any]) -> Answer:
        import openai
        from openai.types.chat import ChatCompletion
        delay = 0.5
        for attempt in range(MAX_ATTEMPTS):
            last = attempt == MAX_ATTEMPTS - 1
            try:
                self.requests += 1
                # the SDK's low-level post: its per-request walk of the typed
                # parameters (several ms for a call's messages and schema) is
                # skipped; errors, retries and parsing are the SDK's as ever
                r = await sdk.post("/chat/completions", cast_to=ChatCompletion, body=body)
                break
            except openai.APIStatusError as e:
                if (e.status_code != 429 and e.status_code < 500) or last:
                    raise self._failed(tag, f"HTTP {e.status_code}", e)
                wait = retry_after(e.response) or delay
            except (openai.APIConnectionError, openai.APITimeoutError) as e:
                if last:
                    raise self._failed(tag, "no connection", e)
                wait = delay
            await asyncio.sleep(min(wait, MAX_WAIT))
            delay = min(delay * 2, MAX_WAIT)
        if not r.choices:
            raise LlmError("E0732", f"call {tag.get('call')}: the server answered with no choices")
        choice = r.choices[0]
        u = r.usage
        cached = 0
        if u is not None and getattr(u, "prompt_tokens_details", None) is not None:
            cached = getattr(u.prompt_tokens_details, "cached_tokens", 0) or 0
        return Answer(content=choice.message.content or "", finish_reason=choice.finish_reason or "stop",
                      prompt_tokens=getattr(u, "prompt_tokens", 0) or 0,
                      completion_tokens=getattr(u, "completion_tokens", 0) or 0, cached_tokens=cached)

    def _failed(self, tag: dict, what: str, e: Exception) -> LlmError:
        msg = self.scrub(str(getattr(e, "message", "") or e))
        base = self.opts.base_url or os.environ.get("OPENAI_BASE_URL") or "the OpenAI API"
        hint = (f"check that {self.opts.api_key_env} is valid and the model `{self.opts.model}` is served at {base}"
                if what in ("HTTP 401", "HTTP 403", "HTTP 404") else
                "retry later; answers already received are cached, so a rebuild asks only for the rest")
        who = tag.get("what") or f"call {tag.get('call')}"
        return LlmError("E0732", f"{who}: request to {base} failed ({what}): {msg[:200]}", help=hint)


def retry_after(resp) -> float | None:
    """Seconds to wait from `retry-after-ms`, or `Retry-After` (seconds or an HTTP date)."""
    if resp is None:
        return None
    h = resp.headers
    ms = h.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    ra = h.get("retry-after")
    if not ra:
        return None
    try:
        return max(0.0, float(ra))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(ra)
            return max(0.0, when.timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def reset_seconds(value: str) -> float | None:
    """OpenAI's reset durations ("1s", "6m0s", "20ms", "1h2m3.5s") in seconds."""
    import re
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", value)
    if not parts:
        return None
    scale = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
    return sum(float(n) * scale[u] for n, u in parts)
