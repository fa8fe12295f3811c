"""Conversational dynamics of rendered calls, and the template renderer's speed.

    python benchmarks/bench_dynamics.py                       # sales_pov, contact_center
    python benchmarks/gen_spec.py 5000 > /tmp/big.corpus
    python benchmarks/bench_dynamics.py /tmp/big.corpus 300   # and the first 300 calls of a spec

Per corpus: fillers and false starts per 100 words (the renderer's records,
voice calls only), overlaps in the timeline (interruptions, backchannels said
over the other speaker), the silences between turns (min, median, p90, max,
distinct values, and calls with two equal silences), buyer-to-buyer turns, the
longest call, and calls and words per CPU second of `render_call`.
"""

from __future__ import annotations

import itertools
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from corpusc.compiler.driver import compile_file
from corpusc.diagnostics.model import Sink
from corpusc.plan import planner
from corpusc.render.template import engine

ROOT = Path(__file__).resolve().parent.parent


def load(path: Path, n: int | None = None):
    sink = Sink()
    c = compile_file(str(path), sink)
    errors = [d for d in sink.items if d.severity == "error"]
    if errors:
        raise SystemExit(f"{path}: {errors[0].message}")
    calls = planner.calls(c.program)
    return planner.header(c.program, c.spec_hash), list(itertools.islice(calls, n) if n else calls)


def figures(name: str, header, calls) -> str:
    t0 = time.process_time()
    rendered = [engine.render_call(c, header) for c in calls]
    cpu = max(1e-9, time.process_time() - t0)
    words = voice_words = fillers = false_starts = interruptions = over = b2b = same = 0
    gaps: list[float] = []
    for c, rc in zip(calls, rendered):
        voice = c.metadata.get("channel") != "text"
        own: list[float] = []
        reach = None
        for i, t in enumerate(rc.turns):
            n = len(t.text.split())
            words += n
            if voice:
                voice_words += n
                fillers += sum(1 for d in t.disfluencies if d.kind == "filler")
                false_starts += sum(1 for d in t.disfluencies if d.kind == "false_start")
            if t.overlaps is not None:
                over += t.backchannel
                interruptions += not t.backchannel
            elif reach is not None and t.start >= reach:
                own.append(round(t.gap if any(x.startswith("hold ") for x in t.cues) else t.start - reach, 3))
            reach = t.end if reach is None else max(reach, t.end)
            prev = rc.turns[i - 1] if i else None
            if prev and t.side == prev.side == "buyer" and t.speaker != prev.speaker and not t.backchannel:
                b2b += 1
        same += len(own) != len(set(own))
        gaps += own
    gaps.sort()
    q = gaps[int(0.9 * (len(gaps) - 1))] if gaps else 0.0
    return (f"{name}: {len(calls)} calls, {words} words; per 100 words {100 * fillers / max(1, voice_words):.2f} "
            f"fillers, {100 * false_starts / max(1, voice_words):.2f} false starts; overlaps {interruptions + over} "
            f"({interruptions} interruptions, {over} backchannels); gaps n={len(gaps)} min={gaps[0] if gaps else 0} "
            f"median={statistics.median(gaps) if gaps else 0:.3f} p90={q} max={gaps[-1] if gaps else 0} "
            f"distinct={len(set(gaps))} mode={Counter(gaps).most_common(1)[0][1] if gaps else 0}x, "
            f"calls with two equal silences {same}; buyer->buyer {b2b}; longest "
            f"{max(r.duration for r in rendered) / 60:.1f} min; {len(calls) / cpu:.0f} calls, "
            f"{words / cpu:.0f} words per CPU second")


def main() -> None:
    for name, n in (("sales_pov", None), ("contact_center", None)):
        h, calls = load(ROOT / "examples" / f"{name}.corpus", n)
        print(figures(name, h, calls))
    if len(sys.argv) > 1:
        h, calls = load(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else None)
        print(figures(Path(sys.argv[1]).stem, h, calls))


if __name__ == "__main__":
    main()
