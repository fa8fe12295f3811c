"""The lexical divergence baselines on sales_pov and on a generated sales spec
(issue 15 §2: each must score F1 <= 0.6).

    python benchmarks/bench_divergence.py            # sales_pov + 1,000 generated calls
    python benchmarks/bench_divergence.py 3000 7     # 3,000 generated calls, seed 7

Builds both into a temporary directory (txt+json transcripts and ground truth)
and prints precision, recall and F1 per baseline: the divergence rules of
`corpusc score DIR --baseline NAME` (corpusc.score.baselines), scored by the
matching every pipeline is scored by.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from gen_spec import sales_spec

ROOT = Path(__file__).resolve().parent.parent
MAX_F1 = 0.6


def build(spec: Path, out: Path) -> None:
    subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(out), "--jobs", "2"],
                   check=True, capture_output=True)


def report(title: str, out: Path) -> bool:
    from corpusc.score.baselines import divergence_scores
    r = divergence_scores(str(out))
    first = next(iter(r.values()))
    print(f"\n{title}: {first['tp'] + first['fn']} divergence points")
    print(f"  {'baseline':30s} {'P':>6s} {'R':>6s} {'F1':>6s} {'fired':>6s}")
    ok = True
    for name, s in r.items():
        flag = "" if s["f1"] <= MAX_F1 else "  > 0.6"
        ok &= s["f1"] <= MAX_F1
        print(f"  {name:30s} {s['precision']:6.3f} {s['recall']:6.3f} {s['f1']:6.3f} {s['tp'] + s['fp']:6d}{flag}")
    return ok


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    tmp = Path(tempfile.mkdtemp(prefix="bench_div_"))
    try:
        shutil.copy(ROOT / "examples" / "sales_pov.corpus", tmp / "sales_pov.corpus")
        build(tmp / "sales_pov.corpus", tmp / "sales")
        (tmp / "gen.corpus").write_text(sales_spec(calls).replace("  seed 1\n", f"  seed {seed}\n", 1),
                                        encoding="utf-8")
        build(tmp / "gen.corpus", tmp / "gen")
        ok = report("sales_pov", tmp / "sales")
        ok &= report(f"generated sales spec ({calls} calls, seed {seed})", tmp / "gen")
        print("\nall baselines at F1 <= 0.6" if ok else "\nSOME BASELINE ABOVE F1 0.6")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
