"""A build worker: its state (set once per process by `init`) and the
rendering of one work unit.

A work unit is either a batch of sales calls the main process planned (their
threads refer to earlier calls), or a range of one population's calls, which
the worker makes itself (population.Expander): then the worker also writes
the calls' plan.json lines, hashes them, decides whether each needs
rendering, and measures them for the distribution report, so the main
process only records and merges in plan order."""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpusc.plan import planner as planmod
from corpusc.plan.model import Call, Header
from corpusc.plan.serialize import JsonWriter, call_json

from corpusc.builder import manifest, staging
from corpusc.builder.incremental import content_hash, unchanged

_W: dict[str, Any] = {}


def init(program: bytes, header_json: str, options: dict, names: list[str], out: str,
         signature: list, shard: tuple[int, int] | None, stage: str, present: list[str]) -> None:
    import gc
    import multiprocessing
    import signal
    if multiprocessing.parent_process() is not None:  # a worker: the main process's handler (stop, keep) is its own
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    gc.freeze()  # the header and templates stay; collections then scan only per-call garbage
    gc.set_threshold(50_000, 20, 100)
    from corpusc.backends.base import Context, available
    h = Header.model_validate_json(header_json)
    backs = [available()[n] for n in names]
    # Backends with `retime` (audio) run first: the durations they measure
    # become every later backend's timings, so all outputs share one clock.
    first = [b for b in backs if hasattr(b, "retime")]
    rest = [b for b in backs if not hasattr(b, "retime")]
    needs_text = bool(backs) and any(getattr(b, "needs_text", True) for b in backs)
    _W.clear()
    _W.update(ctx=Context(header=h, options=options, out=Path(out)), first=first, rest=rest, needs_text=needs_text,
              root=os.path.abspath(out), program=pickle.loads(program), signature=signature, shard=shard,
              expanders={}, writer=staging.Writer(os.path.abspath(out), stage, present))


def render_one(call: Call) -> tuple[str, int]:
    """Render one call through every backend: its files as the index records
    them ({path: sha256} in JSON, `manifest.files_json`) and how many."""
    ctx = _W["ctx"]
    write = _W["writer"].write
    files: dict[str, str] = {}
    if not _W["first"] and not _W["rest"]:
        return "{}", 0
    rc = None
    if _W["needs_text"]:
        from corpusc.render.template.engine import render_call
        rc = render_call(call, ctx.header)

    def keep(arts) -> None:
        for art in arts:
            write(art.path, art.data)
            files[art.path] = hashlib.sha256(art.data).hexdigest()

    for b in _W["first"]:
        arts, rc = b.retime(call, rc, ctx)
        keep(arts)
    for b in _W["rest"]:
        keep(b.render(call, rc, ctx))
    return manifest.files_json(files), len(files)


def render_batch(calls: list[Call]) -> list[tuple[str, str, int]]:
    return [(call.id, *render_one(call)) for call in calls]


@dataclass
class RangeResult:
    """What a worker sends back for a range of population calls. `rows` are
    (call id, index, content hash, files as `manifest.files_json` or None
    when unchanged, number of files); the rest is for the build pass
    (plan.json lines joined as bytes, tally, distribution, quality sample) and only
    filled when the build keeps one."""
    rows: list[tuple[str, int, str, str | None, int]]
    lines: bytes = b""
    tally: Any = None
    part: Any = None
    sides: list[tuple[str, dict[str, str]]] = field(default_factory=list)


def render_range(pop_i: int, base: int, k0: int, k1: int, prev: dict[int, tuple[str, str, list[str]]],
                 full: bool) -> RangeResult:
    from corpusc.plan.population import Expander

    from corpusc.builder.coverage_report import QUALITY_SAMPLE
    from corpusc.builder.distribution import Partial
    exps = _W["expanders"]
    exp = exps.get(pop_i)
    if exp is None:
        exp = exps[pop_i] = Expander(_W["program"], _W["program"].populations[pop_i], base)
    header, signature, shard, root = _W["ctx"].header, _W["signature"], _W["shard"], _W["root"]
    res = RangeResult(rows=[], tally=planmod.Tally(None) if full else None, part=Partial() if full else None)
    lines = []
    for k in range(k0, min(k1, len(exp))):
        idx = base + k
        if shard and idx % shard[1] != shard[0] - 1:
            continue
        c = exp.call(k)
        line = call_json(c)
        h = content_hash(c, header, signature, line)
        p = prev.get(idx)
        if p and p[0] == c.id and unchanged(root, h, p[1], p[2]):
            res.rows.append((c.id, idx, h, None, 0))
        else:
            res.rows.append((c.id, idx, h, *render_one(c)))
        if full:
            lines.append(line)
            res.tally.add(c)
            res.part.add(c)
            if idx < QUALITY_SAMPLE:
                res.sides.append((c.id, {q.name: q.side for q in c.participants}))
    res.lines = JsonWriter.join(lines)
    return res
