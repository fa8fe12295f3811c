"""Lists, in a built contact-center corpus, (a) agent questions whose caller
reply answers another question, (b) caller questions the agent's next turn
does not take up. The text is read from the built transcripts (json), as an
outside evaluator reads it; which caller turn replies to which agent step is
the renderer's evidence (the spec rendered again in process: `Service.step_at`;
the same spec and seed give the same calls, checked turn by turn).

usage: python -m tests.check_cc_replies SPEC BUILD_DIR   (from the repository root)"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from .test_cc_population_facts import _render, _sentences
from .test_cc_replies import KINDS, OTHER_REPLY, TOPICS, capture_steps


def main(spec: str, out: str) -> None:
    """Print (a) and (b) for the calls of `out` that `spec` renders alike in process."""
    steps = capture_steps(setattr)
    rendered = {rc.call_id: rc for _, rc in _render(Path(spec))}
    a_bad, a_asked, b_bad, b_asked, diff = [], 0, [], 0, 0
    for f in sorted((Path(out) / "transcripts").glob("*.json")):
        doc = json.loads(f.read_text(encoding="utf-8"))
        if not isinstance(doc, dict) or "turns" not in doc:
            continue
        cid, turns = doc["call_id"], doc["turns"]
        rc, at = rendered.get(cid), steps.get(cid, {})
        if rc is None or [t.text for t in rc.turns] != [t["text"] for t in turns]:
            diff += 1  # the build is not this spec's rendering: no step evidence for it
            continue
        for i, t in enumerate(turns[:-1]):
            nxt = turns[i + 1]
            seller, nseller = t["role"] == "seller", nxt["role"] == "seller"
            s = at.get(i)
            if seller and not nseller and s and s[:1] != "=" and at.get(i + 1) == s:
                q = next((x for x in reversed(_sentences(t["text"])) if x.endswith("?")), "")
                first = next((x for x in _sentences(nxt["text"]) if len(x.split()) > 2), "")
                if not q:
                    continue
                a_asked += 1
                why = None
                for kind, (ask, says) in KINDS.items():
                    if re.search(ask, q, re.I) and not re.search(says, nxt["text"], re.I):
                        why = f"{kind} asked, none said"
                for ask, other in OTHER_REPLY:
                    if re.search(ask, q, re.I) and re.search(other, first, re.I):
                        why = "the reply to another question of the step"
                if why:
                    a_bad.append((cid[-5:], s, why, q[-70:], first[:80]))
            if not seller and nseller and i > 1:
                for q in (x for x in _sentences(re.sub(r"\[[^\]]*\]\s*", "", t["text"])) if x.endswith("?")):
                    topic = next((k for k, (ask, _) in TOPICS.items() if re.search(ask, q, re.I)), None)
                    if topic is None:
                        continue
                    b_asked += 1
                    if not re.search(TOPICS[topic][1], nxt["text"], re.I):
                        b_bad.append((cid[-5:], topic, q[-70:], nxt["text"][:90]))
    print(f"(a) agent questions answered by their step's reply: {a_asked}, not answering: {len(a_bad)}")
    for x in a_bad:
        print("   ", *x, sep=" | ")
    print(f"(b) caller questions on the listed topics: {b_asked}, not taken up by the next agent turn: {len(b_bad)}")
    for x in b_bad:
        print("   ", *x, sep=" | ")
    if diff:
        print(f"({diff} calls differ from the in-process rendering: not checked)")


if __name__ == "__main__":
    main(*sys.argv[1:3])
