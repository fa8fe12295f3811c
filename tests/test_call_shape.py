"""A call's shape gives no label away (issue 15 §1, a reader's B5/E17): on a
generated spec (every account the same three calls) the turn index of an
objection step or a buying signal, and a call's length, must not predict the
label; sales calls fall on business days."""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter, defaultdict

import pytest

from corpusc.builder.compile import compile_spec
from corpusc.diagnostics.model import Sink
from corpusc.plan import planner as planmod

from .conftest import ROOT


@pytest.fixture(scope="module")
def gen_calls():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from gen_spec import sales_spec
    sink = Sink()
    c = compile_spec("gen.corpus", sink, text=sales_spec(300, seed=4))
    assert not [d for d in sink.items if d.severity == "error"]
    return c.program, list(planmod.sales_calls(c.program))


def _modal_share(counter: Counter) -> float:
    return max(counter.values()) / sum(counter.values())


def test_label_position_does_not_give_the_label_away(gen_calls):
    """On main every intro objection sat on turn 25, every signoff resolution or
    stall on turn 13, every `unaddressed` on turn 8 (a modal share of 1.0):
    now no label kind has more than half its instances on one turn index, and
    over all kinds less than a third."""
    _, calls = gen_calls
    at: dict[tuple, Counter] = defaultdict(Counter)
    for c in calls:
        stage = c.id.split(".")[1]
        for b in c.beats:
            if b.kind.startswith("objection_") or b.kind in ("buying_signal", "competitor_mention"):
                at[(stage, b.kind)][b.turn] += 1
    worst = {k: round(_modal_share(v), 2) for k, v in at.items() if sum(v.values()) >= 20}
    assert worst and max(worst.values()) < 0.5, worst
    total = sum(max(v.values()) for v in at.values()) / sum(sum(v.values()) for v in at.values())
    assert total < 1 / 3, total


def test_call_length_varies_per_call(gen_calls):
    """A length class or a duration is a range: on main every intro had 30
    turns and every signoff 15, so the turn count named the stage."""
    _, calls = gen_calls
    by_stage: dict[str, Counter] = defaultdict(Counter)
    for c in calls:
        by_stage[c.id.split(".")[1]][c.target_turns] += 1
        assert len(c.speakers) == c.target_turns
    for stage, lens in by_stage.items():
        assert len(lens) >= 5 and _modal_share(lens) < 0.3, (stage, lens)


def test_length_in_turns_is_kept():
    text = '''corpus x {
  seed 1
  starts 2026-01-05
}
use stdlib.personas
use stdlib.industries
rep jordan "Jordan Reyes" { title "Account Executive" }
account a "Acme Co" {
  industry fintech
  stakeholder b "Grace Fenwick" { role "CFO" persona executive_champion decision_maker }
  call one on day 0 { stage discovery length 26 turns with jordan, b }
  call two on day 3 { stage discovery length 5 min with jordan, b }
}
'''
    sink = Sink()
    prog = compile_spec("x.corpus", sink, text=text).program
    one, two = planmod.sales_calls(prog)
    assert one.target_turns == 26 and one.target_duration_sec == 26 * 20.0
    assert two.target_duration_sec == 300.0  # a duration is kept; its turns are drawn


def test_beats_keep_their_order_and_sides(gen_calls):
    """The drawn positions keep what the dialogue relies on: an arc's steps in
    order, the opening first, next steps before the close at the last turn,
    a seller's beat on a seller's turn."""
    _, calls = gen_calls
    for c in calls:
        kinds = [b.kind for b in c.beats]
        assert kinds[0] == "opening" and kinds[-1] == "close" and c.beats[-1].turn >= c.target_turns - 2
        assert kinds.index("next_steps") == len(kinds) - 2
        turns = [b.turn for b in c.beats]
        assert turns == sorted(turns) and len(set(turns)) == len(turns), (c.id, turns)
        side = {p.id: p.side for p in c.participants}
        for b in c.beats:
            want = "buyer" if b.kind in ("objection_raised", "objection_resolved", "objection_stalled",
                                         "buying_signal", "pain", "competitor_mention") else None
            if want:
                assert side[b.speaker] == want, (c.id, b)
        steps = [s.step for s in c.objections]
        order = ["raised", "addressed", "unaddressed", "resolved", "stalled"]
        assert steps == sorted(steps, key=order.index), (c.id, steps)


def test_sales_calls_fall_on_business_days(gen_calls):
    """56 of 300 generated calls fell on a Saturday or Sunday on main."""
    _, calls = gen_calls
    days = Counter(dt.date.fromisoformat(c.date).weekday() for c in calls)
    assert days[5] == days[6] == 0, days
    assert all(c.weekday not in ("Saturday", "Sunday") for c in calls)
