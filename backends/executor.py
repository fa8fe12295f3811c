"""The build: stream the plan's calls through the backends on a process pool,
write every file atomically, record it in manifest.json, and skip calls whose
content hash (plan item + its context + backend names, versions, options) is
unchanged. `--shard i/n` renders a deterministic slice."""

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
from corpusc.compiler import plan as planmod
from corpusc.compiler import program as P
from corpusc.compiler.atomic import write_bytes
from corpusc.compiler.plan_model import Call, Header

from . import manifest

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
    manifest: dict[str, Any] = field(default_factory=dict)


def call_context(call: Call, h: Header) -> dict[str, Any]:
    """The parts of the header one call's rendering depends on, so editing one
    account changes only that account's content hashes."""
    account = next((a.model_dump(mode="json") for a in h.accounts if a.name == call.account), None)
    pop = next((p.model_dump(mode="json") for p in h.populations if p.name == call.population), None)
    personas = {p.persona: h.personas.get(p.persona) for p in call.participants if p.persona}
    objections = {b.key: h.objections.get(b.key) for b in call.beats if b.kind.startswith("objection_")}
    industry = h.industries.get(account["industry"]) if account else None
    corpus = {k: v for k, v in h.corpus.items() if k not in ("description",)}
    return {"corpus": corpus, "account": account, "population": pop, "personas": personas,
            "objections": objections, "industry": industry, "reps": h.reps if call.kind == "sales" else None}


def content_hash(call: Call, h: Header, backends: list[tuple[str, str, dict]]) -> str:
    payload = {"call": call.model_dump(mode="json"), "context": call_context(call, h),
               "backends": backends, "corpusc": __version__}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# ---- worker side --------------------------------------------------------------

_W: dict[str, Any] = {}


def _init(header_json: str, options: dict, names: list[str], out: str) -> None:
    import gc
    gc.freeze()  # the header and templates stay; collections then scan only per-call garbage
    gc.set_threshold(50_000, 20, 100)
    from .base import Context, available
    h = Header.model_validate_json(header_json)
    backs = available()
    _W.update(ctx=Context(header=h, options=options), backends=[backs[n] for n in names], out=Path(out))


def _render_batch(calls: list[Call]) -> list[tuple[str, dict[str, tuple[str, int]]]]:
    from .transcripts.engine import render_call
    ctx = _W["ctx"]
    out = _W["out"]
    results = []
    for call in calls:
        rc = render_call(call, ctx.header)
        files: dict[str, tuple[str, int]] = {}
        for b in _W["backends"]:
            for art in b.render(call, rc, ctx):
                write_bytes(out / art.path, art.data)
                files[art.path] = (hashlib.sha256(art.data).hexdigest(), len(art.data))
        results.append((call.id, files))
    return results


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
          jobs: int = 1, shard: tuple[int, int] | None = None, progress=None) -> BuildResult:
    prog: P.Program = compiled.program
    spec_hash: str = compiled.spec_hash
    from .base import available
    t0 = time.perf_counter()
    res = BuildResult(out=out)
    header = planmod.header(prog, spec_hash)
    backs = available()
    wanted = [e.backend for e in prog.emits] or ["transcripts", "ground_truth"]
    if only:
        wanted = [w for w in wanted if w in only]
    names = [w for w in wanted if w in backs]
    res.skipped_backends = [w for w in wanted if w not in backs]
    options = {e.backend: e.options for e in prog.emits}
    signature = [(n, backs[n].version, options.get(n, {})) for n in names]
    old = manifest.read(out)
    old_calls: dict[str, dict] = old.get("calls", {})
    meta = {"corpus": prog.corpus.name, "spec": os.path.relpath(os.path.abspath(spec_path), os.path.abspath(out)),
            "spec_hash": spec_hash, "corpusc_version": __version__,
            "seed": prog.corpus.seed, "backends": [list(s) for s in signature]}
    entries: dict[str, dict] = {}
    planned: set[str] = set()
    last_flush = time.perf_counter()

    def todo() -> Iterator[list[Call]]:
        batch: list[Call] = []
        for c in planmod.calls(prog):
            if shard and c.index % shard[1] != shard[0] - 1:
                continue
            planned.add(c.id)
            h = content_hash(c, header, signature)
            prev = old_calls.get(c.id)
            if prev and prev.get("hash") == h and _files_present(out, prev):
                entries[c.id] = prev
                res.skipped += 1
                if progress:
                    progress(1)
                continue
            entries[c.id] = {"index": c.index, "hash": h, "files": {}}
            batch.append(c)
            if len(batch) >= BATCH:
                yield batch
                batch = []
        if batch:
            yield batch

    def accept(results) -> None:
        nonlocal last_flush
        for cid, files in results:
            entries[cid]["files"] = {p: s for p, (s, _) in sorted(files.items())}
            res.rendered += 1
            res.files += len(files)
        if progress:
            progress(len(results))
        if time.perf_counter() - last_flush > 2.0:
            manifest.merge(out, meta, {k: v for k, v in entries.items() if v["files"] or k in old_calls})
            last_flush = time.perf_counter()

    out.mkdir(parents=True, exist_ok=True)
    _remove_temp_files(out)
    if names:
        if jobs <= 1:
            _init(header.model_dump_json(), options, names, str(out))
            for batch in todo():
                accept(_render_batch(batch))
        else:
            with ProcessPoolExecutor(max_workers=jobs, initializer=_init,
                                     initargs=(header.model_dump_json(), options, names, str(out))) as pool:
                inflight: set[Future] = set()
                for batch in todo():
                    inflight.add(pool.submit(_render_batch, batch))
                    if len(inflight) >= jobs * 3:
                        done, inflight = wait(inflight, return_when=FIRST_COMPLETED)
                        for f in done:
                            accept(f.result())
                for f in inflight:
                    accept(f.result())
    else:
        for _ in todo():
            pass
    drop = set()
    if shard is None:
        drop = set(old_calls) - planned
        res.removed = manifest.remove_stale(out, old, planned)
    extra = {}
    unchanged = (res.rendered == 0 and not drop and old.get("spec_hash") == spec_hash
                 and old.get("corpusc_version") == __version__
                 and all((out / rel).is_file() for rel in old.get("files", {})) and old.get("files"))
    if shard is None and unchanged:
        extra = dict(old["files"])  # nothing changed: plan.json and coverage are current
    elif shard is None:
        extra = _write_corpus_files(prog, header, out)
        res.manifest = manifest.merge(out, meta, entries, drop=drop, extra_files=extra)
        from corpusc.compiler.requirements import evaluate
        from .coverage_report import write as write_coverage
        extra.update(write_coverage(out, compiled, evaluate(prog, header, planmod.calls(prog))))
    res.manifest = manifest.merge(out, meta, entries, drop=drop, extra_files=extra)
    res.seconds = time.perf_counter() - t0
    return res


def _remove_temp_files(out: Path) -> None:
    """Temporary files of a build that was killed mid-write never survive a rerun."""
    for p in out.rglob(".*.tmp"):
        try:
            p.unlink()
        except OSError:
            pass


def _files_present(out: Path, entry: dict) -> bool:
    files = entry.get("files") or {}
    return bool(files) and all((out / rel).is_file() for rel in files)


def _write_corpus_files(prog: P.Program, header: Header, out: Path) -> dict[str, str]:
    """plan.json at the corpus level (streamed), recorded in the manifest."""
    from corpusc.compiler.atomic import atomic_open
    from corpusc.compiler.planio import write_json
    tally = planmod.Tally(prog)
    with atomic_open(out / "plan.json") as f:
        write_json(f, header, tally.wrap(planmod.calls(prog)), tally)
    return {"plan.json": manifest.sha256_file(out / "plan.json")}
