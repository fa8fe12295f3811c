"""Who a sales turn talks to and about (issue 15 §3, session 12's outside
reader, defects 7 and 8): a buyer never speaks of the seller in front of
them in the third person ("after the session with Jordan", to Jordan; a late
joiner's "Jordan mentioned this" said to Jordan); the rep asks how the buyer
is once, and small talk after that follows up instead of asking again; and
the bracket products of a template are grammatical ("We've talking", "most
reps teams"). Rendered from examples/sales_pov and a generated 200-call spec
in English and German; the patterns are a reader's, not the renderer's."""

from __future__ import annotations

import re

import pytest

from .test_dialogue_fidelity import _build
from .test_dialogue_turns import _gen
from .test_dynamics import EXAMPLES


@pytest.fixture(scope="module", params=["sales_pov", "generated", "german"])
def corpus(request, tmp_path_factory):
    if request.param == "sales_pov":
        return _build(EXAMPLES / "sales_pov.corpus")
    return _gen(tmp_path_factory, *(["--locale", "de-DE"] if request.param == "german" else []))


# a third person's name in a buyer's mouth: "with Jordan", "Jordan mentioned",
# "mit Jordan", "Jordan hat mich …"
ABOUT = (r"\b(?:with|from|by|mit|von|bei) {n}\b(?!,)|\b{n} (?:mentioned|said|told|showed|walked|hat mich|hat das|"
         r"hat uns|meinte|erwähnt)")

# the rep's "how are you" in the first turns (English and German)
HOW = re.compile(r"how's your \w+ been|how(?:'s| is| has) (?:your|the) (?:week|day|morning|monday|tuesday|wednesday|"
                 r"thursday|friday)|how are things|how's \w+ (?:at|treating|been)|how's (?:everything|life)|"
                 r"wie läuft ihr \w+|wie war (?:ihre|die|ihr) (?:woche|\w+tag)|wie geht es|wie läuft (?:es|der|die)|"
                 r"wie behandelt sie|wie ist der \w+ (?:bisher|so weit|bis jetzt)", re.I)

# template products a reader flagged: a bare past participle after "We've",
# a plural noun as a modifier before "teams", "each" with a plural
BROKEN = re.compile(r"\bWe've (?:talking|discussing)\b|\bmost (?:reps|brokers|agents|associates|consultants|managers|engineers|advisors|nurses|planners) teams\b|\beach (?:sales )?\w+s as a row\b|"
                    r"\bmeasured in (?!a way|numbers)")


def test_buyers_never_speak_of_the_seller_listening_in_the_third_person(corpus):
    _, calls, rendered, _ = corpus
    bad = []
    for c, rc in zip(calls, rendered):
        sellers = {p.name.split()[0] for p in c.participants if p.side == "seller"}
        pats = [re.compile(ABOUT.format(n=re.escape(n))) for n in sellers]
        for t in rc.turns:
            if t.side == "seller":
                continue
            for rx in pats:
                m = rx.search(t.text)
                if m:
                    bad.append((c.id, t.index, t.text[max(0, m.start() - 40):m.end() + 20]))
    assert not bad, f"{len(bad)} buyer turns speak of a seller on the call in the third person: {bad[:5]}"


def test_the_rep_asks_how_the_buyer_is_once(corpus):
    _, calls, rendered, _ = corpus
    twice = []
    for c, rc in zip(calls, rendered):
        hows = [t.index for t in rc.turns[:8] if t.side == "seller" and HOW.search(t.text)]
        if len(hows) >= 2:
            twice.append((c.id, hows, [rc.turns[i].text[-80:] for i in hows]))
    assert not twice, f"{len(twice)} calls ask how-are-you twice: {twice[:3]}"


def test_template_products_are_grammatical(corpus):
    _, calls, rendered, _ = corpus
    bad = [(c.id, t.index, m.group(0)) for c, rc in zip(calls, rendered) for t in rc.turns
           for m in [BROKEN.search(t.text)] if m]
    assert not bad, f"{len(bad)} ungrammatical template products: {bad[:5]}"


def _short_statements(text: str) -> int:
    """Sentences of at most four words that ask nothing ("New office for us.")."""
    parts = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    return sum(1 for s in parts if len(s.split()) <= 4 and not s.endswith("?"))


def test_small_talk_is_not_a_stack_of_fragments(corpus):
    """Chit-chat is elaborated once, not padded with telegram sentences until
    the call's word target is met ("Offsite most of this week. … I'm home today.")."""
    _, calls, rendered, _ = corpus
    early = [(c.id, t) for c, rc in zip(calls, rendered) for t in rc.turns[:10]]
    stacked = [(cid, t.index, t.text[:160]) for cid, t in early if _short_statements(t.text) >= 6]
    # a moment, a screen-share notice and one piece of news can still meet in a turn;
    # on session 11's main 9% of the generated calls' early turns were stacks
    assert len(stacked) <= 0.01 * len(early), \
        f"{len(stacked)} of {len(early)} early turns stacked from six or more fragments: {stacked[:3]}"


# the seller moving from small talk to business (a reader's pattern, both languages)
GO = re.compile(r"let's (?:get into it|get to it|dig in|dive in|get started)|I'll jump in|legen wir los|"
                r"steigen wir ein|lassen Sie uns anfangen|steige ich direkt ein|fange ich an", re.I)


def test_getting_into_it_leads_to_the_agenda(corpus):
    """Once the seller says "let's get into it", no more small talk and no
    newcomer's introduction come before the agenda."""
    _, calls, rendered, _ = corpus
    bad = []
    for c, rc in zip(calls, rendered):
        agenda = next((t.index for t in rc.turns if "agenda" in t.beats), None)
        go = next((t.index for t in rc.turns if t.side == "seller" and GO.search(t.text)), None)
        if agenda is None or go is None or go >= agenda:
            continue
        between = [t.index for t in rc.turns[go + 1:agenda]
                   if {"small_talk", "introduce_stakeholder"} & set(t.beats)]
        if between:
            bad.append((c.id, go, agenda, between))
    assert not bad, f"{len(bad)} calls get into it, then chat or introduce someone: {bad[:5]}"
