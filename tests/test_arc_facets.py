"""Session 28, reader `sales`: a competition arc is answered in the facet it was raised in, and
effort or feature templates are about a part of the product, not an objection's topic.

1. A buyer who raised "we could build it in house" or "our current tool already does this" is
   not later answered, parked, stalled or settled as if comparing another vendor ("The
   side-by-side with Tallyline made it clear", "we won't solve the comparison with the other
   vendor"), in the call that raises it nor in the account's later calls (d808996: 13 of 19 such
   arcs in the reader's en build, 4 in de).
2. "Good news on the business case: it's mostly configuration", "we've done the sign-off
   process many times", "I wouldn't change anything in the side-by-side comparison": an
   objection's topic in a template of effort or features (d808996: 15 en sentences in 13 calls),
   and German's "das Thema Bedarf" (27 calls).

The checks read the built transcripts and ground truth with their own word lists, written here
and not taken from the banks (stdlib/phrases/*/objections.json, moments.json): the facet of a
raise is read from its words, the later steps are the ground truth's steps of the same arc."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from .conftest import build_spec, generated_spec

# ---- word lists (the reader's view, not the banks') ---------------------------------------------

# what a raise says when it means to build it in house, or to keep the tool it has
RAISE = {
    "en": {"build": r"\bbuild\b|in[- ]house|\bourselves\b",
           "incumbent": r"current tool|what we have|\bswitch(ing)?\b|\bmoving\b"},
    "de": {"build": r"selbst (bauen|entwickeln)|Eigenentwicklung|selber bauen",
           "incumbent": r"aktuelles Tool|Was wir haben|jetzige[sn]? Tool|umzusteigen|Wechsel"},
}
# what a step says when it speaks of a comparison with another vendor (the account's competitors
# are added by name)
VENDOR = {
    "en": r"other vendors?|another vendor|both vendors|side-by-side|head-to-head|evaluated both|the alternative\b|"
          r"other option|their product|comparison with|vendor comparison|compare against what",
    "de": r"anderen? Anbieter|beide Anbieter|Anbietervergleich|Wettbewerbsvergleich|direkte[rn]? Vergleich|"
          r"Unser Vergleich|Vergleich mit|uns beide evaluiert|der Alternative|Abgrenzung zu|Gegenüberstellung",
}

# an objection's topic, as a noun phrase (pricing, value, approval, the competition in any facet)
TOPIC = {
    "en": r"\b(the (business|value) case|the value question|the per-seat price|the pricing|the price\b|the cost per rep|"
          r"the annual number|the tiering|the budget question|the sign-off process|the approval (path|process)|"
          r"the steering group|the internal review|side-by-side comparison|comparison with the other vendors?|"
          r"the switch from (our|your) current tool|the migration off (our|your) old tool|the vendor comparison|"
          r"the competitive question|the build-or-buy question|the in-house option|the switching question)",
    "de": r"(Preisgestaltung|Preisstaffel|Lizenzierung|Staffelung|Wirtschaftlichkeitsrechnung|die Freigabe\b|"
          r"Entscheidungskette|Lenkungsgruppe|interne Prüfung|Ablösung unseres jetzigen Tools|Abgrenzung zu den "
          r"anderen Anbietern|Gegenüberstellung|Migration vom alten Tool|Eigenentwicklung|Make-or-Buy|Wechselfrage)",
}
# what a template of effort or features says of its subject
EFFORT = {
    "en": r"(already built|mostly (configuration|settings)|configuration, not code|needs? a few weeks|"
          r"\b(easy|easiest|simple|painless|hard|hardest|trickiest|toughest|bumpy|slow) part\b|"
          r"we've done .* (many|plenty of) times|we (set up|handle) .* (every week|all the time)|won't need much from|"
          r"asks a lot of your|needs a proper owner|takes (some|real) work on|wouldn't change anything in|"
          r"Nothing I'd change in|is less work|looks (light|doable)\.|(fit|land|go down) well with|won't slow|"
          r"hold .* up\b|takes longest)",
    "de": r"(größtenteils Konfiguration|weitgehend schon vorbereitet|der einfache Teil|schon (oft|sehr oft) begleitet|"
          r"richten wir .*ein|braucht ein paar Wochen|der (schwierigste|heikelste|holprigste|zäheste|mühsamste) Teil|"
          r"Teil mit der meisten Arbeit|verlangt Ihrem|würde ich so lassen|ist weniger Arbeit|"
          r"nicht nach viel Aufwand|etwas länger|braucht auf Ihrer Seite|nicht so einfach)",
}

CUES = re.compile(r"\[[^\]]*\]\s*")


def _competitors(spec: Path) -> list[str]:
    return sorted({n for m in re.finditer(r"competitors \[([^\]]*)\]", spec.read_text(encoding="utf-8"))
                   for n in re.findall(r'"([^"]+)"', m.group(1))})


def _turns(out: Path, gt: dict) -> list[str]:
    """The text of each turn of a call, from its txt transcript (cues removed)."""
    txt = (out / gt["transcript"]).read_text(encoding="utf-8")
    names = {p["name"] for p in gt["participants"]}
    return [CUES.sub("", line.split(": ", 1)[1]) for line in txt.split("\n")
            if line and not line.startswith("#") and line.split(": ", 1)[0] in names]


def vendor_answers(out: Path, spec: Path, loc: str) -> tuple[int, list[tuple]]:
    """(competition arcs raised as building it in house or keeping the current tool, the later
    steps of those arcs whose turn speaks of a vendor comparison), over all calls of the build."""
    vendor = re.compile(VENDOR[loc] + "".join(f"|\\b{re.escape(c)}\\b" for c in _competitors(spec)))
    steps = defaultdict(list)
    for f in sorted((out / "ground_truth").glob("*.json")):
        gt = json.loads(f.read_text(encoding="utf-8"))
        turns = None
        for s in gt.get("objection_steps") or ():
            if s["objection"] == "competition":
                turns = turns or _turns(out, gt)
                steps[s["arc"]].append((gt["call_id"], s["step"], s["quote"], turns[s["turn"]]))
    arcs, bad = 0, []
    for arc, st in steps.items():
        raised = next((s for s in st if s[1] == "raised"), None)
        if raised is None or vendor.search(raised[2]):
            continue
        if not any(re.search(rx, raised[2]) for rx in RAISE[loc].values()):
            continue
        arcs += 1
        bad += [(arc, raised[2], cid, step, turn) for cid, step, _, turn in st
                if step != "raised" and vendor.search(turn)]
    return arcs, bad


def topic_in_effort(out: Path, loc: str) -> list[tuple]:
    """Sentences that say an objection's topic inside a template of effort or features."""
    hits = []
    for f in sorted((out / "ground_truth").glob("*.json")):
        gt = json.loads(f.read_text(encoding="utf-8"))
        if gt.get("kind") != "sales":
            continue
        for i, turn in enumerate(_turns(out, gt)):
            for s in re.split(r"(?<=[.!?;])\s+", turn):
                if re.search(TOPIC[loc], s) and re.search(EFFORT[loc], s):
                    hits.append((gt["call_id"], i, s))
    return hits


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    root = tmp_path_factory.mktemp("arcfacets")
    out = {}
    for loc, args in (("en", ["--calls", "120", "--seed", "11"]),
                      ("de", ["--calls", "120", "--seed", "11", "--locale", "de-DE"])):
        spec = generated_spec(root / f"{loc}.corpus", *args)
        out[loc] = (spec, build_spec(spec, root / loc, only="transcripts,ground_truth"))
    return out


@pytest.mark.parametrize("loc", ["en", "de"])
def test_an_in_house_or_current_tool_arc_is_never_answered_as_a_vendor_comparison(builds, loc):
    spec, out = builds[loc]
    arcs, bad = vendor_answers(out, spec, loc)
    assert arcs >= 3, f"too few in-house / current-tool arcs to tell ({arcs}): pick another seed"
    assert not bad, f"{len(bad)} later steps of {arcs} arcs speak of another vendor: {bad[:4]}"


@pytest.mark.parametrize("loc", ["en", "de"])
def test_effort_templates_speak_of_a_part_of_the_product(builds, loc):
    _, out = builds[loc]
    hits = topic_in_effort(out, loc)
    assert not hits, f"{len(hits)} sentences put an objection's topic in an effort template: {hits[:5]}"


def test_german_topic_is_not_thema_bedarf(builds):
    _, out = builds["de"]
    said = [f.name for f in sorted((out / "transcripts").glob("*.txt"))
            if "Thema Bedarf" in f.read_text(encoding="utf-8")]
    assert not said, said[:5]


# ---- 3. risk and implementation arcs keep their facet's topic (session 29) --------------------------
# A risk raised as "will you still be around in three years" or "what if we leave", an implementation
# raised as "people won't use it", was referred to in later steps by the type's general topic: "let me
# close the loop on the compliance question", "where Bluebrook is on security and risk", "Zum Thema
# Datenschutz", "Zum Thema Integrationsaufwand" (gen_spec --calls 300 --seed 3 on 5601432: 9 later steps of 10 such
# en arcs, 6 of 7 de arcs). Now obj.facet_topic has the risk and implementation facets too.
FACET_RAISE = {
    "en": {"exit": r"\bleave\b|get out|walk away", "viability": r"still be around|go(es)? under|stay in business",
           "adoption": r"won't use|not use it|never use"},
    "de": {"exit": r"kündigen|aussteigen|Ausstieg", "viability": r"noch gibt|pleite|vom Markt",
           "adoption": r"nicht nutzen|nicht benutzen"},
}
# the general topic of another facet, said as the subject of a step ("on X", "about X", "Thema X")
FACET_WRONG = {
    "en": {"exit": r"\b(on|about|to|with) (data security|the compliance question|security and risk)\b",
           "viability": r"\b(on|about|to|with) (data security|the compliance question|security and risk)\b",
           "adoption": r"\b(on|about|to|with) the integration work\b"},
    "de": {"exit": r"Thema (Datenschutz|Sicherheit)\b", "viability": r"Thema (Datenschutz|Sicherheit)\b",
           "adoption": r"Thema Integrationsaufwand\b"},
}


def facet_misses(out: Path, loc: str) -> tuple[int, list[tuple]]:
    steps = defaultdict(list)
    for f in sorted((out / "ground_truth").glob("*.json")):
        gt = json.loads(f.read_text(encoding="utf-8"))
        turns = None
        for s in gt.get("objection_steps") or ():
            if s["objection"] in ("risk", "implementation"):
                turns = turns or _turns(out, gt)
                steps[s["arc"]].append((gt["call_id"], s["step"], s["quote"], turns[s["turn"]]))
    arcs, bad = 0, []
    for arc, st in steps.items():
        raised = next((s for s in st if s[1] == "raised"), None)
        if raised is None:
            continue
        facets = [k for k, rx in FACET_RAISE[loc].items() if re.search(rx, raised[2], re.I)]
        if len(facets) != 1:
            continue
        arcs += 1
        bad += [(arc, facets[0], cid, step, turn[:160]) for cid, step, _, turn in st
                if step != "raised" and re.search(FACET_WRONG[loc][facets[0]], turn)]
    return arcs, bad


@pytest.mark.parametrize("loc", ["en", "de"])
def test_a_risk_or_implementation_arc_keeps_its_facets_topic(builds, loc):
    _, out = builds[loc]
    arcs, bad = facet_misses(out, loc)
    assert arcs >= 3, f"too few exit / viability / adoption arcs to tell ({arcs}): pick another seed"
    assert not bad, f"{len(bad)} later steps of {arcs} arcs name another facet's topic: {bad[:4]}"


# ---- 4. a risk or implementation arc is resolved in its own facet (session 30) ----------------------
# The resolution of a risk or implementation arc said the type's general settlement ("the security package
# answered all our questions" to a buyer who feared being locked in; "the HubSpot integration looks
# straightforward" to one whose rollout had dragged on): obj.facet_resolved had words for the competition
# facets only. gen_spec --calls 300 --seed 3 on ed8f7a9: 14 of 18 such resolutions in en, 10 of 16 in de
# did not speak of the facet raised. This file's own words for what each facet's resolution is about:
RAISED = {
    "en": {"exit": r"\bleave\b|get out|walk away", "viability": r"still be around|go(es)? under|stay in business",
           "adoption": r"won't use|not use it|never use", "rollout": r"\brollout\b|dragged on|\btook\b",
           "security": r"\bsecurity\b|where the data lives|data residency",
           "integration": r"plug into|data warehouse|historical data|integration with|connecting to"},
    "de": {"exit": r"kündigen|aussteigen|Ausstieg", "viability": r"noch gibt|pleite|vom Markt",
           "adoption": r"nicht nutzen|nicht benutzen", "rollout": r"Einführung|gedauert|gezogen",
           "security": r"IT-Sicherheit|Datenschutz|Daten liegen|auf die Daten",
           "integration": r"Anbindung an|Integration mit"},
}
SETTLED = {
    "en": {"exit": r"\bexit\b|\bleave\b|walk away|locked in|lock-in",
           "viability": r"still be around|staying.power|went under|escrow",
           "adoption": r"adoption|use it|take to it|pick up", "rollout": r"\brollout\b|team by team|one team",
           "security": r"\bsecurity\b|where the data lives|certificat|pen-test",
           "integration": r"integration|hookup|plugs into|connector|data warehouse"},
    "de": {"exit": r"Ausstieg|aussteigen|kündigen|gebunden",
           "viability": r"Zukunftssicherheit|künftig gibt|nicht mehr gäbe|Escrow|Quellcode",
           "adoption": r"Akzeptanz|genutzt|benutzt|nutzen|annehmen|Einstieg", "rollout": r"Rollout|Einführung|Team für Team",
           "security": r"Sicherheit|Daten liegen|Datenschutz|Zertifikat|Penetrationstest",
           "integration": r"Integration|Anbindung|Schnittstellen|Data Warehouse"},
}


@pytest.fixture(scope="module")
def settled(tmp_path_factory):
    """The generated sales spec at 300 calls, seed 3: enough risk and implementation arcs resolved."""
    root = tmp_path_factory.mktemp("settled")
    out = {}
    for loc, args in (("en", ["--calls", "300", "--seed", "3"]), ("de", ["--calls", "300", "--seed", "3", "--locale", "de-DE"])):
        out[loc] = build_spec(generated_spec(root / f"{loc}.corpus", *args), root / loc, only="transcripts,ground_truth")
    return out


@pytest.mark.parametrize("loc", ["en", "de"])
def test_a_risk_or_implementation_arc_is_resolved_in_its_own_facet(settled, loc):
    out = settled[loc]
    steps = defaultdict(list)
    for f in sorted((out / "ground_truth").glob("*.json")):
        gt = json.loads(f.read_text(encoding="utf-8"))
        for s in gt.get("objection_steps") or ():
            if s["objection"] in ("risk", "implementation"):
                steps[s["arc"]].append((gt["call_id"], s["step"], s["quote"]))
    n, bad = 0, []
    for arc, st in steps.items():
        raised = next((s for s in st if s[1] == "raised"), None)
        facets = [k for k, rx in RAISED[loc].items() if raised and re.search(rx, raised[2], re.I)]
        if len(facets) != 1:
            continue
        for cid, _, quote in (s for s in st if s[1] == "resolved"):
            n += 1
            if not re.search(SETTLED[loc][facets[0]], quote, re.I):
                bad.append((arc, facets[0], cid, quote[:160]))
    assert n >= 3, f"too few resolved arcs of a told facet ({n}): pick another seed"
    assert not bad, f"{len(bad)} of {n} resolutions do not speak of the facet raised: {bad[:4]}"
