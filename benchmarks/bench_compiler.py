"""Measure the compiler front end as a user runs it (cold processes).

    python benchmarks/bench_compiler.py

Reports: `corpusc check examples/sales_pov.corpus` wall time (median of 15 cold
runs, module cache warm as after the first run on a machine, and with the cache
off); check of a generated 5,000-line spec; `corpusc plan --json` of a
100,000-call population, wall time and peak RSS; check of 30k, 60k and 120k
rep blocks (time and memory linear in the size). Run it with the corpusc of the
environment you want to measure (it uses `sys.executable -m corpusc`).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gen_spec import population_spec

ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str], env=None) -> tuple[float, int]:
    """Wall seconds and peak RSS (KB) of one child process."""
    t = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-m", "corpusc", *args], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"corpusc {' '.join(args)} failed")
    return wall, usage.ru_maxrss


def median_wall(args, n=15, env=None) -> float:
    run(args, env)  # warm the module cache and the OS file cache
    return statistics.median(run(args, env)[0] for _ in range(n))


def main() -> None:
    sales = str(ROOT / "examples" / "sales_pov.corpus")
    nocache = dict(os.environ, CORPUSC_NO_CACHE="1")
    print(f"check sales_pov (cold process, median of 15):      {median_wall(['check', sales]):.3f} s")
    print(f"check sales_pov, module cache off:                 {median_wall(['check', sales], env=nocache):.3f} s")
    with tempfile.TemporaryDirectory() as d:
        big = Path(d) / "big.corpus"
        big.write_text(subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gen_spec.py"), "5000"],
                                      capture_output=True, text=True, check=True).stdout)
        lines = big.read_text().count("\n")
        print(f"check generated spec ({lines} lines, cache off):   "
              f"{median_wall(['check', str(big)], n=5, env=nocache):.3f} s")
        pop = Path(d) / "pop.corpus"
        pop.write_text(population_spec(100_000, name="pop", seed=9))
        out = Path(d) / "plan.json"
        wall, rss = run(["plan", "--json", "-o", str(out), str(pop)])
        size = out.stat().st_size / 1e6
        print(f"plan --json, 100,000-call population:              {wall:.2f} s, peak RSS {rss / 1024:.0f} MB, "
              f"{size:.0f} MB of JSON")
        scaling(Path(d), nocache)


def scaling(d: Path, nocache: dict) -> None:
    """check of 30,000, 60,000 and 120,000 one-line rep blocks (the last is
    4.6 MB, near the 5 MB limit): time and peak memory should double with the
    size, cache off, then with a cold and a warm module cache."""
    for n in (30_000, 60_000, 120_000):
        spec = d / f"reps{n}.corpus"
        spec.write_text("corpus big { seed 1 }\n" + "".join(f'rep r{i} "Rep {i}" {{ title "AE" }}\n'
                                                            for i in range(n)))
        mb = spec.stat().st_size / 1e6
        wall, rss = run(["check", str(spec)], env=nocache)
        cached = dict(os.environ, XDG_CACHE_HOME=str(d / f"cache{n}"))
        cold = run(["check", str(spec)], env=cached)
        warm = run(["check", str(spec)], env=cached)
        print(f"check {n:,} rep blocks ({mb:.1f} MB): cache off {wall:.1f} s {rss / 1024:.0f} MB; "
              f"cold {cold[0]:.1f} s {cold[1] / 1024:.0f} MB; warm {warm[0]:.1f} s {warm[1] / 1024:.0f} MB")


if __name__ == "__main__":
    main()
