"""Generated sales calls are different calls (issue 15's figure: sentences of
six or more words found verbatim in another call <= 5% on a generated
1,000-call spec). A long sentence is anchored in its own call (the account,
its head count, its industry's terms, the people) or is short; a stock line
shared by every account shows up here as a rising share. Measured with
builder.quality's own definitions on a generated 300-call spec, rendered in
process: main at 263aec3 scored 3.2% on it (seed 5; 6.2% on the 1,000-call
spec of seed 1), after the rework 2.0% (4.4-4.7% on 1,000 calls, seeds 1-3).
The share grows with the number of calls (more calls to share a sentence
with): 2.5% on 300 calls is about 5% on 1,000.

The mechanisms that brought stock lines back are held one by one: a filler or
false start never lengthens a short line into a 6+-word sentence ("I booked,
um, a meeting room." in call after call), and the most repeated sentence stays
rare."""

from __future__ import annotations

import sys
from collections import Counter

import pytest

from corpusc.builder import quality as Q
from corpusc.builder.compile import compile_spec, engine, renderer_options
from corpusc.diagnostics.model import Sink
from corpusc.plan import planner as planmod
from corpusc.render import registry as renderers

from .conftest import ROOT

CALLS = 300
SAYS_NAME = 0.5  # share of long sentences naming the account (main at 845f79e: 0.07; now about 0.47)
LIMIT = 0.025  # 300 calls share fewer sentences than 1,000 by chance alone: this is about 5% there
MOST_CALLS = 10  # calls one sentence may be said in (main at 263aec3: 6 of 300; now 4-7)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from gen_spec import sales_spec
    spec = tmp_path_factory.mktemp("verbatim") / "gen.corpus"
    spec.write_text(sales_spec(CALLS, seed=5))
    compiled = compile_spec(str(spec), Sink())
    prog = compiled.program
    header = planmod.header(prog, compiled.spec_hash)
    r = renderers.get(engine(prog))
    opts = renderer_options(prog, r.Options.model_fields)
    names = {a.name: (a.display or "").split(" ")[0] for a in header.accounts}
    return [(c.id, names.get(c.account or "", ""), r.render(c, header, opts)) for c in planmod.calls(prog)]


def test_few_long_sentences_recur_across_calls(rendered):
    vb = Q.VerbatimShare(keep_text=True)
    for cid, _, rc in rendered:
        vb.add(cid, [k for t in rc.turns for k in Q.sentence_keys(t.text)])
    res = vb.result(top=8)
    assert res["sentences"] > 15000
    assert res["share"] <= LIMIT, res
    assert res["most_repeated"][0]["occurrences"] <= MOST_CALLS, res["most_repeated"]


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a turn's text, as builder.quality splits them."""
    spans, at = [], 0
    for m in Q.SENTENCE_END.finditer(text):
        spans.append((at, m.start()))
        at = m.end()
    spans.append((at, len(text)))
    return spans


def test_a_hesitation_never_lengthens_a_short_line(rendered):
    """A sentence counted by the verbatim share (6+ words) is one without
    its fillers and false starts too: the dynamics put hesitations into long
    sentences, or into short ones that stay short."""
    seen = lifted = 0
    for cid, _, rc in rendered:
        for t in rc.turns:
            if not t.disfluencies:
                continue
            for a, b in _sentence_spans(t.text):
                # (a filler the sentence was drawn with, "Tja, ...", is one of its own words)
                dis = [d for d in t.disfluencies if a <= d.start < b and d.inserted]
                if not dis:
                    continue
                seen += 1
                n = len(Q.words(t.text[a:b]))
                extra = sum(len(Q.words(t.text[d.start:d.end])) for d in dis)
                if n >= Q.MIN_SENTENCE > n - extra:
                    lifted += 1
                    print(cid, t.index, t.text[a:b])
    assert seen > 1000  # the dynamics did hesitate
    assert lifted == 0


def test_the_company_name_is_one_anchor_of_several(rendered):
    """The anchors are spread: the account's name is one of several (head
    count, industry terms, CRM, people, dates), not in most long sentences."""
    said = total = 0
    for _, co, rc in rendered:
        for t in rc.turns:
            for s in Q.sentences(t.text):
                if len(Q.words(s)) >= 6:
                    total += 1
                    said += bool(co) and co in s
    assert said / total < SAYS_NAME, said / total
