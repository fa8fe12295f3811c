"""Contact center: a caller's question is answered by the agent's next turn,
and a call does not say two things of its caller that cannot both hold.
Reader13 #5 found topical caller questions never answered (37 in 33/200
calls: PIN 10/13, final statement 10/12) and call 00038 saying both "two card
payments that look unusual" and "no payments since your last purchase", and
"up a ladder cleaning the gutters" and "off sick with a bad back". The topics
and what answers them are written out here, not read from the banks."""

from __future__ import annotations

import json
import re

CUE = re.compile(r"\[[^\]]*\]\s*")
QUESTION = re.compile(r"[^.!?]+\?")
# topic: (a caller question on it, a word of the agent's next turn that takes it up)
TOPICS = {
    "pin": (r"\bPIN\b", r"\bPIN\b"),
    "direct debit": (r"direct debits?|standing orders?|Lastschriften|Daueraufträge",
                     r"direct debit|standing order|Lastschrift|Dauerauftr"),
    "final statement": (r"(final|closing|last) statement|Abschlussauszug|letzten (Konto)?auszug", r"statement|auszug"),
    "money back": (r"full amount back|all of it back|vollen Betrag zurück|alles zurück", r"\bback\b|zurück"),
    "where the money is": (r"where did it go|has to be somewhere|wo ist es denn hin|muss es ja sein|im Auszug\?",
                           r"account|Konto|bank|auszug|on its way|unterwegs|raus|werktag|noch|bei uns|still|with us|zurück|back|"
                           r"ausgeführt|executed|went through|ging durch"),
    "refund time": (r"until I see the money|refund take", r"days|weeks"),
    "how long": (r"how long|wie lange", r"minute|tag|day|today|tomorrow|hang up|morgen|heute|auflegen|week|woche|hour|"
                                        r"stunde|moment|sekunde|second|on the phone|telefonieren"),
}


def _calls(built):
    for f in sorted((built / "transcripts").glob("*.json")):
        doc = json.loads(f.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and "turns" in doc:
            yield doc["call_id"], doc["turns"]


def test_the_next_agent_turn_answers_the_callers_question(cc_text_build):
    """Every caller question on one of the topics (after the opening request,
    which the whole call answers) is taken up by the agent's very next turn."""
    asked, unanswered = 0, []
    for cid, turns in _calls(cc_text_build):
        for i, t in enumerate(turns[:-1]):
            nxt = turns[i + 1]
            if t["speaker"] != "caller" or i <= 1 or nxt["speaker"] == "caller":
                continue
            for q in QUESTION.findall(CUE.sub("", t["text"])):
                for topic, (ask, answer) in TOPICS.items():
                    if re.search(ask, q, re.I):
                        asked += 1
                        if not re.search(answer, nxt["text"], re.I):
                            unanswered.append((cid, i, topic, q.strip(), nxt["text"][:100]))
    assert asked >= 30, asked
    assert not unanswered, unanswered[:5]


# what a caller says of their day or their card that one call cannot say twice
CLASHES = [
    ("caller", r"off sick|home sick|bad back|krankgeschrieben|zu Hause krank|Rückenschmerzen",
     "caller", r"ladder|gutters|Leiter|Regenrinne"),
    ("agent", r"payments? from (last night|this morning) that look unusual|don't fit your usual pattern",
     "agent", r"no (card )?payments (after|since)|hasn't been used|nobody has used it"),
    ("caller", r"on my card (that I didn't make|I don't recognize)",
     "caller", r"nothing looks odd|there's nothing strange"),
]


def test_a_call_says_one_thing_of_its_caller(cc_text_build):
    clashes = []
    for cid, turns in _calls(cc_text_build):
        said = {"caller": " ".join(t["text"] for t in turns if t["speaker"] == "caller"),
                "agent": " ".join(t["text"] for t in turns if t["speaker"] != "caller")}
        for side_a, a, side_b, b in CLASHES:
            if re.search(a, said[side_a]) and re.search(b, said[side_b]):
                clashes.append((cid, a[:30], b[:30]))
    assert not clashes, clashes
