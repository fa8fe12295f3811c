"""The build: stream the plan's work units through the backends on a process
pool (or this process at --jobs 1), record every call in the index and
manifest.json, and publish the staged folders. `--shard i/n` renders a
deterministic slice. What a unit renders is builder.worker's, what may be
skipped builder.incremental's, plan.json and the reports builder.build_pass's."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from corpusc import __version__
from corpusc.compiler import program as P
from corpusc.plan import planner as planmod
from corpusc.plan.model import Call
from corpusc.plan.serialize import HashedFile

from corpusc.builder import manifest, staging, worker
from corpusc.builder.build_pass import BuildPass, write_jsonl
from corpusc.builder.incremental import all_present, backend_signature, complete_key, content_hash, unchanged
from corpusc.builder.worker import RangeResult

BATCH = 64


@dataclass
class BuildResult:
    out: Path
    rendered: int = 0
    skipped: int = 0
    files: int = 0
    removed: int = 0
    seconds: float = 0.0
    skipped_backends: list[str] = field(default_factory=list)


# Population calls per work unit: a share of what is left (guided
# scheduling), so a large population goes in few units (each costs pickling
# and merging: 1,000-call units build 180k calls 8% faster than 200-call
# ones) and the last units are small (the workers finish together). Unit
# bounds never change the output.
MIN_RANGE, MAX_RANGE = 100, 1000


def range_size(left: int, jobs: int) -> int:
    """Calls in the next unit when `left` population calls remain."""
    return max(MIN_RANGE, min(MAX_RANGE, -(-left // (4 * max(1, jobs)))))


# ---- main side ----------------------------------------------------------------

def parse_shard(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise ValueError(f"--shard takes i/n, e.g. 2/8 (got `{text}`)")
    if not (1 <= i <= n):
        raise ValueError(f"--shard {text}: i must be between 1 and n")
    return i, n


def build(compiled, spec_path: str, out: Path, *, only: list[str] | None = None,
          jobs: int = 1, shard: tuple[int, int] | None = None, progress=None,
          results: list | None = None) -> BuildResult:
    """Render the corpus into `out`. `results` are the requirements already
    evaluated on this plan (for coverage); they are evaluated here if not given."""
    prog: P.Program = compiled.program
    spec_hash: str = compiled.spec_hash
    t0 = time.perf_counter()
    res = BuildResult(out=out)
    header = planmod.header(prog, spec_hash)
    backs, wanted, names, options, signature = backend_signature(prog, only)
    res.skipped_backends = [w for w in wanted if w not in backs]
    meta = {"corpus": prog.corpus.name, "spec": os.path.relpath(os.path.abspath(spec_path), os.path.abspath(out)),
            "spec_hash": spec_hash, "corpusc_version": __version__, "seed": prog.corpus.seed,
            "backends": [list(x) for x in signature]}
    out.mkdir(parents=True, exist_ok=True)
    _remove_temp_files(out)
    index = manifest.Index(out)
    calls = None
    try:
        staging.recover(out, index)
        key = complete_key(spec_hash, signature, shard)
        if index.get_meta("complete") == key and all_present(out, index):
            # same spec, same version, same backends: the plan is identical by determinism
            res.skipped = index.count() if shard is None else 0
            if progress:
                progress(res.skipped)
            res.seconds = time.perf_counter() - t0
            return res
        index.set_meta("complete", None)
        run = hashlib.sha256(json.dumps([key, time.time_ns()]).encode()).hexdigest()[:16]
        files: dict[str, str] = dict(index.get_meta("corpus_files") or {})
        if shard is not None:
            _render(prog, header, index, out, names, options, signature, jobs, shard, run, res, progress)
        else:
            # one pass over the plan renders the calls, writes plan.json and
            # measures the populations' distribution
            from corpusc.plan.atomic import atomic_open
            # a first build writes manifest.json's calls as it goes (manifest.CallsPart)
            if index.count() == 0:
                calls = manifest.CallsPart(out)
            with atomic_open(out / "plan.json", "wb") as raw:
                plan_out = HashedFile(raw)
                bp = BuildPass(prog, header, plan_out, calls)
                _render(prog, header, index, out, names, options, signature, jobs, shard, run, res, progress,
                        bp=bp)
                bp.close()
            stale = list(index.stale(run))
            res.removed = manifest.remove_files(out, [rel for _, f in stale for rel in f])
            index.drop([cid for cid, _ in stale])
            files = {"plan.json": plan_out.hexdigest()}
            files.update(write_jsonl(prog, header, out, names, options))
            if results is None:
                from corpusc.plan.requirements import evaluate
                results = evaluate(prog, header, planmod.calls(prog)) if prog.requirements else []
            from corpusc.builder.coverage_report import write as write_coverage
            files.update(write_coverage(out, compiled, results, dist=bp.acc.result(), sample=bp.sample))
            index.set_meta("corpus_files", files)
        manifest.write_manifest(out, index, meta, files, calls)
        index.set_meta("complete", key)
    finally:
        if calls is not None:
            calls.close()
        index.close()
    res.seconds = time.perf_counter() - t0
    return res


def _render(prog, header, index: manifest.Index, out: Path, names, options, signature, jobs, shard, run,
            res: BuildResult, progress, bp: BuildPass | None = None) -> None:
    had_rows = index.count() > 0
    root = os.path.abspath(out)

    def units() -> Iterator[tuple[str, Any]]:
        batch: list[tuple[Call, str]] = []
        for c in planmod.sales_calls(prog):
            data = bp.call(c) if bp else None
            if shard and c.index % shard[1] != shard[0] - 1:
                continue
            h = content_hash(c, header, signature, data)
            prev = index.lookup(c.id)
            if prev and unchanged(root, h, prev[0], prev[1]):
                index.touch(c.id, run)
                res.skipped += 1
                if progress:
                    progress(1)
                continue
            batch.append((c, h))
            if len(batch) >= BATCH:
                yield "calls", batch
                batch = []
        if batch:
            yield "calls", batch
        base = sum(len(a.calls) for a in prog.accounts)
        left = sum(pop.count for pop in prog.populations)
        for pop_i, pop in enumerate(prog.populations):
            k0 = 0
            while k0 < pop.count:
                k1 = min(pop.count, k0 + range_size(left, jobs))
                prev = index.by_position(base + k0, base + k1) if had_rows else {}
                yield "range", (pop_i, base, k0, k1, prev, bp is not None)
                left -= k1 - k0
                k0 = k1
            base += pop.count

    def accept_calls(batch: list[tuple[Call, str]], results) -> None:
        for (call, h), (cid, files, n) in zip(batch, results):
            record(cid, call.index, h, files, n, index.lookup(cid))
            if bp is not None and bp.calls is not None:
                bp.calls.sales(cid, call.index, h, files)
        if progress:
            progress(len(results))

    def record(cid: str, idx: int, h: str, files: str, n: int, prev) -> None:
        if prev:  # a format dropped since the last build leaves no orphan file
            now = json.loads(files)
            manifest.remove_files(out, [rel for rel in prev[1] if rel not in now])
        index.put(cid, idx, h, files, run)
        res.rendered += 1
        res.files += n

    ready: dict[int, RangeResult] = {}
    next_seq = 0

    def accept_range(seq: int, args: tuple, r: RangeResult) -> None:
        nonlocal next_seq
        _, _, _, _, prev_by_idx, _ = args
        for cid, idx, h, files, n in r.rows:
            if files is None:
                index.touch(cid, run)
                res.skipped += 1
                continue
            p = prev_by_idx.get(idx)
            prev = (p[1], p[2]) if p and p[0] == cid else (index.lookup(cid) if had_rows else None)
            record(cid, idx, h, files, n, prev)
        if progress:
            progress(len(r.rows))
        if bp is not None:  # plan.json and the distribution take ranges in plan order
            ready[seq] = r
            while next_seq in ready:
                bp.merge(ready.pop(next_seq))
                next_seq += 1

    present = os.listdir(out)
    stage = staging.Stage(out, run)
    init = (pickle.dumps(prog), header.model_dump_json(), options, names, str(out), signature, shard,
            str(stage.dir), present)
    try:
        _run(units, accept_calls, accept_range, init, jobs)
    except BaseException:
        # what was recorded is published; a file caught mid-write is not. If
        # the index cannot say (it failed too), the stage stays, unlocked,
        # for the next build to recover; the error that stopped this one is
        # the one raised.
        try:
            stage.salvage(index.files_of_run(run))
        except Exception:  # noqa: BLE001
            stage.lock.close()
        raise
    stage.publish()


def _run(units, accept_calls, accept_range, init: tuple, jobs: int) -> None:
    """The work units through the workers (or this process when jobs is 1),
    their results accepted in the order units() made them."""
    if jobs <= 1:
        worker.init(*init)
        seq = 0
        for kind, unit in units():
            if kind == "calls":
                accept_calls(unit, worker.render_batch([c for c, _ in unit]))
            else:
                accept_range(seq, unit, worker.render_range(*unit))
                seq += 1
        return
    with ProcessPoolExecutor(max_workers=jobs, initializer=worker.init, initargs=init) as pool:
        inflight: dict[Future, tuple] = {}

        def settle(f: Future) -> None:
            kind, seq, unit = inflight.pop(f)
            if kind == "calls":
                accept_calls(unit, f.result())
            else:
                accept_range(seq, unit, f.result())

        seq = 0
        for kind, unit in units():
            if kind == "calls":
                inflight[pool.submit(worker.render_batch, [c for c, _ in unit])] = (kind, -1, unit)
            else:
                inflight[pool.submit(worker.render_range, *unit)] = (kind, seq, unit)
                seq += 1
            if len(inflight) >= jobs * 3:
                done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for f in done:
                    settle(f)
        for f in list(inflight):
            settle(f)


def _remove_temp_files(out: Path) -> None:
    """Temporary files of a build that was killed mid-write never survive a
    rerun. Stages (.corpusc) are not walked: they are `staging.recover`'s."""
    for folder, dirs, names in os.walk(out):
        if folder == str(out):
            dirs[:] = [d for d in dirs if d != staging.STAGES]
        for name in names:
            if name.startswith(".") and name.endswith(".tmp"):
                try:
                    os.unlink(os.path.join(folder, name))
                except OSError:
                    pass
