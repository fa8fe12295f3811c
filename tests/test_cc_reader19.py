"""Reviewer cc19's findings on the contact center, read with this test's own
word lists (an outside reader's, not the renderer's banks): the outcome of a
hand-over call is the hand-over to whom, said once; holds are announced as
long as they last; the recording notice opens the call and a close takes
leave once; NPS agrees with the call's sentiment and resolution; every
birth date, customer number, card's digits, phone number and e-mail address
said carries a `pii` label of its category. A variant of
examples/contact_center.corpus with more hand-overs, both languages alike and
more disclosures, so each finding has calls to be seen in."""

from __future__ import annotations

import re

import pytest

from .conftest import EXAMPLES
from .test_engine import plan_of, render_all

SUPERVISOR = re.compile(r"supervisor|team lead|manager|Teamleit|Vorgesetzt|Schichtleitung|Führungskraft", re.I)
HAND_OVER = re.compile(r"transfer|connect|put(ting)? you through|passing you|verbinde|stelle Sie|weitergeleitet|"
                       r"weiterverbunden|durchgestellt|gebe Sie|leite Sie|übernimmt", re.I)
TO_WHOM = re.compile(r"specialist|team|colleague|supervisor|Spezialist|Fachteam|Fachabteilung|Kolleg|Team|"
                     r"Vorgesetzt|Schichtleitung", re.I)
# an agent saying they hand the caller over (said once per call)
ANNOUNCES = re.compile(
    r"transferring you|transfer you|put(ting)? you through|connect(ing)? you|passing you|you're being transferred|"
    r"(get|getting) (my|a) supervisor|escalat(e|ing) this|verbinde Sie|stelle Sie\b[^.;]{0,40}\bdurch|"
    r"weitergeleitet|weiterverbunden|durchgestellt|gebe Sie\b[^.;]{0,40}\b(durch|weiter)|"
    r"hole [^.;]{0,25}(Teamleitung|Vorgesetzt)[^.;]{0,10}dazu|leite Sie [^.;]{0,30}weiter", re.I)
# a hold said to be short, or to take a minute or two
SHORT = re.compile(r"\b(kurz|einen Moment|Augenblick|Moment|mal eben|nicht lange|gleich wieder|brief|short|quick|"
                   r"a moment|won't take long|right back|one second|a second)\b", re.I)
MINUTES = re.compile(r"zwei Minuten|a minute or two|two minutes", re.I)
RECORDED = re.compile(r"(this|the) call[^.]{0,20}\brecorded|Gespräch[^.]{0,40}(aufgezeichnet|mitgeschnitten)|"
                      r"Telefonate[^.]{0,60}aufzeichne", re.I)
FAREWELL = re.compile(r"\b(goodbye|bye|take care(?! of)|have a (good|great|nice) \w+|auf wiederhören|tschüss|alles gute|"
                      r"(einen )?(schönen|angenehmen) (tag|abend|nachmittag|wochenende)|machen sie es gut)\b", re.I)
PII = {  # what a reader takes for personal data, by category
    "date_of_birth": re.compile(r"\b\d{1,2}\. (Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|"
                                r"November|Dezember) (19|20)\d\d\b|\b(January|February|March|April|May|June|July|"
                                r"August|September|October|November|December) \d{1,2}, (19|20)\d\d\b"),
    "customer_number": re.compile(r"(?<![\d+-])(?<!\d )\d{4} \d{4}(?![\d-])(?! \d)"),
    "account_number": re.compile(r"\b[A-Z]{2}\d{2}(?: \d{4}){4} \d{2}\b"),
    "email": re.compile(r"\b[\w.]+@example\.(com|org)\b"),
    "phone": re.compile(r"\+\d{9,}|\b555-01\d\d\b"),
}
CARD = re.compile(r"(card|Karte)[^.?!]{0,60}?(ending in|ends in|endet auf|Endung) (\d{4})\b", re.I)
ENDING = re.compile(r"(ending in|ends in|endet auf|Endung|last digits are|letzten Ziffern sind) (\d{4})\b", re.I)

SPEC = (EXAMPLES / "contact_center.corpus").read_text(encoding="utf-8")
VARIANT = (SPEC.replace("seed 12345", "seed 4242")
           .replace("de-DE 80% en-US 20%", "de-DE 50% en-US 50%")
           .replace("field pii_disclosure_flag: bool(p 2%)", "field pii_disclosure_flag: bool(p 25%)")
           .replace("resolved_first_contact 60%", "resolved_first_contact 36%")
           .replace("transfer_to_specialist 14%", "transfer_to_specialist 26%")
           .replace("escalation_to_supervisor 6%", "escalation_to_supervisor 18%"))


@pytest.fixture(scope="module")
def calls():
    assert VARIANT != SPEC and VARIANT.count("%") == SPEC.count("%")
    # (150 calls: with 120, whether a card's last digits are said at all hung on the draws of the spec's
    # `when` order; moving the chat block last left none, session 21)
    h, cs = plan_of(EXAMPLES / "contact_center.corpus", 150, text=VARIANT)
    return list(zip(cs, render_all(h, cs)))


def _outcome(rc):
    return [e for e in rc.evidence if e.kind == "outcome"]


def _quote(rc, e) -> str:
    return rc.turns[e.turn].text[e.start:e.end]


def test_a_hand_over_call_s_outcome_is_the_hand_over_to_whom(calls):
    """An escalation's outcome asks for the supervisor, a transfer's hands
    over and names to whom (reviewer cc19: an apology in 12 of 24, a bare
    'Das Fachteam muss das beantworten' in 50 of 56)."""
    seen = {"escalation_to_supervisor": 0, "transfer_to_specialist": 0}
    for call, rc in calls:
        scen = call.metadata.get("scenario")
        if scen not in seen:
            continue
        out = _outcome(rc)
        assert len(out) == 1, (call.id, out)
        q = _quote(rc, out[0])
        assert HAND_OVER.search(q) and TO_WHOM.search(q), (call.id, q)
        if scen == "escalation_to_supervisor":
            assert SUPERVISOR.search(q), (call.id, q)
        seen[scen] += 1
    assert min(seen.values()) >= 8, seen


def test_the_hand_over_is_announced_once(calls):
    """Reviewer cc19: 48 of 80 hand-over calls announced it twice."""
    n = 0
    for call, rc in calls:
        if call.metadata.get("scenario") not in ("escalation_to_supervisor", "transfer_to_specialist"):
            continue
        agent = rc.turns[0].speaker
        said = [t.text for t in rc.turns if t.speaker == agent and ANNOUNCES.search(t.text)]
        assert len(said) == 1, (call.id, said)
        n += 1
    assert n >= 20


def test_a_hold_is_announced_as_long_as_it_lasts(calls):
    """'One moment' is not said of a hold of minutes (reviewer cc19: 14)."""
    checked = 0
    for call, rc in calls:
        hold = float(call.metadata.get("Hold_time") or 0)
        for e in rc.evidence:
            if e.kind == "hold" and e.key == "announce":
                q = _quote(rc, e)
                limit = 180 if MINUTES.search(q) else 60 if SHORT.search(q) else None
                assert limit is None or hold <= limit, (call.id, hold, q)
                checked += hold > 60
    assert checked >= 5  # long holds were announced and read


REPEAT_LEAD = re.compile(r"^[^:]{0,40}\b(?:ich sagte|noch einmal|I said|again)\b[^:]{0,20}:\s*", re.I)
FILLER_WORD = re.compile(r"\b(?:äh|ähm|uh|um)\b,?\s*", re.I)


def _restated(s: str) -> str:
    """A sentence as said again: without the repeat's lead-in and the fillers of either saying."""
    return FILLER_WORD.sub("", REPEAT_LEAD.sub("", s)).strip()


def test_the_recording_notice_opens_the_call_and_the_close_takes_leave_once(calls):
    """Reviewer cc19: the recording notice said mid-call (15), two farewells in one call."""
    notices = 0
    for call, rc in calls:
        agent = rc.turns[0].speaker
        opening = next(t.index for t in rc.turns if t.index >= 2 and t.speaker == agent)
        first = None
        for t in rc.turns:
            for s in re.split(r"(?<=[.!?])\s+", t.text):
                if RECORDED.search(s):
                    if first is None:
                        assert t.index == opening, (call.id, t.index, s)
                        first = s
                        notices += 1
                    else:  # only when the caller asked to hear the turn again ("Klar, ich sagte: ...", no filler)
                        assert _restated(s) == _restated(first), (call.id, t.index, s)
        tail = [s for t in rc.turns[len(rc.turns) * 2 // 3:] if t.speaker != "caller"
                for s in re.split(r"(?<=[.!?])\s+", t.text) if FAREWELL.search(s)]
        assert len(tail) <= 1, (call.id, tail)
    assert notices >= 3


def test_nps_agrees_with_the_call(calls):
    """No promoter on an upset or an unresolved, negative call; no 0-4 after a
    resolved, content one (reviewer cc19: 12)."""
    for call, _ in calls:
        m = call.metadata
        nps, s, fcr = m.get("NPS_score"), m.get("sentiment_score"), m.get("FCR")
        assert not (nps >= 9 and s < -0.3), (call.id, nps, s)
        assert not (nps >= 9 and fcr is False and s < 0), (call.id, nps, s, fcr)
        assert not (nps <= 4 and s > 0.3 and fcr is True), (call.id, nps, s, fcr)


def test_every_personal_value_said_is_labelled_with_its_category(calls):
    """A birth date, customer number, card's last digits, phone number or
    e-mail address said anywhere is inside a `pii` span of its category, and
    the span is the value (reviewer cc19: none of the first three had one)."""
    seen: dict[str, int] = {}
    for call, rc in calls:
        spans = [(e.turn, e.start, e.end, e.key) for e in rc.evidence if e.kind == "pii"]
        for t in rc.turns:
            found = [(cat, m.span()) for cat, rx in PII.items() for m in rx.finditer(t.text)] + \
                [("card_digits", m.span(3)) for m in CARD.finditer(t.text)]
            for cat, (a, b) in found:
                hit = [k for i, x, y, k in spans if i == t.index and x <= a and b <= y]
                assert hit == [cat], (call.id, t.index, cat, t.text[a:b], hit)
                seen[cat] = seen.get(cat, 0) + 1
            for m in ENDING.finditer(t.text):  # the last digits of something personal: labelled as some kind of it
                a, b = m.span(2)
                hit = [k for i, x, y, k in spans if i == t.index and x <= a and b <= y]
                assert len(hit) == 1 and hit[0] in ("card_digits", "phone", "account_number"), (call.id, t.text, hit)
        for i, x, y, k in spans:
            q = rc.turns[i].text[x:y]
            assert q == q.strip() and q, (call.id, i, q)
            if k in PII:
                assert PII[k].fullmatch(q) or k in ("phone", "account_number") and q.isdigit(), (call.id, k, q)
    assert {"date_of_birth", "customer_number", "email", "phone", "card_digits"} <= set(seen), seen
