"""Issue 15 (session 18, reader17): a turn fits the turn before it. A
farewell reciprocation ("You too.", "Gleichfalls.") follows a wish, never a
question: a question is answered. Once the goodbye has started nobody asks
anything new. Read from the rendered text with the test's own patterns (an
outside reader's words, not the renderer's lexicon), on generated specs in
English and German."""

from __future__ import annotations

import re

import pytest

from .conftest import sales_spec_path
from .test_engine import plan_of, render_all

CALLS = 120
CUE = re.compile(r"\[[^\]]*\]\s*")
# a reciprocation of a wish, in the test's own words
RECIPROCATE = re.compile(r"\b(?:you too|same to you|likewise|gleichfalls|ebenso|Ihnen auch|euch auch)\b", re.I)
# a goodbye: the phrases that end a call, in the test's own words
GOODBYE = re.compile(r"\b(?:bye|talk soon|take care(?! of)|catch you later|have a good one|auf wiederhören|tschüss|"
                     r"bis (?:bald|dann|später)\b|schönen tag noch|machen sie es gut|wir hören uns)", re.I)


@pytest.fixture(scope="module", params=["en", "de"])
def corpus(request, tmp_path_factory):
    h, calls = plan_of(sales_spec_path(request.param, tmp_path_factory, CALLS, {"en": 11, "de": 12}))
    calls = [c for c in calls if c.beats]
    return calls, render_all(h, calls)


def _text(t) -> str:
    return CUE.sub("", t.text).strip()


def test_a_question_is_answered_not_reciprocated(corpus):
    """ "Any last thoughts?" is not answered "Thanks, you too."; "How's your
    week?" not "Good Monday to you too!" (nobody wished anything)."""
    calls, rendered = corpus
    bad, seen = [], 0
    for c, rc in zip(calls, rendered):
        for a, b in zip(rc.turns, rc.turns[1:]):
            if not _text(a).endswith("?"):
                continue
            seen += 1
            head = " ".join(re.split(r"(?<=[.!?])\s+", _text(b))[:2])
            if RECIPROCATE.search(head):
                bad.append((c.id, b.index, _text(a)[-60:], head[:60]))
    assert seen > 500
    assert not bad, f"{len(bad)} questions answered with a reciprocation: {bad[:5]}"


def test_no_question_after_the_goodbye(corpus):
    """Once a turn has said goodbye ("Talk soon.", "Auf Wiederhören."), no
    later turn of the call asks anything ("Anything else, Zeno?")."""
    calls, rendered = corpus
    bad, ended = [], 0
    for c, rc in zip(calls, rendered):
        turns = rc.turns
        bye = next((k for k, t in enumerate(turns) if k >= len(turns) - 6 and GOODBYE.search(_text(t))), None)
        if bye is None:
            continue
        ended += 1
        later = [t for t in turns[bye + 1:] if "?" in _text(t)]
        if later:
            bad.append((c.id, _text(turns[bye])[-40:], _text(later[0])[:70]))
    assert ended > CALLS / 2
    assert not bad, f"{len(bad)} calls ask again after the goodbye: {bad[:5]}"


# a pricing question about the base price and what comes on top, and one about the total over the term
PRICE_PART = re.compile(r"\b(?:base (?:tier|price)|come standard|included|add-ons?|on top|extra|priced separately|"
                        r"Grundpreis|Basispaket|im Paket|obendrauf|außer den Lizenzen|zusätzlich)\b", re.I)
PRICE_TOTAL = re.compile(r"\b(?:three years|three-year|all-in|total cost|full cost|drei Jahre|Gesamtsumme|"
                         r"volle Summe|Gesamtzahl)\b", re.I)
# an answer that gives the total over the term
SAYS_TOTAL = re.compile(r"\b(?:three years|three times|multi-year|drei Jahre|Dreifache[nm]?|Mehrjahres\w*)\b", re.I)


def test_a_pricing_question_gets_the_figure_it_asks_for(corpus):
    """ "Is that in the base tier, or extra?" and "What comes on top of the
    licence?" are not answered with a three-year total; "What's the total over
    three years?" is."""
    calls, rendered = corpus
    bad, seen = [], 0
    for c, rc in zip(calls, rendered):
        for a, b in zip(rc.turns, rc.turns[1:]):
            if a.side == "seller" or b.side != "seller" or not _text(a).endswith("?"):
                continue
            asked = re.split(r"(?<=[.!?])\s+", _text(a))[-1]
            total, part = bool(PRICE_TOTAL.search(asked)), bool(PRICE_PART.search(asked))
            if total == part or not re.search(r"pric|cost|seat|tier|licen|Lizenz|Preis|kost|Paket|Summe", asked, re.I):
                continue
            seen += 1
            answer = " ".join(re.split(r"(?<=[.!?])\s+", _text(b))[:2])
            if total != bool(SAYS_TOTAL.search(answer)):
                bad.append((c.id, b.index, asked[-70:], answer[:80]))
    assert seen >= 3
    assert not bad, f"{len(bad)} of {seen} pricing questions answered with another figure: {bad[:5]}"
