"""A speaker does not contradict themselves, and an opinion has a topic the call
has named (issue 15 §1/§3, a reader's C9/C10/C8/A4): checked on the ground
truth and transcripts of a generated 300-call spec and of sales_pov, built."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from corpusc.render.template.banks import load_bank

from .conftest import EXAMPLES, ROOT


def _build(spec: Path, out: Path) -> Path:
    from click.testing import CliRunner

    from corpusc.cli.main import main
    res = CliRunner().invoke(main, ["build", str(spec), "-o", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return out


@pytest.fixture(scope="module", params=["generated", "sales_pov"])
def built(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(request.param)
    if request.param == "sales_pov":
        spec = EXAMPLES / "sales_pov.corpus"
    else:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from gen_spec import sales_spec
        spec = tmp / "gen.corpus"
        spec.write_text(sales_spec(300, seed=4))
    out = _build(spec, tmp / "out")
    calls = []
    for f in sorted((out / "ground_truth").glob("*.json")):
        g = json.loads(f.read_text())
        if g.get("kind") != "sales":
            continue
        t = json.loads((out / "transcripts" / f.name).read_text())
        calls.append((g, t["turns"]))
    assert calls
    return calls


def _things(locale: str) -> dict[str, list[str]]:
    """The topic phrases an opinion names ("the security review"), per objection or work."""
    b = load_bank(locale)
    return {k.rsplit(".", 1)[1]: [t.lower() for t in b[k] if isinstance(t, str)]
            for k in b if k.startswith("moment.thing.") and k != "moment.thing.said"}


def _bare(phrase: str) -> str:
    return phrase.split(" ", 1)[-1]  # without its article


def test_nobody_doubts_the_need_after_describing_the_pain(built):
    """Main: every need objection ("I'm not sure this is a problem for us")
    came from the buyer who had described the pain earlier in the call."""
    bad, needs = [], 0
    for g, _ in built:
        pain = [(x["speaker"], x["turn"]) for x in g["signals"]["surface"] if x["type"] == "need" and x.get("planned")]
        for x in g["objection_steps"]:
            if x["objection"] == "need" and x["step"] in ("raised", "reopened"):
                needs += 1
                if any(s == x["speaker"] and t < x["turn"] for s, t in pain):
                    bad.append((g["call_id"], x["turn"]))
    assert not bad, bad[:5]


def test_an_objection_is_not_also_buying_intent(built):
    """Main: "They offered us a free pilot; can you match that?" was labelled
    objection and buying_intent on the same turn (5 turns)."""
    bad = []
    for g, _ in built:
        intent = {(x["turn"], x["quote"]) for x in g["signals"]["surface"] if x["type"] == "buying_intent"}
        for x in g["objection_steps"]:
            if x["step"] in ("raised", "reopened") and any(t == x["turn"] and (q in x["quote"] or x["quote"] in q)
                                                           for t, q in intent):
                bad.append((g["call_id"], x["turn"], x["quote"][:80]))
    assert not bad, bad[:5]


def test_an_opinion_names_a_topic_the_call_has_named(built):
    """Main: 548 of 809 moment and colour sentences of a generated corpus
    named a topic ("the security review concerns me") nobody had mentioned
    earlier in the call, some in the greeting. Now a moment or colour names
    a topic only after the call has (the turn's own objection aside)."""
    bad, named = [], 0
    for g, turns in built:
        things = _things(g["locale"])
        flat = sorted({p for v in things.values() for p in v}, key=len, reverse=True)
        obj_turns = {x["turn"] for x in g["objection_steps"]}
        for x in (g.get("moments") or []) + (g.get("colour") or []):
            q = (x.get("quote") or "").lower()
            hit = next((p for p in flat if p in q), None)
            if not hit or x["turn"] in obj_turns:
                continue
            named += 1
            before = " ".join(t["text"] for t in turns if t["index"] < x["turn"]).lower()
            if _bare(hit) not in before:
                bad.append((g["call_id"], x["turn"], q[:80]))
    assert named
    assert len(bad) <= 0.02 * named, (len(bad), named, bad[:4])


def test_a_buyer_does_not_praise_what_it_objects_to(built):
    """Main: "the security review won't be an issue" and, from the same buyer
    in the same call, a risk objection (51 times in a generated corpus).
    Positive words that are not a planned hidden concern never name a topic
    their speaker objects to in the call, outside the objection's own turns."""
    bad = []
    for g, _ in built:
        things = _things(g["locale"])
        mine = {(x["speaker"], x["objection"]) for x in g["objection_steps"]
                if x["step"] in ("raised", "reopened", "stalled")}
        steps = {x["turn"] for x in g["objection_steps"]}
        items = [x for x in g.get("moments") or [] if x.get("polarity") == "positive" and x.get("congruent", True)]
        items += [x for x in g.get("colour") or [] if x.get("tone") == "positive"]
        for x in items:
            if x["turn"] in steps:
                continue
            q = (x.get("quote") or "").lower()
            for who, typ in mine:
                if who == x["speaker"] and any(p in q for p in things.get(typ, [])):
                    bad.append((g["call_id"], x["turn"], q[:80]))
    assert not bad, bad[:5]


def test_calls_do_not_fall_on_weekends(built):
    import datetime as dt
    weekend = [g["call_id"] for g, _ in built if dt.date.fromisoformat(g["date"]).weekday() >= 5]
    assert not weekend, weekend[:5]


def test_a_lost_deals_close_carries_no_buying_intent_and_a_won_one_does(built):
    """Main: 7 of 48 lost or stalled closing calls carried buying intent, 11
    of 52 won ones did. The last call of a lost or stalled deal reads cool and
    carries none; most won closes carry some."""
    last: dict[str, dict] = {}
    for g, _ in built:  # an account's last call: its latest start
        if g["account"] not in last or g["start"] > last[g["account"]]["start"]:
            last[g["account"]] = g
    won = lost = won_bi = lost_bi = 0
    for g, _ in built:
        if g["call_id"] != last[g["account"]]["call_id"] or g.get("stage") != "close":
            continue
        bi = any(x["type"] == "buying_intent" for x in g["signals"]["surface"])
        if g["deal_outcome"] == "won":
            won, won_bi = won + 1, won_bi + bi
        elif g["deal_outcome"] in ("lost", "stalled"):
            lost, lost_bi = lost + 1, lost_bi + bi
    if won + lost < 20:
        pytest.skip("too few closing calls")
    assert lost_bi == 0, (lost_bi, lost)
    assert won_bi >= 0.6 * won, (won_bi, won)


# sentences a reader flagged as signals nobody labelled on main (0 of 139 in a
# generated corpus): test data, written from the reader's report, not from the banks
FLAGGED = {"authority": r"through with \w+ (before|ahead)|before anything gets signed",
           "timeline": r"\btiming (matters|is a concern)|timing of the invoice",
           "buying_intent": r"comfortable choosing you|better fit for us|the internal champion|the one pushing this",
           "next_step": r"I'll block the time|I'll forward it to|I'll loop in|intro you by email"}


def _sents(text: str) -> list[str]:
    return [re.sub(r"^(\[[^\]]*\]\s*)+", "", s) for s in re.split(r"(?<=[.?!])\s+", text) if s]


def test_signal_sentences_the_reader_flagged_are_labelled(built):
    """Authority ("take this through with Marco ahead of any commitment"),
    timeline ("the timing matters"), buying intent ("We're comfortable
    choosing you") and next steps ("I'll block the time") carry their label,
    from the template markers (signal_keys.json), on whichever side said them."""
    seen, bad = 0, []
    for g, turns in built:
        labs: dict[int, list] = {}
        for x in g["signals"]["surface"]:
            labs.setdefault(x["turn"], []).append(x)
        for t in turns:
            for s in _sents(t["text"]):
                for cat, rx in FLAGGED.items():
                    if re.search(rx, s, re.I):
                        seen += 1
                        cut = s.rstrip("—–-.?! ")  # a sentence cut off by an interruption ends in a dash
                        if not any(x["type"] == cat and (x["quote"] in s or cut in x["quote"])
                                   for x in labs.get(t["index"], [])):
                            bad.append((g["call_id"], t["index"], cat, s[:80]))
    assert seen
    assert not bad, (len(bad), seen, bad[:4])
