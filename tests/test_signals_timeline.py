"""Issue 15: a sentence that states when the deal happens carries `timeline`,
whatever wording the renderer drew (an outside audit found timeline answers
labelled only when the drawn wording happened to hold a lexicon term).

1. Static: `signals.uneven` lists no template whose wordings differ in
   `timeline` (one says "this quarter", its sibling "right now" for the same
   act), beyond ALLOWED, each with its reason; and no more templates uneven in
   any category than CEILING (the count this branch reached, so a new bank
   template that labels by wording fails here).
2. Outside: a generated spec (benchmarks/gen_spec.py --calls 150 --seed 3, in
   en-US and de-DE) is built, and this file's OWN word lists (not the
   lexicon's) find the buyer's and seller's sentences that put a time frame on
   the deal: a calendar anchor ("next quarter", "by March", "in six weeks",
   "im nächsten Quartal") next to a deal word (start, live, rollout, contract,
   legal, decision ...), or a deal event with its duration ("live in about three
   weeks", "ein typischer Rollout dauert etwa drei Wochen"); a customer story or
   a past event is left out. Each must lie inside a `timeline` label of the
   ground truth, or a `next_step` label (a recap of next steps dates the
   follow-up, "and we reconvene early next week"). Main at e7af5bf: 3 of 83
   en-US and 6 of 62 de-DE such sentences unlabelled ("our average customer
   is live in about three weeks", "everything procurement needs over within a
   day", "ein typischer Rollout dauert etwa drei Wochen insgesamt", "in rund
   drei Wochen live", "unsere Rechtsabteilung reagiert in der Regel innerhalb
   von zwei Tagen", "Zum Timing: Wenn der Vertrag bis Monatsende steht ...").
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .conftest import build_spec, generated_spec

# ---- 1. static: the banks -------------------------------------------------------------------

# (locale, bank key, category) -> why its wordings may differ in that category
ALLOWED = {
    ("en-US", "signoff.order_form.say", "timeline"): "names the one field that changed: the start date (timeline) "
                                                       "or the payment terms (pricing), each labelled by its phrase",
    ("de-DE", "signoff.order_form.say", "timeline"): "der Starttermin (timeline) oder das Zahlungsziel (pricing): "
                                                       "two contents, each labelled by its phrase",
}
# session 28: obj.facet_resolved.* (a competition arc settled in its own facet) say a choice in some wordings and
# a plain settlement in others, as obj.resolved.competition does: a cooling deal's buyer resolves an arc without
# leaning in (declared buying_intent for every wording, the resolution of a lost deal was never said: E0709)
CEILING = {"en-US": 117, "de-DE": 86}  # templates uneven in any category (176ac5a: 259 and 216; gtgaps 102, 85; merged with budget, sellvar: 72, 58; with objection, one left uneven in it: disc.decision.more, a third party skeptical or numbers-driven)


@pytest.fixture(scope="module")
def uneven():
    from corpusc.render.template.signals import uneven as find
    made: dict[str, dict] = {}

    def get(loc: str) -> dict:
        if loc not in made:
            made[loc] = find(loc)
        return made[loc]
    return get


@pytest.mark.parametrize("loc", ["en-US", "de-DE"])
def test_no_template_labels_timeline_by_its_wording(loc, uneven):
    bad = {(k, i): cs["timeline"] for k, x in uneven(loc).items() for i, cs in x.items()
           if "timeline" in cs and (loc, k, "timeline") not in ALLOWED}
    assert not bad, bad


@pytest.mark.parametrize("loc", ["en-US", "de-DE"])
def test_uneven_templates_stay_few(loc, uneven):
    n = sum(len(x) for x in uneven(loc).values())
    assert n <= CEILING[loc], n
    # each allowed entry is still needed (an allow-list does not outlive its reason)
    for (l, k, cat) in ALLOWED:
        if l == loc:
            assert any(cat in cs for cs in uneven(loc).get(k, {}).values()), (k, cat)


# ---- 2. outside: a generated spec's ground truth ---------------------------------------------

NUM_EN = r"\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|a few|a couple of|a couple|several"
MONTHS_EN = "January|February|March|April|May|June|July|August|September|October|November|December"
ANCHOR_EN = re.compile(
    rf"\bnext (week|month|quarter|year|spring|summer|fall|autumn|winter|fiscal year|(?:{NUM_EN}) (?:days|weeks|months))\b"
    rf"|\b(this|that) (quarter|month)\b|\bend of (the |this |next )?(quarter|month|year|fiscal year|Q[1-4])\b"
    rf"|\bby (the end of |mid-|early |late )?({MONTHS_EN}|Q[1-4]|next \w+|the \w+ of ({MONTHS_EN}))\b"
    rf"|\b(in|within|inside|under) ({NUM_EN}|a|one) (business )?(days?|weeks?|months?|quarters?)\b"
    rf"|\b(early|mid|late)[- ]({MONTHS_EN}|Q[1-4]|next year)\b|\bQ[1-4]\b"
    rf"|\bbefore (the end of|the holidays|({MONTHS_EN}))\b|\b(into|until|till) next year\b|\blater this year\b", re.I)
DEAL_EN = re.compile(r"\b(start\w*|go(es|ing)? live|live|go-live|roll ?out\w*|launch\w*|onboard\w*|kick ?off|sign\w*|"
                     r"contract|decision|decide|budget\w*|legal|procurement|redlines?|pilot|implement\w*|deadline|"
                     r"timeline|timing|up and running|purchase|buy)\b", re.I)
# a deal event and how long it takes, without a calendar anchor
EVENT_EN = re.compile(rf"\b(live|up and running|roll ?out|rollout|implementation|onboarding|legal|redlines?|procurement)\b"
                      rf"[^.?!;]{{0,40}}\b(in|within|under|takes?|runs?|about|around|roughly)\b[^.?!;]{{0,20}}"
                      rf"\b({NUM_EN}|a|one) (business )?(days?|weeks?|months?)\b", re.I)
STORY_EN = re.compile(r"\b(they|their|last (month|year|time|week)|worked with|was just with|we onboarded|onboarding new|lost a|could have been|"
                      r"customers? (like|your)|a customer|customers? of ours|of our (customers|clients)|a few weeks (back|ago)|"
                      r"we've seen|I've seen)\b", re.I)

NUM_DE = r"\d+|einem|einer|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|zwölf|ein paar|wenigen|einigen"
MONTHS_DE = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
ANCHOR_DE = re.compile(
    rf"\bnächste[nmsr]? (Woche|Wochen|Monat|Monats|Monaten|Quartal|Quartals|Jahr|Jahres|Geschäftsjahr|Frühjahr|Sommer|Herbst|Winter)\b"
    rf"|\b(diese[nms]?|in diesem) (Quartal|Monat)\b|\bEnde (des|dieses|nächsten) (Quartals|Monats|Jahres|Geschäftsjahres)\b"
    rf"|\bbis (Ende |Mitte |Anfang )?({MONTHS_DE}|Q[1-4])\b|\bbis (zum )?(Quartalsende|Jahresende|Monatsende)\b"
    rf"|\b(in|innerhalb von|binnen) ({NUM_DE}) (Werktagen|Tagen|Wochen|Monaten|Quartalen)\b"
    rf"|\binnerhalb (eines|einer) (Woche|Monats|Quartals)\b"
    rf"|\b(Anfang|Mitte|Ende) ({MONTHS_DE}|Q[1-4])\b|\bQ[1-4]\b|\bins nächste Jahr\b|\bspäter im Jahr\b"
    rf"|\bvor (Jahresende|Quartalsende)\b", re.I)
DEAL_DE = re.compile(r"(start|live|Go-live|Rollout|ausroll|Einführung|Onboarding|Kickoff|Unterschrift|unterschreib|"
                     r"unterzeichn|Vertrag|Entscheidung|entscheid|Budget|Rechtsabteilung|Einkauf|Pilot|Umsetzung|"
                     r"\bFrist|Zeitplan|Timing|Kauf|kaufen)", re.I)
EVENT_DE = re.compile(rf"(live|Rollout|Einführung|Umsetzung|Onboarding|Rechtsabteilung|Einkauf)"
                      rf"[^.?!;]{{0,40}}\b(in|innerhalb von|binnen|dauert|braucht|etwa|rund|ungefähr)\b[^.?!;]{{0,20}}"
                      rf"\b({NUM_DE}|eine|einen) (Werktage|Werktagen|Tage|Tagen|Woche|Wochen|Monat|Monate|Monaten)\b"
                      rf"|\b(in|innerhalb von|binnen)\b[^.?!;]{{0,20}}\b({NUM_DE}|\d+) (Tagen|Wochen|Monaten) live\b", re.I)
STORY_DE = re.compile(r"\b(Ein Kunde|einen Kunden|einem Kunden|Kunden Ihrer|Letztes Jahr|letzte Woche|kürzlich|die hatten|hat mit|vor zwei Wochen|"
                      r"vor ein paar Wochen|Teams wie)\b", re.I)

WORDS = {"en-US": (ANCHOR_EN, DEAL_EN, EVENT_EN, STORY_EN), "de-DE": (ANCHOR_DE, DEAL_DE, EVENT_DE, STORY_DE)}
COVER = ("timeline", "next_step")
SENT = re.compile(r"[^.!?]+[.!?]*")


def states_a_time_frame(loc: str, q: str) -> bool:
    anchor, deal, event, story = WORDS[loc]
    if story.search(q):
        return False
    return bool((anchor.search(q) and deal.search(q)) or event.search(q))


def test_the_word_lists_find_what_they_mean():
    """The lists read the sentences the audits quoted, and leave stories and small talk alone."""
    yes = {"en-US": ["Unless we start in the next month or so, we're looking at well into next year.",
                     "Our average customer is live in about three weeks.",
                     "We'd want to sign by March.",
                     "Most redlines get resolved within a week."],
           "de-DE": ["Zum Timing: Wenn der Vertrag bis Monatsende steht, könnten wir direkt danach starten.",
                     "Ein typischer Rollout dauert etwa drei Wochen insgesamt.",
                     "Wir wollen im nächsten Quartal starten."]}
    no = {"en-US": ["We finally wrapped up a big reorg this month.",
                    "We worked with a bank your size; within a quarter they were live.",
                    "I'm in two days a week."],
          "de-DE": ["Die IT hat Anfang Januar neue Headsets verteilt.",
                    "Ein Kunde im Rheinland hat mit einem Team gestartet und innerhalb von drei Monaten ausgerollt.",
                    # a reference customer's go-live is their story, as English "a customer ... went live in about
                    # three weeks" (STORY_EN "a customer")
                    "Ich stelle Ihnen gern einen Kunden ähnlicher Größe vor, der in rund drei Wochen live war; "
                    "der erzählt Ihnen ehrlich, was es gebraucht hat."]}
    for loc in yes:
        assert all(states_a_time_frame(loc, q) for q in yes[loc]), [q for q in yes[loc] if not states_a_time_frame(loc, q)]
        assert not any(states_a_time_frame(loc, q) for q in no[loc]), [q for q in no[loc] if states_a_time_frame(loc, q)]


def _txt_lines(out: Path, gt: dict) -> list[tuple[int, str]]:
    text = (out / gt.get("transcript", f"transcripts/{gt['call_id']}.txt")).read_text(encoding="utf-8")
    lines, pos = [], 0
    for k, line in enumerate(text.split("\n")):
        if k >= 3 and line:
            lines.append((pos, line))
        pos += len(line) + 1
    return lines


def time_frames(out: Path, loc: str) -> tuple[list, list]:
    """(every buyer/seller sentence stating a deal time frame, those no timeline/next_step label covers)."""
    hits, bad = [], []
    for p in sorted((out / "ground_truth").glob("*.json")):
        gt = json.loads(p.read_text(encoding="utf-8"))
        side = {q["name"]: q["side"] for q in gt["participants"]}
        sig = gt.get("signals") or {}
        spans = [(s["start"], s["end"]) for s in (sig.get("surface") or [] if isinstance(sig, dict) else [])
                 if "start" in s and (s.get("type") or s.get("category")) in COVER]
        for pos, line in _txt_lines(out, gt):
            name, _, text = line.partition(": ")
            if side.get(name) not in ("buyer", "seller"):
                continue
            base = pos + len(name) + 2
            for m in SENT.finditer(text):
                q = m.group().strip()
                if not states_a_time_frame(loc, q):
                    continue
                a, b = base + m.start(), base + m.end()
                hits.append((gt["call_id"], q))
                if not any(x < b and y > a for x, y in spans):
                    bad.append((gt["call_id"], q))
    return hits, bad


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    made: dict[str, Path] = {}

    def get(loc: str) -> Path:
        if loc not in made:
            tmp = tmp_path_factory.mktemp("timeline_" + loc)
            spec = generated_spec(tmp / "g.corpus", "--calls", 150, "--seed", 3, "--locale", loc)
            made[loc] = build_spec(spec, tmp / "out", jobs=2, only="transcripts,ground_truth")
        return made[loc]
    return get


@pytest.mark.parametrize("loc", ["en-US", "de-DE"])
def test_every_deal_time_frame_is_labelled(loc, generated):
    hits, bad = time_frames(generated(loc), loc)
    assert len(hits) >= 40, len(hits)  # not vacuous: the spec says dozens
    assert not bad, (len(bad), len(hits), bad[:8])


# when a deal is signed, with nobody named who signs: a time frame, no authority (this file's own lists)
SIGN_TIME = {"en-US": re.compile(r"\b(?:from|of|after|before) signature\b|\bsignature (?:takes?|took) longer\b|"
                                 r"\bsignature by\b", re.I),
             "de-DE": re.compile(r"\b(?:nach|vor|ab) (?:der )?Unterschrift\b|\bvon der Unterschrift\b", re.I)}
SIGNER = {"en-US": re.compile(r"\b(?:CFO|CEO|COO|board|legal|procurement|who signs|countersign\w*|I'll sign|I sign|"
                              r"can sign|sign for|our side|your side|you first|exec team|I'm authorized)\b", re.I),
          "de-DE": re.compile(r"CFO|Geschäftsführung|Vorstand|Rechtsabteilung|Einkauf|gegenzeichn|zeichnet|zeichnen|"
                              r"wer unterschreibt|Ihre Seite|erst Sie|zuerst|darf das unterschreiben", re.I)}


@pytest.mark.parametrize("loc", ["en-US", "de-DE"])
def test_when_it_is_signed_is_timeline_not_authority(loc, generated):
    """"Kickoff is typically within a week of signature", "about three weeks
    from signature until everyone's live": when the contract is signed is a
    time frame; who signs is authority. No `authority` label's quote says
    when a signature falls (`SIGN_TIME`) without naming who signs (`SIGNER`)."""
    bad, seen = [], 0
    for p in sorted((generated(loc) / "ground_truth").glob("*.json")):
        gt = json.loads(p.read_text(encoding="utf-8"))
        for s in (gt.get("signals") or {}).get("surface") or []:
            q = s.get("quote") or ""
            if SIGN_TIME[loc].search(q) and not SIGNER[loc].search(q):
                seen += 1
                if (s.get("type") or s.get("category")) == "authority":
                    bad.append((gt["call_id"], q[:120]))
    assert not bad, (len(bad), seen, bad[:5])
