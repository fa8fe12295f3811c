"""A card-block call says what its cause says: a caller whose card was used
for payments they did not make (`card_fraud`) still holds the card, so the
call never speaks as if it were lost ("I looked everywhere", "the last time
I had it", "if you find the card later"); a caller who lost the card
(`card_lost`) hears nothing of payments they did not make. The cause is the
renderer's own evidence (`Service._cause`, recorded as drawn); what the words
say is read with this file's own word lists, written apart from the banks.

Main (before `more.card_lost` / `more.card_fraud`: every card_block call drew
its asides from the intent's pool, lost-card lines included), on this file's
two builds: 37 of 58 German and 48 of 60 English fraud calls carried a
lost-card statement; 4 German and no English fraud call said the card was
still with the caller or its details taken without it; lost calls: 0 of 51
German, 0 of 53 English with fraud talk (the guard for the new fraud asides)."""

from __future__ import annotations

import re
import sys
from collections import Counter

import pytest

from corpusc.backends.ground_truth import ground_truth

from .conftest import EXAMPLES, ROOT
from .test_engine import plan_of, render_all

sys.path.insert(0, str(ROOT / "benchmarks"))

SEEDS = (12345, 404)

# the outside reader's word lists and the card-heavy spec, one copy with the benchmark that counts the same
# over other seeds: LOST (a lost card), FRAUD (payments the caller did not make), STILL_HELD (the card still
# in the fraud caller's hands, or its details taken without it)
from card_cause_counts import (FRAUD, LOST, STILL_HELD, drawn_causes, sentences as _sentences,  # noqa: E402
                               spec as _spec)


@pytest.fixture(scope="module")
def card_calls():
    """(call id, locale, cause, turns as (side, text)) of every card_block call of two builds."""
    out = []
    with drawn_causes() as causes:
        for seed in SEEDS:
            h, calls = plan_of(EXAMPLES / "contact_center.corpus", text=_spec(seed))
            cards = [c for c in calls if c.metadata.get("intent") == "card_block"]
            for c, rc in zip(cards, render_all(h, cards)):
                GROUND_TRUTH[f"{seed}/{c.id}"] = ground_truth(c, rc, h)
                out.append((f"{seed}/{c.id}", c.locale, causes[c.id],
                            [("caller" if t.side != "seller" else "staff", t.text) for t in rc.turns]))
    return out


GROUND_TRUTH: dict[str, dict] = {}  # call -> its ground truth, as the ground-truth backend writes it


def test_both_causes_are_built_in_both_locales(card_calls):
    """The spec gives each locale enough calls of each cause for the checks below to mean something."""
    n = Counter((loc, cause) for _, loc, cause, _ in card_calls)
    assert all(n[(loc, cause)] >= 40 for loc in ("de-DE", "en-US") for cause in ("card_lost", "card_fraud")), n


def test_no_fraud_call_speaks_of_a_lost_card(card_calls):
    """A caller who reports payments they did not make still has the card:
    neither side speaks of searching for it, where it was last seen, or of
    finding it again (main: 28/49 German, 42/49 English fraud calls did)."""
    bad = [f"{cid} {loc}: {s}" for cid, loc, cause, turns in card_calls if cause == "card_fraud"
           for _, t in turns for s in _sentences(t) if LOST[loc[:2]].search(s)]
    assert not bad, f"{len(bad)} lost-card sentences in fraud calls: {bad[:8]}"


def test_no_lost_call_speaks_of_unrecognised_payments(card_calls):
    """A caller who lost the card hears and says nothing of payments they did
    not make, disputes, copied card details or a provisional credit (the new
    fraud asides stay in fraud calls)."""
    bad = [f"{cid} {loc}: {s}" for cid, loc, cause, turns in card_calls if cause == "card_lost"
           for _, t in turns for s in _sentences(t) if FRAUD[loc[:2]].search(s)]
    assert not bad, f"{len(bad)} fraud sentences in lost-card calls: {bad[:8]}"


def test_fraud_calls_say_the_card_is_still_held(card_calls):
    """A fraud call's asides are its own: in most fraud calls someone says the
    card is still with the caller or that its details were taken without it
    (main: the fraud calls drew the intent's lost-card asides instead), and
    far more often than in lost-card calls."""
    for loc in ("de-DE", "en-US"):
        share = {}
        for want in ("card_fraud", "card_lost"):
            calls = [turns for _, lo, cause, turns in card_calls if lo == loc and cause == want]
            share[want] = sum(any(STILL_HELD[loc[:2]].search(t) for _, t in turns) for turns in calls) / len(calls)
        assert share["card_fraud"] >= 0.6 and share["card_fraud"] >= 4 * share["card_lost"], (loc, share)


def test_the_ground_truth_names_the_cause_where_the_caller_states_it(card_calls):
    """The cause behind a card block, which shapes the whole call, is labelled
    (`events`, type `cause`, key the cause the renderer drew), once a call, at
    the caller's words that state it: a lost card's quote reads as a lost
    card, a fraud call's as payments the caller did not make or a card still
    in hand (this file's word lists). Main: no ground truth named the cause."""
    wrong = []
    for cid, loc, cause, turns in card_calls:
        gt = GROUND_TRUTH[cid]
        ev = [e for e in gt["events"] if e["type"] == "cause"]
        assert len(ev) == 1 and ev[0]["key"] == cause, (cid, cause, ev)
        e = ev[0]
        assert turns[e["turn"]][0] == "caller" and e["turn"] <= 2, (cid, e)
        assert e["quote"] and e["quote"] in turns[e["turn"]][1], (cid, e)
        reads = LOST if cause == "card_lost" else {k: re.compile(f"{FRAUD[k].pattern}|{STILL_HELD[k].pattern}", re.I)
                                                    for k in FRAUD}
        if not reads[loc[:2]].search(e["quote"]):
            wrong.append(f"{cid} {cause}: {e['quote']}")
    assert len(wrong) <= len(card_calls) // 20, f"{len(wrong)} of {len(card_calls)}: {wrong[:8]}"

