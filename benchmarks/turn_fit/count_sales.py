"""Counts reader17's sales findings in a built corpus dir (own patterns, not the renderer's lexicon)."""
import json, re, sys, glob, os
from collections import Counter
D = sys.argv[1]; verbose = len(sys.argv) > 2
RECIP = re.compile(r"\b(you too|same to you|likewise|same here|ebenso|gleichfalls|ihnen auch|euch auch|dir auch)\b", re.I)
BYE = re.compile(r"\b(bye|talk soon|take care|have a (great|good|nice)|enjoy (the|your)|thanks,? (everyone|all)|that's a wrap|tschüss|auf wiederhören|schönes wochenende|schönen (tag|abend|feierabend|nachmittag)|bis (dann|bald|später)\b|machen sie's gut|einen schönen)", re.I)
c = Counter(); ex = {}
def note(k, s):
    c[k] += 1
    ex.setdefault(k, []).append(s)
files = sorted(glob.glob(os.path.join(D, "transcripts", "*.json")))
calls_aside = set()
for f in files:
    d = json.load(open(f)); T = d["turns"]
    c["calls"] += 1
    # 1: reciprocation after a question
    for i in range(1, len(T)):
        sents = re.split(r"(?<=[.!?])\s+", T[i]["text"].strip())
        first = " ".join(sents[:2])
        if RECIP.search(first) and T[i-1]["text"].rstrip().endswith("?"):
            note("1_recip_after_q", f"{d['call_id']}#{i}: {T[i-1]['text'][-90:]!r} -> {T[i]['text'][:80]!r}")
    # 2: question after the goodbye started: the first turn with a goodbye phrase; any '?' in later turns
    bye = next((i for i, t in enumerate(T) if BYE.search(t["text"]) and i >= len(T) - 4), None)
    if bye is not None:
        for j in range(bye + 1, len(T)):
            if "?" in T[j]["text"]:
                note("2_q_after_bye", f"{d['call_id']}#{j} ({T[j]['role']}): {T[bye]['text'][-60:]!r} -> {T[j]['text'][:100]!r}")
                break
        # the bye turn itself: a question after the goodbye phrase within the same turn
        t = T[bye]["text"]; m = BYE.search(t)
        if "?" in t[m.end():]:
            note("2b_q_after_bye_same_turn", f"{d['call_id']}#{bye}: {t[-120:]!r}")
for k in sorted(c):
    print(k, c[k])
if verbose:
    for k in ex:
        print("==", k)
        for s in ex[k][:int(sys.argv[2])]:
            print("  ", s)
