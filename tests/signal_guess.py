"""Which sayings of a bank's templates leave a category to `signals.carriers`'
guess: the category is the template's whole (its key's), the saying has two or
more sentences, and none carries the category by its own words (a declared
phrase's marker, a declared slot, a term of the locale). `python -m
tests.signal_guess` prints the count per key (the reader's finding s21 #3 was
one: "Fine, send it. No promises." labelled on "No promises.")."""

from __future__ import annotations

import collections
import sys

from corpusc.render.template.banks import load_bank
from corpusc.render.template.language import SLOT
from corpusc.render.template.signals import MARK, bounds, declaration, marked_templates, text_categories


def expand(nodes, limit=512):
    """(text, markers, slots) of each saying of a marked template (at most
    `limit` per alternative): a slot's value said as "X", each marker and slot
    at its offset."""
    outs = [("", (), ())]
    if isinstance(nodes, str) or (isinstance(nodes, tuple) and nodes and isinstance(nodes[0], int)):
        nodes = (nodes,)
    for n in nodes:
        if isinstance(n, str):
            outs = [(t + n, m, s) for t, m, s in outs]
        elif n[0] == SLOT:
            if n[1][0] == MARK:
                outs = [(t, m + ((len(t), n[1][1:]),), s) for t, m, s in outs]
            else:
                outs = [(t + "X", m, s + ((len(t), n[1]),)) for t, m, s in outs]
        else:
            tails = [x for a in n[1] for x in expand(a, limit)]
            outs = [(t + a, m + tuple((p + len(t), c) for p, c in am), s + tuple((p + len(t), c) for p, c in asl))
                    for t, m, s in outs for a, am, asl in tails][:limit]
    return outs


def guessed(loc: str, keys=None, beat: str | None = None) -> dict:
    """(key, category) -> the sayings left to the guess; `beat`: a category
    every template of `keys` carries whole because the dialogue says them for
    a beat of it (the buyer's reply to a proposed next step)."""
    bank, marked, decl = load_bank(loc), marked_templates(loc), declaration()
    out = collections.defaultdict(list)
    for key, lst in bank.items():
        if not isinstance(lst, list) or (keys is not None and key not in keys):
            continue
        for t in lst:
            for x in (t.get("say") or ()) if isinstance(t, dict) else (t,):
                if not isinstance(x, (str, tuple)):
                    continue
                m = marked.get(id(x)); nodes = m[1] if m else x
                for text, marks, slots in expand(nodes):
                    whole = {c for p, c in marks if p == 0} | ({beat} if beat else set())
                    if not whole:
                        continue
                    cuts = [0] + bounds(text)
                    if len(cuts) == 1:
                        continue
                    spans = list(zip(cuts, cuts[1:] + [len(text) + 1]))
                    for cat in whole:
                        own = [j for j, (a, b) in enumerate(spans)
                               if any(a <= p < b and c == cat and p > 0 for p, c in marks)
                               or any(a <= p < b and cat in decl.slots.get(sn, ()) for p, sn in slots)
                               or cat in text_categories(loc, text[a:b])]
                        if not own:
                            out[(key, cat)].append(text)
    return out


if __name__ == "__main__":
    for loc in ("en-US", "de-DE"):
        g = guessed(loc)
        print(loc, "keys", len(g), "sayings", sum(len(v) for v in g.values()))
        for (k, c), v in sorted(g.items(), key=lambda x: -len(x[1]))[: int(sys.argv[1]) if len(sys.argv) > 1 else 40]:
            print(f"  {len(v):4d} {k} [{c}] e.g. {v[0][:120]!r}")
