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
from functools import lru_cache
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
    batch_usd: float | None = None  # the same requests through the Batch API


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    return json.loads(PRICES.read_text(encoding="utf-8"))


@lru_cache(maxsize=64)
def price(opts: LlmOptions) -> dict[str, float] | None:
    """USD per million tokens (input, cached_input, output) and the Batch API's
    discount (`batch_discount`, the fraction taken off), from the table or the spec."""
    table = _table()
    base = dict(table.get(opts.model) or {})
    for k in ("input", "cached_input", "output"):
        v = getattr(opts, f"price_{k}")
        if v is not None:
            base[k] = v
    if "input" not in base or "output" not in base:
        return None
    base.setdefault("cached_input", base["input"])
    base["batch_discount"] = opts.batch_discount if opts.batch_discount is not None else \
        base.get("batch_discount", table.get("batch_discount", 0.0))
    return base


def usd(p: dict[str, float] | None, prompt_tokens: int, cached: int, completion: int,
        batch: bool = False) -> float | None:
    """The cost of tokens at `p`; answers of the Batch API at its discount."""
    if p is None:
        return None
    full = ((prompt_tokens - cached) * p["input"] + cached * p["cached_input"] + completion * p["output"]) / 1e6
    return full * (1.0 - p.get("batch_discount", 0.0)) if batch else full


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
    est.batch_usd = usd(est.price, est.prompt_tokens, est.cached_tokens, est.completion_tokens, batch=True)
    return est


def folder(options: dict[str, Any], out: Path) -> Path:
    """Where the build's cache and journal are."""
    opts = LlmOptions.model_validate(options)
    return Path(opts.cache) if opts.cache else Path(out) / ".corpusc" / "llm"


def recorded(options: dict[str, Any], out: Path, since: int) -> tuple[Estimate, dict[str, int]]:
    """What the journal records after byte `since`: requests and tokens made,
    their cost (answers of the Batch API at its discount), and how many calls
    ended each way (ok, repaired, fallback, failed)."""
    opts = LlmOptions.model_validate(options)
    p = folder(options, out) / "journal.jsonl"
    got = Estimate(price=price(opts))
    got.usd = 0.0 if got.price is not None else None
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
            elif "prompt_tokens" in e:
                got.requests += 1
                got.prompt_tokens += e.get("prompt_tokens", 0)
                got.cached_tokens += e.get("cached_tokens", 0)
                got.completion_tokens += e.get("completion_tokens", 0)
                if got.usd is not None:
                    got.usd += usd(got.price, e.get("prompt_tokens", 0), e.get("cached_tokens", 0),
                                   e.get("completion_tokens", 0), batch=bool(e.get("batch"))) or 0.0
    return got, outcomes


def journal_size(options: dict[str, Any], out: Path) -> int:
    p = folder(options, out) / "journal.jsonl"
    return p.stat().st_size if p.is_file() else 0


def describe(e: Estimate, about: str = "~", cached: str = "cacheable") -> str:
    money = f", {about}${e.usd:.2f}" if e.usd is not None else \
        " (no price for this model: set price_input / price_output)"
    if e.batch_usd is not None and about:
        money += f" (~${e.batch_usd:.2f} through the Batch API)"
    return (f"{e.requests} requests, {about}{e.prompt_tokens:,} prompt tokens ({e.cached_tokens:,} {cached}), "
            f"{about}{e.completion_tokens:,} completion tokens{money}")


# ---- per call, for manifest.json ----------------------------------------------------

def manifest_section(out: Path, options: dict[str, Any], ids: Iterable[str]) -> dict[str, Any] | None:
    """manifest.json's `llm`: per call of the corpus (`ids`) its requests,
    repairs, tokens, cost and fallback flag as last rendered, and their total.
    The records file is rewritten with those lines only (a rebuild's superseded
    lines go). None when no call has a record."""
    from corpusc.plan.atomic import write_output
    from corpusc.render.llm.cache import CALLS
    p = Path(out) / ".corpusc" / CALLS
    if not p.is_file():
        return None
    last: dict[str, dict] = {}
    for line in p.read_text(encoding="utf-8").splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            continue  # a line torn by a killed worker
        if isinstance(e, dict) and isinstance(e.get("call"), str):
            last[e["call"]] = e
    calls = {cid: last[cid] for cid in ids if cid in last}
    write_output(p, "".join(json.dumps(e, sort_keys=True) + "\n" for e in calls.values()).encode())
    if not calls:
        return None
    opts = LlmOptions.model_validate(options)
    keys = ("requests", "repairs", "prompt_tokens", "cached_tokens", "completion_tokens")
    total: dict[str, Any] = {k: sum(e.get(k, 0) for e in calls.values()) for k in keys}
    total["fallbacks"] = sum(1 for e in calls.values() if e.get("fallback"))
    total["batch"] = sum(1 for e in calls.values() if e.get("batch"))
    costs = [e.get("usd") for e in calls.values()]
    total["usd"] = round(sum(costs), 8) if price(opts) is not None and None not in costs else None
    return {"model": opts.model, "calls": {cid: {k: v for k, v in sorted(e.items()) if k != "call"}
                                           for cid, e in sorted(calls.items())},
            "total": {"calls": len(calls), **total}}
