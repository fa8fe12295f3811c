"""Generated sales calls are different calls (issue 15's figure: sentences of
six or more words found verbatim in another call <= 5% on a generated
1,000-call spec). A long sentence is anchored in its own call (the account,
its head count, its industry's terms, the people) or is short; a stock line
shared by every account shows up here as a rising share. Measured with
builder.quality's own definitions on a generated 150-call spec, rendered in
process; main at 845f79e scored 12.0% on it (seed 5), after the rework 1.5%."""

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

CALLS = 150
SAYS_NAME = 0.5  # share of long sentences naming the account (main at 845f79e: 0.07; now about 0.47)
LIMIT = 0.06  # the 1,000-call figure is held at 5%; 150 calls share fewer sentences by chance alone


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
    assert res["sentences"] > 5000
    assert res["share"] <= LIMIT, res


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
