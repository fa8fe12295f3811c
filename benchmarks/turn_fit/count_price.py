"""Pricing questions (a buyer's last sentence) and the seller's next turn: does the answer give what was asked?"""
import json, re, sys, glob, os
from collections import Counter
D = sys.argv[1]; n_ex = int(sys.argv[2]) if len(sys.argv) > 2 else 0
Q = [("total", r"three years|three-year|all-in|full cost|total cost|drei Jahre|Gesamtsumme|volle Summe|Gesamtzahl"),
     ("addon", r"on top|add-on cost|would that add|does this add|cost us|obendrauf|außer den Lizenzen|über den Grundpreis|kostet uns das|macht das .* aus|würde das .* aus"),
     ("tier", r"base (tier|price)|come standard|included|an add-on|extra|priced separately|Grundpreis|Basispaket|im Paket|Add-on"),
     ("model", r"per seat|per user|annual contract|billed|paid yearly|pro Lizenz|pro Nutzer|abgerechnet|Jahresvertrag|rechnen Sie|rechnet sich")]
TOTAL_A = re.compile(r"three years|three-year|three times|multi-year|drei Jahre|Dreifache|Mehrjahres", re.I)
PRICE_A = re.compile(r"\bper seat|base tier|base price|nothing extra|priced separately|Grundpreis|Basispaket|separat|seat-based|\$|€|included|no extra|add-on|on top|pro Lizenz|lizenzbasiert|inklusive|enthalten|ohne Aufpreis|Aufpreis|zusätzlich|obendrauf|Euro|dollars", re.I)
c = Counter(); ex = []
for f in sorted(glob.glob(os.path.join(D, "transcripts", "*.json"))):
    d = json.load(open(f)); T = d["turns"]
    for i in range(len(T) - 1):
        a, b = T[i], T[i + 1]
        if a["role"] == "seller" or b["role"] != "seller":
            continue
        txt = re.sub(r"\[[^\]]*\]\s*", "", a["text"]).strip()
        if not txt.endswith("?"):
            continue
        last = re.split(r"(?<=[.!?])\s+", txt)[-1]
        if not re.search(r"pric|cost|price|seat|tier|add-on|Lizenz|Preis|kost|Summe|Paket|abgerechnet|obendrauf", last, re.I):
            continue
        kind = next((k for k, p in Q if re.search(p, last, re.I)), None)
        if kind is None:
            continue
        ans = " ".join(re.split(r"(?<=[.!?])\s+", re.sub(r"\[[^\]]*\]\s*", "", b["text"]))[:3])
        c["q_" + kind] += 1
        bad = (kind == "total") != bool(TOTAL_A.search(ans)) or (kind != "total" and not PRICE_A.search(ans))
        if bad:
            c["bad_" + kind] += 1
            ex.append(f"{d['call_id']}#{i} [{kind}] {last[-90:]!r} -> {ans[:120]!r}")
for k in sorted(c): print(k, c[k])
print("bad total", sum(v for k, v in c.items() if k.startswith("bad_")))
for e in ex[:n_ex]: print("  ", e)
