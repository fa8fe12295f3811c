"""Tokens and cost, before and after a build. Before: `corpusc plan` renders
each call's first-round prompts (the very messages the build will send) and
estimates their tokens, the completion from the planned words, and what a
provider's prompt cache will serve (the shared system prefix, once it is long
enough to be cached); the price comes from prices.json or the spec's
`price_*` options. After: the journal the client writes (cache.py) is summed
for the requests this build made."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from corpusc.plan.model import Call, Header
from corpusc.render.llm import outline as O
from corpusc.render.llm import prompt
from corpusc.render.llm.client import estimate_tokens
from corpusc.render.llm.options import LlmOptions

PRICES = Path(__file__).parent / "prices.json"
TOKENS_PER_WORD = 1.35  # English and German prose with a tokenizer of the GPT-4o family, roughly
TURN_OVERHEAD = 14  # tokens of JSON around a turn: `"t12": {"speaker": "...", "text": "", "carries": []}`
TAG_OVERHEAD = 30  # one `{"id": "b3", "quote": "..."}` with a sentence quoted
CACHEABLE = 1024  # providers cache a prompt prefix from this many tokens


@dataclass
class Estimate:
    requests: int = 0
    prompt_tokens: int = 0
    cached_tokens: int = 0
    completion_tokens: int = 0
    usd: float | None = None
    price: dict[str, float] | None = None


def price(opts: LlmOptions) -> dict[str, float] | None:
    table = json.loads(PRICES.read_text(encoding="utf-8"))
    base = dict(table.get(opts.model) or {})
    for k in ("input", "cached_input", "output"):
        v = getattr(opts, f"price_{k}")
        if v is not None:
            base[k] = v
    if "input" not in base or "output" not in base:
        return None
    base.setdefault("cached_input", base["input"])
    return base


def usd(p: dict[str, float] | None, prompt_tokens: int, cached: int, completion: int) -> float | None:
    if p is None:
        return None
    return ((prompt_tokens - cached) * p["input"] + cached * p["cached_input"] + completion * p["output"]) / 1e6


def estimate(calls: Iterable[Call], header: Header, options: dict[str, Any]) -> Estimate:
    """First-round requests only: repairs come on top, a cached rebuild costs nothing."""
    opts = LlmOptions.model_validate(options)
    est = Estimate(price=price(opts))
    system_seen = False
    strict = opts.structured == "strict"
    for call in calls:
        for seg in O.segments(call, opts.segments):
            msgs = prompt.messages(call, header, seg, [], strict, opts.prompts)
            est.requests += 1
            est.prompt_tokens += estimate_tokens(msgs)
            if strict:
                est.prompt_tokens += len(json.dumps(O.schema(call, seg))) // 4
            sys_tokens = estimate_tokens(msgs[:1])
            if system_seen and sys_tokens >= CACHEABLE:
                est.cached_tokens += sys_tokens
            system_seen = True
            est.completion_tokens += round(O.target_words(call, seg) * TOKENS_PER_WORD) + \
                TURN_OVERHEAD * len(seg.turns) + TAG_OVERHEAD * len(seg.items)
    est.usd = usd(est.price, est.prompt_tokens, est.cached_tokens, est.completion_tokens)
    return est


def folder(options: dict[str, Any], out: Path) -> Path:
    """Where the build's cache and journal are."""
    opts = LlmOptions.model_validate(options)
    return Path(opts.cache) if opts.cache else Path(out) / ".corpusc" / "llm"


def recorded(options: dict[str, Any], out: Path, since: int) -> tuple[Estimate, dict[str, int]]:
    """What the journal records after byte `since`: requests and tokens made,
    their cost, and how many calls ended each way (ok, repaired, fallback, failed)."""
    opts = LlmOptions.model_validate(options)
    p = folder(options, out) / "journal.jsonl"
    got = Estimate(price=price(opts))
    outcomes: dict[str, int] = {}
    if not p.is_file():
        return got, outcomes
    with open(p, "rb") as f:
        f.seek(since)
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if "outcome" in e:
                outcomes[e["outcome"]] = outcomes.get(e["outcome"], 0) + 1
            else:
                got.requests += 1
                got.prompt_tokens += e.get("prompt_tokens", 0)
                got.cached_tokens += e.get("cached_tokens", 0)
                got.completion_tokens += e.get("completion_tokens", 0)
    got.usd = usd(got.price, got.prompt_tokens, got.cached_tokens, got.completion_tokens)
    return got, outcomes


def journal_size(options: dict[str, Any], out: Path) -> int:
    p = folder(options, out) / "journal.jsonl"
    return p.stat().st_size if p.is_file() else 0


def describe(e: Estimate, about: str = "~", cached: str = "cacheable") -> str:
    money = f", {about}${e.usd:.2f}" if e.usd is not None else \
        " (no price for this model: set price_input / price_output)"
    return (f"{e.requests} requests, {about}{e.prompt_tokens:,} prompt tokens ({e.cached_tokens:,} {cached}), "
            f"{about}{e.completion_tokens:,} completion tokens{money}")
