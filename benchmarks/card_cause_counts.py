"""Card-block calls whose words contradict their cause, counted in process with
this script's own word lists (not the renderer's banks): fraud calls
(`card_fraud`: payments the caller did not make, the card still in hand) with
a lost-card statement, lost-card calls (`card_lost`) with talk of unrecognised
payments. The cause is the renderer's own (`Service._cause`, recorded as drawn).
The spec is examples/contact_center.corpus with most calls card blocks and
half of them English (as tests/test_card_causes.py builds it), per seed; the
word lists are the test's.

    python benchmarks/card_cause_counts.py [SEED ...]      (default: 12345 404)

Main before the cause pools (seeds 12345 + 404): fraud calls with a lost-card
statement 37 of 58 German, 48 of 60 English; after: 0 and 0.
"""
import re
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from corpusc.compiler.driver import compile_file
from corpusc.diagnostics.model import Sink
from corpusc.plan import planner as planmod
from corpusc.render.template import engine, service

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "contact_center.corpus"
CARDS = (("volume 40 per day", "volume 30 per day"), ("de-DE 80% en-US 20%", "de-DE 50% en-US 50%"),
         ("card_block 12%", "card_block 74%"), ("transfer_status 16%", "transfer_status 4%"),
         ("billing_question 18%", "billing_question 4%"), ("online_banking_login 17%", "online_banking_login 3%"),
         ("address_change 8%", "address_change 3%"), ("loan_inquiry 10%", "loan_inquiry 4%"),
         ("complaint 11%", "complaint 4%"), ("account_closure 8%", "account_closure 4%"))


def spec(seed: int) -> str:
    """The contact-center example with most calls card blocks, half of them English."""
    text = EXAMPLE.read_text(encoding="utf-8")
    for old, new in (("seed 12345", f"seed {seed}"),) + CARDS:
        assert old in text, old
        text = text.replace(old, new)
    return text


# a lost card, as an outside reader hears it
LOST = {"en": re.compile(r"looked everywhere|searched (?:the whole|everywhere)|retrac|walked back|lost and found|"
                         r"last (?:time )?I had it|last I (?:remember|saw it)|if you find|should (?:the card|it) turn up|"
                         r"turns? up|turned up|missing|(?:it's|that's|is|card|now) (?:just )?gone\b|"
                         r"\b(?:I've|never|likely|probably|as|just) (?:\w+ )?lost\b|\bI lost\b|lost (?:my|the|a|your) card|"
                         r"misplac|vanish|fell out|left it|handed in|hands? it in|find it later|where it went|"
                         r"haven't seen it|not there|can't find|cannot find", re.I),
        "de": re.compile(r"überall gesucht|abgesucht|auf den Kopf gestellt|Fundbüro|zuletzt hatte ich sie|"
                         r"letzte Mal hatte ich sie|wiederfinden|wieder ?finden|auftauchen|aufgetaucht|"
                         r"\b(?:die|sie) weg ist\b|weg ist nur|\bist sie (?:einfach )?weg\b|sie ist weg|"
                         r"(?:habe|hab|Karte|als|wohl|sie) (?:\w+ ){0,2}verloren(?! geht)|verloren (?:habe|hat)|Verlust|"
                         r"verschwunden|verschwinden|wegkommen|zurückgegangen|abgegeben|nicht mehr da|die fehlt|"
                         r"keine Spur|sie (?:\w+ )?liegen lassen|herausgefallen|nicht mehr gesehen|nicht finden", re.I)}
# payments the caller did not make
FRAUD = {"en": re.compile(r"didn't make|did not make|don't recognize|never made|unauthori[sz]ed|"
                          r"not authori[sz]ed (?:by me|payments?)|as not authori[sz]ed|dispute|chargeback|skimm|"
                          r"data breach|fraudulent|flagged .{0,20}fraud|not mine|wasn't me|provisional credit|"
                          r"someone else (?:paid|used)|copied|compromised|hacked", re.I),
         "de": re.compile(r"nicht gemacht|nicht kenne|nicht erkenne|unberechtigt|Rückbuchung|Reklamation|kopiert|"
                          r"ausgespäht|ausgelesen|abgegriffen|Datenleck|\bgehackt|Skimming|als Betrug|betrügerisch|"
                          r"nicht von mir|war ich nicht|nicht autorisiert|Gutschrift|fremden (?:Abbuchungen|Umsätze)|"
                          r"kompromittiert|missbraucht", re.I)}


# the card still in the fraud caller's hands, or its details taken without it
STILL_HELD = {"en": re.compile(r"(?:still|right here) in my (?:wallet|purse)|holding (?:the card|it) in my hand|"
                               r"card in my own hand|hasn't left my|never left my|copied|skimmed|data breach|hacked|"
                               r"never gave|never given|never been to|never even visited|"
                               r"the card in your hand|the card you have there", re.I),
              "de": re.compile(r"(?:in|aus) meinem Portemonnaie|halte die Karte|Karte (?:\w+ ){0,3}in der Hand haben|"
                               r"aus meiner Hand|vor mir auf dem Tisch|kopiert|ausgelesen|abgegriffen|Datenleck|\bgehackt|"
                               r"Kartendaten (?:habe ich )?nie weitergegeben|niemandem verraten|noch nie war|"
                               r"bei sich haben|bei mir habe|die ganze Zeit bei mir", re.I)}


def sentences(t):
    return [s for s in re.split(r"(?<=[.!?])\s+", t) if s]


@contextmanager
def drawn_causes():
    """Each call's cause as the renderer draws it (`Service._cause`, which
    neither the ground truth nor plan.json records): call id -> cause."""
    causes: dict[str, str] = {}
    orig = service.Service._cause

    def record(self):
        causes[self.call.id] = x = orig(self)
        return x
    service.Service._cause = record
    try:
        yield causes
    finally:
        service.Service._cause = orig


def card_calls(seed):
    """(call, cause, turn texts) of the card_block calls of the card-heavy spec at `seed`."""
    sink = Sink()
    c = compile_file(str(EXAMPLE), sink, text=spec(seed))
    h = planmod.header(c.program, c.spec_hash)
    with drawn_causes() as causes:
        for call in planmod.calls(c.program):
            if call.metadata.get("intent") == "card_block":
                rc = engine.render_call(call, h)
                yield call, causes[call.id], [t.text for t in rc.turns]


def main(seeds):
    n, bad = Counter(), Counter()
    for seed in seeds:
        for call, cause, texts in card_calls(seed):
            words = (LOST if cause == "card_fraud" else FRAUD)[call.locale[:2]]
            n[(call.locale, cause)] += 1
            bad[(call.locale, cause)] += any(words.search(s) for t in texts for s in sentences(t))
    for k in sorted(n):
        what = "with a lost-card statement" if k[1] == "card_fraud" else "with unrecognised-payment talk"
        print(f"{k[0]} {k[1]}: {bad[k]} of {n[k]} calls {what}")


if __name__ == "__main__":
    main([int(s) for s in sys.argv[1:]] or [12345, 404])
