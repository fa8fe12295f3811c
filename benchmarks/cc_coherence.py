"""Reader s21's finding 6 counted on built contact-center corpora, with the word
lists of tests/cc_coherence.py (written apart from the banks): per class, the
sentences that show it and the calls they are in.

    corpusc build examples/contact_center.corpus -o /tmp/cc --jobs 1 --only transcripts,ground_truth
    python benchmarks/cc_coherence.py /tmp/cc [-v]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import cc_coherence as C  # noqa: E402  (the test's own word lists)


def main(argv: list[str]) -> None:
    verbose = "-v" in argv
    outs = [Path(a) for a in argv if a != "-v"]
    calls = [c for out in outs for c in C.built(out)]
    got = C.defects(calls)
    print(f"{len(calls)} calls")
    for name, rows in got.items():
        print(f"{name}: {len(rows)} sentences in {len({r[0] for r in rows})} calls")
        if verbose:
            for cid, i, s in rows:
                print(f"   {cid} t{i}: {s[:160]}")


if __name__ == "__main__":
    main(sys.argv[1:])
