"""Which bank keys the verbatim share comes from: the spec's first N calls
rendered as bench_render renders them, each sentence of a `Drafter.say`
traced to its bank key, and the shared sentences (6+ words, also said in
another call: builder/quality.py's definition) counted per key. Use it to
find where a corpus repeats itself, before writing more wordings.

    python benchmarks/verbatim_keys.py SPEC [--calls 1000] [--top 60]
    python benchmarks/verbatim_keys.py SPEC --key moment.neg.body --key open.greet   # a key's shared sentences

Each row: the key's shared occurrences as points of the whole share, the
running sum, and how many distinct shared sentences it has. A sentence a
later step changed and handed its labels on (`Drafter.carry`: the names
pass, habits' openers and tails, a role's own staff) is counted under the
key of the sentence it was made from, marked " (changed)"; sentences that
no single `say` wrote, or that a step changed without `carry` (fillers),
are "unattributed"."""

from __future__ import annotations

import argparse
import os
from collections import Counter, defaultdict
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("spec", type=Path)
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--top", type=int, default=60)
    ap.add_argument("--key", action="append", default=[], help="list this key's shared sentences")
    a = ap.parse_args()
    from corpusc.builder import quality as Q
    from corpusc.builder.compile import compile_spec, engine, renderer_options
    from corpusc.diagnostics.model import Sink
    from corpusc.plan import planner as planmod
    from corpusc.render import registry as renderers
    from corpusc.render.template import drafting

    src: dict[str, str] = {}  # sentence key -> the bank key that first said it
    say = drafting.Drafter.say

    def traced(self, key, kw=None):
        text = say(self, key, kw)
        for k in Q.sentence_keys(text):
            src.setdefault(k, key)
        return text
    drafting.Drafter.say = traced
    carry = drafting.Drafter.carry
    mark = " (changed)"

    def carried(self, old, new):
        carry(self, old, new)
        was = [k for k in Q.sentence_keys(old) if k in src]
        if not was:
            return
        mine = Q.sentence_keys(new)
        for i, k in enumerate(mine):
            if k in src:
                continue
            if len(mine) == len(Q.sentence_keys(old)):  # sentence for sentence
                o = Q.sentence_keys(old)[i]
                if o not in src:
                    continue
            else:  # the old sentence sharing most words
                ws = set(k.split())
                o = max(was, key=lambda x: len(ws & set(x.split())))
            b = src[o]
            src[k] = b if b.endswith(mark) else b + mark
    drafting.Drafter.carry = carried
    compiled = compile_spec(os.path.relpath(a.spec), Sink())
    prog = compiled.program
    header = planmod.header(prog, compiled.spec_hash)
    r = renderers.get(engine(prog))
    opts = renderer_options(prog, r.Options.model_fields)
    occ: Counter[str] = Counter()
    calls: dict[str, set[str]] = defaultdict(set)
    total = n = 0
    for c in planmod.calls(prog):
        if n >= a.calls:
            break
        n += 1
        for t in r.render(c, header, opts).turns:
            for k in Q.sentence_keys(t.text):
                occ[k] += 1
                calls[k].add(c.id)
                total += 1
    shared = {k: m for k, m in occ.items() if len(calls[k]) > 1}
    print(f"{n} calls, {total:,} sentences of 6+ words, {sum(shared.values()):,} shared: "
          f"{100 * sum(shared.values()) / max(total, 1):.2f}%")
    per: Counter[str] = Counter()
    distinct: Counter[str] = Counter()
    for k, m in shared.items():
        b = src.get(k, "(unattributed)")
        per[b] += m
        distinct[b] += 1
    cum = 0
    for b, m in per.most_common(a.top):
        cum += m
        print(f"{100 * m / total:5.2f} {100 * cum / total:6.2f}  {distinct[b]:4d} sentences  {b}")
    for want in a.key:
        mine = [k for k in occ if src.get(k, "(unattributed)") == want]
        print(f"\n== {want}: {len(mine)} distinct sentences, {sum(occ[k] for k in mine)} occurrences; shared:")
        for k, m in sorted(((k, m) for k, m in shared.items() if src.get(k, "(unattributed)") == want), key=lambda km: -km[1]):
            print(f"{m:4d}  {k}")


if __name__ == "__main__":
    main()
