"""A build worker: its state (set once per process by `init`) and the
rendering of one work unit.

A work unit is a run of consecutive plan positions: a few whole sales
accounts (an account's thread is self-contained, so the worker plans it:
planner.plan_account) or a range of one population's calls
(population.Expander). For each call the worker writes its plan.json line,
hashes it, decides whether it needs rendering, renders it, and measures it
for the reports, so the main process only records and merges in plan order
and holds no call."""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from corpusc.plan import planner as planmod
from corpusc.plan.model import Call, Header
from corpusc.plan.serialize import JsonWriter, call_json

from corpusc.builder import manifest, staging
from corpusc.builder.apart import load_program
from corpusc.builder.incremental import Signature, content_hash, intact
from corpusc.builder.quality import QUALITY_SAMPLE
from corpusc.backends.header import realized
from corpusc.render.protocol import Cached, Prefetching

_W: dict[str, Any] = {}


def steady_gc() -> None:
    """What is loaded so far stays (the header, the program, banks loaded
    before): collections then scan only per-call garbage, and run less often
    (a call allocates some hundred thousand short-lived objects). A build's
    worker and the speed benchmarks (benchmarks/bench_render.py) set it alike."""
    import gc
    gc.collect()  # what is garbage already is not kept for good
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def init(program: bytes | Any, header_json: str | Header, options: dict, names: list[str], out: str,
         signature: Signature, shard: tuple[int, int] | None, stage: str, present: list[str],
         stop: Any = None, done: Any = None) -> None:
    """`program` and `header_json` pickled and as JSON (a pool's worker), or
    the objects (a one-process build). `stop` (an Event) asks the worker to
    return what it finished at the next call; `done` (a shared counter)
    counts calls for the progress bar."""
    import multiprocessing
    if multiprocessing.parent_process() is not None:
        _as_worker()
    steady_gc()
    from corpusc.backends import registry
    from corpusc.backends.base import Context
    from corpusc.render import registry as renderers
    h = Header.model_validate_json(header_json) if isinstance(header_json, str) else header_json
    backs = [registry.get(n) for n in names]
    # Backends that retime (audio) run first: the durations they measure
    # become every later backend's timings, so all outputs share one clock.
    first = [b for b in backs if b.retimes]
    rest = [b for b in backs if not b.retimes]
    needs_text = any(b.needs_text for b in backs)
    renderer = renderers.get(signature.renderer[0])
    if isinstance(renderer, Cached):  # a renderer with a cache keeps it under the output (engine llm)
        renderer.bind(Path(out))
    # a pool's worker: the program without its accounts (each unit brings its own)
    prog = load_program(program, accounts=False) if isinstance(program, bytes) else program
    _W.clear()
    _W.update(ctx=Context(header=h, options=options, out=Path(out)), first=first, rest=rest, needs_text=needs_text,
              renderer=renderer, renderer_options=signature.renderer[2],
              root=os.path.abspath(out), program=prog, signature=signature, shard=shard,
              expanders={}, writer=staging.Writer(os.path.abspath(out), stage, present), stop=stop, done=done,
              tick=None, journal=staging.Journal(stage))


def _as_worker() -> None:
    """A pool worker stops with its build: SIGINT (Ctrl-C reaches the whole
    process group) and SIGTERM make it return at the next call, as the main
    process's stop does; and it dies with the main process, even one killed
    outright (-9), so no worker goes on writing or holds the stage lock."""
    import multiprocessing
    import signal
    import threading
    signal.signal(signal.SIGINT, lambda *_: _W.__setitem__("stopping", True))
    signal.signal(signal.SIGTERM, lambda *_: _W.__setitem__("stopping", True))
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG (Linux): the fork server's death
    except (OSError, AttributeError):
        pass
    main = multiprocessing.parent_process()  # the build's main process, even through a fork server

    def watch() -> None:  # its sentinel becomes ready when it dies, however it dies
        from multiprocessing.connection import wait
        wait([main.sentinel])
        os._exit(1)
    threading.Thread(target=watch, daemon=True).start()


def _stopping() -> bool:
    stop = _W.get("stop")
    return _W.get("stopping", False) or (stop is not None and stop.is_set())


# A pool worker adds its finished calls to the shared counter at most this
# often (and at the end of each unit): the main process reads it every 0.2 s,
# so the bar moves as smoothly, without a lock taken and released per call.
TICK = 0.05


def _tick() -> None:
    if _W["tick"] is not None:
        _W["tick"](1)
    elif _W["done"] is not None:
        _W["pending"] = _W.get("pending", 0) + 1
        now = time.monotonic()
        if now - _W.get("ticked", 0.0) >= TICK:
            _W["ticked"] = now
            _count()


def _count() -> None:
    """The calls finished since the last count, onto the shared counter."""
    n = _W.get("pending", 0)
    if n and _W["done"] is not None:
        with _W["done"].get_lock():
            _W["done"].value += n
        _W["pending"] = 0


def render_one(call: Call) -> tuple[str, int, str]:
    """Render one call through every backend: its files as the index records
    them ({path: sha256} in JSON, `manifest.files_json`), how many, and
    their sizes and modification times (`manifest.files_json`) for the next
    build's quick check."""
    ctx = _W["ctx"]
    write = _W["writer"].write
    files: dict[str, str] = {}
    stats: dict[str, list[int]] = {}
    if not _W["first"] and not _W["rest"]:
        return "{}", 0, "{}"
    rc = None
    if _W["needs_text"]:  # rendered once, for every backend
        rc = _W["renderer"].render(call, ctx.header, _W["renderer_options"])

    owner: dict[str, str] = {}

    def keep(arts, backend: str) -> None:
        for art in arts:
            if art.path in owner:  # one file would silently replace the other
                from corpusc.backends.base import BackendError
                raise BackendError(backend, "E0719", f"`emit {backend}` writes `{art.path}` for call {call.id}, "
                                   f"which `emit {owner[art.path]}` already wrote",
                                   help="each backend must write paths no other backend writes")
            owner[art.path] = backend
            stats[art.path] = write(art.path, art.data)
            files[art.path] = hashlib.sha256(art.data).hexdigest()

    for b in _W["first"]:
        arts, rc = b.retime(call, rc, ctx)
        keep(arts, b.name)
    call = realized(call, rc)  # the rendered duration in every backend's metadata
    for b in _W["rest"]:
        keep(b.render(call, rc, ctx), b.name)
    _W["rendered"] = rc
    return manifest.files_json(files), len(files), manifest.stats_json(stats)


@dataclass
class RangeResult:
    """What a worker sends back for a unit. `rows` are (call id, index,
    content hash, files as `manifest.files_json` or None when unchanged,
    number of files, sizes and times as `manifest.stats_json` or None); the
    rest is for the build pass (plan.json lines joined as bytes, tally,
    distribution, quality sample: each sampled call's turns as JSON, None
    when the index has them) and only filled when the build keeps one.
    `stopped`: the build was stopped before the unit's end (the rows are
    what finished)."""
    rows: list[tuple[str, int, str, str | None, int, str | None]]
    lines: bytes = b""
    tally: Any = None
    part: Any = None
    sides: list[tuple[str, str | None]] = field(default_factory=list)
    stopped: bool = False


Prev = dict[int, tuple[str, str, dict[str, str], dict[str, list[int]] | None, bool]]


def render_accounts(accounts: list, quotas: list[planmod.Quota], base: int, prev: Prev, full: bool) -> RangeResult:
    """Sales accounts whose first call is at plan position `base`, each with
    its divergent moments (`planner.divergent_quotas`, corpus-wide, counted
    by the main process): the unit brings them, so a worker holds the
    accounts it renders and no other (the program it was given has none)."""
    prog = _W["program"]

    def calls():
        idx = base
        for a, quota in zip(accounts, quotas):
            if _stopping():
                return
            for c in planmod.plan_account(prog, a, quota, idx):
                yield c.index, c
            idx += len(a.calls)
    return _unit(calls(), prev, full)


def render_range(pop_i: int, base: int, k0: int, k1: int, prev: Prev, full: bool) -> RangeResult:
    """Calls k0..k1-1 of population `pop_i`, whose first call is at plan position `base`."""
    from corpusc.plan.population import Expander
    exps = _W["expanders"]
    exp = exps.get(pop_i)
    if exp is None:
        exp = exps[pop_i] = Expander(_W["program"], _W["program"].populations[pop_i], base)
    shard = _W["shard"]
    ks = (k for k in range(k0, min(k1, len(exp))) if not (shard and (base + k) % shard[1] != shard[0] - 1))
    return _unit(((base + k, exp.call(k)) for k in ks), prev, full)


def _ahead(calls, prefetch):
    """The unit's calls in chunks, each chunk (this shard's calls of it) first
    handed to a renderer that renders many at once (engine llm: concurrent
    requests); `render` then returns what it prepared. A call found unchanged
    after its chunk was prepared costs no request: its answers are cached."""
    import itertools
    r, shard, h, opts = _W["renderer"], _W["shard"], _W["ctx"].header, _W["renderer_options"]
    it = iter(calls)
    while chunk := list(itertools.islice(it, r.prefetch_size(opts))):
        prefetch([c for idx, c in chunk if not (shard and idx % shard[1] != shard[0] - 1)], h, opts)
        yield from chunk


def _unit(calls, prev: Prev, full: bool) -> RangeResult:
    from corpusc.builder.distribution import Partial
    r = _W["renderer"]
    if isinstance(r, Prefetching) and _W["needs_text"] and (_W["first"] or _W["rest"]):
        calls = _ahead(calls, r.prefetch)
    header, signature, shard, root = _W["ctx"].header, _W["signature"], _W["shard"], _W["root"]
    res = RangeResult(rows=[], tally=planmod.Tally(None) if full else None, part=Partial() if full else None)
    lines = []
    for idx, c in calls:
        if _stopping():
            res.stopped = True
            break
        line = call_json(c)
        if full:
            lines.append(line)
            res.tally.add(c)
            if c.kind == "population":
                res.part.add(c)
        if shard and idx % shard[1] != shard[0] - 1:
            continue
        h = content_hash(c, header, signature, line)
        p = prev.get(idx)
        sampled = full and idx < QUALITY_SAMPLE
        fresh = None
        ok = False
        if p and p[0] == c.id and p[1] == h and p[2] and (p[4] or not sampled):
            ok, fresh = intact(root, p[2], p[3])
        if ok:
            res.rows.append((c.id, idx, h, None, 0, fresh))
            if sampled:
                res.sides.append((c.id, None))  # recorded by the build that rendered it
        else:
            _W["rendered"] = None
            res.rows.append((c.id, idx, h, *render_one(c)))
            turns = _turns(c, _W["rendered"], res.rows[-1][3]) if sampled else None
            if sampled:  # as the index keeps them (JSON): one string to pickle, not a tuple per turn
                res.sides.append((c.id, orjson.dumps(turns).decode()))
            _W["journal"].add((*res.rows[-1], turns))
        _tick()
    _count()
    flush = getattr(_W["renderer"], "flush", None)  # what it prepared, kept for the next process (engine template)
    if flush is not None:
        flush()
    res.lines = JsonWriter.join(lines)
    return res


def _turns(c: Call, rc, files: str) -> list[tuple[str, str]]:
    """A sampled call's turns as (side, text) for the quality figures, when
    its transcript is written (a build without transcripts measures none)."""
    import json
    written = json.loads(files)
    if rc is None or (f"transcripts/{c.id}.json" not in written and f"transcripts/{c.id}.txt" not in written):
        return []
    return [(t.side, t.text) for t in rc.turns]
