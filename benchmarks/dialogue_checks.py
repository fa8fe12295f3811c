"""Sales dialogue defects counted over built corpora, read from the emitted
files the way an outside reader would (its own patterns, no corpusc import):

  nonanswer   a seller question asking for content ("How long does legal
              take?") answered with a bare "Maybe." / "Ja." / "Not yet."
  changed     "has anything changed?" answered "yes, nothing has"; a buyer
              saying both that things changed and that nothing did
  day         a buyer accepting a meeting day ("next Thursday works") no
              seller proposed before
  agenda      a terms/signoff agenda answered "I'll walk you through how we work"
  followup    "What's on your plate?" (asked after "how are you") answered "Good. Long Monday."

usage: python benchmarks/dialogue_checks.py BUILD_DIR [BUILD_DIR ...]
(a build of `corpusc build`, with transcripts/*.json and ground_truth/*.json)."""

from __future__ import annotations

import argparse
import collections
import json
import re
from pathlib import Path

CUE = re.compile(r"\[[^\]]*\]\s*")
FILLER = re.compile(r"^(?:(?:Uh|Um|Uhm|Hm|Hmm|Er|Erm|Äh|Ähm)[,.]\s+)+", re.I)
OPEN = re.compile(r"^(?:how|what|what's|who|who's|when|which|where|why|wie|was|wer|wann|welche[rsnm]?|wo|warum|"
                  r"wieso|weshalb|inwiefern)\b", re.I)
YES_NO = re.compile(r"^(?:Maybe|Possibly|Perhaps|Yes|Yeah|Yep|No|Nope|Not yet|No dates yet|Vielleicht|Möglicherweise|"
                    r"Eventuell|Ja|Nein|Noch nicht|Mag sein)[.!]$", re.I)
CHANGED_Q = re.compile(r"(anything changed|has anything moved|Hat sich [^?]*(geändert|getan|bewegt))[^?]*\?\s*$", re.I)
YES_UNCHANGED = re.compile(r"^(?:Yes|Yeah|Yep|That's right|Correct|Exactly|Spot on|Ja|Genau|Richtig|Stimmt|Korrekt|"
                           r"Exakt)\b")
CHANGED = re.compile(r"(a lot has changed|things have shifted|hat sich einiges (geändert|verschoben|bewegt))", re.I)
UNCHANGED = re.compile(r"(nothing's changed|same as before|still accurate|nichts Neues|alles wie gehabt|"
                       r"das ist noch (momentan|derzeit|aktuell))", re.I)
W = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Montag|Dienstag|Mittwoch|Donnerstag|Freitag)"
DAY = re.compile(rf"\b(?:(?:next|this) {W}|{W} (?:next|this) week|(?:early|later) next week|(?:nächsten|diesen) {W}|"
                 rf"{W} (?:nächster|dieser) Woche|(?:Anfang|Ende) nächster Woche)\b", re.I)
# ("Mir persönlich geht es so: ..." opens a view, it accepts nothing)
ACCEPT = re.compile(r"\b(works|is good|it is|then|speak|talk|see you|block|hold|passt|geht(?! es so)|klappt|halte|blocke)\b", re.I)
FOLLOW = re.compile(r"(Anything new at|What's new on your side|What's keeping you busy|What's on your plate|Is this a "
                    r"busy stretch|usually this busy|Anything (exciting|interesting) going on|Was gibt es Neues|Gibt es "
                    r"etwas Neues|Was hält Sie gerade|Womit sind Sie gerade|Ist das gerade eine volle Phase|immer so "
                    r"voll|etwas Spannendes los)[^?]*\?\s*$")
HOW_REPLY = re.compile(r"^(?:\[[^\]]*\] )*(Good|Pretty good|Doing well|Doing great|Not bad|All good|Happy \w+day|"
                       r"Gut|Ganz gut|Danke, gut|Sehr gut|Bestens|Alles gut|Danke, gleichfalls|Ihnen auch)[,.!]")
SHOW_HOW = re.compile(r"(happy to show you how \w+ does things|tell you how it works at|(?:I can|happy to) walk you "
                      r"through how|ich erzähle Ihnen gerne?, wie wir|say where the \w+ do it differently)", re.I)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.findall(r"[^.!?—]+(?:[.!?]+|—|$)", CUE.sub("", text)) if s.strip()]


def open_question(q: str) -> bool:
    return any(OPEN.match(p.strip()) for p in re.split(r"[,;] ", q.rsplit(": ", 1)[-1])[:3])


def calls(build: Path):
    for g in sorted((build / "ground_truth").glob("*.json")):
        gt = json.loads(g.read_text(encoding="utf-8"))
        if gt.get("kind") != "sales":
            continue
        tr = json.loads((build / "transcripts" / f"{gt['call_id']}.json").read_text(encoding="utf-8"))
        yield gt, tr["turns"]


def check(build: Path) -> tuple[collections.Counter, dict[str, list]]:
    n: collections.Counter = collections.Counter()
    ex: dict[str, list] = collections.defaultdict(list)
    for gt, turns in calls(build):
        n["calls"] += 1
        cid = gt["call_id"]
        proposed = ""
        changed = same = None
        for i, t in enumerate(turns):
            seller = t["role"] == "seller"
            prev = turns[i - 1] if i else None
            if seller:
                proposed += " " + t["text"].lower()
                continue
            if prev is not None and prev["role"] == "seller":
                asked, said = sentences(prev["text"]), sentences(t["text"])
                if asked and said and asked[-1].endswith("?") and open_question(asked[-1]):
                    n["nonanswer: content questions"] += 1
                    if YES_NO.match(FILLER.sub("", said[0])):
                        n["nonanswer: answered yes/no/maybe"] += 1
                        ex["nonanswer"].append((cid, i, asked[-1][:60], said[0]))
                if FOLLOW.search(prev["text"]):
                    n["followup: 'anything new?' questions"] += 1
                    if HOW_REPLY.search(t["text"]):
                        n["followup: ... answered as 'how are you?'"] += 1
                        ex["followup"].append((cid, i, t["text"][:60]))
                if CHANGED_Q.search(prev["text"]) and YES_UNCHANGED.match(FILLER.sub("", CUE.sub("", t["text"]))):
                    n["changed: 'anything changed?' answered yes"] += 1
                    ex["changed"].append((cid, i, t["text"][:60]))
            if changed is None and CHANGED.search(t["text"]):
                changed = i
            if same is None and UNCHANGED.search(t["text"]):
                same = i
            for s in sentences(t["text"]):
                for m in DAY.finditer(s):
                    if ACCEPT.search(s):
                        n["day: buyer accepts a meeting day"] += 1
                        if m.group(0).lower() not in proposed:
                            n["day: ... no seller proposed"] += 1
                            ex["day"].append((cid, i, s[:70]))
            if i < 20 and gt.get("stage") in ("negotiation", "close") and SHOW_HOW.search(t["text"]):
                n["agenda: paperwork call, buyer offers to show how they work"] += 1
                ex["agenda"].append((cid, i))
        if changed is not None and same is not None:
            n["changed: buyer says changed and unchanged"] += 1
            ex["changed"].append((cid, changed, same))
    return n, ex


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("builds", nargs="+", type=Path)
    ap.add_argument("--examples", type=int, default=3, help="examples shown per defect")
    a = ap.parse_args()
    for b in a.builds:
        n, ex = check(b)
        print(f"== {b}")
        for k, v in n.items():
            print(f"  {k:60s} {v}")
        for k, v in ex.items():
            for e in v[:a.examples]:
                print(f"    {k}: {e}")


if __name__ == "__main__":
    main()
