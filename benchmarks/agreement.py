"""Subject-verb agreement slips in built corpora ("because Kira run", "if
your analysts wants", "you grades"), counted per pattern by
tests/agreement_checks.py (its own word lists; no corpusc import).

usage: python benchmarks/agreement.py BUILD_DIR [BUILD_DIR ...] [--show N]
(a build of `corpusc build` with transcripts/*.json). Prints per build and
pattern the count, then up to N examples of each pattern (default 5)."""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from agreement_checks import PATTERNS, build_slips, counts  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("builds", nargs="+", type=Path)
    ap.add_argument("--show", type=int, default=5)
    a = ap.parse_args()
    total = 0
    for b in a.builds:
        found = build_slips(b)
        c = counts(found)
        total += len(found)
        print(f"{b}: {len(found)} slips  " + "  ".join(f"{k}={c.get(k, 0)}" for k in PATTERNS))
        ex = defaultdict(list)
        for cid, i, kind, said in found:
            ex[kind].append(f"{cid} t{i}: {said}")
        for kind in PATTERNS:
            for line in ex[kind][:a.show]:
                print(f"    {kind:16s} {line}")
    print(f"total {total}")


if __name__ == "__main__":
    main()
