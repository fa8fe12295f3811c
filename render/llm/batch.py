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
from typing import Any, Iterator

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


class Spool:
    """The requests a round defers, as request lines in a temporary file
    (10,000 calls' prompts would be some 300 MB in memory): cache key ->
    custom_id in memory, each line's place in the file."""

    def __init__(self) -> None:
        import tempfile
        self.f = tempfile.TemporaryFile()
        self.ids: dict[str, str] = {}
        self.at: list[tuple[str, int, int]] = []  # (custom_id, offset, length)

    def __setitem__(self, k: str, value: tuple[str, dict]) -> None:
        cid, body = value
        if k in self.ids:
            return
        self.ids[k] = cid
        line = (json.dumps({"custom_id": cid, "method": "POST", "url": ENDPOINT, "body": body},
                           ensure_ascii=False, sort_keys=True) + "\n").encode()
        self.f.seek(0, 2)
        self.at.append((cid, self.f.tell(), len(line)))
        self.f.write(line)

    def __len__(self) -> int:
        return len(self.ids)

    def items(self):
        return self.ids.items()

    def lines(self):
        """(custom_id, line) in custom_id order."""
        for cid, off, n in sorted(self.at):
            self.f.seek(off)
            yield cid, self.f.read(n)

    def close(self) -> None:
        self.f.close()


@dataclass
class Round:
    """What one pass over the calls found."""
    deferred: Spool = field(default_factory=Spool)  # the requests still needed
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
            out.update(k for k, _ in requests_of(folder(client) / b["file"]).values())
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


def unique(lines) -> Iterator[tuple[str, bytes]]:
    """(custom_id, request line) with custom_ids made unique (the same call,
    segment and attempt deferred twice: `#2`)."""
    seen: set[str] = set()
    for cid, line in lines:
        n, k = cid, 1
        while n in seen:
            k += 1
            n = f"{cid}#{k}"
        seen.add(n)
        if n != cid:
            doc = json.loads(line)
            doc["custom_id"] = n
            line = (json.dumps(doc, ensure_ascii=False, sort_keys=True) + "\n").encode()
        yield n, line


def write_files(lines, path_of) -> list[tuple[Path, int]]:
    """The request lines written to files of at most MAX_REQUESTS lines and
    MAX_BYTES bytes, streamed (`path_of(n)` names the n-th, from 1; each
    appears whole, by rename). Returns (path, requests) per file."""
    import os
    made: list[tuple[Path, int]] = []
    f = None
    count = size = 0

    def close() -> None:
        f.flush()
        os.fsync(f.fileno())
        f.close()
        os.replace(f.name, made[-1][0])
        made[-1] = (made[-1][0], count)

    for _, line in unique(lines):
        if f is None or count >= MAX_REQUESTS or size + len(line) > MAX_BYTES:
            if f is not None:
                close()
            path = Path(path_of(len(made) + 1))
            path.parent.mkdir(parents=True, exist_ok=True)
            made.append((path, 0))
            f = open(path.with_name(path.name + ".part"), "wb")
            count = size = 0
        f.write(line)
        count += 1
        size += len(line)
    if f is not None:
        close()
    return made


async def submit(client: Client, state: dict[str, Any], rnd: Round) -> list[dict]:
    """Write the round's request files, record them, then upload and create their batches."""
    errors = state.setdefault("errors", {})
    for k, cid in rnd.deferred.items():
        if errors.get(k, {}).get("tries", 0) >= MAX_TRIES:
            raise LlmError("E0732", f"call {cid.split(':')[0]}: the Batch API answered its request with an error "
                                    f"{errors[k]['tries']} times: {errors[k]['message'][:200]}",
                           help="check the model and options of `emit transcripts`, or build without --batch")
    state["round"] = number = state.get("round", 0) + 1
    files = write_files(rnd.deferred.lines(), lambda n: folder(client) / f"round{number:03d}-{n:03d}.jsonl")
    made = [{"file": p.name, "round": number, "requests": k} for p, k in files]
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
            with open(folder(client) / b["file"], "rb") as data:  # streamed, not read into memory
                async def upload():
                    data.seek(0)
                    return await sdk.files.create(file=(b["file"], data, "application/jsonl"), purpose="batch")
                f = await client.call(upload, "upload a request file")
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


async def _poll(client: Client, sdk, b: dict[str, Any]):
    """One recorded batch's state from the server, its status and counts noted in `b`."""
    info = await client.call(lambda: sdk.batches.retrieve(b["id"]), "poll a batch")
    b["status"] = info.status
    c = info.request_counts
    if c is not None:
        b["counts"] = {"total": c.total, "completed": c.completed, "failed": c.failed}
    return info


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
        info = await _poll(client, sdk, b)
        if info.status not in TERMINAL:
            running += 1
            save(client, state)
            continue
        bodies = requests_of(folder(client) / b["file"])
        answered: set[str] = set()
        for fid in (info.output_file_id, info.error_file_id):
            if not fid:
                continue

            async def download(fid=fid) -> None:  # streamed line by line, never whole in memory
                async with sdk.files.with_streaming_response.content(fid) as resp:
                    async for line in resp.iter_lines():
                        if line.strip():
                            cid = _result(client, state, bodies, json.loads(line), answered)
                            if cid:
                                answered.add(cid)
            await client.call(download, "download a batch's results")
        for cid in bodies.keys() - answered:  # expired, cancelled, failed validation: asked again
            _error(state, bodies[cid][0], f"batch {info.status}" + _errors(info))
        got += len(answered)
        b["collected"] = True
        save(client, state)
    return got, running


def _result(client: Client, state: dict, bodies: dict[str, tuple[str, str]], row: dict,
            done: set[str]) -> str | None:
    """One line of an output or error file: an answer to cache, or an error to count."""
    cid = row.get("custom_id")
    if cid not in bodies or cid in done:  # not ours, or read already (a download retried midway)
        return None
    k, model = bodies[cid]
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
            client.cache.journal({**parse_id(cid), "batch": True, "key": k, "model": model,
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


def requests_of(p: Path) -> dict[str, tuple[str, str]]:
    """custom_id -> (cache key, model) of a request file, read line by line."""
    out: dict[str, tuple[str, str]] = {}
    if p.is_file():
        with open(p, "rb") as f:
            for line in f:
                if line.strip():
                    d = json.loads(line)
                    out[d["custom_id"]] = (cache_key(d["body"]), d["body"]["model"])
    return out


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
    try:
        if rep.round.deferred:
            rep.submitted = await submit(client, state, rep.round)
            rep.running += len(rep.submitted)
    finally:
        rep.round.deferred.close()
    rep.lines = status_lines(state)
    return rep


async def poll(client: Client) -> list[str]:
    """`corpusc batch status`: each recorded batch's state, polled, nothing downloaded."""
    state = load(client)
    sdk = client.sdk() if any(not b.get("collected") for b in state["batches"]) else None
    for b in state["batches"]:
        if b.get("collected") or not b.get("id"):
            continue
        await _poll(client, sdk, b)
    if state["batches"]:
        save(client, state)
    return status_lines(state)
