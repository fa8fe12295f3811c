"""Issue 15 §6: a contact-center call's metadata and what the call says and
does agree by construction. The events are judged with the quality figures'
own evaluator lexicon (builder/quality_lexicon.json, written apart from the
renderer's banks), the timings against the typing and reading model."""

from __future__ import annotations

import re

import pytest

from corpusc.builder import quality as Q
from corpusc.render.timing import READING_WPM, TYPING_WPM

from .conftest import EXAMPLES
from .test_engine import plan_of, render_all


@pytest.fixture(scope="module")
def contact():
    h, calls = plan_of(EXAMPLES / "contact_center.corpus", 200)
    return h, calls, render_all(h, calls)


def _num(v) -> float:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else 0.0


def test_hold_transfer_and_escalation_are_said_exactly_when_the_metadata_counts_them(contact):
    """A hold the metadata counts is said; no hold is talked of in a call
    without one; the same for transfers and a supervisor escalation."""
    _, calls, rendered = contact
    seen = {"hold": 0, "transfer": 0, "escalation": 0}
    for call, rc in zip(calls, rendered):
        m, texts = call.metadata, [t.text for t in rc.turns]
        hold = _num(m.get("Hold_time"))
        want = {"hold": True if hold >= 10 else False if hold == 0 else None,
                "transfer": _num(m.get("Transfers_count")) > 0,
                "escalation": m.get("escalation") == "supervisor"}
        for event, flagged in want.items():
            said = Q.mentions(texts, m["language"], event)
            if flagged is None:
                continue
            assert said == flagged, (call.id, event, m.get(event), [t for t in texts if Q.mentions([t], m["language"], event)])
            seen[event] += flagged
    assert all(seen.values()), seen


@pytest.fixture(scope="module")
def chat_holds():
    """Chats that wait: the example with its chat block first, where the transfer block draws a hold
    for transferred chats again (the example itself never holds a chat: tests/test_cc_fee_complaints.py)."""
    text = (EXAMPLES / "contact_center.corpus").read_text(encoding="utf-8")
    chat = text[text.index("  when channel == text {"):]
    chat = chat[:chat.index("  }\n") + 4]
    text = text.replace(chat, "").replace("  when scenario == transfer_to_specialist {",
                                          chat + "\n  when scenario == transfer_to_specialist {")
    h, calls = plan_of(EXAMPLES / "contact_center.corpus", text=text)
    calls = [c for c in calls if c.medium == "chat" and _num(c.metadata.get("Hold_time")) > 0]
    return h, calls, render_all(h, calls)


@pytest.mark.parametrize("which", ["contact", "chat_holds"])
def test_a_hold_is_announced_agreed_to_and_returned_from(which, request):
    """The hold's seconds are one gap before the agent's return, the turn
    two before announces it and the caller's turn between agrees; each is
    labelled (evidence `hold`), in chats too; hold talk only there."""
    _, calls, rendered = request.getfixturevalue(which)
    chats = 0
    for call, rc in zip(calls, rendered):
        hold = _num(call.metadata.get("Hold_time"))
        at = [t.index for t in rc.turns if any(c.startswith("hold ") for c in t.cues)]
        ev = {(e.kind, e.key): e.turn for e in rc.evidence if e.kind == "hold"}
        if hold <= 0:
            assert not at and not ev, call.id
            continue
        assert len(at) == 1, (call.id, at)
        back = at[0]
        assert ev == {("hold", "back"): back, ("hold", "announce"): back - 2, ("hold", "ok"): back - 1}, call.id
        assert rc.turns[back].side == rc.turns[back - 2].side == "seller" != rc.turns[back - 1].side
        assert sum(float(c.split()[1][:-1]) for c in rc.turns[back].cues if c.startswith("hold ")) == \
            pytest.approx(round(hold, 1), abs=0.05)
        lang = call.metadata["language"]
        others = [t.text for t in rc.turns if t.index not in (back, back - 1, back - 2)]
        assert not Q.mentions(others, lang, "hold"), call.id
        chats += call.medium == "chat"
    assert chats if which == "chat_holds" else calls


def test_the_planned_complaint_is_said_in_the_callers_words_and_labelled(contact):
    _, calls, rendered = contact
    said = 0
    for call, rc in zip(calls, rendered):
        cat = call.metadata.get("complaint_category")
        ev = [e for e in rc.evidence if e.kind == "complaint"]
        if cat in (None, "no_complaint"):
            assert not ev, call.id
            continue
        assert [e.key for e in ev] == [cat], call.id
        e = ev[0]
        t = rc.turns[e.turn]
        assert t.side == "buyer" and e.end - e.start > 20
        assert cat not in t.text and cat.replace("_", " ") not in t.text or "_" not in cat  # words, not a label
        said += 1
    assert said >= 3


def test_a_chat_lasts_as_long_as_typing_and_reading_it(contact):
    """Each message lasts its words at the writer's typing speed; a reply
    starts no earlier than the other side could read the message before."""
    _, calls, rendered = contact
    chats = 0
    for call, rc in zip(calls, rendered):
        if call.medium != "chat":
            continue
        chats += 1
        for prev, t in zip(rc.turns, rc.turns[1:]):
            words = len(t.text.split())
            assert t.end - t.start == pytest.approx(words * 60 / TYPING_WPM[t.side], abs=0.01), (call.id, t.index)
            if not t.cues:  # a silence or hold the metadata counts is that wait, as planned
                assert t.start - prev.end >= len(prev.text.split()) * 60 / READING_WPM - 0.01, (call.id, t.index)
    assert chats


def test_the_evaluator_counts_people_transferred_not_money_or_complaints():
    """The evaluator's transfer patterns, on a bank's calls: a payment or a
    complaint sent on is no call transfer; a caller put through is one,
    fillers and all."""
    en = ["I'm transferring you to my supervisor now.", "I've already been transferred three times today.",
          "Um, I was just put through to you by the switchboard.", "Someone just passed me on to you."]
    de = ["Ich verbinde Sie jetzt mit meiner Teamleitung.", "Ihr Kollege hat mich gerade zu Ihnen verbunden.",
          "Ich bin jetzt, sag ich mal, schon zwei Mal hin und her verbunden worden.", "Sie werden gleich weiterverbunden."]
    assert all(Q.mentions([s], "en-US", "transfer") for s in en)
    assert all(Q.mentions([s], "de-DE", "transfer") for s in de)
    assert not Q.mentions(["I made a SEPA transfer on Monday and it hasn't arrived.",
                           "Your balance will be transferred within a couple of days."], "en-US", "transfer")
    assert not Q.mentions(["Ich habe Ihre Beschwerde an die zuständige Abteilung weitergeleitet.",
                           "Die Überweisung wurde am Montag ausgeführt."], "de-DE", "transfer")


def test_verify_checks_the_counted_events_against_the_turns():
    from corpusc.builder.verify import _check_events
    found = []

    def add(code, msg, span, help=None):
        found.append((code, msg))
    turns = [{"cues": []}, {"cues": ["silence 2.5s"]}, {"cues": ["hold 20.1s"]}, {"cues": ["INTERRUPTS"]}]
    _check_events({"Hold_time": 20.07, "Silence_total_seconds": 2.5, "Interruptions_count": 1}, turns, "x", None, add)
    assert found == []
    _check_events({"Hold_time": 48.0, "Silence_total_seconds": 4.0, "Interruptions_count": 3}, turns, "x", None, add)
    assert [re.search(r"says (\w+)", m).group(1) for _, m in found] == \
        ["Hold_time", "Silence_total_seconds", "Interruptions_count"]
