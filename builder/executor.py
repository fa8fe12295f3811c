"""The build: stream the plan's work units through the backends on a process
pool (or this process at --jobs 1), record every call in the index and
manifest.json, and publish the staged folders. `--shard i/n` renders a
deterministic slice. What a unit renders is builder.worker's, what may be
skipped builder.incremental's, plan.json and the reports builder.build_pass's."""

from __future__ import annotations

import hashlib
import json
import os
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from corpusc import __version__
from corpusc.compiler import program as P
from corpusc.plan import planner as planmod
from corpusc.plan.serialize import HashedFile

from corpusc.builder import manifest, staging, worker
from corpusc.builder.apart import dump_program, program_head
from corpusc.builder.build_pass import BuildPass, write_jsonl
from corpusc.builder.quality import QUALITY_SAMPLE
from corpusc.builder.incremental import all_intact, backend_signature, complete_key, corpus_stats
from corpusc.builder.worker import RangeResult

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
# Calls per unit while the plan is within the quality sample (QUALITY_SAMPLE):
# those units carry their calls' turns to the main process (some 9 KB a
# call), and 1,000-call units of them, several in flight, were the main
# process's peak (10,000 sales calls: 212 MB).
SAMPLE_RANGE = 250


# Workers of a large spec start from a fork server, not by forking this
# process: a fork would carry the compiler's memory (the syntax tree of a
# 116,000-line spec is 600 MB) into every worker; a worker gets the checked
# program pickled instead. A fork server costs about 0.3 s to start (a fresh
# interpreter importing corpusc), a third of a 1,800-call population build,
# so a small spec (its pickled program under FORK_BELOW bytes: the memory a
# fork carries is then a few tens of MB) forks.
START = "forkserver" if "forkserver" in __import__("multiprocessing").get_all_start_methods() else "spawn"
FORK_BELOW = 1 << 20
# A one-job build of a spec whose program pickles to at least this many bytes
# renders in one worker process, as a pool of one: the main process then holds
# the program and the worker the renderer's caches, where one process held
# both (10,000 generated sales calls: 217 MB in one process; 175 MB each as
# two). A smaller spec renders here: a worker costs a small build its start.
RENDER_APART = FORK_BELOW


def start_method(program: bytes) -> str:
    """How this build's workers start (CORPUSC_START overrides, for tests)."""
    import multiprocessing
    forced = os.environ.get("CORPUSC_START")
    if forced in multiprocessing.get_all_start_methods():
        return forced
    if len(program) < FORK_BELOW and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return START


def range_size(left: int, jobs: int, base: int = QUALITY_SAMPLE) -> int:
    """Calls in the next unit when `left` calls remain and it starts at plan position `base`."""
    return max(MIN_RANGE, min(MAX_RANGE if base >= QUALITY_SAMPLE else SAMPLE_RANGE, -(-left // (4 * max(1, jobs)))))


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


def parse_only(text: str | None) -> list[str] | None:
    """`--only a,b`: backend names, each one this corpusc knows (a misspelt
    one would otherwise build nothing of it and exit 0)."""
    if not text:
        return None
    from corpusc.backends import registry
    known = registry.names()
    names = [x.strip() for x in text.split(",") if x.strip()]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise ValueError(f"--only: unknown backend {', '.join(f'`{n}`' for n in unknown) or '(none given)'}; "
                         f"known: {', '.join(sorted(known))}")
    return names


def build(compiled, spec_path: str, out: Path, *, only: list[str] | None = None,
          jobs: int = 1, shard: tuple[int, int] | None = None, progress=None,
          results: list | None = None, header=None, pickled: bytes | None = None) -> BuildResult:
    """Render the corpus into `out`. `results` are the requirements already
    evaluated on this plan (for coverage); they are evaluated here if not
    given; `header` likewise the plan's header (planner.header); `pickled`
    the program pickled, if the caller has it (the workers take it).

    SIGTERM and SIGINT (when called from the main thread) stop the build at
    the next call of every worker: what finished is recorded in the index and
    manifest.json and published, then SystemExit(128 + signal) or
    KeyboardInterrupt is raised; a rerun renders only what is missing."""
    prog: P.Program = compiled.program
    spec_hash: str = compiled.spec_hash
    t0 = time.perf_counter()
    res = BuildResult(out=out)
    header = header or planmod.header(prog, spec_hash)
    backs, wanted, names, options, signature = backend_signature(prog, only)
    res.skipped_backends = [w for w in wanted if w not in backs]
    portable = {e.backend: e.portable_options() for e in prog.emits}  # spec-relative paths as written
    meta = {"corpus": prog.corpus.name, "spec": os.path.relpath(os.path.abspath(spec_path), os.path.abspath(out)),
            "spec_hash": spec_hash, "corpusc_version": __version__, "seed": prog.corpus.seed,
            "backends": [[n, v, portable.get(n, o)] for n, v, o in signature.backends]}
    out.mkdir(parents=True, exist_ok=True)
    index = manifest.Index(out)
    calls = None
    stop = Stop()
    try:
        if not staging.recover(out, index):  # no other build is writing here now
            _remove_temp_files(out)
        key = complete_key(spec_hash, signature, shard)
        if index.get_meta("complete") == key and all_intact(out, index):
            # same spec, same version, same backends: the plan is identical by determinism
            res.skipped = index.count() if shard is None else 0
            if progress:
                progress(res.skipped)
            res.seconds = time.perf_counter() - t0
            return res
        index.set_meta("complete", None)
        run = hashlib.sha256(json.dumps([key, time.time_ns()]).encode()).hexdigest()[:16]
        files: dict[str, str] = dict(index.get_meta("corpus_files") or {})
        stop.install()
        try:
            if shard is not None:
                _render(prog, header, index, out, names, options, signature, jobs, shard, run, res, progress, stop,
                        pickled=pickled)
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
                    _render(prog, header, index, out, names, options, signature, jobs, shard, run, res,
                            progress, stop, bp=bp, pickled=pickled)
                    stop.check()
                    bp.close()
        except BaseException:
            if stop.signum is not None:  # stopped: what finished is listed, the rest is for the rerun
                _list_finished(out, index, meta, files)
            raise
        if shard is None:
            stale = list(index.stale(run))
            res.removed = manifest.remove_files(out, [rel for _, f in stale for rel in f])
            index.drop([cid for cid, _ in stale])
            files = {"plan.json": plan_out.hexdigest()}
            files.update(write_jsonl(prog, header, out, names, options, index))
            if results is None:
                from corpusc.plan.requirements import evaluate
                results = evaluate(prog, header, planmod.calls(prog)) if prog.requirements else []
            from corpusc.builder.coverage_report import write as write_coverage
            files.update(write_coverage(out, compiled, results, dist=bp.acc.result(), sample=bp.turns(index)))
            index.set_meta("corpus_files", files)
            index.set_meta("corpus_stats", corpus_stats(out, files))
        _renderer_section(out, index, meta, signature)
        manifest.write_manifest(out, index, meta, files, calls)
        index.set_meta("complete", key)
    finally:
        stop.restore()
        if calls is not None:
            calls.close()
        index.close()
    res.seconds = time.perf_counter() - t0
    return res


def _renderer_section(out: Path, index: manifest.Index, meta: dict, signature) -> None:
    """A renderer that keeps per-call records (engine llm: requests, tokens,
    cost, fallback) adds its section to manifest.json's header."""
    from corpusc.render import registry as renderers
    from corpusc.render.protocol import Cached
    r = renderers.get(signature.renderer[0])
    if isinstance(r, Cached):
        index.flush()
        section = r.manifest_section(out, signature.renderer[2], (row[0] for row in index.rows()))
        if section:
            meta["llm"] = section


def _list_finished(out: Path, index: manifest.Index, meta: dict, files: dict[str, str]) -> None:
    """manifest.json of a stopped build: the calls it finished (and those of
    earlier builds), from the index; corpus files only as far as they are
    still there (plan.json and coverage are written when a build ends)."""
    try:
        manifest.write_manifest(out, index, meta, {k: v for k, v in files.items() if (out / k).is_file()})
    except Exception:  # noqa: BLE001 - the stop is the news; the index keeps the calls either way
        pass


class Stop:
    """SIGTERM (a CI timeout, docker stop) and SIGINT (Ctrl-C) during a build:
    the first asks every worker to return at its next call (`event`), so the
    build ends within about one call's time, keeping what finished; a second
    one raises at once. Only the main thread can take signals; elsewhere
    this does nothing."""

    SIGNALS = ("SIGTERM", "SIGINT")

    def __init__(self):
        # a flag until workers start (`share`): a build in one process needs
        # no more, and a process-shared Event of a fork server's context
        # starts multiprocessing's resource tracker (a Python process: 0.1 s)
        import threading
        self.event: Any = threading.Event()
        self.signum: int | None = None
        self.before: dict[int, Any] = {}

    def share(self, ctx) -> None:
        """An Event the workers of context `ctx` see, set if a stop came first."""
        event = ctx.Event()
        if self.event.is_set():
            event.set()
        self.event = event

    def install(self) -> None:
        import signal
        import threading
        if threading.current_thread() is not threading.main_thread():
            return
        for name in self.SIGNALS:
            num = getattr(signal, name)
            self.before[num] = signal.signal(num, self._handle)

    def _handle(self, signum, frame) -> None:
        if self.signum is not None:
            self._raise(signum)
        self.signum = signum
        self.event.set()

    def check(self) -> None:
        """Raise what the signal asks for, once every worker has returned."""
        if self.signum is not None:
            self._raise(self.signum)

    @staticmethod
    def _raise(signum: int):
        import signal
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise SystemExit(128 + signum)

    def restore(self) -> None:
        import signal
        for num, handler in self.before.items():
            signal.signal(num, handler)
        self.before.clear()


def _render(prog, header, index: manifest.Index, out: Path, names, options, signature, jobs, shard, run,
            res: BuildResult, progress, stop: Stop, bp: BuildPass | None = None,
            pickled: bytes | None = None) -> None:
    had_rows = index.count() > 0
    full = bp is not None

    def units() -> Iterator[tuple[str, tuple]]:
        """Work units in plan order: whole sales accounts, then population
        ranges, each about `range_size` calls."""
        base = 0
        left = sum(len(a.calls) for a in prog.accounts) + sum(pop.count for pop in prog.populations)
        quotas = planmod.divergent_quotas(prog) if prog.accounts else {}
        a0 = 0
        while a0 < len(prog.accounts):
            want, n, a1 = range_size(left, jobs, base), 0, a0
            while a1 < len(prog.accounts) and (n == 0 or n + len(prog.accounts[a1].calls) <= want):
                n += len(prog.accounts[a1].calls)
                a1 += 1
            prev = index.by_position(base, base + n) if had_rows else {}
            # the unit carries its accounts and their shares of the divergence: a worker holds no other account
            some = prog.accounts[a0:a1]
            yield "accounts", (some, [quotas.get(a.name, planmod.NO_QUOTA) for a in some], base, prev, full)
            base += n
            left -= n
            a0 = a1
        for pop_i, pop in enumerate(prog.populations):
            k0 = 0
            while k0 < pop.count:
                k1 = min(pop.count, k0 + range_size(left, jobs, base + k0))
                prev = index.by_position(base + k0, base + k1) if had_rows else {}
                yield "range", (pop_i, base, k0, k1, prev, full)
                left -= k1 - k0
                k0 = k1
            base += pop.count

    ready: dict[int, RangeResult] = {}
    next_seq = 0

    def accept(seq: int, args: tuple, r: RangeResult) -> None:
        nonlocal next_seq
        prev_by_idx = args[-2]
        for cid, idx, h, files, n, stat in r.rows:
            if files is None:
                index.touch(cid, run)
                if stat is not None:
                    index.restat(cid, stat)
                res.skipped += 1
                continue
            p = prev_by_idx.get(idx)
            if p and p[0] == cid:
                prev = p[2]
            else:  # recorded at another position (an account added before it), or not at all
                found = index.lookup(cid) if had_rows else None
                prev = found[1] if found else None
            if prev:  # a format dropped since the last build leaves no orphan file
                now = json.loads(files)
                manifest.remove_files(out, [rel for rel in prev if rel not in now])
            index.put(cid, idx, h, files, run, stat)
            res.rendered += 1
            res.files += n
        for cid, turns in r.sides:
            if turns is not None:
                index.put_sample(cid, turns)
        index.flush()  # a finished unit survives a kill of this process
        _give_back()
        if bp is not None and not r.stopped and stop.signum is None:
            ready[seq] = r  # plan.json and the distribution take units in plan order
            while next_seq in ready:
                bp.merge(ready.pop(next_seq))
                next_seq += 1

    present = os.listdir(out)
    stage = staging.Stage(out, run)
    # a one-process build hands the worker state the objects themselves; a
    # pool's workers get them pickled (a second copy here would be some
    # 50 MB for a 10,000-call spec)
    here = jobs <= 1 and (pickled is None or len(pickled) < RENDER_APART or bool(os.environ.get("CORPUSC_DEBUG")))
    init = ((prog, header) if here else (pickled or dump_program(prog), header.model_dump_json())) + \
        (options, names, str(out), signature, shard, str(stage.dir), present)
    try:
        _run(units, accept, init, max(1, jobs), progress, stop, here)
        stop.check()
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


def _run(units, accept, init: tuple, jobs: int, progress, stop: Stop, here: bool) -> None:
    """The work units through `jobs` workers (or this process when `here`),
    their results accepted as they come (plan order is `accept`'s). Progress
    is counted per call, in the workers. A stop submits nothing more and
    accepts what the workers return."""
    kinds = {"accounts": worker.render_accounts, "range": worker.render_range}
    if here:
        worker.init(*init, stop=stop.event)
        worker._W["tick"] = progress
        for seq, (kind, unit) in enumerate(units()):
            if stop.signum is not None:
                break
            accept(seq, unit, kinds[kind](*unit))
        return
    import multiprocessing
    ctx = multiprocessing.get_context(start_method(init[0]))
    stop.share(ctx)
    done = ctx.Value("q", 0)
    shown = 0

    def show() -> None:
        nonlocal shown
        if progress:
            now = done.value
            if now > shown:
                progress(now - shown)
                shown = now

    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=worker.init,
                               initargs=(program_head(init[0]), *init[1:], stop.event, done))
    try:
        inflight: dict[Future, tuple] = {}

        def settle(f: Future) -> None:
            seq, unit = inflight.pop(f)
            accept(seq, unit, f.result())

        for seq, (kind, unit) in enumerate(units()):
            if stop.signum is not None:
                break
            inflight[pool.submit(kinds[kind], *unit)] = (seq, unit)
            while len(inflight) >= jobs * 3 and stop.signum is None:
                finished, _ = wait(inflight, timeout=0.2, return_when=FIRST_COMPLETED)
                show()
                for f in finished:
                    settle(f)
        while inflight:
            finished, _ = wait(inflight, timeout=0.2, return_when=FIRST_COMPLETED)
            show()
            for f in finished:
                settle(f)
        show()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_TRIM: list = []


def _give_back() -> None:
    """Return the C heap's free memory to the system after a unit: a unit's
    results (a thousand plan lines, the quality sample's turns) come and go,
    and glibc keeps the high-water mark otherwise (a 10,000-call build's main
    process held some 70 MB it no longer used). Nothing where there is no
    glibc."""
    if not _TRIM:
        try:
            import ctypes
            _TRIM.append(ctypes.CDLL(None).malloc_trim)
        except (OSError, AttributeError):
            _TRIM.append(None)
    if _TRIM[0] is not None:
        _TRIM[0](0)


def _remove_temp_files(out: Path) -> None:
    """Temporary files of a build that was killed mid-write never survive a
    rerun (called only when no other build holds a stage here: a build
    running now owns its temporary files). Stages (.corpusc) are not walked:
    they are `staging.recover`'s."""
    for folder, dirs, names in os.walk(out):
        if folder == str(out):
            dirs[:] = [d for d in dirs if d != staging.STAGES]
        for name in names:
            if name.startswith(".") and name.endswith(".tmp"):
                try:
                    os.unlink(os.path.join(folder, name))
                except OSError:
                    pass
