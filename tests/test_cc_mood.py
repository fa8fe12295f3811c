"""A contact-center caller's words agree with the call's `sentiment_score`.

Session 28's outside reader: in the example's calls that are neither
complaints nor escalations, the score's correlation with the caller's own
emotion words was -0.01: "I had a real scare" in a call scored 0.853, "jetzt
bin ich beruhigt" in one scored -0.472. The mood veto (a content caller says
no words of anger, an upset one none of delight) knew no words of fear or of
relief. This file's own lists, written apart from the banks."""

from __future__ import annotations

import json
import re

# fear and worry, relief: the reader's words
FEAR = re.compile(r"\b(?:worried|scared|a (?:real )?scare|nervous|panic\w*|Angst|nervös|aufgeregt|Schreck\w*|"
                  r"beunruhigt|mulmig|Panik|Sorgen gemacht|macht mir Sorgen)\b", re.I)
RELIEF = re.compile(r"\b(?:reassur\w*|a weight off|beruhigt|beruhigend|sehr geholfen)\b", re.I)
CONTENT, UPSET = 0.3, -0.3  # the renderer's mood bands (service.py): beyond them the words agree


def test_a_callers_fear_and_relief_agree_with_the_calls_sentiment(cc_text_build):
    """A caller scored content says no words of fear; one scored upset none of relief (d808996: 21 such
    calls of the example's 200, the reader's "I had a real scare" at 0.853 among them)."""
    wrong, scored = [], 0
    for f in sorted((cc_text_build / "ground_truth").glob("*.json")):
        gt = json.loads(f.read_text(encoding="utf-8"))
        score = gt["metadata"].get("sentiment_score")
        if not isinstance(score, (int, float)) or UPSET <= score <= CONTENT:
            continue
        scored += 1
        tj = json.loads((cc_text_build / "transcripts" / f"{gt['call_id']}.json").read_text(encoding="utf-8"))
        sellers = {p["id"] for p in tj["participants"] if p["side"] == "seller"}
        said = " ".join(t["text"] for t in tj["turns"] if t["speaker"] not in sellers)
        rx = FEAR if score > CONTENT else RELIEF
        m = rx.search(said)
        if m:
            wrong.append((gt["call_id"], score, m.group(0)))
    assert scored >= 60  # calls outside the neutral band: the check is not empty
    assert not wrong, wrong[:6]
