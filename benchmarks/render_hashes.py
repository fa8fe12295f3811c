"""A hash of every call the template renderer writes, to prove a change that
is meant to be output-neutral (a speed-up) byte-identical: each planned call
of the specs rendered as bench_quality.speed() renders it, and the sha256 of
its RenderedCall's JSON.

    python benchmarks/render_hashes.py OUT.json [SPEC ...]     # hashes of this checkout
    python benchmarks/render_hashes.py --compare A.json B.json  # IDENTICAL, or the calls that differ

Without specs: examples/sales_pov.corpus, examples/contact_center.corpus and
two generated sales specs (gen_spec.py, 1,000 calls English seed 3 and 300
calls German seed 3). Run it on the commit before and after the change (and
with CORPUSC_NO_CACHE=1: the template cache must not change a byte).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _specs(tmp: Path) -> list[tuple[str, Path]]:
    out = [("sales_pov", ROOT / "examples/sales_pov.corpus"), ("contact_center", ROOT / "examples/contact_center.corpus")]
    for name, args in (("generated", ["--calls", "1000", "--seed", "3"]),
                       ("generated_de", ["--calls", "300", "--seed", "3", "--locale", "de-DE"])):
        p = tmp / f"{name}.corpus"
        p.write_text(subprocess.run([sys.executable, str(ROOT / "benchmarks/gen_spec.py"), *args], check=True,
                                    capture_output=True, text=True).stdout)
        out.append((name, p))
    return out


def hashes(spec: Path) -> list[str]:
    from corpusc.builder.compile import compile_spec, engine, renderer_options
    from corpusc.diagnostics.model import Sink
    from corpusc.plan import planner as planmod
    from corpusc.render import registry as renderers
    compiled = compile_spec(os.path.relpath(spec), Sink())
    prog = compiled.program
    header = planmod.header(prog, compiled.spec_hash)
    r = renderers.get(engine(prog))
    opts = renderer_options(prog, r.Options.model_fields)
    return [hashlib.sha256(r.render(c, header, opts).model_dump_json().encode()).hexdigest()
            for c in planmod.calls(prog)]


def compare(a: dict[str, list[str]], b: dict[str, list[str]]) -> int:
    bad = 0
    for name in sorted(set(a) | set(b)):
        x, y = a.get(name, []), b.get(name, [])
        diff = [i for i, (p, q) in enumerate(zip(x, y)) if p != q]
        print(f"{name}: {len(x)} / {len(y)} calls, {len(diff)} differ {diff[:10]}")
        bad += len(diff) + abs(len(x) - len(y))
    print("IDENTICAL" if not bad else "DIFFERENT")
    return 1 if bad else 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--compare"] and len(argv) == 3:
        return compare(json.loads(Path(argv[1]).read_text()), json.loads(Path(argv[2]).read_text()))
    if not argv:
        print(__doc__)
        return 2
    out = Path(argv[0]).resolve()
    os.chdir(ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        specs = [(Path(s).stem, Path(s).resolve()) for s in argv[1:]] or _specs(Path(tmp))
        res = {}
        for name, spec in specs:
            res[name] = hashes(spec)
            print(f"{name}: {len(res[name])} calls, {hashlib.sha256(''.join(res[name]).encode()).hexdigest()[:16]}")
    out.write_text(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
