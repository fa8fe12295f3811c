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
                     r"bis (?:bald|dann|später)\b|schönen tag noch|machen sie es gut|wir hören uns|alles gute|"
                     r"bis zum nächsten mal|einen (?:schönen|guten) \w+ noch)", re.I)


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
    assert ended > CALLS / 3
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


# the agent's hold request, in the test's own words
HOLD = re.compile(r"\b(?:on hold|hold for|Warteschleife|dranbleiben)\b", re.I)


def test_the_hold_request_does_not_follow_a_question_of_its_turn(cc_text_build):
    """Contact center: "Can I put you on hold?" is not said right after the
    agent asked something else in the same turn ("Did you put a reference?
    Please stay on hold."): the caller would answer two questions at once."""
    import json
    bad, holds = [], 0
    for f in sorted((cc_text_build / "transcripts").glob("*.json")):
        doc = json.loads(f.read_text(encoding="utf-8"))
        for t in doc["turns"]:
            if t["role"] != "seller":
                continue
            sents = re.split(r"(?<=[.!?—])\s+", _text_of(t["text"]))
            k = next((k for k, s in enumerate(sents) if HOLD.search(s)), None)
            if k is None:
                continue
            holds += 1
            if k and sents[k - 1].endswith("?"):
                bad.append((doc["call_id"], t["index"], " ".join(sents[k - 1:k + 1])[:100]))
    assert holds > 20
    assert not bad, f"{len(bad)} of {holds} hold requests right after a question: {bad[:5]}"


def _text_of(text: str) -> str:
    return CUE.sub("", text).strip()


HOW_LONG = re.compile(r"\b(?:how long|wie lange?)\b", re.I)
# a duration or a point in time, in the test's own words
SAYS_TIME = re.compile(r"\b(?:\d+|one|two|three|four|five|ten|a few|a couple of|ein(?:e[nm]?)?|zwei|drei|vier|fünf|zehn|"
                       r"paar)[\s-]+(?:business |working |banking )?(?:seconds?|minutes?|hours?|days?|weeks?|months?|Sekunden?|"
                       r"Minuten?|Stunden?|Moment|moment|(?:Bankarbeits|Geschäfts|Werk)?[Tt]ag(?:e[n]?)?|Wochen?|Monate[n]?)\b|"
                       r"\b(?:today|tomorrow|right away|immediately|overnight|next week|heute|morgen|sofort|gleich|"
                       r"nächste Woche|diese Woche|not long|nicht lange|before we hang up|bevor wir auflegen|"
                       r"while we're on the (?:phone|line)|solange wir telefonieren)\b", re.I)


def test_how_long_is_answered_with_a_time(cc_text_build):
    """Contact center: a caller's "how long will it take?" (the opening's too)
    is answered in the agent's next turn with a duration or a day, not with
    "I need your date of birth first"."""
    import json
    bad, seen = [], 0
    for f in sorted((cc_text_build / "transcripts").glob("*.json")):
        doc = json.loads(f.read_text(encoding="utf-8"))
        turns = doc["turns"]
        for t, nxt in zip(turns, turns[1:]):
            if t["role"] == "seller" or nxt["role"] != "seller":
                continue
            asked = [s for s in re.split(r"(?<=[.!?])\s+", _text_of(t["text"])) if s.endswith("?") and HOW_LONG.search(s)]
            if not asked:
                continue
            seen += 1
            if not SAYS_TIME.search(_text_of(nxt["text"])):
                bad.append((doc["call_id"], t["index"], asked[0][-60:], _text_of(nxt["text"])[:80]))
    assert seen >= 2  # the example asks it 2 to 8 times as its callers' asides are drawn (more wordings: fewer of these)
    assert not bad, f"{len(bad)} of {seen} 'how long' questions answered with no time: {bad[:5]}"


# the seller's own personal news, in the test's own words (an office move, a broken coffee machine, a puppy, a
# school play), and the words that announce a remark as unrelated
SELLER_NEWS = re.compile(r"\b(?:coffee machine|moved offices|office move|puppy|the dog|school (?:run|play)|daycare|"
                         r"I've been (?:traveling|on the road)|half marathon|fire (?:drill|alarm)|drilling|swim meet|"
                         r"Kaffeemaschine|neue Räume|ein neues Büro|mein Hund|Halbmarathon|Schulaufführung|"
                         r"Schwimmwettkampf|Bowlingabend)\b", re.I)
UNRELATED = re.compile(r"\b(?:Random thing|Unrelated|Side note|Völlig anderes Thema|Ganz nebenbei)\b", re.I)


def test_the_seller_drops_no_unrelated_personal_news(corpus):
    """A seller turn does not drop personal news unrelated to the turn before
    ("Random thing. The coffee machine broke." after the buyer's week): the
    seller's own news is rare, and never announced as unrelated."""
    calls, rendered = corpus
    news, unrelated = [], []
    for c, rc in zip(calls, rendered):
        for t in rc.turns:
            if t.side != "seller":
                continue
            if SELLER_NEWS.search(_text(t)):
                news.append((c.id, t.index, _text(t)[:80]))
            if UNRELATED.search(_text(t)):
                unrelated.append((c.id, t.index, _text(t)[:80]))
    assert not unrelated, f"{len(unrelated)} remarks announced as unrelated: {unrelated[:5]}"
    assert len(news) <= len(calls) / 20, f"{len(news)} seller turns with personal news in {len(calls)} calls: {news[:5]}"


def test_long_silence_is_a_moment_not_the_rhythm(cc_text_build):
    """Contact center, voice calls: a long gap (3 s or more) comes before at
    most a few caller turns, not before most of them (reader17: 81 of 170
    calls had one before 60% or more of their caller turns). Read from the
    transcript's timeline."""
    import json
    heavy, calls = [], 0
    for f in sorted((cc_text_build / "ground_truth").glob("*.json")):
        meta = json.loads(f.read_text(encoding="utf-8")).get("metadata") or {}
        if meta.get("channel") != "voice":
            continue
        turns = json.loads((cc_text_build / "transcripts" / f.name).read_text(encoding="utf-8"))["turns"]
        gaps = [b["start"] - a["end"] for a, b in zip(turns, turns[1:]) if b["role"] == "buyer"]
        if len(gaps) < 3:
            continue
        calls += 1
        if sum(g >= 3.0 for g in gaps) / len(gaps) >= 0.6:
            heavy.append(f.stem)
    assert calls > 50
    assert len(heavy) <= calls / 20, f"{len(heavy)} of {calls} voice calls pause long before most caller turns: {heavy[:5]}"
