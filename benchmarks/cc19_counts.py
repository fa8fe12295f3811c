"""Reviewer cc19's findings on the contact center, counted over built DIRs with
this script's own word lists (not the renderer's banks), per language:
an escalation's outcome naming no supervisor, a transfer's not a hand-over to
whom, the hand-over announced in two agent turns, a hold announced short
(over 60 s) or as a minute or two (over 180 s), the recording notice after
the agent's first turn after the caller's reason, NPS contradicting sentiment
and FCR, birth dates / customer numbers / card digits said with no `pii`
span, and calls whose agent side takes leave in two sentences near the end.

    corpusc build examples/contact_center.corpus -o DIR --jobs 1 --only transcripts,ground_truth,sa
    python benchmarks/cc19_counts.py DIR [DIR ...]
"""
import json, re, sys, glob, os
SUP = re.compile(r"supervisor|team lead|manager|Teamleit|Vorgesetzt|Schichtleitung|Führungskraft", re.I)
XFER_V = re.compile(r"transfer|connect|put(ting)? you through|passing you|verbinde|stelle Sie|weitergeleitet|weiterverbunden|durchgestellt|gebe Sie|leite Sie", re.I)
XFER_W = re.compile(r"specialist|team|colleague|department|Spezialist|Fachteam|Fachabteilung|Kolleg|Team", re.I)
ANNOUNCE = re.compile(r"transferring you|transfer you|put(ting)? you through|connect(ing)? you|passing you|you're being transferred|(get|getting) (my|a) supervisor|escalat(e|ing) this|"
                      r"verbinde Sie|stelle Sie\b[^.;]{0,40}\bdurch|weitergeleitet|weiterverbunden|durchgestellt|gebe Sie\b[^.;]{0,40}\b(durch|weiter)|hole [^.;]{0,25}(Teamleitung|Vorgesetzt)[^.;]{0,10}dazu|(gebe|leite) das [^.;]{0,30}(Teamleitung|Vorgesetzt)[^.;]{0,10}weiter|leite Sie [^.;]{0,30}weiter", re.I)
SHORT = re.compile(r"\b(kurz|einen Moment|einen Augenblick|Augenblick|Moment|nicht lange|gleich wieder|brief|short|quick|a moment|won't take long|right back|one second|a second|mal eben)\b", re.I)
MINUTES = re.compile(r"zwei Minuten|ein, zwei Minuten|a minute or two|two minutes|a minute\b|just a minute", re.I)
LONGSAY = re.compile(r"few minutes|paar Minuten|several minutes|einige Minuten|longer|länger", re.I)
FW = re.compile(r"\b(goodbye|bye( now)?|have a (good|great|nice) (one|day|afternoon|evening|weekend)|take care|enjoy the rest of your \w+|auf wiederhören|tschüss|alles gute|(einen )?(schönen|angenehmen) (tag|abend|nachmittag|freitag|montag|dienstag|mittwoch|donnerstag|wochenende)( noch)?|machen sie es gut|bis bald)\b", re.I)
REC = re.compile(r"recorded|recording|aufgezeichnet|mitgeschnitten|Aufzeichnung", re.I)
BYE = re.compile(r"\b(goodbye|bye|have a good one|take care|auf wiederhören|tschüss|alles gute|schönen tag noch)\b", re.I)
DOB = re.compile(r"\b\d{1,2}\. (Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember) (19|20)\d\d\b|\b(January|February|March|April|May|June|July|August|September|October|November|December) \d{1,2}, (19|20)\d\d\b")
CUSTNO = re.compile(r"(?<![\d+-])\d{4} \d{4}(?![\d-])")
CARD = re.compile(r"(ending in|ends in|endet auf|end(s|et)? mit|last four( digits)?( are| is)?|letzten vier( Ziffern)?( sind)?)\D{0,20}(\d{4})\b", re.I)

def main(d, lang=None):
    c = dict(esc=0, esc_bad=0, xfer=0, xfer_bad=0, twice=0, ho_calls=0, holds_ann=0, hold_bad=0, rec=0, rec_mid=0,
             bye2=0, farewells2=0, nps_bad=0, pii_items=0, pii_unlabelled=0, calls=0)
    for f in sorted(glob.glob(f"{d}/ground_truth/*.json")):
        g = json.load(open(f)); m = g["metadata"]
        if lang and m.get("language") != lang: continue
        c["calls"] += 1
        cid = g["call_id"]; tj = json.load(open(f"{d}/transcripts/{cid}.json"))
        turns = tj["turns"]; txt = open(f"{d}/{g['transcript']}").read()
        ev = g.get("events") or []
        out = [e for e in ev if e["type"] == "outcome"]
        scen = m.get("scenario")
        if scen == "escalation_to_supervisor":
            c["esc"] += 1
            if not out or not SUP.search(out[0]["quote"]): c["esc_bad"] += 1
        if scen == "transfer_to_specialist":
            c["xfer"] += 1
            if not out or not (XFER_V.search(out[0]["quote"]) and XFER_W.search(out[0]["quote"])): c["xfer_bad"] += 1
        if scen in ("escalation_to_supervisor", "transfer_to_specialist"):
            c["ho_calls"] += 1
            first = turns[0]["speaker"]
            n = sum(1 for t in turns if t["speaker"] == first and ANNOUNCE.search(t["text"]))
            if n >= 2: c["twice"] += 1
        # holds: the agent turn two before the [hold] return announces it
        hold = m.get("Hold_time") or 0
        for e in ev:
            if e["type"] == "hold" and e["key"] == "announce":
                c["holds_ann"] += 1
                q = e["quote"]
                lim = 60 if SHORT.search(q) and not MINUTES.search(q) else 180 if MINUTES.search(q) else None
                if lim is not None and hold > lim: c["hold_bad"] += 1
        # recording notice after the opening (the agent's first two turns)
        agent = turns[0]["speaker"]
        opening = next((t["index"] for t in turns if t["index"] >= 2 and t["speaker"] == agent), 2)
        for t in turns:
            if REC.search(t["text"]) and re.search(r"(this|the) call|Gespräch|Telefonate", t["text"]):
                c["rec"] += 1
                if t["index"] > opening: c["rec_mid"] += 1
        tail = [(t["index"], x) for t in turns[len(turns) * 2 // 3:] if t["speaker"] != "caller"
                for x in re.split(r"(?<=[.!?])\s+", t["text"]) if FW.search(x)]
        if len(tail) >= 2: c["farewells2"] += 1
        byes = [t["index"] for t in turns if t["speaker"] != "caller" and BYE.search(t["text"])]
        if len(byes) >= 2: c["bye2"] += 1
        nps, s, fcr = m.get("NPS_score"), m.get("sentiment_score"), m.get("FCR")
        if isinstance(nps, int) and isinstance(s, (int, float)):
            if (nps >= 9 and s < -0.3) or (nps >= 9 and fcr is False and s < 0) or (nps <= 4 and s > 0.3 and fcr is True):
                c["nps_bad"] += 1
        spans = [(e["start"], e["end"]) for e in ev if e["type"] in ("pii", "pii_disclosure")] + \
                [(e["start"], e["end"]) for e in g.get("pii") or []]
        for rx in (DOB, CUSTNO, CARD):
            for mm in rx.finditer(txt):
                a, b = mm.span(mm.lastindex if rx is CARD else 0)
                c["pii_items"] += 1
                if not any(x <= a and b <= y for x, y in spans): c["pii_unlabelled"] += 1
    return c

if __name__ == "__main__":
    keys = ["calls", "esc_bad", "esc", "xfer_bad", "xfer", "twice", "ho_calls", "hold_bad", "holds_ann", "rec_mid", "rec", "farewells2", "nps_bad", "pii_unlabelled", "pii_items"]
    print("dir lang " + " ".join(keys))
    for d in sys.argv[1:]:
        for lang in ("de-DE", "en-US"):
            c = main(d, lang)
            print(d, lang, " ".join(str(c[k]) for k in keys))
