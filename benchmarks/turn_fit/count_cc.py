"""Contact-center turn fit: 'how long' questions answered with no time; a hold request in a turn that already asked."""
import json, re, sys, glob, os
from collections import Counter
D = sys.argv[1]; n_ex = int(sys.argv[2]) if len(sys.argv) > 2 else 0
HOWLONG = re.compile(r"\b(how long|how much longer|wie lange|wie lang|bis wann|wann (?:ist|kommt|sehe|bekomme|wird))\b", re.I)
NUM = r"(?:\d+|a|an|one|two|three|four|five|six|seven|ten|fifteen|twenty|thirty|a few|a couple of|ein(?:e[nm]?)?|zwei|drei|vier|fünf|sechs|sieben|zehn|fünfzehn|zwanzig|dreißig|wenige[n]?|paar)"
UNIT = r"(?:seconds?|minutes?|hours?|days?|business days?|working days?|banking days?|weeks?|months?|Sekunden?|Minuten?|Stunden?|Tage[n]?|Werktage[n]?|Bankarbeitstage[n]?|Geschäftstage[n]?|Wochen?|Monate[n]?)"
TIME = re.compile(rf"\b{NUM}[\s-]+(?:{NUM}[\s-]+)?(?:(?:to|or|bis|oder)\s+{NUM}\s+)?{UNIT}\b|\b(?:today|tomorrow|tonight|right away|immediately|instantly|overnight|end of (?:the )?(?:day|week|month)|by (?:Monday|Tuesday|Wednesday|Thursday|Friday)|next week|this week|heute|morgen|sofort|gleich|über Nacht|Ende der Woche|bis (?:Montag|Dienstag|Mittwoch|Donnerstag|Freitag)|nächste Woche|diese Woche|since|seit)\b", re.I)
HOLD = re.compile(r"\b(on hold|in der Warteschleife|in die Warteschleife|(?:can|may) I put you|darf ich Sie (?:kurz )?(?:halten|parken)|kurz dranbleiben|einen Moment in der)\b", re.I)
c = Counter(); ex = {}
def note(k, s): c[k] += 1; ex.setdefault(k, []).append(s)
for f in sorted(glob.glob(os.path.join(D, "transcripts", "*.json"))):
    d = json.load(open(f)); T = d["turns"]; c["calls"] += 1
    for i, t in enumerate(T):
        txt = re.sub(r"\[[^\]]*\]\s*", "", t["text"]).strip()
        sents = re.split(r"(?<=[.!?—])\s+", txt)
        if t["role"] == "buyer":
            qs = [s for s in sents if s.endswith("?") and HOWLONG.search(s)]
            if qs and i + 1 < len(T):
                c["howlong_q"] += 1
                nxt = re.sub(r"\[[^\]]*\]\s*", "", T[i + 1]["text"])
                if not TIME.search(nxt):
                    note("howlong_no_time", f"{d['call_id']}#{i}: {qs[0][-80:]!r} -> {nxt[:140]!r}")
        else:
            for k, s in enumerate(sents):
                if HOLD.search(s):
                    c["hold"] += 1
                    before = [x for x in sents[:k] if x.endswith("?")]
                    if before:
                        note("hold_after_q", f"{d['call_id']}#{i}: {txt[:200]!r}")
                    if k and sents[k - 1].endswith("?"):
                        note("hold_right_after_q", f"{d['call_id']}#{i}: {txt[:200]!r}")
                    break
for k in sorted(c): print(k, c[k])
for k in ex:
    print("==", k)
    for s in ex[k][:n_ex]: print("  ", s)
