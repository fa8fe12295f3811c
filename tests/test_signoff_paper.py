"""A signing call does not take the paperwork back a step: once the seller
has said the signature-ready order form went out (`work.signoff`), no one
promises a draft of it or to send it again; the buyer's "I'll sign this
week" is met with the countersignature, and the next step is the signature
link (reader19: northwind.signoff said "the signature-ready order form went
out", then "you'll have the draft today", then "I'll send the draft order
form by Wednesday next week"). Read with this file's own patterns.

Main before the change, over sales_pov and generated specs (300 calls each,
English seed 11, German seed 12): 3 of 62 signing calls took the paper back
a step after saying it went out (northwind.signoff, and two German calls
calling the final version "den aktuellen Entwurf"); now 0."""

from __future__ import annotations

import re
import sys

from .conftest import EXAMPLES, ROOT
from .test_engine import plan_of, render_all

sys.path.insert(0, str(ROOT / "benchmarks"))
from gen_spec import sales_spec  # noqa: E402

WENT_OUT = {"en": re.compile(r"order form\]? (?:went out|is in your inbox)|(?:went out|is in your inbox)[^.]*order form", re.I),
            "de": re.compile(r"Bestellscheins? [^.]*(?:ist raus|liegt in Ihrem Postfach)|(?:im Bestellschein|in den finalen "
                             r"Unterlagen), (?:den|die) ich [^.]*geschickt habe", re.I)}
BACK_A_STEP = {"en": re.compile(r"\bdraft\b|I'll (?:send|get) (?:you )?(?:a|the) (?:draft )?order form|"
                                r"(?:send|get) the (?:order form|paperwork) (?:over|to you)", re.I),
               "de": re.compile(r"Entwurf|(?:schicke|sende) (?:Ihnen )?(?:den Bestellschein|die Unterlagen)|"
                                r"Bestellschein (?:geht|kommt) (?:noch heute|direkt|bis morgen)", re.I)}
_SENT = re.compile(r"(?<=[.!?])\s+")


def _calls():
    yield plan_of(EXAMPLES / "sales_pov.corpus")
    for seed, loc in ((11, None), (12, "de-DE")):
        yield plan_of(EXAMPLES / "sales_pov.corpus", n=300, text=sales_spec(300, seed, loc))


def test_a_signing_call_does_not_take_the_paper_back_a_step():
    signing, bad = 0, []
    for h, calls in _calls():
        for c, rc in zip(calls, render_all(h, calls)):
            lang = c.locale[:2]
            sents = [(t.index, s) for t in rc.turns for s in _SENT.split(re.sub(r"\[[^\]]*\]", "", t.text))]
            out = next((i for i, (_, s) in enumerate(sents) if WENT_OUT[lang].search(s)), None)
            if out is None:
                continue
            signing += 1
            back = [s for _, s in sents[out + 1:] if BACK_A_STEP[lang].search(s)]
            if back:
                bad.append(f"{c.id}: {back[:2]}")
    assert signing >= 20  # the patterns hear the paper going out
    assert not bad, f"{len(bad)} of {signing} signing calls: {bad[:6]}"
