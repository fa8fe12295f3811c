"""Contact center, session 28's outside reader (examples/contact_center on
d808996, counted with the reader's own scripts): defects fixed at their cause,
each checked here on the example's own draw and a second seed, with this
file's own word lists and patterns, written apart from the banks.

- cut-ins: a lead announcing a question ("Sorry, can I ask something?") with
  no question after it (22 of 27 such leads on d808996), a cut-in whose own
  words open with a mere acknowledgement ("Da muss ich kurz einhaken. Alles
  klar, das hilft mir.": 35)."""

from __future__ import annotations

import json
import re

import pytest

SEEDS = (12345, 404)
CUE = re.compile(r"\[[^\]]*\]\s*")


def _calls(built):
    """(call id, language, ground truth, transcript turns) of every call of a build."""
    for f in sorted((built / "ground_truth").glob("*.json")):
        gt = json.loads(f.read_text(encoding="utf-8"))
        doc = json.loads((built / "transcripts" / f"{gt['call_id']}.json").read_text(encoding="utf-8"))
        yield gt["call_id"], gt["metadata"]["language"][:2], gt, doc["turns"]


@pytest.fixture(scope="module", params=SEEDS)
def built(request, cc_seed_build):
    return cc_seed_build(request.param)


# --- cut-ins -------------------------------------------------------------------------------------
# a lead that says a question is coming
ASKS = re.compile(r"^(?:Sorry|Entschuldigung|Verzeihung|Pardon|Excuse me)[^.?!]{0,12}(?:one question|a question|eine Frage|"
                  r"ask (?:you )?something|etwas fragen|was fragen)[^.?!]*[.?!]\s*", re.I)
# any lead a speaker cuts in with
LEAD = re.compile(r"^(?:(?:Sorry|Entschuldigung|Verzeihung|Pardon|Wait|Warten Sie|Moment|Augenblick|Just a second|Hang on|"
                  r"Let me jump|Can I stop|Darf ich|Da muss ich|Ach, Moment|Bevor ich|Before I)[^.?!]*[.?!]\s*)", re.I)
# a sentence that only takes note of what was said
ONLY_ACK = re.compile(r"^(?:Sure|Thanks|Thank you|Okay|OK|All right|Alright|Right|Got it|Great|Perfect|Yes|Yeah|Yep|"
                      r"Alles klar|Danke|Vielen Dank|Gut|In Ordnung|Jep|Ja|Genau|Exakt|Verstanden|Prima)\b[^.?!]{0,40}[.!]", re.I)


def test_a_cut_in_that_announces_a_question_asks_one(built):
    """A lead announcing a question is followed by one in the same turn, and
    no cut-in lead is followed by a mere acknowledgement."""
    cut_ins, asks, unasked, acked = 0, 0, [], []
    for cid, _, _, turns in _calls(built):
        for t in turns:
            if "INTERRUPTS" not in t["annotations"]:
                continue
            cut_ins += 1
            text = CUE.sub("", t["text"])
            m = ASKS.match(text)
            if m:
                asks += 1
                if "?" not in text[m.end():]:
                    unasked.append((cid, t["index"], text[:90]))
            m = LEAD.match(text)
            if m and ONLY_ACK.match(text[m.end():]):
                acked.append((cid, t["index"], text[:90]))
    assert cut_ins >= 100, cut_ins
    assert not unasked, (asks, unasked[:5])
    assert not acked, acked[:5]
