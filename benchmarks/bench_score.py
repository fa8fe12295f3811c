"""Measure `corpusc score` on 10,000 generated sales calls (issue figure: at
most 10 s on 2 cores): builds the corpus once (cached in the folder given,
default a temp dir), writes predictions that say exactly what the ground truth
says (every span a quote or txt offsets, so span conversion is exercised),
then times `corpusc score` as a user runs it, with the default 1,000
bootstrap resamples.

    python benchmarks/bench_score.py [CALLS] [WORKDIR]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gen_spec import sales_spec

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    work = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp(prefix="bench-score-"))
    spec, out, preds = work / "big.corpus", work / "out", work / "predictions.jsonl"
    if not (out / "manifest.json").exists():
        spec.write_text(sales_spec(calls), "utf-8")
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(out), "--jobs", "2"],
                       check=True, capture_output=True)
        print(f"built {calls} calls in {time.perf_counter() - t:.1f} s -> {out}")
    from tests.test_score import _truth_predictions
    preds.write_text("".join(json.dumps(p) + "\n" for p in _truth_predictions(out)), "utf-8")
    print(f"predictions: {preds.stat().st_size / 1e6:.1f} MB")
    code = ("import resource, runpy, sys; sys.argv = ['corpusc'] + sys.argv[1:]\n"
            "try:\n    from corpusc.cli.main import main; main()\n"
            "except SystemExit: pass\n"
            "s = resource.getrusage(resource.RUSAGE_SELF)\n"
            "print('RSS', s.ru_maxrss, s.ru_utime + s.ru_stime, file=sys.stderr)\n")
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", code, "score", str(out), str(preds), "--format", "json"],
                       capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    wall = time.perf_counter() - t
    rss, cpu = r.stderr.strip().splitlines()[-1].split()[1:]
    doc = json.loads(r.stdout)
    print(f"score {doc['calls']} calls: {wall:.2f} s wall, {float(cpu):.2f} s CPU, peak RSS {int(rss) / 1024:.0f} MB; "
          f"micro F1 {doc['signals']['micro']['f1']}, divergence F1 {doc['divergence']['f1']}")


if __name__ == "__main__":
    main()
