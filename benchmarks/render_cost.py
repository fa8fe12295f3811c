"""What the template renderer's passes cost: the speed of bench_render.py
(the first 300 calls of a spec, calls per CPU-second, after a warm-up) with
each pass done as usual and with it left out, in fresh processes, pair by
pair. A pass left out changes the words, so the figures say what each pass
costs, not a way to run: issue 15 asked for these passes (names said like
people say them, speaker habits, fillers/false starts/interruptions).

    python benchmarks/render_cost.py                    # generated (1,000 calls, seed 1), 3 rounds
    python benchmarks/render_cost.py --spec examples/sales_pov.corpus --rounds 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_spec import sales_spec  # noqa: E402

# a pass and how it is left out (module, attribute, replacement)
VARIANTS = {
    "full": [],
    "no names": [("corpusc.render.template.sales", n, "noop")
                 for n in ("name_less", "count_less", "volume_less", "people_less")],
    "no habits": [("corpusc.render.template.sales", "habits", "noop")],
    "no dynamics": [("corpusc.render.template.dynamics", "apply", "noop")],
}
VARIANTS["none of them"] = VARIANTS["no names"] + VARIANTS["no habits"] + VARIANTS["no dynamics"]


def _one(spec: Path, variant: str, calls: int) -> float:
    import importlib
    for mod, attr, _ in VARIANTS[variant]:
        setattr(importlib.import_module(mod), attr, lambda *a, **k: None)
    from bench_render import measure
    return measure(spec, calls)["calls_per_cpu_second"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spec", type=Path, help="a spec (default: a generated 1,000-call sales spec, seed 1)")
    ap.add_argument("--calls", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(_one(Path(a.one[0]), a.one[1], a.calls)))
        return
    with tempfile.TemporaryDirectory(prefix="render_cost_") as tmp:
        spec = a.spec
        if spec is None:
            spec = Path(tmp) / "generated.corpus"
            spec.write_text(sales_spec(1000, 1), encoding="utf-8")
        env = dict(os.environ, XDG_CACHE_HOME=str(Path(tmp) / "cache"))
        env.pop("CORPUSC_NO_CACHE", None)

        def run(variant: str) -> float:
            out = subprocess.run([sys.executable, __file__, "--calls", str(a.calls), "--one", str(spec), variant],
                                 check=True, capture_output=True, text=True, env=env).stdout
            return json.loads(out.splitlines()[-1])
        run("full")  # fills the template memo, as bench_render's warm-up run
        figs: dict[str, list[float]] = {v: [] for v in VARIANTS}
        for _ in range(a.rounds):
            for v in VARIANTS:
                figs[v].append(run(v))
        full = statistics.median(figs["full"])
        for v, f in figs.items():
            m = statistics.median(f)
            print(f"{v:14} {m:7.1f} calls/CPU-s  {m / full:.2f}x of full  (the pass costs {100 * (1 - full / m):4.1f}% "
                  f"of the full render)" if v != "full" else f"{v:14} {m:7.1f} calls/CPU-s", flush=True)


if __name__ == "__main__":
    main()
