"""Seller personal asides (own patterns): where in the call, and after what."""
import json, re, sys, glob, os
from collections import Counter
D = sys.argv[1]; n_ex = int(sys.argv[2]) if len(sys.argv) > 2 else 0
P = re.compile(r"\b(coffee machine|moved offices|office move|new office for us|puppy|the dog|my kid|kid's|school (run|play)|daycare|"
               r"I've been (traveling|on the road)|half marathon|storm|fire (drill|alarm)|Wi-Fi|jet-lagged|construction next door|"
               r"drilling|office trivia|bowling night|swim meet|Random thing|Unrelated\.|Side note|my inbox|Back from customer visits|"
               r"Kaffeemaschine|Umzug|ziehen gerade|neue Räume|Hund|Sohn|Tochter|Patenkind|Halbmarathon|Sturm|Gewitter|Quiz|Bowlingabend|"
               r"Völlig anderes Thema|Ganz nebenbei|zwei Wochen unterwegs|Tage Urlaub|Schulaufführung|Schwimmwettkampf|Teamtag|auf unserem Kickoff|Kickoff all|Mein Postfach)", re.I)
plan = json.load(open(os.path.join(D, "plan.json")))
agenda = {c["id"]: next((b["turn"] for b in c["beats"] if b["kind"] == "agenda"), 4) for c in plan["calls"]}
c = Counter(); ex = []; calls = set()
for f in sorted(glob.glob(os.path.join(D, "transcripts", "*.json"))):
    d = json.load(open(f)); T = d["turns"]
    for i, t in enumerate(T):
        if t["role"] != "seller" or i == 0:
            continue
        txt = re.sub(r"\[[^\]]*\]\s*", "", t["text"])
        m = P.search(txt)
        if not m:
            continue
        prev = re.sub(r"\[[^\]]*\]\s*", "", T[i - 1]["text"])
        c["aside"] += 1; calls.add(d["call_id"])
        c["after_q" if prev.rstrip().endswith("?") else "after_statement"] += 1
        ok = i <= agenda[d["call_id"]] and T[i - 1]["role"] != "seller"
        c["follows_small_talk" if ok else "NONSEQUITUR"] += 1
        if not ok: ex.append(f"{d['call_id']}#{i} {prev[-70:]!r} -> {txt[:150]!r}")
print(dict(c), "calls", len(calls))
for e in ex[:n_ex]: print("  ", e)
