"""What a rebuild may skip: the content hash of a call (plan item + the
context it depends on + backend names, versions, options), the backend
signature it is taken over, and whether a call's recorded files are still
there."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpusc import __version__
from corpusc.compiler import program as P
from corpusc.plan.model import Call, Header
from corpusc.plan.serialize import call_json

from corpusc.builder import manifest


def call_context(call: Call, h: Header) -> dict[str, Any]:
    """The parts of the header one call's rendering depends on, so editing one
    account changes only that account's content hashes."""
    acct = h.account(call.account)
    account = acct.model_dump(mode="json") if acct is not None else None
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
    # each backend's options as the spec writes its spec-relative paths
    # (`Emit.portable_options`): the keys take these, since an absolute path
    # (a prompts or cache folder) would keep two checkouts of one repo from
    # ever sharing a result; the prompts' content is in `data`
    portable: dict[str, dict] = field(default_factory=dict)
    # digest of corpusc's own code that shapes a call's bytes (`code_digest(CALL_STAGES)`)
    code: str = ""

    def keyed(self) -> tuple[list[tuple[str, str, dict]], tuple[str, str, dict]]:
        """(backends, renderer) as the content hash and the complete key take them."""
        p = self.portable
        backs = [(n, v, p.get(n, o)) for n, v, o in self.backends]
        name, version, ropts = self.renderer
        t = p.get("transcripts", {})
        return backs, (name, version, {k: t.get(k, v) for k, v in ropts.items()})


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
        backs, rend = signature.keyed()
        payload = {"context": call_context(call, h), "backends": backs,
                   "renderer": [*rend, _data_digest(signature, call.locale)], "corpusc": __version__,
                   "code": signature.code}
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


# corpusc's own stages whose code shapes a call's files: the plan (its random
# streams and clock are drawn at render time too), the renderers and the
# backends. A version number would say when they change only if every edit
# bumped it, and none does between releases; their source does change, so the
# content hash takes its digest (an edit of a comment re-renders too: honest,
# and rare outside development). A third party's renderer or backend is
# covered by its declared `version`.
CALL_STAGES = ("plan", "render", "backends")
# ...and those that shape the corpus-wide files (plan.json, the reports,
# manifest.json) or the program the plan is made from: `complete_key` takes
# both, so a changed compiler, planner or report is never "up to date".
BUILD_STAGES = ("compiler", "grammar", "builder")


def code_digest(stages: tuple[str, ...]) -> str:
    """sha256 over the relative paths and bytes of every file of the
    installed `corpusc.<stage>` folders (compiled bytecode left out), read
    where Python imports them from (an editable install: the checkout)."""
    return _code_digest(stages, tuple(_stage_dir(s) for s in stages))


def _stage_dir(stage: str) -> str:
    import importlib.util
    spec = importlib.util.find_spec(f"corpusc.{stage}")  # the folder, without running its __init__
    if spec is None or not spec.submodule_search_locations:  # a data folder (grammar/): beside compiler/
        from corpusc.compiler.paths import ROOT
        return str(ROOT / stage)
    return next(iter(spec.submodule_search_locations))


_CODE: dict[tuple, str] = {}


def _code_digest(stages: tuple[str, ...], dirs: tuple[str, ...]) -> str:
    """Computed once a process (some 1.3 MB read: a few ms)."""
    key = (stages, dirs)
    if key not in _CODE:
        h = hashlib.sha256()
        for stage, d in zip(stages, dirs):
            for root, subdirs, names in os.walk(d):
                subdirs[:] = sorted(x for x in subdirs if x != "__pycache__")
                for name in sorted(names):
                    if name.endswith((".pyc", ".pyo")):
                        continue
                    rel = f"{stage}/{os.path.relpath(os.path.join(root, name), d)}".encode()
                    with open(os.path.join(root, name), "rb") as f:
                        data = f.read()
                    h.update(len(rel).to_bytes(8, "big") + rel + len(data).to_bytes(8, "big") + data)
        _CODE[key] = h.hexdigest()
    return _CODE[key]


def intact(root: str, files: dict[str, str], stats: dict[str, list[int]] | None) -> tuple[bool, str | None]:
    """Whether every recorded file is still as written, and, when some had to
    be hashed and matched (copied, touched, recorded before sizes were),
    their sizes and times to record now (`manifest.stats_json`).

    A file whose size and mtime (ns) are the recorded ones is trusted: any
    write, even one that keeps the size, sets the mtime to the time of the
    write, so only a tool that restores the old mtime on purpose, or a write
    within the same clock tick as the build's own, goes unseen (`corpusc
    verify` hashes every file). Any other file is hashed: an edit, a
    truncation or a deletion makes the call render again."""
    fresh = None
    for rel, sha in files.items():
        path = f"{root}/{rel}"
        try:
            st = os.stat(path)
        except OSError:
            return False, None
        rec = stats.get(rel) if stats else None
        if rec is not None and rec[0] == st.st_size and rec[1] == st.st_mtime_ns:
            continue
        if (rec is not None and rec[0] != st.st_size) or manifest.sha256_file(Path(path)) != sha:
            return False, None
        if fresh is None:
            fresh = dict(stats or {})
        fresh[rel] = [st.st_size, st.st_mtime_ns]
    return True, (manifest.stats_json(fresh) if fresh is not None else None)


def emitted(prog) -> list[str]:
    """The backends a spec builds: its `emit` blocks, or the default pair."""
    from corpusc.backends import registry
    return [e.backend for e in prog.emits] or list(registry.DEFAULT)


_SIGNATURE: list = []  # [(program, only), result] of the last call


def backend_signature(prog: P.Program, only: list[str] | None):
    """The registered backends' names, the backends asked for, those built,
    their validated options (builder/compile.py) and the build's Signature.
    The last answer is kept: the renderer's data digest (every bank of every
    locale read and hashed, some 20 ms) is asked for by `up_to_date` and again
    by the build of the same program."""
    if _SIGNATURE and _SIGNATURE[0][0] is prog and _SIGNATURE[0][1] == only:
        return _SIGNATURE[1]
    out = _backend_signature(prog, only)
    _SIGNATURE[:] = [(prog, list(only) if only else only), out]
    return out


def _backend_signature(prog: P.Program, only: list[str] | None):
    from corpusc.backends import registry
    from corpusc.builder.compile import engine, renderer_options
    from corpusc.render import registry as renderers
    unchecked = [e.backend for e in prog.emits if e.lines and not e.options]
    if unchecked:  # built with defaults instead of what the spec asks for: refused
        raise ValueError(f"the options of `emit {unchecked[0]}` were not checked: compile the spec with "
                         "corpusc.builder.compile.compile_spec")
    backs = registry.names()
    wanted = emitted(prog)
    if only:
        wanted = [w for w in wanted if w in only]
    names = [w for w in wanted if w in backs]
    options = {e.backend: e.options for e in prog.emits}
    r = renderers.get(engine(prog))
    ropts = renderer_options(prog, r.Options.model_fields)
    sig = Signature(backends=[(n, registry.get(n).version, options.get(n, {})) for n in names],
                    renderer=(r.name, r.version, ropts), data={loc: r.fingerprint(loc, ropts) for loc in r.locales()},
                    portable={e.backend: e.portable_options() for e in prog.emits if e.paths},
                    code=code_digest(CALL_STAGES))
    return backs, wanted, names, options, sig


def complete_key(spec_hash: str, signature: Signature, shard) -> dict[str, Any]:
    """What a finished build records: the same key next time, with every file
    still as written, means nothing needs doing."""
    backs, rend = signature.keyed()
    return {"spec_hash": spec_hash, "corpusc_version": __version__, "backends": [list(x) for x in backs],
            "renderer": [*rend, signature.data], "shard": list(shard) if shard else None,
            "code": [signature.code, code_digest(BUILD_STAGES)]}


def up_to_date(compiled, out: Path, *, only: list[str] | None = None,
               shard: tuple[int, int] | None = None) -> int | None:
    """The number of calls if the last build of `out` is of this very spec, version
    and backends and every file it wrote is still there (then the plan is the
    same by determinism and nothing needs doing); None otherwise."""
    if not (out / manifest.INDEX).is_file() or any((out / manifest.STAGES).glob("stage-*")):
        return None  # a stage left by a build (dead or running) is for `build` to settle
    _, _, _, _, signature = backend_signature(compiled.program, only)
    index = manifest.Index(out)
    try:
        if index.get_meta("complete") == complete_key(compiled.spec_hash, signature, shard) \
                and all_intact(out, index):
            return index.count()
    finally:
        index.close()
    return None


def all_intact(out: Path, index: manifest.Index) -> bool:
    """Every file the index and the corpus files record is still as written
    (`intact`); sizes and times learnt on the way are recorded."""
    if not (out / manifest.MANIFEST).is_file():
        return False
    root = os.path.abspath(out)
    for cid, files, stats in index.file_stats():
        ok, fresh = intact(root, files, stats)
        if not ok:
            return False
        if fresh is not None:
            index.restat(cid, fresh)
    ok, fresh = intact(root, index.get_meta("corpus_files") or {}, index.get_meta("corpus_stats"))
    if not ok:
        return False
    if fresh is not None:
        index.set_meta("corpus_stats", json.loads(fresh))
    index.flush()
    return True


def corpus_stats(out: Path, files: dict[str, str]) -> dict[str, list[int]]:
    """Sizes and times of the corpus-wide files (plan.json, coverage) as written."""
    out_stats = {}
    for rel in files:
        st = os.stat(out / rel)
        out_stats[rel] = [st.st_size, st.st_mtime_ns]
    return out_stats
