"""The Batch API (`corpusc build --batch`): the same requests as a build
makes online, sent as files of requests and answered within 24 hours at the
provider's discount.

A round renders every call with a client that answers from the cache and
*defers* a miss instead of sending it (`Deferred`): the calls whose answers
are all cached are verified, repaired or fallen back exactly as online (the
same generate.py), and the deferred requests - first rounds, the next
segment, repairs with attempt+1, judge questions - are written to request
files (OpenAI's batch JSONL, at most 50,000 requests or 200 MB a file,
`custom_id` = call:segment:attempt), uploaded (`/v1/files`, purpose batch) and
submitted (`/v1/batches`, `/v1/chat/completions`, window 24h). Every step is
recorded in `OUT/.corpusc/llm/batch/batches.json` the moment it happens, so a
process killed anywhere resumes: a file not yet uploaded is uploaded, a batch
created but not recorded is found again by its input file (never submitted
twice). Collecting downloads a finished batch's output and error files and
puts each answer in the cache under its request's key, as if it had been
answered online; the next round then verifies them. A request the batch
answered with an error is asked again in the next round, at most
MAX_TRIES times."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpusc.plan.atomic import write_output
from corpusc.render.llm.cache import key as cache_key
from corpusc.render.llm.client import Answer, Client, Deferred
from corpusc.render.llm.errors import LlmError

MAX_REQUESTS = 50_000  # per request file (the OpenAI Batch API's limit)
MAX_BYTES = 200 * 1024 * 1024  # per request file
MAX_TRIES = 3  # a request a batch answers with an error is sent again, this many times in all
ENDPOINT = "/v1/chat/completions"
WINDOW = "24h"
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
STATE = "batches.json"


@dataclass
class Round:
    """What one pass over the calls found."""
    deferred: dict[str, tuple[str, dict]] = field(default_factory=dict)  # cache key -> (custom_id, body)
    waiting: int = 0  # calls whose next request is in a batch not collected yet (or just deferred)
    done: int = 0  # calls whose every answer is cached and which passed (or fell back)
    failed: list[LlmError] = field(default_factory=list)  # `fallback fail` calls, E0733


def folder(client: Client) -> Path:
    assert client.out is not None
    return client.out / ".corpusc" / "llm" / "batch"


def load(client: Client) -> dict[str, Any]:
    p = folder(client) / STATE
    if p.is_file():
        return json.loads(p.read_text(encoding="utf-8"))
    return {"round": 0, "batches": [], "errors": {}}


def save(client: Client, state: dict[str, Any]) -> None:
    write_output(folder(client) / STATE, (json.dumps(state, indent=1, sort_keys=True) + "\n").encode())


def parse_id(cid: str) -> dict[str, Any]:
    """custom_id -> the journal's tag (call, segment, attempt, judge)."""
    parts = cid.split("#")[0].split(":")
    judge = parts[-1] == "judge"
    if judge:
        parts = parts[:-1]
    return {"call": ":".join(parts[:-2]), "segment": int(parts[-2]), "attempt": int(parts[-1]),
            **({"judge": True} if judge else {})}


def pending_keys(client: Client, state: dict[str, Any]) -> set[str]:
    """The cache keys of requests in batches not collected yet (not to be submitted again)."""
    out: set[str] = set()
    for b in state["batches"]:
        if not b.get("collected"):
            out.update(cache_key(line["body"]) for line in _lines(folder(client) / b["file"]))
    return out


async def plan_round(calls, header, client: Client) -> Round:
    """Every call rendered from the cache, deferring what is missing (see the module's docstring)."""
    from corpusc.render.llm.generate import render_call
    rnd = Round()
    client.defer = rnd.deferred
    try:
        async def one(call) -> None:
            try:
                await render_call(call, header, client.opts, client)
                rnd.done += 1
            except Deferred:
                rnd.waiting += 1
            except LlmError as e:
                if e.code != "E0733":
                    raise
                rnd.failed.append(e)
        for i in range(0, len(calls), 256):
            await asyncio.gather(*(one(c) for c in calls[i:i + 256]))
    finally:
        client.defer = None
    return rnd


def split(requests: list[tuple[str, dict]]) -> list[list[bytes]]:
    """Request lines in files of at most MAX_REQUESTS lines and MAX_BYTES bytes."""
    files: list[list[bytes]] = [[]]
    size = 0
    seen: set[str] = set()
    for cid, body in requests:
        n, k = cid, 1
        while n in seen:  # unique within a submission (the same call, segment and attempt asked twice)
            k += 1
            n = f"{cid}#{k}"
        seen.add(n)
        line = (json.dumps({"custom_id": n, "method": "POST", "url": ENDPOINT, "body": body},
                           ensure_ascii=False, sort_keys=True) + "\n").encode()
        if files[-1] and (len(files[-1]) >= MAX_REQUESTS or size + len(line) > MAX_BYTES):
            files.append([])
            size = 0
        files[-1].append(line)
        size += len(line)
    return [f for f in files if f]


async def submit(client: Client, state: dict[str, Any], rnd: Round) -> list[dict]:
    """Write the round's request files, record them, then upload and create their batches."""
    errors = state.setdefault("errors", {})
    for k, (cid, _) in rnd.deferred.items():
        if errors.get(k, {}).get("tries", 0) >= MAX_TRIES:
            raise LlmError("E0732", f"call {cid.split(':')[0]}: the Batch API answered its request with an error "
                                    f"{errors[k]['tries']} times: {errors[k]['message'][:200]}",
                           help="check the model and options of `emit transcripts`, or build without --batch")
    state["round"] = number = state.get("round", 0) + 1
    made = []
    for n, lines in enumerate(split(sorted(rnd.deferred.values(), key=lambda x: x[0]))):
        name = f"round{number:03d}-{n + 1:03d}.jsonl"
        write_output(folder(client) / name, b"".join(lines))
        made.append({"file": name, "round": number, "requests": len(lines)})
    state["batches"] += made
    save(client, state)
    await advance(client, state)
    return made


async def advance(client: Client, state: dict[str, Any]) -> None:
    """Finish what a killed process left: upload recorded files, create their batches (once)."""
    sdk = client.sdk()
    for b in state["batches"]:
        if b.get("collected"):
            continue
        if not b.get("input_file_id"):
            data = (folder(client) / b["file"]).read_bytes()
            f = await client.call(lambda: sdk.files.create(file=(b["file"], data, "application/jsonl"),
                                                           purpose="batch"), "upload a request file")
            b["input_file_id"] = f.id
            save(client, state)
        if not b.get("id"):
            found = await _created(client, b["input_file_id"]) if b.get("creating") else None
            if found is None:
                b["creating"] = True  # a process killed from here on may have created it: look first
                save(client, state)
                found = await client.call(lambda: sdk.batches.create(
                    input_file_id=b["input_file_id"], endpoint=ENDPOINT, completion_window=WINDOW,
                    metadata={"corpusc_file": b["file"]}), "create a batch")
            b["id"], b["status"] = found.id, found.status
            b.pop("creating", None)
            save(client, state)


async def _created(client: Client, input_file_id: str):
    """A batch already created for this file (by a process killed before it recorded the id)."""
    sdk = client.sdk()
    page = await client.call(lambda: sdk.batches.list(limit=100), "list batches")
    async for b in page:
        if b.input_file_id == input_file_id:
            return b
    return None


async def collect(client: Client, state: dict[str, Any]) -> tuple[int, int]:
    """Poll every recorded batch; download the answers of those finished into
    the cache (journalled, at the batch price). Returns (answers collected now,
    batches still running)."""
    await advance(client, state)
    sdk = client.sdk()
    got = running = 0
    for b in state["batches"]:
        if b.get("collected"):
            continue
        info = await client.call(lambda: sdk.batches.retrieve(b["id"]), "poll a batch")
        b["status"] = info.status
        counts = info.request_counts
        if counts is not None:
            b["counts"] = {"total": counts.total, "completed": counts.completed, "failed": counts.failed}
        if info.status not in TERMINAL:
            running += 1
            save(client, state)
            continue
        bodies = {json.loads(line)["custom_id"]: json.loads(line)["body"]
                  for line in (folder(client) / b["file"]).read_bytes().splitlines() if line.strip()}
        answered: set[str] = set()
        for fid in (info.output_file_id, info.error_file_id):
            if not fid:
                continue
            content = await client.call(lambda: sdk.files.content(fid), "download a batch's results")
            for line in content.read().splitlines():
                if line.strip():
                    cid = _result(client, state, bodies, json.loads(line))
                    if cid:
                        answered.add(cid)
        for cid in bodies.keys() - answered:  # expired, cancelled, failed validation: asked again
            _error(state, cache_key(bodies[cid]), f"batch {info.status}" + _errors(info))
        got += len(answered)
        b["collected"] = True
        save(client, state)
    return got, running


def _result(client: Client, state: dict, bodies: dict[str, dict], row: dict) -> str | None:
    """One line of an output or error file: an answer to cache, or an error to count."""
    cid = row.get("custom_id")
    body = bodies.get(cid)
    if body is None:
        return None
    k = cache_key(body)
    resp = row.get("response") or {}
    if resp.get("status_code") == 200 and isinstance(resp.get("body"), dict) and not row.get("error"):
        doc = resp["body"]
        choices = doc.get("choices") or []
        if choices:
            u = doc.get("usage") or {}
            ans = Answer(content=(choices[0].get("message") or {}).get("content") or "",
                         finish_reason=choices[0].get("finish_reason") or "stop",
                         prompt_tokens=u.get("prompt_tokens", 0) or 0,
                         completion_tokens=u.get("completion_tokens", 0) or 0,
                         cached_tokens=(u.get("prompt_tokens_details") or {}).get("cached_tokens", 0) or 0,
                         batch=True)
            client.cache.put(k, {kk: v for kk, v in ans.__dict__.items() if kk != "from_cache"})
            client.cache.journal({**parse_id(cid), "batch": True, "key": k, "model": body["model"],
                                  "finish_reason": ans.finish_reason, "prompt_tokens": ans.prompt_tokens,
                                  "completion_tokens": ans.completion_tokens, "cached_tokens": ans.cached_tokens})
            state.get("errors", {}).pop(k, None)
            return cid
    err = row.get("error") or (resp.get("body") or {}).get("error") or {}
    msg = client.scrub(str(err.get("message") or err or f"HTTP {resp.get('status_code')}"))
    _error(state, k, f"HTTP {resp.get('status_code')}: {msg}" if resp.get("status_code") else msg)
    return cid


def _error(state: dict, k: str, message: str) -> None:
    e = state.setdefault("errors", {}).setdefault(k, {"tries": 0})
    e["tries"] += 1
    e["message"] = message


def _errors(info) -> str:
    data = getattr(getattr(info, "errors", None), "data", None) or []
    return (": " + "; ".join(str(getattr(d, "message", d)) for d in data[:3])) if data else ""


def _lines(p: Path) -> list[dict]:
    return [json.loads(x) for x in p.read_bytes().splitlines() if x.strip()] if p.is_file() else []


def status_lines(state: dict[str, Any]) -> list[str]:
    """One line per recorded batch, for `corpusc batch status` and `build --batch`."""
    out = []
    for b in state["batches"]:
        c = b.get("counts") or {}
        done = f", {c.get('completed', 0)}/{c.get('total', b['requests'])} answered" + \
            (f", {c['failed']} failed" if c.get("failed") else "") if c else ""
        where = b.get("id") or ("not created yet" if b.get("input_file_id") else "not uploaded yet")
        state_ = "collected" if b.get("collected") else b.get("status", "recorded")
        out.append(f"round {b['round']}  {b['file']}  {where}  {state_}: {b['requests']} requests{done}")
    return out


@dataclass
class Report:
    """What `build --batch` / `corpusc batch collect` did."""
    collected: int = 0  # answers downloaded into the cache now
    running: int = 0  # batches still being answered
    submitted: list[dict] = field(default_factory=list)  # request files submitted now
    round: Round | None = None
    lines: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        """Every call's every answer is cached: a build writes the corpus without a request."""
        return self.round is not None and self.round.waiting == 0 and not self.running


async def step(client: Client, calls, header) -> Report:
    """Collect finished batches, then a round: submit what the calls still need."""
    state = load(client)
    rep = Report()
    if state["batches"]:
        rep.collected, rep.running = await collect(client, state)
    client.pending = pending_keys(client, state)
    try:
        rep.round = await plan_round(calls, header, client)
    finally:
        client.pending = set()
    if rep.round.deferred:
        rep.submitted = await submit(client, state, rep.round)
        rep.running += len(rep.submitted)
    rep.lines = status_lines(state)
    return rep


async def poll(client: Client) -> list[str]:
    """`corpusc batch status`: each recorded batch's state, polled, nothing downloaded."""
    state = load(client)
    sdk = client.sdk() if any(not b.get("collected") for b in state["batches"]) else None
    for b in state["batches"]:
        if b.get("collected") or not b.get("id"):
            continue
        info = await client.call(lambda: sdk.batches.retrieve(b["id"]), "poll a batch")
        b["status"] = info.status
        c = info.request_counts
        if c is not None:
            b["counts"] = {"total": c.total, "completed": c.completed, "failed": c.failed}
    if state["batches"]:
        save(client, state)
    return status_lines(state)
