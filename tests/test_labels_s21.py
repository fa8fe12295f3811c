"""An outside reader's ground-truth findings (s21, main at e192088, #1-#3),
checked on the files a build wrote, with this file's own word lists and
sentence split (test_why.SENT), never the renderer's declarations:

1. a sentence asking how long onboarding or legal takes, a buyer's "at least
   a month" before trusting numbers, the typical rollout's length and legal
   "usually takes a few weeks" and the rep's "most redlines close out within
   a week" carry `timeline`, as "done in a few weeks from first redline"
   does (main: 0 of 11, 0 of 12, 6 of 14 rollout lengths unlabelled);
2. the cost of the buyer's pain ("costs us real money") and a KPI ("cost per
   acquisition") carry no `pricing`, a KPI on a dashboard no `authority`
   (main: pricing on 32 of 32 and 8 of 8, authority on 5 of 8);
3. `next_step` sits on the sentence that says the step ("Fine, send it."),
   never on the "No promises." or "Great plan." beside it (main: 5 of the
   "No promises."/"When I can." sentences labelled, their "send it." not).

A static check goes with #3: every saying of the keys the buyer answers a
proposed next step with places `next_step` on a sentence by its own words,
so `signals.carriers` never has to guess which sentence it is."""

from __future__ import annotations

import re

import pytest

from . import test_why as W
from .test_reader_sales import _calls, builds  # noqa: F401 (the fixture)


def _labelled(which, builds, rx: re.Pattern, side: str | None = None):  # noqa: F811
    """(n, [(call, sentence, categories)]) of the sentences matching `rx`."""
    out, hits = builds(which), []
    for gt, turns in _calls(out):
        surf = [s for s in W._surface(gt) if "start" in s]
        for sp, _, sents in turns:
            if side and sp != side:
                continue
            for a, b, q in sents:
                if rx.search(q):
                    cats = {W._type(s) for s in surf if s["start"] < b and s["end"] > a}
                    hits.append((gt["call_id"], q, cats))
    return hits


TIMELINE = re.compile(r"\bhow long does (onboarding|legal)\b|\bhow (soon|quickly) could\b|\bat least a month\b"
                      r"|\btypical rollout (takes|runs) about\b|\b(takes|take) a (few|couple of) weeks\b"
                      r"|\bturnaround for legal\b|\b(resolved|close out) within a week\b", re.I)


@pytest.mark.parametrize("which", ["sales_pov", "generated"])
def test_durations_asked_and_stated_are_timeline(which, builds):  # noqa: F811
    hits = _labelled(which, builds, TIMELINE)
    assert len(hits) >= (5 if which == "generated" else 1), hits  # not vacuous (14 calls say few of them)
    bad = [h for h in hits if "timeline" not in h[2]]
    assert not bad, (len(bad), len(hits), bad[:5])


def test_onboarding_question_is_grammatical(builds):  # noqa: F811
    hits = _labelled("generated", builds, re.compile(r"how long does onboarding look like|what does onboarding take",
                                                     re.I))
    assert not hits, hits[:3]


# a cost of the pain or a KPI, and no word of a price beside it
PAIN_COST = re.compile(r"\bcosts? us (real money|time)\b|\bcost per acquisition\b|\bwe wait costs us\b", re.I)
PRICE_WORD = re.compile(r"\$|\bprices?\b|\bpricing\b|per seat|per user|discount|license|\bquote\b|\bROI\b", re.I)


@pytest.mark.parametrize("which", ["sales_pov", "generated"])
def test_cost_of_pain_and_kpis_are_not_pricing(which, builds):  # noqa: F811
    hits = [h for h in _labelled(which, builds, PAIN_COST) if not PRICE_WORD.search(h[1])]
    assert len(hits) >= (3 if which == "generated" else 1), hits  # not vacuous (14 calls say few of them)
    bad = [h for h in hits if "pricing" in h[2]]
    assert not bad, (len(bad), len(hits), bad[:5])


@pytest.mark.parametrize("which", ["sales_pov", "generated"])
def test_a_kpi_on_a_dashboard_is_not_authority(which, builds):  # noqa: F811
    hits = _labelled(which, builds, re.compile(r"\b(cost per acquisition|revenue per rep)\b.*\b(dashboard|board "
                                               r"metric|monthly review)|started (asking about|tracking)", re.I))
    bad = [h for h in hits if "authority" in h[2] and not re.search(r"sign|approv|decid|procurement", h[1], re.I)]
    assert hits or which == "sales_pov", "not vacuous: the generated calls say the KPI line"
    assert not bad, (len(bad), len(hits), bad[:5])
    # a {term} said as a noun after "asking about" ("asking about shipper") is gone with it
    assert not _labelled(which, builds, re.compile(r"(board|leadership team) (just )?started asking about", re.I))


SENT_STEP = re.compile(r"^(okay|fine|great|perfect|alright), (send|shoot) it( over)?\.$|^email me\.$"
                       r"|^send (it anyway|what you have)\.$"
                       r"|^forwarding it on\.$", re.I)
NOT_STEP = re.compile(r"^(no promises|when i can|sounds like a plan|great plan|we'll see|let's see)\.$", re.I)


@pytest.mark.parametrize("which", ["sales_pov", "generated"])
def test_next_step_is_on_the_sentence_that_says_it(which, builds):  # noqa: F811
    steps = _labelled(which, builds, SENT_STEP, "buyer")
    beside = _labelled(which, builds, NOT_STEP, "buyer")
    assert len(steps) >= (5 if which == "generated" else 0) and beside, (steps, beside)  # not vacuous (sales_pov's
    # 14 calls draw a "send it" reply or not: the generated calls carry the count)
    assert not [h for h in steps if "next_step" not in h[2]], [h for h in steps if "next_step" not in h[2]][:5]
    assert not [h for h in beside if "next_step" in h[2]], [h for h in beside if "next_step" in h[2]][:5]


@pytest.mark.parametrize("loc", ["en-US", "de-DE"])
def test_next_step_replies_place_the_step_by_their_own_words(loc):
    """Every saying of the buyer's reply to a proposed next step (the keys
    the dialogue says for it) has a sentence that carries `next_step` by a
    declared phrase, a slot or a term: none is left to `carriers`' guess,
    which put it on "No promises." when the draw said "send it." and not the
    declared "send it over"."""
    from .signal_guess import guessed
    got = guessed(loc, {"nextsteps.reply", "nextsteps.reply_cool"}, "next_step")
    assert not got, {k: (len(v), sorted(set(v))[:4]) for k, v in got.items()}


@pytest.mark.parametrize("loc, text, pricing", [
    ("en-US", "Each week it costs us real money, especially on detention fees.", False),
    ("en-US", "We just put cost per acquisition on the main dashboard.", False),
    ("en-US", "Nice, but what does that cost us per seat?", True),  # a price asked: no except phrase holds it
    ("en-US", "It costs us real money today, and your price is $38 per seat.", True),  # a term outside it
    ("de-DE", "Jeden Monat kostet uns das echtes Geld.", False),
    ("de-DE", "Was kostet das pro Lizenz?", True),
])
def test_a_term_inside_an_except_phrase_is_not_its_category(loc, text, pricing):
    """The audit's reading (`corpusc verify`) and `undeclared` leave out a
    term said inside its row's `except` phrases, and only there."""
    from corpusc.render.template.signals import term_categories
    assert ("pricing" in term_categories(loc, text)) is pricing
