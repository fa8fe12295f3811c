"""Where the renderer's time goes, from a sampling profile: the share of
samples per function (its own code, and with what it calls) or per line.

cProfile misleads here: a regex's scan (the iteration of `finditer`, C code)
is charged to the calling line and Python calls are inflated; session 19
read the filler scan as 0.2% of a render with cProfile, a sampling profiler
showed 30%. py-spy samples the real process; it is not a dependency of the
project (install it beside it: `python -m venv /tmp/spy && /tmp/spy/bin/pip install py-spy`).

    python benchmarks/bench_render.py --calls 300 --one SPEC -          # once after an edit: warms the template memo
    /tmp/spy/bin/py-spy record -r 1000 -f raw -o OUT.raw -- python benchmarks/bench_render.py --calls 300 --one SPEC -
    python benchmarks/spy_shares.py OUT.raw                # self and inclusive share per function, timed loop only
    python benchmarks/spy_shares.py OUT.raw --lines        # self share per line: the hot line
    python benchmarks/spy_shares.py OUT.raw --within build # any stack through a frame whose name holds "build"

By default only the stacks of bench_render's timed loop count (its warm-up
calls read the template memo and compile patterns once per process).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter

TIMED_LOOP = "bench_render.py:"  # + the line of the timed `r.render(...)` call, found below


def _timed_line(lines: list[str]) -> str | None:
    """The bench_render frame of the timed loop: of the two lines that call
    the renderer (warm-up, then timed), the later one."""
    found = {int(m.group(1)) for ln in lines for m in re.finditer(r"measure \(\S*bench_render\.py:(\d+)\)", ln)}
    calls = sorted(n for n in found if any(f"measure (bench_render.py:{n});" in ln and "render (" in ln for ln in lines))
    return f"bench_render.py:{calls[-1]})" if calls else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("raw", help="py-spy's `-f raw` output")
    ap.add_argument("--lines", action="store_true", help="self share per line instead of per function")
    ap.add_argument("--within", help="count only stacks with a frame holding this text (default: the timed loop)")
    ap.add_argument("--top", type=int, default=40)
    a = ap.parse_args()
    lines = open(a.raw, encoding="utf-8").read().splitlines()
    must = a.within or _timed_line(lines) or ""
    own: Counter = Counter()
    incl: Counter = Counter()
    total = 0
    for ln in lines:
        stack, _, n = ln.rpartition(" ")
        frames = stack.split(";")
        if must and not any(must in f for f in frames):
            continue
        total += int(n)
        keys = frames if a.lines else [re.sub(r":\d+\)", ")", f) for f in frames]
        own[keys[-1]] += int(n)
        for k in set(keys):
            incl[k] += int(n)
    print(f"{total} samples" + (f" through {must}" if must else ""))
    print("== self")
    for k, v in own.most_common(a.top):
        print(f"{100 * v / max(total, 1):5.1f}% {k}")
    if not a.lines:
        print("== with what it calls")
        for k, v in incl.most_common(a.top):
            print(f"{100 * v / max(total, 1):5.1f}% {k}")


if __name__ == "__main__":
    main()
