"""Issue 15's "Why", defect by defect: each test checks one defect the issue
names, on the files a build wrote (transcripts, ground truth, plan.json, the
spec it names), with word lists of its own or the issue's, never the
renderer's expectation of a string. The deeper tests of each point live in
test_divergence, test_ground_truth, test_sales_dialogue, test_service_calls
and test_dynamics (they render in-process or read today's plan); these read
only a build's output, so they run against a build made by ANY corpusc
version:

    CORPUSC_WHY_BUILDS=DIR python -m pytest tests/test_why.py

DIR holds `sales_pov/`, `generated/` (benchmarks/gen_spec.py's
`sales_spec(240)`), `varied/` and `varied_de/` (VARIED below),
`contact_center/` (`--only transcripts`) and `generic_en-US/`,
`generic_de-DE/` (test_service_calls.GENERIC). Without it the fixtures
build with this checkout.

Against the outputs of ea14214 (the code the issue was filed on) and of
234c96f (the last commit before issue 15's work) every test here fails, on
the issue's own examples ("If this saves the team real time in the first
month, I'm not interested.", "I 'd", "after the holidays" on 2 February,
"Your MSA works to start; I'll get it over", 80% / 87% verbatim, "the a small
amount"); each `test_dialogue_property` fails on at least one of the three
sales builds (a defect the issue names in one call need not occur in every
corpus).

| "Why" defect (issue 15)                                   | test here                                         | also                                        |
|-----------------------------------------------------------|---------------------------------------------------|---------------------------------------------|
| one-line rule finds every divergent moment                | test_divergence_takes_more_than_a_lexical_rule     | test_divergence::test_lexical_baselines_... |
| all annotated turns are buyers'                           | test_cues_and_divergence_on_both_sides             | test_divergence::..._not_one_shape          |
| catalog text spoken aloud (26 times)                      | test_no_catalog_text_is_spoken                     | test_sales_dialogue::..._catalog_text_...   |
| 6 of 20 objection steps absent, `unaddressed` never       | test_every_planned_objection_step_has_evidence     | test_ground_truth::test_every_planned_...   |
| 1 pricing / 2 timeline labels vs 22 + 22 turns            | test_price_and_timeline_sentences_are_labelled     | test_ground_truth::..._goes_unlabelled      |
| named competitor mentions unlabelled                      | test_competitor_names_are_labelled                 |                                             |
| 0 interruptions though "So, as I was saying"              | test_interruptions_are_labelled                    | test_ground_truth::..._backchannel_...      |
| resolved-pricing evidence and hidden concern in one turn; | test_no_turn_is_divergent_and_a_buying_or_resolved |                                             |
|   divergence points also buying-intent evidence           |   _signal                                          | test_ground_truth::..._contradictory_labels |
| persona rationales: 7 strings / 23, catalog, small talk;  | test_persona_rationales_cite_own_behaviour         | test_ground_truth::test_persona_rationales_ |
|   a champion's evidence "Your timeline is ... aggressive" |   (evidence turns are the persona's own, not chat) |                                             |
| a resolution refers to an offer nobody made               | test_resolution_evidence_is_the_sellers_words      |                                             |
| "Nice, that's great to hear." to bad news                 | test_dialogue_property[bad_news]                   | test_sales_dialogue (same function)         |
| a question asked twice after its answer                   | test_dialogue_property[question_twice]             |                                             |
| "Who ... owns the result?" answered with features         | test_dialogue_property[answers]                    |                                             |
| the buyer offers the vendor's MSA                         | test_dialogue_property[documents]                  |                                             |
| the rep names himself in the third person                 | test_dialogue_property[third_person]               |                                             |
| a CISO in security_review asks no security question       | test_dialogue_property[roles]                      |                                             |
| lost and stalled deals end upbeat                         | test_dialogue_property[upbeat_end]                 |                                             |
| "If this saves ..., I'm not interested."                  | test_dialogue_property[conditional]                |                                             |
| the vendor's competitor as the buyer's rival              | test_dialogue_property[rival]                      |                                             |
| a holiday party on January 6                              | test_dialogue_property[seasons]                    |                                             |
| "I 'd"                                                    | test_dialogue_property[contractions]               |                                             |
| no-domain population: a sentence twice in a row;          | test_a_population_without_domain_...               | test_service_calls (in-process)             |
|   "it's Alex with Product"                                |                                                    |                                             |
| CC: 80% verbatim (87% German, 61% in one German intent),  | test_contact_center_variety (floor) + _figures     | test_service_calls::test_calls_reach_...    |
|   distinct-2 0.12                                         |   (figures of the whole corpus: reached)           |                                             |
| CC: amount-bucket labels leak ("the a small amount")      | test_no_labels_leak_into_speech                    |                                             |
| CC: 27 of 30 chats hold phone-only phrases                | test_chats_hold_no_phone_phrases                   |                                             |
| CC: the customer's number read out as a reference         | test_the_customers_number_is_not_a_reference       |                                             |
| 11 of 12 supervisor escalations marked no_escalation      | test_escalation_agrees_with_the_scenario           |                                             |
| 11 calls in a language their agent doesn't speak          | test_agents_speak_the_calls_language               |                                             |
| 197 of 200 calls: two silences of identical length        | test_silences_are_not_two_equal_halves             |                                             |
| duration_sec vs audio: median +18.5 s                     | test_duration_is_the_timeline_length               | test_service_calls::..._rendered_length     |
| 259 interruptions claimed, 0 overlaps                     | test_interruptions_count_the_overlaps              | test_dynamics (audio overlaps)              |
| a request to repeat gets the repeat in 12 of 155          | test_a_request_to_repeat_gets_the_repeat           |                                             |
| ≤ 0.14 fillers per 100 words, no false starts             | test_fillers_and_false_starts                      | test_dynamics::test_filler_rate_...         |
| no overlaps; 411 of 412 gaps exactly 0.4 s                | test_overlaps_and_gaps_vary                        | test_dynamics::test_gaps_follow_the_context |
| strict seller/buyer alternation                           | test_buyers_answer_buyers                          | test_dynamics::test_buyers_answer_buyers... |
| the longest call about 18 minutes                         | test_a_call_runs_45_minutes_or_more                | test_dynamics::test_a_demo_runs_45_to_60... |
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from corpusc.builder import quality as Q

from . import test_sales_dialogue as SD
from .conftest import EXAMPLES, ROOT, located
from .test_dynamics import plain
from .test_service_calls import GENERIC

BUILDS = os.environ.get("CORPUSC_WHY_BUILDS")
# generated sales specs with lost and stalled deals, a CISO, winter dates, German (test_sales_dialogue._generated)
VARIED = {"varied": (7, "2026-11-16", "en-US"), "varied_de": (5, "2026-12-01", "de-DE")}
SENT = re.compile(r"[^.!?]+[.!?]*")


def _make(name: str, tmp: Path) -> Path:
    """The build `name`: from CORPUSC_WHY_BUILDS, or built here with this checkout."""
    if BUILDS:
        out = Path(BUILDS) / name
        if not out.is_dir():
            pytest.skip(f"{out} not built")
        return out
    if name == "sales_pov":
        spec, only = EXAMPLES / "sales_pov.corpus", "transcripts,ground_truth"
    elif name == "generated":
        sys.path.insert(0, str(ROOT / "benchmarks"))
        try:
            from gen_spec import sales_spec
        finally:
            sys.path.pop(0)
        spec, only = tmp / "gen.corpus", "transcripts,ground_truth"
        spec.write_text(sales_spec(240), encoding="utf-8")
    elif name == "generated_de":  # German, every deal as gen_spec plans it (won ones reach their signing call)
        sys.path.insert(0, str(ROOT / "benchmarks"))
        try:
            from gen_spec import sales_spec
        finally:
            sys.path.pop(0)
        spec, only = tmp / "gen_de.corpus", "transcripts,ground_truth"
        spec.write_text(sales_spec(120, 3, "de-DE"), encoding="utf-8")
    elif name in VARIED:
        spec, only = tmp / f"{name}.corpus", "transcripts,ground_truth"
        spec.write_text(SD._generated(*VARIED[name]), encoding="utf-8")
    elif name == "contact_center":
        spec, only = EXAMPLES / "contact_center.corpus", "transcripts,ground_truth"
    else:  # generic_<locale>
        spec, only = tmp / f"{name}.corpus", "transcripts"
        spec.write_text(GENERIC.replace("LOCALE", name.split("_", 1)[1]), encoding="utf-8")
    out = tmp / "out"
    r = subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(out), "--jobs", "2",
                        "--only", only], capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr + r.stdout
    return out


@pytest.fixture(scope="module")
def sales(tmp_path_factory) -> Path:
    return _make("sales_pov", tmp_path_factory.mktemp("why_sales"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    return _make("generated", tmp_path_factory.mktemp("why_gen"))


@pytest.fixture(scope="module")
def varied(tmp_path_factory):
    """name -> the build of that VARIED spec, made once."""
    made: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in made:
            made[name] = _make(name, tmp_path_factory.mktemp("why_" + name))
        return made[name]
    return get


@pytest.fixture(scope="module")
def contact(tmp_path_factory) -> Path:
    return _make("contact_center", tmp_path_factory.mktemp("why_cc"))


def _plan(out: Path) -> dict:
    return json.loads((out / "plan.json").read_text(encoding="utf-8"))


def _gts(out: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "ground_truth").glob("*.json"))]


def _doc(out: Path, call_id: str) -> dict:
    return json.loads((out / "transcripts" / f"{call_id}.json").read_text(encoding="utf-8"))


def _txt_lines(out: Path, gt: dict) -> list[tuple[int, str]]:
    """(offset, line) of each turn's txt line."""
    text = (out / gt.get("transcript", f"transcripts/{gt['call_id']}.txt")).read_text(encoding="utf-8")
    lines, pos = [], 0
    for k, line in enumerate(text.split("\n")):
        if k >= 3 and line:
            lines.append((pos, line))
        pos += len(line) + 1
    return lines


def _surface(gt: dict) -> list[dict]:
    s = gt.get("signals") or {}
    return s.get("surface", []) if isinstance(s, dict) else []


def _type(s: dict) -> str:
    return s.get("type") or s.get("category") or ""


# ---- Divergence is trivially detectable ------------------------------------------------------

@pytest.mark.parametrize("which", ["sales", "generated"])
def test_divergence_takes_more_than_a_lexical_rule(which, request):
    """Before: `opener-vs-cue` F1 0.94 and `lexicon-against-cue` 1.0 on sales_pov."""
    from corpusc.score.baselines import divergence_scores
    out = request.getfixturevalue(which)
    for name, s in divergence_scores(str(out)).items():
        assert s["tp"] + s["fn"] >= 8
        assert s["f1"] <= 0.6, (which, name, s)


def test_cues_and_divergence_on_both_sides(sales):
    """Delivery cues are written on reps' turns too, and divergence points fall on both sides."""
    seller_cued = 0
    div_sides = set()
    for gt in _gts(sales):
        side = {p["id"]: p["side"] for p in gt["participants"]}
        doc = _doc(sales, gt["call_id"])
        seller_cued += sum(1 for t in doc["turns"] if t["role"] == "seller" and any(
            not a.endswith("pause") and a != "INTERRUPTS" for a in t.get("annotations", [])))
        div_sides |= {side[d["speaker"]] for d in gt.get("divergence_points", [])}
    assert seller_cued >= 3 and div_sides == {"seller", "buyer"}, (seller_cued, div_sides)


# ---- Persona definitions are spoken aloud -----------------------------------------------------

def _dialogue(out: Path) -> tuple[dict, list]:
    """(plan, [(call, turns)]) of a build's sales calls, as test_sales_dialogue reads them."""
    plan = _plan(out)
    calls = []
    for c in plan["calls"]:
        if c["kind"] != "sales":
            continue
        doc = _doc(out, c["id"])
        for t in doc["turns"]:
            t["side"] = t["role"]
            t["text"] = plain(t["text"], doc.get("locale") or c.get("locale") or "en-US")
            t["beats"] = [b["kind"] for b in c["beats"] if b["turn"] == t["index"]]
        calls.append((c, doc["turns"]))
    return plan, calls


def test_no_catalog_text_is_spoken(sales):
    SD.test_no_persona_catalog_text_is_spoken(_dialogue(sales))


# ---- Ground truth misses what the text says ---------------------------------------------------

def test_every_planned_objection_step_has_evidence(sales):
    """Every step the plan gives an objection arc, in whichever call it falls,
    is in that call's ground truth with a located quote; `unaddressed` is among them."""
    gts = {g["call_id"]: g for g in _gts(sales)}
    steps, missing = Counter(), []
    for c in _plan(sales)["calls"]:
        got = {(s.get("arc"), s.get("step"), s.get("turn")) for s in gts[c["id"]].get("objection_steps", [])
               if "start" in s}
        for st in c.get("objections") or []:
            steps[st["step"]] += 1
            if (st.get("arc"), st["step"], st["turn"]) not in got:
                missing.append((c["id"], st.get("arc"), st["step"], st["turn"]))
    assert not missing, missing[:6]
    assert steps["unaddressed"] and steps["addressed"], steps


# an outside reader's price and timeline language (not the renderer's lexicon): a
# sentence with one of these reads as that signal to an annotator
PRICE = re.compile(r"\b(prices?|pricing|priced|discounts?|per seat|per user|license fee|cost breakdown|"
                   r"what (?:does|would|will) (?:that|it|this) cost)\b|\$\d", re.I)
TIMELINE = re.compile(r"\b(timeline|deadline|go-live|go live|start date|launch date|rollout date|"
                      r"end of (?:the )?quarter)\b", re.I)


def _unlabelled(out: Path, rx: re.Pattern, ok: set[str]) -> tuple[int, list]:
    n, bad = 0, []
    for gt in _gts(out):
        spans = [(s["start"], s["end"]) for s in _surface(gt) if _type(s) in ok and "start" in s]
        for pos, line in _txt_lines(out, gt):
            for m in SENT.finditer(line, line.find(": ") + 2):
                if rx.search(m.group(0)):
                    n += 1
                    a, b = pos + m.start(), pos + m.end()
                    if not any(s0 < b and s1 > a for s0, s1 in spans):
                        bad.append((gt["call_id"], m.group(0).strip()[:90]))
    return n, bad


@pytest.mark.parametrize("which", ["sales", "generated"])
def test_price_and_timeline_sentences_are_labelled(which, request):
    """Before: 1 pricing and 2 timeline labels against 22 + 22 buyer turns of that language."""
    out = request.getfixturevalue(which)
    for rx, ok in ((PRICE, {"pricing", "budget"}), (TIMELINE, {"timeline"})):
        n, bad = _unlabelled(out, rx, ok)
        assert n >= (5 if which == "sales" else 10) and not bad, (len(bad), n, bad[:6])  # not vacuous


def test_competitor_names_are_labelled(sales):
    """A sentence naming one of the account's competitors carries a competitor label."""
    plan = _plan(sales)
    comps = {a["name"]: a.get("competitors") or [] for a in plan["accounts"]}
    byid = {c["id"]: c for c in plan["calls"]}
    n, bad = 0, []
    for gt in _gts(sales):
        names = comps.get(byid[gt["call_id"]].get("account"), [])
        spans = [(s["start"], s["end"]) for s in _surface(gt) if "competitor" in _type(s) and "start" in s]
        for pos, line in _txt_lines(sales, gt):
            for m in SENT.finditer(line, line.find(": ") + 2):
                if any(re.search(rf"\b{re.escape(x)}\b", m.group(0)) for x in names):
                    n += 1
                    if not any(a < pos + m.end() and b > pos + m.start() for a, b in spans):
                        bad.append((gt["call_id"], m.group(0).strip()[:90]))
    assert n >= 5 and not bad, (n, bad[:5])


RESUME = re.compile(r"^(?:\[[^\]]+\] )*(?:So, |Anyway, |Right, )?as I was saying", re.I)


def test_interruptions_are_labelled(sales, generated):
    """A turn written as cutting in ([INTERRUPTS]) or resuming ("So, as I was
    saying") is an interruption in the ground truth (sales_pov and a generated
    spec: sales_pov's 14 calls alone hold only a handful)."""
    seen = bad = 0
    for gt in _gts(sales) + _gts(generated):
        out = sales if (sales / "ground_truth" / f"{gt['call_id']}.json").exists() else generated
        beh = (gt.get("signals") or {}).get("behavioral") or {}
        labelled = {x["turn"] for x in beh.get("interruptions", [])} | \
            {x["resumed"]["turn"] for x in beh.get("interruptions", []) if x.get("resumed")}
        for k, (_, line) in enumerate(_txt_lines(out, gt)):
            body = line.split(": ", 1)[-1]
            if "[INTERRUPTS]" in body or RESUME.search(body):
                seen += 1
                bad += k not in labelled
    assert seen >= 20 and bad == 0, (bad, seen)


# ---- Ground truth contradicts itself ----------------------------------------------------------

@pytest.mark.parametrize("which", ["sales", "generated"])
def test_no_turn_is_divergent_and_a_buying_or_resolved_signal(which, request):
    out = request.getfixturevalue(which)
    bad = []
    for gt in _gts(out):
        div = {d["turn"] for d in gt.get("divergence_points", [])}
        buying = {s["turn"] for s in _surface(gt) if _type(s) == "buying_intent"}
        resolved = {s["turn"] for s in gt.get("objection_steps", []) if s.get("step") == "resolved"}
        for t in (gt.get("objection_triples") or []):  # the older shape kept its evidence here
            ev = t.get("resolution") if isinstance(t.get("resolution"), dict) else None
            if ev and t.get("outcome_in_call") == "resolved" and "turn" in ev:
                resolved.add(ev["turn"])
        bad += [(gt["call_id"], t) for t in div & (buying | resolved)]
    assert not bad, bad[:5]


def test_persona_rationales_cite_own_behaviour(sales):
    """Each classification cites at least two turns of the participant's own
    (never the small talk), its rationale is its own (no two alike, no catalog text)."""
    plan = _plan(sales)
    byid = {c["id"]: c for c in plan["calls"]}
    rationales, n, bad = set(), 0, []
    for gt in _gts(sales):
        call = byid[gt["call_id"]]
        chat = {b["turn"] for b in call["beats"] if b["kind"] in ("small_talk", "opening", "introduce_stakeholder")}
        doc = _doc(sales, gt["call_id"])
        for p in gt["participants"]:
            per = p.get("persona")
            if not per:
                continue
            n += 1
            ev = per.get("evidence_turns") or []
            if len(ev) < 2 or set(ev) & chat or any(doc["turns"][t]["speaker"] != p["id"] for t in ev):
                bad.append((gt["call_id"], p["id"], ev))
            info = plan["personas"].get(per["label"], {})
            if any(x in per.get("rationale", "") for x in (info.get("conversion_triggers") or [])
                   + (info.get("weaknesses") or [])):
                bad.append((gt["call_id"], p["id"], "catalog text"))
            rationales.add(per.get("rationale"))
    assert n >= 10 and not bad, bad[:5]
    assert len(rationales) == n, (len(rationales), n)


def test_resolution_evidence_is_the_sellers_words(sales):
    """An `addressed` or `resolved` step's evidence is located in the call; an
    `addressed` one is the seller's own turn (the answer somebody gave), and a
    `resolved` one comes after an answer to that arc was located (no buyer
    settles on an offer nobody made)."""
    order = {c["id"]: k for k, c in enumerate(_plan(sales)["calls"])}
    bad, n = [], 0
    answered: dict[str, tuple[int, int]] = {}
    for gt in sorted(_gts(sales), key=lambda g: order[g["call_id"]]):
        side = {p["id"]: p["side"] for p in gt["participants"]}
        text = (sales / gt["transcript"]).read_text(encoding="utf-8")
        for s in sorted(gt.get("objection_steps", []), key=lambda x: x["turn"]):
            if s["step"] not in ("addressed", "resolved"):
                continue
            n += 1
            where = (order[gt["call_id"]], s["turn"])
            if "start" not in s or text[s["start"]:s["end"]] != s["quote"] or \
                    (s["step"] == "addressed" and side.get(s.get("speaker")) != "seller") or \
                    (s["step"] == "resolved" and not answered.get(s.get("arc"), where) < where):
                bad.append((gt["call_id"], s["step"], s.get("quote", "")[:60]))
            if s["step"] == "addressed":
                answered.setdefault(s["arc"], where)
    assert n >= 5 and not bad, (n, bad[:5])


# ---- Turns don't answer each other -------------------------------------------------------------

DIALOGUE = {
    "bad_news": SD.test_bad_news_in_small_talk_gets_empathy_not_cheer,
    "question_twice": SD.test_no_question_is_asked_twice_in_a_call,
    "answers": SD.test_buyer_questions_get_an_answer_to_that_question,
    "documents": SD.test_documents_are_offered_by_their_owner,
    "third_person": SD.test_nobody_names_themselves_in_the_third_person,
    "roles": SD.test_roles_drive_the_questions,
    "upbeat_end": SD.test_lost_and_stalled_deals_do_not_end_upbeat,
    "conditional": SD.test_no_conditional_that_contradicts_itself,
    "rival": SD.test_the_vendors_competitor_is_not_the_buyers_rival,
    "seasons": SD.test_seasons_and_holidays_match_the_date,
    "contractions": SD.test_no_detached_contractions,
}


@pytest.mark.parametrize("which", ["sales_pov", *VARIED])
@pytest.mark.parametrize("prop", list(DIALOGUE))
def test_dialogue_property(prop, which, request, varied):
    """test_sales_dialogue's checks on a build's json transcripts and plan."""
    DIALOGUE[prop](_dialogue(request.getfixturevalue("sales") if which == "sales_pov" else varied(which)))


@pytest.mark.parametrize("locale", ["en-US", "de-DE"])
def test_a_population_without_domain_does_not_repeat_itself(locale, tmp_path):
    out = _make(f"generic_{locale}", tmp_path)
    bad = []
    for p in sorted((out / "transcripts").glob("*.json")):
        doc = json.loads(p.read_text(encoding="utf-8"))
        said = [s.strip() for t in doc["turns"] for s in SENT.findall(plain(t["text"], locale)) if s.strip()]
        bad += [(p.stem, a) for a, b in zip(said, said[1:]) if a == b]
        bad += [(p.stem, t["text"][:60]) for t in doc["turns"] if re.search(r"\bwith Product\b|\bvon Product\b",
                                                                           t["text"])]
    assert not bad, bad[:5]


# ---- Contact-center calls are one script reshuffled ---------------------------------------------

# the dialogue header's lines of the metadata read here (en-US, de-DE)
HEADER = {"duration_sec": r"(?:Duration|Dauer) \(s\)", "Interruptions_count": r"(?:Interruptions|Unterbrechungen)",
          "escalation": r"(?:Escalation|Eskalation)", "scenario": r"(?:Scenario|Szenario)"}


# each language's header words for an enum value -> the value (backends/transcripts/locale/<lang>.json `enums`)
_UNSAID = {lang: {k: {said: v for v, said in vals.items()} for k, vals in json.loads(
    (ROOT / "backends" / "transcripts" / "locale" / f"{lang}.json").read_text(encoding="utf-8")).get("enums", {}).items()}
    for lang in ("en", "de")}


def _cc(out: Path) -> list[tuple[dict, dict]]:
    """(planned call, json transcript) of every contact-center call; the call's
    `metadata` as its dialogue header states it (what the build emitted)."""
    rows = []
    for c in _plan(out)["calls"]:
        head = (out / "transcripts" / f"{c['id']}.dialogue.txt").read_text(encoding="utf-8").split("\n\n", 1)[0]
        meta = dict(c["metadata"])
        for k, rx in HEADER.items():
            m = re.search(rf"^{rx}: (.+)$", head, re.M)
            if m:
                v = m.group(1).strip()
                # a header writes an enum value in the transcript's language ("Teamleitung"): read back as planned
                v = _UNSAID.get(c["locale"][:2], {}).get(k, {}).get(v, v)
                meta[k] = float(v.replace(",", ".")) if k in ("duration_sec", "Interruptions_count") else v
        rows.append((dict(c, metadata=meta), _doc(out, c["id"])))
    return rows


def _cc_figures(out: Path) -> dict[str, float]:
    calls = _cc(out)
    sample = Q.Distinct2Sample()
    for c, d in calls:
        sample.add(c["id"], [Q.words(t["text"]) for t in d["turns"]])
    d2 = sample.result()["distinct_2"]
    verb = Q.verbatim_share((c["id"], [t["text"] for t in d["turns"]]) for c, d in calls)
    de = [(c, d) for c, d in calls if c["locale"].startswith("de")]
    share_de = Q.verbatim_share((c["id"], [t["text"] for t in d["turns"]]) for c, d in de)
    intents = {c["metadata"].get("intent") for c, _ in de}
    same = max(Q.verbatim_share((c["id"], [t["text"] for t in d["turns"]]) for c, d in de
                                if c["metadata"].get("intent") == i) for i in intents)
    return {"distinct_2": round(d2, 3), "verbatim": round(verb, 3), "verbatim_de": round(share_de, 3),
            "verbatim_de_same_intent": round(same, 3)}


def test_contact_center_variety(contact):
    """Before: 80% of 6+-word sentences verbatim in another call (87% German,
    61% within one German intent; the issue's measure, by share of a call's
    sentences, is test_service_calls'). The floor reached so far; the issue's
    figures are the test below."""
    f = _cc_figures(contact)
    assert f["verbatim"] <= 0.4 and f["verbatim_de"] <= 0.45 and f["distinct_2"] >= 0.4, f
    assert f["verbatim_de_same_intent"] <= 0.4, f


def test_contact_center_variety_figures(contact):
    f = _cc_figures(contact)
    assert f["distinct_2"] >= 0.5 and f["verbatim"] <= 0.15 and f["verbatim_de"] <= 0.15, f


def test_no_labels_leak_into_speech(contact):
    from .test_service_calls import LABELS
    bad = [(c["id"], t["text"][:80]) for c, d in _cc(contact) for t in d["turns"] if LABELS.search(t["text"])]
    assert not bad, bad[:5]


def test_chats_hold_no_phone_phrases(contact):
    from .test_service_calls import PHONE
    chats = [(c, d) for c, d in _cc(contact) if c["metadata"].get("channel") in ("text", "Chat")]
    bad = [(c["id"], m.group()) for c, d in chats for t in d["turns"] for m in [PHONE.search(t["text"])] if m]
    assert chats and not bad, (len(bad), len(chats), bad[:5])


def test_the_customers_number_is_not_a_reference(contact):
    number = re.compile(r"\d[\d\s-]{4,}\d")
    ref = re.compile(r"reference|case number|Vorgangsnummer|Aktenzeichen|Referenz", re.I)
    bad = []
    for c, d in _cc(contact):
        said: set[str] = set()
        for t in d["turns"]:
            found = {re.sub(r"\D", "", n) for n in number.findall(t["text"])}
            if t["role"] == "seller" and ref.search(t["text"]):
                bad += [(c["id"], n) for n in found & said]
            if t["role"] == "buyer":
                said |= found
    assert not bad, bad[:5]


# ---- Metadata says one thing, the call another ------------------------------------------------

def test_escalation_agrees_with_the_scenario(contact):
    pairs = Counter((c["metadata"]["scenario"], c["metadata"]["escalation"]) for c, _ in _cc(contact))
    sup = sum(n for (s, _), n in pairs.items() if s == "escalation_to_supervisor")
    assert sup and pairs[("escalation_to_supervisor", "supervisor")] == sup, pairs


def test_agents_speak_the_calls_language(contact):
    """The agents' languages are the spec's (its domain's roster); each call's is one of its agent's."""
    from corpusc.compiler.driver import compile_file
    from corpusc.diagnostics.model import Sink
    manifest = json.loads((contact / "manifest.json").read_text(encoding="utf-8"))
    spec = (contact / manifest["spec"]).resolve() if "spec" in manifest else EXAMPLES / "contact_center.corpus"
    if not spec.is_file():
        spec = EXAMPLES / "contact_center.corpus"
    pop = compile_file(str(spec), Sink()).program.populations[0]
    wrong = [c["id"] for c, _ in _cc(contact) if c["locale"] not in pop.agents[c["metadata"]["agent"]].languages]
    assert not wrong, (len(wrong), wrong[:5])


def _silences(d: dict) -> list[float]:
    return [float(a.split()[1].rstrip("s")) for t in d["turns"] for a in t.get("annotations", [])
            if a.startswith("silence ")]


def test_silences_are_not_two_equal_halves(contact):
    """Before: 197 of 200 calls had two silences of identical length."""
    with_two = equal = 0
    for _, d in _cc(contact):
        s = _silences(d)
        if len(s) >= 2:
            with_two += 1
            equal += len(set(s)) < len(s)
    assert with_two and equal <= 0.2 * with_two, (equal, with_two)


def test_duration_is_the_timeline_length(contact):
    """`duration_sec` is the length of the call as rendered (±1 s): the
    transcript's timeline (the audio takes the same clock, test_service_calls)."""
    bad = [(c["id"], c["metadata"]["duration_sec"], d["duration"]) for c, d in _cc(contact)
           if abs(c["metadata"]["duration_sec"] - d["duration"]) > 1.0]
    assert not bad, (len(bad), bad[:5])


def test_interruptions_count_the_overlaps(contact):
    """The metadata's interruption count is the number of turns that start
    before the previous one ends, in every voice call."""
    bad, total = [], 0
    for c, d in _cc(contact):
        if c["metadata"].get("channel") in ("text", "Chat"):
            continue
        ts = d["turns"]
        over = sum(1 for a, b in zip(ts, ts[1:]) if b["start"] < a["end"] - 1e-6)
        total += over
        if over != c["metadata"].get("Interruptions_count", 0):
            bad.append((c["id"], c["metadata"].get("Interruptions_count"), over))
    assert total > 0 and not bad, (len(bad), bad[:5])


def test_a_request_to_repeat_gets_the_repeat(contact):
    from .test_service_calls import REPEAT
    asked = got = 0
    for c, d in _cc(contact):
        ts = d["turns"]
        for i, t in enumerate(ts[:-1]):
            if t["role"] == "buyer" and REPEAT.search(t["text"]):
                asked += 1
                before = [s for u in ts[:i] if u["role"] == "seller" for s in SENT.findall(plain(u["text"], c["locale"]))]
                last = Q.words(before[-1]) if before else []
                again = Q.words(plain(ts[i + 1]["text"], c["locale"]))
                got += bool(last) and (last[-4:] == again[-4:] or " ".join(last) in " ".join(again))
    assert asked and got == asked, (got, asked)


# ---- No conversational dynamics ---------------------------------------------------------------

@pytest.mark.parametrize("which", ["sales", "contact"])
def test_fillers_and_false_starts(which, request):
    """About 1-5 filler words per 100 words (the evaluator's lexicon,
    builder/quality_lexicon.json) and false starts ("Some— some")."""
    out = request.getfixturevalue(which)
    words = fillers = false_starts = 0
    for p in sorted((out / "transcripts").glob("*.json")):
        doc = json.loads(p.read_text(encoding="utf-8"))
        for t in doc["turns"]:
            words += len(Q.words(t["text"]))
            fillers += Q.filler_count(t["text"], doc.get("locale"))
            false_starts += len(re.findall(r"(\w+)[—–-]+ \1\b", t["text"], re.I))
    rate = 100 * fillers / words
    assert 1.0 <= rate <= 5.0 and false_starts >= 5, (rate, false_starts)


@pytest.mark.parametrize("which", ["sales", "contact"])
def test_overlaps_and_gaps_vary(which, request):
    """Before: no overlap, 411 of 412 gaps between turns exactly 0.4 s."""
    out = request.getfixturevalue(which)
    gaps, overlaps = Counter(), 0
    for p in sorted((out / "transcripts").glob("*.json")):
        ts = json.loads(p.read_text(encoding="utf-8"))["turns"]
        for a, b in zip(ts, ts[1:]):
            g = round(b["start"] - a["end"], 2)
            overlaps += g < 0
            if g >= 0:
                gaps[g] += 1
    top = gaps.most_common(1)[0][1] / sum(gaps.values())
    assert overlaps >= 5 and top <= 0.2, (overlaps, gaps.most_common(3))


def test_buyers_answer_buyers(sales):
    runs = Counter()
    for p in sorted((sales / "transcripts").glob("*.json")):
        ts = json.loads(p.read_text(encoding="utf-8"))["turns"]
        for a, b in zip(ts, ts[1:]):
            if a["role"] == b["role"] and a["speaker"] != b["speaker"]:
                runs[a["role"]] += 1
    assert runs["buyer"] >= 3 and runs["seller"] >= 3, runs


def test_a_call_runs_45_minutes_or_more(sales):
    longest = max(json.loads(p.read_text(encoding="utf-8"))["duration"]
                  for p in (sales / "transcripts").glob("*.json"))
    assert longest >= 45 * 60, longest / 60


def test_contact_center_labels_point_into_the_transcript_they_name(contact):
    """The example's ground truth (added for scoring) locates every label in the
    file it names, and that file exists: a reader found all 939 offsets of a
    build without the txt format pointing at nothing."""
    n = 0
    for gt in _gts(contact):
        text = (contact / gt["transcript"]).read_text(encoding="utf-8")
        for it in located(gt):
            n += 1
            assert text[it["start"]:it["end"]] == it["quote"], (gt["call_id"], it)
    assert n > 500



def test_verify_fails_when_the_ground_truths_transcript_was_not_written(tmp_path):
    from click.testing import CliRunner
    from corpusc.cli.main import main
    text = (EXAMPLES / "contact_center.corpus").read_text(encoding="utf-8")
    text = text.replace("volume 40 per day", "count 4", 1).replace("formats [txt, dialogue, json]", "formats [json]")
    spec = tmp_path / "cc.corpus"
    spec.write_text(text, encoding="utf-8")
    r = CliRunner().invoke(main, ["build", str(spec), "-o", str(tmp_path / "out"), "--only", "transcripts,ground_truth"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["verify", str(tmp_path / "out")])
    assert r.exit_code == 1 and "E0704" in r.output and "did not write" in r.output and "add `txt`" in r.output
