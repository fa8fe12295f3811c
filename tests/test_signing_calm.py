"""A won deal's signing call: once a buyer has said yes, no buyer pushes back
with a voice's stock doubt ("Surprise me. Prove it fast.", "Zeigen Sie mir,
was die Berater davon haben, keine Versprechen."). reader14 #5 found it in
11 of 37 English and 5 of 41 German won close calls; a sentiment or outcome
model would be scored against the opposite of what it reads. The reviewer's
doubt patterns (logic14.py D1), both locales."""

from __future__ import annotations

import re
import sys

import pytest

from corpusc.render.template import drafting, sales

from .conftest import EXAMPLES, ROOT
from .test_engine import plan_of, render_all

sys.path.insert(0, str(ROOT / "benchmarks"))
from gen_spec import sales_spec  # noqa: E402

DOUBT = {
    "en-US": r"not worth it|has to earn it|not convinced|still feels like a gamble|highlight reel|Surprise me|"
             r"Make it count|Prove it|rip everything out|a huge deal|need convincing|I'm not interested|"
             r"don't see why we|tired of it|not jumping up and down",
    "de-DE": r"nicht überzeugt|muss sich das verdienen|rechnet sich nicht|lohnt sich nicht|kein weiteres Tool|"
             r"Zeigen Sie mir|Überraschen Sie mich|Hochglanz|umzuwerfen|alles umwerfen|erst überzeugen|"
             r"erst gewinnen|kostet uns Wochen|nicht mehr hören|Beweisen Sie|keinen Grund, das aufzugeben|"
             r"muss sich also lohnen|am Ende hat sich nichts geändert",
}


@pytest.fixture(scope="module", params=["en-US", "de-DE", "sales_pov"])
def corpus(request, tmp_path_factory):
    if request.param == "sales_pov":
        h, calls = plan_of(EXAMPLES / "sales_pov.corpus")
    else:
        spec = tmp_path_factory.mktemp("signing") / "gen.corpus"
        spec.write_text(sales_spec(90, 8, None if request.param == "en-US" else request.param), encoding="utf-8")
        h, calls = plan_of(spec)
    won = [c for c in calls if c.stage == "close" and (a := h.account(c.account)) is not None and a.outcome == "won"]
    return h, won


def _doubts(rendered) -> list[tuple[str, int, str]]:
    out = []
    for rc in rendered:
        rx = re.compile(DOUBT[rc.locale])
        agreed = {e.turn for e in rc.evidence if e.kind in ("buying_signal", "signal") and
                  (e.kind == "buying_signal" or e.key == "buying_intent")}
        first = min((t for t in agreed if rc.turns[t].side == "buyer"), default=None)
        if first is None:
            continue
        out += [(rc.call_id, t.index, t.text[:100]) for t in rc.turns[first + 1:]
                if t.side == "buyer" and rx.search(t.text)]
    return out


def test_no_buyer_doubt_after_yes_in_a_won_signing_call(corpus, monkeypatch):
    h, won = corpus
    assert won
    assert not _doubts(render_all(h, won))
    # the rule is what keeps them out: without it the voices' doubt comes back (the generated specs)
    if len(won) > 5:
        monkeypatch.setattr(sales, "SIGNING_CALM", False)
        # (and without the rule that a turn accepting an answer or saying yes pushes back in no line: it keeps
        # most of them out of those turns too, drafting.ACCEPTING)
        monkeypatch.setattr(sales, "ACCEPTING", frozenset())
        monkeypatch.setattr(drafting, "ACCEPTING", frozenset())
        assert _doubts(render_all(h, won))
