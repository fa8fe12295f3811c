"""The template renderer's speed alone, the figure bench_quality.py reports
(its `speed`: the spec's first 300 calls after one warm-up call per locale,
population and medium, calls per CPU-second of this process), without
building and measuring the corpora first.

    python benchmarks/bench_render.py                     # sales_pov, contact center, generated (1,000 calls, seed 1)
    python benchmarks/bench_render.py --only generated --profile /tmp/gen.prof   # cProfile of the timed loop only
    python benchmarks/bench_render.py --repeat 3           # the median of three fresh measurements per corpus
    python benchmarks/bench_render.py --base /tmp/venv-base/bin/python --repeat 3
        # and another checkout's (the python of its venv; its own examples), in turn: the ratio pair by pair

Each run uses one fresh cache folder (XDG_CACHE_HOME in the temporary directory), so both checkouts read
a template memo of the same history. The figure is CPU time, not wall time, but a shared machine still moves it by
about ±20%: compare two checkouts with farm-bench (pairs run in turn), not
with figures taken at different times.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_quality import ROOT, SPEED_BEFORE  # noqa: E402
from gen_spec import sales_spec  # noqa: E402


def measure(spec: Path, limit: int, profile: Path | None = None) -> dict:
    """As bench_quality.speed; with `profile`, the timed loop is profiled into that file."""
    from corpusc.builder.compile import compile_spec, engine, renderer_options
    from corpusc.diagnostics.model import Sink
    from corpusc.plan import planner as planmod
    from corpusc.render import registry as renderers
    compiled = compile_spec(os.path.relpath(spec), Sink())
    prog = compiled.program
    header = planmod.header(prog, compiled.spec_hash)
    r = renderers.get(engine(prog))
    opts = renderer_options(prog, r.Options.model_fields)
    calls = []
    for c in planmod.calls(prog):
        calls.append(c)
        if len(calls) >= limit:
            break
    warm: set[tuple] = set()
    for c in calls:
        if (c.locale, c.population, c.medium) not in warm:
            warm.add((c.locale, c.population, c.medium))
            r.render(c, header, opts)
    try:
        from corpusc.builder.worker import steady_gc
    except ImportError:  # a checkout before it (--base): its worker set the same
        def steady_gc() -> None:
            gc.collect()
            gc.freeze()
            gc.set_threshold(50_000, 20, 100)
    steady_gc()  # as a build's worker renders
    prof = cProfile.Profile() if profile else None
    t0 = time.process_time()
    if prof:
        prof.enable()
    for c in calls:
        r.render(c, header, opts)
    if prof:
        prof.disable()
    cpu = time.process_time() - t0
    if prof:
        prof.dump_stats(profile)
    try:  # what this process prepared is kept for the next (render/template/memo.py), as a build's workers keep it
        from corpusc.render.template import memo
        memo.flush()
    except ImportError:
        pass
    return {"calls": len(calls), "cpu_seconds": round(cpu, 3), "calls_per_cpu_second": round(len(calls) / cpu, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", action="append", choices=["sales_pov", "contact_center", "generated"])
    ap.add_argument("--calls", type=int, default=300, help="calls rendered (default 300)")
    ap.add_argument("--repeat", type=int, default=1, help="fresh processes per corpus; the median is reported")
    ap.add_argument("--profile", type=Path, help="cProfile the timed loop into this file (one corpus)")
    ap.add_argument("--base", help="also measure with this python (another checkout's venv), in turn with this one")
    ap.add_argument("--one", nargs=2, metavar=("SPEC", "OUT"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:  # a fresh process's single measurement
        print(json.dumps(measure(Path(a.one[0]), a.calls, a.profile)))
        return
    with tempfile.TemporaryDirectory(prefix="bench_render_") as tmp:
        run(a, Path(tmp))


def run(a: argparse.Namespace, tmp: Path) -> None:
    gen = tmp / "generated.corpus"
    gen.write_text(sales_spec(1000, 1))
    corpora = {"sales_pov": ROOT / "examples/sales_pov.corpus",
               "contact_center": ROOT / "examples/contact_center.corpus", "generated": gen}
    names = a.only or list(corpora)
    if a.profile and len(names) != 1:
        sys.exit("--profile takes one corpus (--only NAME)")
    base_root = _root(a.base) if a.base else None

    # every run reads and writes the template memo in one fresh cache folder: the memo grows with whatever a
    # checkout rendered before, and a larger file costs more to read (12.4 MB against 4.5 MB was 3.6% against 1.2%
    # of a profile), so both checkouts start from what this benchmark's own warm-up runs wrote
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp / "cache"))
    env.pop("CORPUSC_NO_CACHE", None)

    def one(python: str, spec: Path) -> float:
        cmd = [python, __file__, "--calls", str(a.calls), "--one", str(spec), "-"]
        if a.profile and python == sys.executable:
            cmd += ["--profile", str(a.profile)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
        return json.loads(out)["calls_per_cpu_second"]
    for name in names:
        # a first run, not measured, fills the template memo (keyed by the renderer's source: an edited
        # checkout starts cold) as the builds before a user's build have
        one(sys.executable, corpora[name])
        if base_root:
            one(a.base, corpora[name] if name == "generated" else base_root / corpora[name].relative_to(ROOT))
        figs, ratios, bases = [], [], []
        for _ in range(a.repeat):
            figs.append(one(sys.executable, corpora[name]))
            if base_root:
                spec = corpora[name] if name == "generated" else base_root / corpora[name].relative_to(ROOT)
                b = one(a.base, spec)
                bases.append(b)
                ratios.append(figs[-1] / b)
        cps = statistics.median(figs)
        if base_root:
            r = statistics.median(ratios)
            print(f"{name:15} {cps:7.1f} calls/CPU-s  {r:.2f}x of {base_root}'s {statistics.median(bases):.1f}, "
                  f"pair by pair (median of {len(ratios)})", flush=True)
        else:
            base = SPEED_BEFORE[name]
            print(f"{name:15} {cps:7.1f} calls/CPU-s  ({cps / base:.2f}x of 234c96f's {base:.0f} measured then; "
                  f"the issue wants >= 0.5x)", flush=True)


def _root(python: str) -> Path:
    """The checkout whose corpusc `python` imports (its examples are that checkout's)."""
    out = subprocess.run([python, "-c", "import corpusc, pathlib; print(pathlib.Path(corpusc.__file__).resolve().parent.parent)"],
                         check=True, capture_output=True, text=True, cwd="/").stdout.strip()
    return Path(out)


if __name__ == "__main__":
    main()
