"""Contact-center populations without a `domain` speak from the generic
service banks (stdlib/phrases/*/pop_generic.json, the generic paths of
render/template/service.py). An outside audit (issue 15, points 3 and 5)
found their dialogue broken; two such specs are built here with `corpusc
build` and read back from the emitted files with tests/nodomain_checks.py's
own word lists (written apart from the banks):

- a turn never stacks thanks and apologies: one reaction a turn (main: 305
  of 555 turns of the English spec said two or more, 300 three or more in a
  row: "Thank you for the help, genuinely. Pardon me, it's been a long day.
  Yeah, I appreciate your help, truly. ...");
- the agent says the caller's name only after the caller said it (main: 38
  agent turns named the caller first, "...look that up, Jennifer." two turns
  before "Could I get your name?");
- an identity request is answered with what it asks: a number with a number
  (or "I don't have it to hand", then name and birth date), never with a name
  alone (main: 14 of 27 requests; German 23 of 46);
- of the 6+-word sentences, at most 20 % are said word for word in another of
  the 60 calls (main: 66 % English, 66 % German; this branch 15 % and 15 %, 14-17 %
  with seeds 11 and 23; on 200 calls of the same specs 27 % and 34 %, main 77 % and 76 %).

The English spec is the audit's (no window, no scenario: the planner's
defaults); the German one has a week, office hours, two scenarios and a
duration field (calls of up to 47 turns)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from . import nodomain_checks as C

SPECS = {
    "en": """
corpus nod { seed 7 }
population inbound {
  count 60
  channel weights { voice 85% text 15% }
}
emit transcripts { formats [json] }
emit ground_truth {}
""",
    "de": """
corpus nodde {
  seed 5
  locale de-DE
}
population service {
  count 60
  window 2026-03-02..2026-03-06
  timezone "Europe/Berlin"
  hours 09:00..17:00
  channel weights { voice 85% text 15% }
  scenario weights { resolved 70% callback 30% }
  field duration_sec: lognormal(median 240s, sigma 0.4) clamp 60s..900s
}
emit transcripts { formats [json] }
emit ground_truth {}
""",
}
VERBATIM_MAX = 0.20


def build(spec: str, where: Path) -> Path:
    from corpusc.cli.main import main
    where.mkdir(parents=True, exist_ok=True)
    (where / "s.corpus").write_text(spec, encoding="utf-8")
    out = where / "out"
    old = os.getcwd()
    os.chdir(where)
    try:
        res = CliRunner().invoke(main, ["build", "s.corpus", "-o", str(out), "--only", "transcripts,ground_truth"],
                                 catch_exceptions=False)
    finally:
        os.chdir(old)
    assert res.exit_code == 0, res.output
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, dict]:
    tmp = tmp_path_factory.mktemp("nodomain")
    return {name: C.count([build(spec, tmp / name)]) for name, spec in SPECS.items()}


def _show(rows) -> str:
    return "\n".join(f"{cid} t{i}: {t[:200]}" for cid, i, t in rows[:8])


@pytest.mark.parametrize("name", list(SPECS))
def test_the_specs_are_domain_less_calls_worth_reading(built, name):
    """The builds hold what the checks below read: 60 calls, identity requests to answer."""
    got = built[name]
    assert got["calls"] == 60
    assert len(got["rows"]["identity_asked"]) >= 20, name


@pytest.mark.parametrize("name", list(SPECS))
def test_one_reaction_a_turn(built, name):
    rows = built[name]["rows"]
    assert rows["stacked3"] == [], _show(rows["stacked3"])
    assert rows["stacked"] == [], _show(rows["stacked"])


@pytest.mark.parametrize("name", list(SPECS))
def test_the_callers_name_only_after_the_caller_said_it(built, name):
    rows = built[name]["rows"]
    assert rows["early_name"] == [], _show(rows["early_name"])


@pytest.mark.parametrize("name", list(SPECS))
def test_an_identity_request_is_answered_with_what_it_asks(built, name):
    rows = built[name]["rows"]
    assert rows["identity"] == [], _show(rows["identity"])


@pytest.mark.parametrize("name", list(SPECS))
def test_the_generic_banks_vary_across_calls(built, name):
    (v,) = built[name]["verbatim"].values()
    assert v["sentences"] >= 500
    assert v["share"] <= VERBATIM_MAX, (round(v["share"], 3), v["top"][:5])


@pytest.mark.parametrize("loc", ["en-US", "de-DE"])
def test_a_chat_can_say_every_fact_of_the_generic_banks(loc):
    """A call's facts (`pop.generic.fact.*`: the faulty item's fault, the charge) are said in its opener,
    chats included; a chat never says what only a phone call says (`pop.generic.voice_only`, matched as the
    renderer does: any case, inside a word too). A fact with such a word vetoed every opener of its cause:
    2 of 200 English calls of the audit's spec (seed 7) opened with an aside and no request ("I still have the
    receipt, it's in the drawer.") for the fault "makes a loud rattling noise"; German "macht ein lautes
    Klappern" ('laut') likewise."""
    import re
    from corpusc.render.template.banks import load_bank
    bank = load_bank(loc)
    words = [w for g in bank["pop.generic.voice_only"] for w in g]
    rx = re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))), re.I)
    facts = {k: v for k, v in bank.items() if k.startswith("pop.generic.fact.")}
    assert len(facts) >= 10, sorted(facts)
    said = [(k, v) for k, vs in facts.items() for v in vs if isinstance(v, str) and rx.search(v)]
    assert said == []


# ---- the checks themselves find what they are for -------------------------------------------

def test_the_checks_find_the_audits_examples():
    """Each check flags the audit's own example and passes its repair: none can pass by finding nothing."""
    bad = [("agent", "Thanks for calling, this is Jamie. How can I help?"),
           ("caller", "Hi, I'm calling about an order."),
           ("agent", "One moment while I look that up, Jennifer."),
           ("caller", "Thank you for the help, genuinely. Pardon me, it's been a long day. Yeah, I appreciate your "
                      "help, truly. I appreciate your help, really."),
           ("agent", "Can I have your account number to pull up your account?"),
           ("caller", "Yes, yes, Jennifer Reed."),
           ("agent", "Danke, Frau Reed. Wie lautet Ihre Kundennummer?"),
           ("caller", "Gern, Jennifer Reed.")]
    names = ([(0, "agent", "Jamie"), (2, "agent", "Jennifer"), (5, "caller", "Jennifer Reed"),
              (7, "caller", "Jennifer Reed")], {"Agent"})
    got = C.check_call(bad, names)
    assert [i for i, _ in got["stacked3"]] == [3] and [i for i, _ in got["stacked"]] == [3]
    assert [i for i, _ in got["early_name"]] == [2]
    assert [i for i, _ in got["identity"]] == [4, 6]
    good = [("agent", "Thanks for calling, this is Jamie. How can I help?"),
            ("caller", "Hi, I'm calling about an order. Sorry, it's been a long day."),
            ("agent", "Can I have your account number to pull up your account?"),
            ("caller", "I don't have it to hand, sorry; it's Jennifer Reed, born May 3, 1980."),
            ("agent", "Thanks, Jennifer. Could you give me the order number too?"),
            ("caller", "It's 4471 2290."),
            ("agent", "Wie lautet Ihre Kundennummer?"),
            ("caller", "Die habe ich gerade nicht zur Hand; Jennifer Reed, geboren am 3. Mai 1980.")]
    names = ([(0, "agent", "Jamie"), (3, "caller", "Jennifer Reed"), (4, "agent", "Jennifer"),
              (7, "caller", "Jennifer Reed")], {"Agent"})
    got = C.check_call(good, names)
    assert not got["stacked"] and not got["early_name"] and not got["identity"], dict(got)
    assert len(got["identity_asked"]) == 3
    calls = [("a", [("agent", "I have made a note of all of that for you.")], None),
             ("b", [("agent", "I have made a note of all of that for you."),
                    ("caller", "That was the only thing I wanted to ask today.")], None)]
    v = C.verbatim(calls)
    assert (v["sentences"], v["shared"]) == (3, 2)
