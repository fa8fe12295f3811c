"""Voice calls: the share of caller turns after a long silence (gap before the turn >= LONG s, from the timeline)."""
import json, sys, glob, os, re
from collections import Counter
D = sys.argv[1]; LONG = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
calls = hi = 0; shares = []; marked = Counter()
for f in sorted(glob.glob(os.path.join(D, "ground_truth", "*.json"))):
    g = json.load(open(f)); m = g.get("metadata") or {}
    if m.get("channel") not in ("voice", "phone"):
        continue
    tr = json.load(open(os.path.join(D, "transcripts", os.path.basename(f))))["turns"]
    callers = [(a, b) for a, b in zip(tr, tr[1:]) if b["role"] == "buyer"]
    if not callers:
        continue
    calls += 1
    long_ = [b for a, b in callers if b["start"] - a["end"] >= LONG]
    lab = [b for a, b in callers if re.match(r"\[(silence|hold)", b["text"])]
    share = len(long_) / len(callers); shares.append(share)
    marked["long_gaps"] += len(long_); marked["labelled_long"] += sum(1 for b in long_ if re.match(r"\[(silence|hold)", b["text"]))
    if share >= 0.6:
        hi += 1
print(f"voice calls {calls}; calls with >=60% caller turns after a gap >= {LONG}s: {hi}; mean share {sum(shares)/max(1,len(shares)):.2f}; {dict(marked)}")
