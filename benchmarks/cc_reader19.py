"""Reader19's contact-center findings counted on built corpora, with the word
lists of tests/test_cc_intent_facts.py (written apart from the banks): the
figures of task cc19b, main against a branch.

    sed 's/seed 12345/seed 777/' examples/contact_center.corpus > /tmp/cc_777.corpus
    corpusc build examples/contact_center.corpus -o /tmp/cc_12345 --jobs 1 --only transcripts,ground_truth
    corpusc build /tmp/cc_777.corpus -o /tmp/cc_777 --jobs 1 --only transcripts,ground_truth
    python benchmarks/cc_reader19.py /tmp/cc_12345 /tmp/cc_777
"""

from __future__ import annotations

import collections
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import test_cc_intent_facts as T  # noqa: E402  (the test's own word lists)


def counts(outs: list[Path]) -> dict[str, int | float]:
    """Per finding, the calls (or turns, or tags) that show it."""
    c: collections.Counter = collections.Counter()
    by: collections.Counter = collections.Counter()  # findings 1 and 2 by language
    for cid, intent, loc, turns in T._calls(outs):
        before = {k: v for k, v in c.items() if k[:1] in "12"}
        caller = [t for side, t in turns if side == "caller"]
        staff = [t for side, t in turns if side == "staff"]
        found = [m for _, t in turns for m in T.ADDRESS[loc[:2]].finditer(t)]
        c["calls"] += 1
        if intent == "card_block":
            c["card-block calls"] += 1
            c["1 card block never said done"] += not any(T.BLOCKED[loc[:2]].search(t) for t in staff)
            c["1 fraud talk in a lost-card call"] += not any(T.CALLER_FRAUD.search(t) for t in caller) and any(
                T.AGENT_FRAUD.search(s) for t in staff for s in T._sentences(t))
        if intent == "address_change":
            c["address changes"] += 1
            c["1 address change without the new address"] += not found
        c["1 German four-digit house numbers"] += sum(
            1 for m in found if loc.startswith("de") and len(next(g for g in m.groups() if g)) > 3)
        kinds = set()
        if intent == "address_change":
            moved = [s for t in caller for s in T._sentences(t) if T.MOVED.search(s)]
            for what, table in (("move date", T.WHEN), ("move reason", T.WHY)):
                if len({k for k, rx in table.items() for s in moved if re.search(rx, s, re.I)}) > 1:
                    kinds.add(what)
        if len({k for k, rx in T.WHERE.items() for t in caller if re.search(rx, t, re.I)}) > 1:
            kinds.add("whereabouts")
        year = next((int(m.group()) for t in caller[:3] for m in T.BORN.finditer(t)), None)
        if year and 2025 - year > 35 and any(T.STUDENT.search(t) for t in caller):
            kinds.add("age")
        for k in kinds:
            c[f"2 {k}"] += 1
        c["2 calls whose caller says two things"] += bool(kinds)
        for k, v in c.items():
            if k[:1] in "12" and v != before.get(k, 0):
                by[f"{k} [{loc[:2]}]"] += v - before.get(k, 0)
        if loc.startswith("de"):
            c["German calls"] += 1
            for _, t in turns:
                c["3 'Jetzt, ich' turns"] += bool(T.CALQUE.search(t))
                c["3 'also, ... also' turns"] += bool(re.search(r"\b[Aa]lso,", t) and
                                                      len(re.findall(r"\balso\b", t, re.I)) > 1)
                c["3 nominative after a verb or preposition"] += len(T.WRONG_CASE.findall(t))
                c["3 closing tags"] += len(T.TAGS.findall(t))
    out: dict[str, int | float] = dict(sorted(c.items()))
    for k, v in sorted(by.items()):
        out[k] = v
    out["3 closing tags a German call"] = round(c["3 closing tags"] / max(1, c["German calls"]), 2)
    return out


if __name__ == "__main__":
    print(json.dumps(counts([Path(a) for a in sys.argv[1:]]), indent=1, ensure_ascii=False))
