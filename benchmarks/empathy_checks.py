"""Issue 15 §3 "bad news gets empathy" counted on built sales corpora, with the
word lists of tests/empathy_checks.py (written apart from the banks): the
buyer's small-talk turns that tell bad news, and the seller replies to them
that open without empathy or say cheer.

    python benchmarks/gen_spec.py --calls 1000 --seed 3 > /tmp/g.corpus
    corpusc build /tmp/g.corpus -o /tmp/g --only transcripts,ground_truth --jobs 2
    python benchmarks/empathy_checks.py /tmp/g [-v]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import empathy_checks as E  # noqa: E402  (the test's own word lists)


def main(argv: list[str]) -> None:
    verbose = "-v" in argv
    for out in (Path(a) for a in argv if a != "-v"):
        got = E.defects(out)
        bad = E.bad_replies(got)
        print(f"{out}: {len(got['turns'])} bad-news small-talk turns; {len(bad)} replies without empathy "
              f"(opener {len(got['opener'])}, cheer {len(got['cheer'])})")
        if verbose:
            cheer = {(r[0], r[1]) for r in got["cheer"]}
            opener = {(r[0], r[1]) for r in got["opener"]}
            for cid, i, b, s in bad:
                why = "+".join(w for w, k in (("opener", opener), ("cheer", cheer)) if (cid, i) in k)
                print(f"  {cid} t{i} [{why}]\n     B: {b[:150]}\n     S: {s[:190]}")


if __name__ == "__main__":
    main(sys.argv[1:])
