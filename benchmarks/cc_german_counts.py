"""The outside reader's German contact-center findings (session 27, task decc) counted on built corpora,
with the word lists and patterns of tests/test_cc_german.py (written apart from the banks and the locale
files): main against a branch, one line per build.

    sed 's/seed 12345/seed 4242/' examples/contact_center.corpus > /tmp/cc_4242.corpus
    corpusc build examples/contact_center.corpus -o /tmp/cc_12345 --only transcripts,ground_truth
    corpusc build /tmp/cc_4242.corpus -o /tmp/cc_4242 --only transcripts,ground_truth
    python benchmarks/cc_german_counts.py /tmp/cc_12345 /tmp/cc_4242
"""

from __future__ import annotations

import collections
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import test_cc_german as T  # noqa: E402  (the test's own word lists)


def counts(out: Path) -> dict[str, int]:
    c: collections.Counter = collections.Counter()
    calls = list(T._calls([out]))
    for _, lang, meta, _, _ in calls:
        c[f"calls {lang}"] += 1
        if meta.get("complaint_category") not in (None, "no_complaint"):
            c[f"complaint calls {lang}"] += 1
    raw = T.raw_header_values([out])
    for lang in ("de", "en"):
        c[f"1 header lines with an identifier value {lang}"] = len(raw[lang])
    named, heads = T.english_speakers([out])
    c["2 German turns/lines named in English"] = len(named)
    c["2 German txt headers with English roles"] = len(heads)
    for cid, kind, text in T.travel_slips([out]):
        lang = "de" if any(lg == "de" and c2 == cid for c2, lg, *_ in calls) else "en"
        c[f"3 travel: {kind} {lang}"] += 1
    tips = T.complaint_tips([out])
    for lang in ("de", "en"):
        c[f"4 tips in complaint calls {lang}"] = len(tips[lang])
        c[f"4 complaint calls with tips {lang}"] = len({cid for cid, _ in tips[lang]})
    for cid, _ in T.refunds_twice([out]):
        lang = next(lg for c2, lg, *_ in calls if c2 == cid)
        c[f"4 complaint-intent calls with the refund in 2+ turns {lang}"] += 1
    return dict(sorted(c.items()))


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(arg)
        for k, v in counts(Path(arg)).items():
            print(f"  {k}: {v}")
