"""The build: stream the plan's calls through the backends on a process pool,
write every file atomically, record it in manifest.json, and skip calls whose
content hash (plan item + its context + the renderer's name, version, options
and data digest + backend names, versions, options) is unchanged. `--shard
i/n` renders a deterministic slice."""

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
from corpusc.plan import planner as planmod
from corpusc.compiler import program as P
from corpusc.plan.model import Call, Header
from corpusc.plan.serialize import HashedFile, JsonWriter, call_json

from corpusc.builder import manifest

from corpusc.builder import staging

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


def call_context(call: Call, h: Header) -> dict[str, Any]:
    """The parts of the header one call's rendering depends on, so editing one
    account changes only that account's content hashes."""
    account = next((a.model_dump(mode="json") for a in h.accounts if a.name == call.account), None)
    pop = next((p.model_dump(mode="json") for p in h.populations if p.name == call.population), None)
    personas = {p.persona: h.personas.get(p.persona) for p in call.participants if p.persona}
    objections = {b.key: h.objections.get(b.key) for b in call.beats if b.kind.startswith("objection_")}
    industry = h.industries.get(account["industry"]) if account else None
    corpus = {k: v for k, v in h.corpus.items() if k not in ("description",)}
    scenario = h.scenarios.get(call.metadata.get("scenario")) if call.population else None
    return {"corpus": corpus, "account": account, "population": pop, "personas": personas, "scenario": scenario,
            "objections": objections, "industry": industry, "reps": h.reps if call.kind == "sales" else None}


@dataclass(frozen=True)
class Signature:
    """What a build's outputs depend on besides the plan: each backend's
    (name, version, options), the renderer's (name, version, options) and
    the digest of the data it reads for each locale it writes."""
    backends: list[tuple[str, str, dict]]
    renderer: tuple[str, str, dict]
    data: dict[str, str]


_CTX: dict[tuple, tuple[Signature, bytes]] = {}


def content_hash(call: Call, h: Header, signature: Signature, data: bytes | None = None) -> str:
    """sha256 of the call, the context it depends on, the renderer with the
    digest of its data for the call's locale, and the backends. The context
    digest is shared by every call with the same account or population, cast
    and locale, so a 100k-call population hashes its context once."""
    # the signature is kept with its digest (so its id stays its own) and
    # is never changed in place during a build
    key = (h.spec_hash, id(signature), call.account, call.population, call.metadata.get("scenario"), call.locale,
           tuple(p.persona for p in call.participants),
           tuple(b.key for b in call.beats if b.kind.startswith("objection_")))
    hit = _CTX.get(key)
    if hit is None or hit[0] is not signature:
        if len(_CTX) > 4096:
            _CTX.clear()
        payload = {"context": call_context(call, h), "backends": signature.backends,
                   "renderer": [*signature.renderer, _data_digest(signature, call.locale)], "corpusc": __version__}
        hit = _CTX[key] = (signature, hashlib.sha256(
            json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).digest())
    return hashlib.sha256(hit[1] + (data if data is not None else call_json(call))).hexdigest()


def _data_digest(signature: Signature, locale: str) -> str | None:
    """The renderer's data digest for a call in `locale`: that of the locale
    it is written from (en-GB from en-US)."""
    if locale in signature.data:
        return signature.data[locale]
    from corpusc.render import registry as renderers
    return signature.data.get(renderers.get(signature.renderer[0]).data_locale(locale) or "")


# ---- worker side --------------------------------------------------------------
# A work unit is either a batch of sales calls the main process planned (their
# threads refer to earlier calls), or a range of one population's calls, which
# the worker makes itself (population.Expander): then the worker also writes
# the calls' plan.json lines, hashes them, decides whether each needs
# rendering, and measures them for the distribution report, so the main
# process only records and merges in plan order.

_W: dict[str, Any] = {}
# Population calls per work unit: a share of what is left (guided
# scheduling), so a large population goes in few units (each costs pickling
# and merging: 1,000-call units build 180k calls 8% faster than 200-call
# ones) and the last units are small (the workers finish together). Unit
# bounds never change the output.
MIN_RANGE, MAX_RANGE = 100, 1000


def range_size(left: int, jobs: int) -> int:
    """Calls in the next unit when `left` population calls remain."""
    return max(MIN_RANGE, min(MAX_RANGE, -(-left // (4 * max(1, jobs)))))


def _init(program: bytes, header_json: str, options: dict, names: list[str], out: str,
          signature: Signature, shard: tuple[int, int] | None, stage: str, present: list[str]) -> None:
    import gc
    import multiprocessing
    import signal
    if multiprocessing.parent_process() is not None:  # a worker: the main process's handler (stop, keep) is its own
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    gc.freeze()  # the header and templates stay; collections then scan only per-call garbage
    gc.set_threshold(50_000, 20, 100)
    from corpusc.backends import registry
    from corpusc.backends.base import Context
    from corpusc.render import registry as renderers
    h = Header.model_validate_json(header_json)
    backs = [registry.get(n) for n in names]
    # Backends that retime (audio) run first: the durations they measure
    # become every later backend's timings, so all outputs share one clock.
    first = [b for b in backs if b.retimes]
    rest = [b for b in backs if not b.retimes]
    needs_text = any(b.needs_text for b in backs)
    renderer = renderers.get(signature.renderer[0])
    _W.clear()
    _W.update(ctx=Context(header=h, options=options, out=Path(out)), first=first, rest=rest, needs_text=needs_text,
              renderer=renderer, renderer_options=signature.renderer[2],
              root=os.path.abspath(out), program=pickle.loads(program), signature=signature, shard=shard,
              expanders={}, writer=staging.Writer(os.path.abspath(out), stage, present))


def _render_one(call: Call) -> tuple[str, int]:
    """Render one call through every backend: its files as the index records
    them ({path: sha256} in JSON, `manifest.files_json`) and how many."""
    ctx = _W["ctx"]
    write = _W["writer"].write
    files: dict[str, str] = {}
    if not _W["first"] and not _W["rest"]:
        return "{}", 0
    rc = None
    if _W["needs_text"]:  # rendered once, for every backend
        rc = _W["renderer"].render(call, ctx.header, _W["renderer_options"])

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


def _render_batch(calls: list[Call]) -> list[tuple[str, str, int]]:
    return [(call.id, *_render_one(call)) for call in calls]


def unchanged(root: str, h: str, prev_hash: str | None, files) -> bool:
    """A call needs no rendering when its content hash is the recorded one
    and every file it wrote is still there."""
    return prev_hash == h and bool(files) and all(os.path.isfile(f"{root}/{rel}") for rel in files)


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


def _expand(pop_i: int, base: int, k0: int, k1: int, prev: dict[int, tuple[str, str, list[str]]],
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
            res.rows.append((c.id, idx, h, *_render_one(c)))
        if full:
            lines.append(line)
            res.tally.add(c)
            res.part.add(c)
            if idx < QUALITY_SAMPLE:
                res.sides.append((c.id, {q.name: q.side for q in c.participants}))
    res.lines = JsonWriter.join(lines)
    return res


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


def _signature(prog: P.Program, only: list[str] | None):
    """The registered backends' names, the backends asked for, those built,
    their validated options (builder/compile.py) and the build's Signature."""
    from corpusc.backends import registry
    from corpusc.builder.compile import engine, renderer_options
    from corpusc.render import registry as renderers
    unchecked = [e.backend for e in prog.emits if e.lines and not e.options]
    if unchecked:  # built with defaults instead of what the spec asks for: refused
        raise ValueError(f"the options of `emit {unchecked[0]}` were not checked: compile the spec with "
                         "corpusc.builder.compile.compile_spec")
    backs = registry.names()
    wanted = [e.backend for e in prog.emits] or list(registry.DEFAULT)
    if only:
        wanted = [w for w in wanted if w in only]
    names = [w for w in wanted if w in backs]
    options = {e.backend: e.options for e in prog.emits}
    r = renderers.get(engine(prog))
    ropts = renderer_options(prog, r.Options.model_fields)
    sig = Signature(backends=[(n, registry.get(n).version, options.get(n, {})) for n in names],
                    renderer=(r.name, r.version, ropts), data={loc: r.fingerprint(loc, ropts) for loc in r.locales()})
    return backs, wanted, names, options, sig


def _complete_key(spec_hash: str, signature: Signature, shard) -> dict[str, Any]:
    return {"spec_hash": spec_hash, "corpusc_version": __version__,
            "backends": [list(x) for x in signature.backends],
            "renderer": [*signature.renderer, signature.data], "shard": list(shard) if shard else None}


def up_to_date(compiled, out: Path, *, only: list[str] | None = None,
               shard: tuple[int, int] | None = None) -> int | None:
    """The number of calls if the last build of `out` is of this very spec, version
    and backends and every file it wrote is still there (then the plan is the
    same by determinism and nothing needs doing); None otherwise."""
    if not (out / manifest.INDEX).is_file():
        return None
    _, _, _, _, signature = _signature(compiled.program, only)
    index = manifest.Index(out)
    try:
        if index.get_meta("complete") == _complete_key(compiled.spec_hash, signature, shard) \
                and _all_present(out, index):
            return index.count()
    finally:
        index.close()
    return None


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
    backs, wanted, names, options, signature = _signature(prog, only)
    res.skipped_backends = [w for w in wanted if w not in backs]
    meta = {"corpus": prog.corpus.name, "spec": os.path.relpath(os.path.abspath(spec_path), os.path.abspath(out)),
            "spec_hash": spec_hash, "corpusc_version": __version__, "seed": prog.corpus.seed,
            "backends": [list(x) for x in signature.backends]}
    out.mkdir(parents=True, exist_ok=True)
    _remove_temp_files(out)
    index = manifest.Index(out)
    calls = None
    try:
        staging.recover(out, index)
        key = _complete_key(spec_hash, signature, shard)
        if index.get_meta("complete") == key and _all_present(out, index):
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
                bp = _Pass(prog, header, plan_out, calls)
                _render(prog, header, index, out, names, options, signature, jobs, shard, run, res, progress,
                        bp=bp)
                bp.close()
            stale = list(index.stale(run))
            res.removed = manifest.remove_files(out, [rel for _, f in stale for rel in f])
            index.drop([cid for cid, _ in stale])
            files = {"plan.json": plan_out.hexdigest()}
            files.update(_write_jsonl(prog, header, out, names, options, index))
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


class _Pass:
    """The build's one pass over the plan: plan.json, the tally for its
    summary, the populations' distribution and the calls sampled for the
    quality figures. Sales calls are fed one by one in the main process;
    population ranges arrive from the workers and are merged in plan order."""

    def __init__(self, prog: P.Program, header: Header, f, calls: manifest.CallsPart | None = None):
        from corpusc.builder import distribution as distmod
        from corpusc.builder.coverage_report import QUALITY_SAMPLE
        self.limit = QUALITY_SAMPLE
        self.tally = planmod.Tally(prog)
        self.acc = distmod.Accumulator(prog)
        self.plan = JsonWriter(f, header)
        self.sample: list[tuple[str, dict[str, str]]] = []
        self.calls = calls

    def call(self, c: Call) -> bytes:
        self.tally.add(c)
        for _ in self.acc.wrap([c]):
            pass
        if len(self.sample) < self.limit:
            self.sample.append((c.id, {q.name: q.side for q in c.participants}))
        return self.plan.call(c)

    def merge(self, r: RangeResult) -> None:
        if r.lines:
            self.plan.line(r.lines)  # a range's calls, joined by the worker
        if self.calls is not None:
            self.calls.population(r.rows)
        self.tally.merge(r.tally)
        self.acc.merge(r.part)
        self.sample.extend(r.sides[:self.limit - len(self.sample)])

    def close(self) -> None:
        self.plan.close(self.tally)


def _render(prog, header, index: manifest.Index, out: Path, names, options, signature, jobs, shard, run,
            res: BuildResult, progress, bp: _Pass | None = None) -> None:
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
        _init(*init)
        seq = 0
        for kind, unit in units():
            if kind == "calls":
                accept_calls(unit, _render_batch([c for c, _ in unit]))
            else:
                accept_range(seq, unit, _expand(*unit))
                seq += 1
        return
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init, initargs=init) as pool:
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
                inflight[pool.submit(_render_batch, [c for c, _ in unit])] = (kind, -1, unit)
            else:
                inflight[pool.submit(_expand, *unit)] = (kind, seq, unit)
                seq += 1
            if len(inflight) >= jobs * 3:
                done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for f in done:
                    settle(f)
        for f in list(inflight):
            settle(f)


def _all_present(out: Path, index: manifest.Index) -> bool:
    if not (out / manifest.MANIFEST).is_file():
        return False
    listed: dict[str, set[str]] = {}  # one directory listing instead of a stat per file
    for files in index.file_lists():
        for rel in files:
            folder, _, name = rel.rpartition("/")
            names = listed.get(folder)
            if names is None:
                try:
                    names = listed[folder] = {e.name for e in os.scandir(out / folder)}
                except OSError:
                    return False
            if name not in names:
                return False
    for rel in index.get_meta("corpus_files") or {}:
        if not (out / rel).is_file():
            return False
    return True


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


def _write_jsonl(prog: P.Program, header: Header, out: Path, names: list[str], options: dict,
                 index: manifest.Index) -> dict[str, str]:
    """Each backend's corpus-wide files (`finish`, e.g. `vcp.jsonl`), every
    call in plan order, written atomically; a file a backend wrote in the
    last build and no longer writes is removed."""
    from corpusc.backends import registry
    from corpusc.backends.base import Context
    from corpusc.plan.atomic import atomic_open
    ctx = Context(header=header, options=options, out=out)
    files = {}
    for name in names:
        for rel, chunks in registry.get(name).finish(planmod.calls(prog), ctx).items():
            parts = rel.split("/")
            if rel.startswith("/") or ".." in parts or parts[0] in (".corpusc", manifest.MANIFEST) or rel in files:
                raise ValueError(f"backend `{name}` asked to write `{rel}`, outside its share of the output directory")
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            with atomic_open(out / rel, "wb") as f:
                for chunk in chunks:
                    f.write(chunk)
            files[rel] = manifest.sha256_file(out / rel)
    for rel in index.get_meta("finish_files") or []:
        if rel not in files and (out / rel).is_file():
            (out / rel).unlink()
    index.set_meta("finish_files", sorted(files))
    return files
