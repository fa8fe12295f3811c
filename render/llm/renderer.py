"""`engine llm`: dialogue written by any OpenAI-compatible model, with the
plan's turns, speakers, beats, moments and cues kept by construction or
verified after generation (see docs/llm.md).

The renderer protocol renders one call at a time; `render_many` renders a
batch concurrently (up to `max_concurrency` requests in flight) and is what
makes a build fast when the build hands it several calls. A build tells the
renderer its output folder through `bind`, so the cache lives in
`OUT/.corpusc/llm/` unless the spec names a shared `cache` folder."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any

from corpusc.plan.model import Call, Header
from corpusc.render.llm import lexicon, prompt
from corpusc.render.llm.cache import Cache
from corpusc.render.llm.client import Client
from corpusc.render.llm.options import LlmOptions
from corpusc.render.model import RenderedCall


class Llm:
    name = "llm"
    version = "1"
    Options = LlmOptions

    def __init__(self) -> None:
        self.out: Path | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._clients: dict[str, Client] = {}
        self._ready: dict[str, RenderedCall] = {}

    def locales(self) -> tuple[str, ...]:
        return lexicon.locales()

    def data_locale(self, locale: str) -> str | None:
        return lexicon.data_locale(locale)

    def fingerprint(self, locale: str, options: dict[str, Any]) -> str:
        """The prompt templates in use and the locale's verification lexicon."""
        h = hashlib.sha256(prompt.digest(options.get("prompts")).encode())
        loc = self.data_locale(locale)
        if loc is not None:
            h.update((lexicon.FOLDER / f"{loc}.json").read_bytes())
        return h.hexdigest()

    def bind(self, out: Path) -> None:
        """The build's output folder (the default cache lives under it)."""
        self.out = Path(out)

    def client(self, options: dict[str, Any]) -> Client:
        """One client per options (and so per cache folder) in this process."""
        opts = LlmOptions.model_validate(options)
        k = json.dumps(opts.model_dump(mode="json"), sort_keys=True) + str(self.out)
        c = self._clients.get(k)
        if c is None:
            folder = Path(opts.cache) if opts.cache else (self.out / ".corpusc" / "llm" if self.out else None)
            c = self._clients[k] = Client(opts, Cache(folder), self.out)
        return c

    def render(self, call: Call, header: Header, options: dict[str, Any]) -> RenderedCall:
        ready = self._ready.pop(call.id, None)
        return ready if ready is not None else self.render_many([call], header, options)[0]

    def prefetch_size(self, options: dict[str, Any]) -> int:
        """How many calls a build hands `prefetch` at once: enough to keep every request slot busy."""
        return 4 * LlmOptions.model_validate(options).max_concurrency

    def prefetch(self, calls: list[Call], header: Header, options: dict[str, Any]) -> None:
        """Render `calls` concurrently now; `render` returns them (a build calls this per chunk)."""
        self._ready = dict(zip((c.id for c in calls), self.render_many(calls, header, options)))

    def render_many(self, calls: list[Call], header: Header, options: dict[str, Any]) -> list[RenderedCall]:
        """The calls rendered concurrently, in order; the first failure (E073x) is raised."""
        from corpusc.render.llm.generate import render_call
        client = self.client(options)
        if self._loop is None:
            self._loop = asyncio.new_event_loop()

        async def all_of() -> list[RenderedCall]:
            return list(await asyncio.gather(*(render_call(c, header, client.opts, client) for c in calls)))
        return self._loop.run_until_complete(all_of())

    def batch(self, action: str, calls, header: Header, options: dict[str, Any]):
        """The Batch API (render/llm/batch.py): `collect` collects finished
        batches and submits what the calls still need (a batch.Report);
        `status` polls the recorded batches (their status lines)."""
        from corpusc.render.llm import batch
        client = self.client(options)
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        if action == "status":
            return self._loop.run_until_complete(batch.poll(client))
        return self._loop.run_until_complete(batch.step(client, list(calls), header))

    def batches_recorded(self, options: dict[str, Any]) -> bool:
        from corpusc.render.llm import batch
        return (batch.folder(self.client(options)) / batch.STATE).is_file()

    def batches_waiting(self, out: Path, options: dict[str, Any]) -> int:
        """Batches submitted for `out` and not collected yet (an online build would pay for them again)."""
        from corpusc.render.llm import batch
        self.bind(out)
        if not self.batches_recorded(options):
            return 0
        return sum(1 for b in batch.load(self.client(options))["batches"] if not b.get("collected"))

    def estimate(self, calls, header: Header, options: dict[str, Any]) -> str:
        """`corpusc plan`'s line: first-round requests, tokens and cost (render/llm/cost.py)."""
        from corpusc.render.llm import cost
        return "LLM estimate (first round, before repairs): " + cost.describe(cost.estimate(calls, header, options))

    def journal_mark(self, out: Path, options: dict[str, Any]) -> int:
        from corpusc.render.llm import cost
        return cost.journal_size(options, out)

    def usage(self, out: Path, options: dict[str, Any], mark: int) -> str:
        """`corpusc build`'s line: what this build asked for (the journal after `mark`) and how calls ended."""
        from corpusc.render.llm import cost
        got, outcomes = cost.recorded(options, out, mark)
        ends = ", ".join(f"{n} {k}" for k, n in sorted(outcomes.items())) or "no call rendered"
        line = f"LLM: {cost.describe(got, about='', cached='cached')} made by this build; calls: {ends}"
        try:
            total = json.loads((Path(out) / "manifest.json").read_text(encoding="utf-8"))["llm"]["total"]
        except (OSError, ValueError, KeyError, TypeError):
            total = None
        if total:
            money = f"${total['usd']:.2f}" if total.get("usd") is not None else "no price"
            line += (f"\nLLM corpus total (manifest.json): {total['calls']} calls, {total['requests']} requests, "
                     f"{total['repairs']} repairs, {total['prompt_tokens']:,} prompt tokens "
                     f"({total['cached_tokens']:,} cached), {total['completion_tokens']:,} completion tokens, "
                     f"{money}; {total['fallbacks']} fallback(s)")
        return line

    def manifest_section(self, out: Path, options: dict[str, Any], ids) -> dict[str, Any] | None:
        """manifest.json's `llm`: each call's requests, repairs, tokens, cost and fallback flag, and the total."""
        from corpusc.render.llm import cost
        return cost.manifest_section(out, options, ids)

    def over_budget(self, calls, header: Header, options: dict[str, Any]) -> str | None:
        """Why the spec's `budget` is exceeded by the estimate, or cannot be checked; None when within it."""
        from corpusc.render.llm import cost
        budget = LlmOptions.model_validate(options).budget
        if budget is None:
            return None
        est = cost.estimate(calls, header, options)
        if est.usd is None:
            return (f"the budget of ${budget:,.2f} cannot be checked: no price for model "
                    f"`{options.get('model', LlmOptions().model)}` (set price_input and price_output)")
        if est.usd > budget:
            return f"the estimated cost ${est.usd:,.2f} exceeds the budget of ${budget:,.2f} ({cost.describe(est)})"
        return None

