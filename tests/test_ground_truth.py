"""Ground truth a pipeline can be scored against (issue 15 §1): every planned
objection step located, every sentence that reads as a signal labelled, no turn
labelled two contradictory ways, persona classifications from behaviour, and
`corpusc verify` failing on each kind of gap."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from corpusc.builder.audit import audit_call, turn_labels, CONTRADICTORY
from corpusc.builder.compile import compile_spec
from corpusc.builder.verify import read_txt
from corpusc.render.template.signals import competitor_names
from corpusc.cli.main import main
from corpusc.diagnostics.model import Sink
from corpusc.plan import planner

from .conftest import EXAMPLES, ROOT


def _build(spec: Path, out: Path) -> Path:
    res = CliRunner().invoke(main, ["build", str(spec), "-o", str(out), "--only", "transcripts,ground_truth"],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return out


@pytest.fixture(scope="module")
def sales_pov(tmp_path_factory) -> Path:
    return _build(EXAMPLES / "sales_pov.corpus", tmp_path_factory.mktemp("gt") / "out")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from gen_spec import sales_spec
    d = tmp_path_factory.mktemp("gen")
    spec = d / "gen.corpus"
    spec.write_text(sales_spec(150).replace("seed 1", "seed 7"))
    return _build(spec, d / "out")


def _calls(out: Path):
    manifest = json.loads((out / "manifest.json").read_text())
    spec = (out / manifest["spec"]).resolve()
    compiled = compile_spec(str(spec), Sink())
    header = planner.header(compiled.program, compiled.spec_hash)
    for call in planner.calls(compiled.program):
        gt = json.loads((out / "ground_truth" / f"{call.id}.json").read_text())
        yield call, gt, header


def _audit(out: Path) -> list[tuple[str, str, str]]:
    problems = []
    for call, gt, header in _calls(out):
        txt = out / "transcripts" / f"{call.id}.txt"
        problems += [(call.id, c, m) for c, m in audit_call(call, gt, txt.read_text(), read_txt(txt),
                                                            competitor_names(header, call))]
    return problems


# ---- ground truth misses what the text says ---------------------------------------------------

def test_every_planned_objection_step_is_located_across_calls(sales_pov):
    steps = {}
    for call, gt, _ in _calls(sales_pov):
        got = {(s["arc"], s["step"], s["turn"]): s for s in gt["objection_steps"]}
        for st in call.objections:
            s = got.get((st.arc, st.step, st.turn))
            assert s is not None and "start" in s, f"{call.id}: {st.step} of {st.arc} at turn {st.turn}"
            steps.setdefault(st.step, []).append(call.id)
    # the arcs of sales_pov: addressed steps in later calls, an unaddressed step, a bare `stalled`
    assert {"raised", "addressed", "resolved", "unaddressed", "stalled", "reopened"} <= set(steps)
    assert "northwind.terms" in steps["addressed"] and "alder.proposal" in steps["stalled"]


def test_triples_carry_the_arc_outcome_as_it_ended(sales_pov):
    for call, gt, header in _calls(sales_pov):
        arcs = {a.id: a for a in header.account(call.account).arcs}
        for t in gt["objection_triples"]:
            assert t["arc_outcome"] == arcs[t["arc"]].outcome
            if t["steps"][-1] == "stalled":
                assert t["outcome_in_call"] == "stalled" and t["arc_outcome"] == "stalled"


def test_no_signal_sentence_goes_unlabelled(sales_pov, generated):
    for out in (sales_pov, generated):
        unlabelled = [p for p in _audit(out) if p[1] == "E0707"]
        assert unlabelled == [], unlabelled[:5]


# an outside reader's fillers (Switchboard-style filled pauses and discourse markers), per locale: not the
# renderer's lexicon. "Mm-hm" and "Uh-huh" are backchannels, labelled as such among the overlaps.
READER_FILLERS = {
    "en-US": re.compile(r"(?<![\w-])(?:u+m+|u+h+|uhm|e+r+m+|hm+)(?![\w-])|(?:^|(?<=[.!?] ))well(?=,)"
                        r"|(?<=, )(?:you know|i mean|like|kind of|sort of)(?=[,.?!])", re.I),
    "de-DE": re.compile(r"(?<![\w-])(?:ä+h+m*|ö+h+m*|e+h+m|hm+)(?![\w-])|(?:^|(?<=[.!?] ))(?:also|tja|na ja|naja)(?=,)"
                        r"|(?<=, )(?:sozusagen|quasi|halt|wissen sie|weißt du|sag ich mal)(?=[,.?!])", re.I),
}


@pytest.fixture(scope="module")
def german(tmp_path_factory) -> Path:
    from .conftest import sales_spec_path
    spec = sales_spec_path("de", tmp_path_factory, 40, {"de": 12})
    return _build(spec, spec.parent / "out")


def test_every_filler_the_transcript_says_is_labelled(sales_pov, german, cc_text_build):
    """Counted on the output before this test: 334 of the contact center's 2,460 fillers were labelled nowhere (a caller's lead
    "Tja, ...", "Hm, also, ...", a persona's "Hm, let me think"): the dynamics labelled what they
    inserted, not what a sentence was drawn with, so a pipeline counting hesitations was scored as
    making false positives. Read with the test's own filler lists, every one is a `filler` disfluency."""
    n, bad = 0, []
    for out in (sales_pov, german, cc_text_build):
        for call, gt, _ in _calls(out):
            text = (out / gt["transcript"]).read_text(encoding="utf-8")
            spans = [(x["start"], x["end"]) for x in gt["signals"]["behavioral"]["disfluencies"]
                     if x["kind"] == "filler"]
            for i, (_, _, words, base) in enumerate(read_txt(out / gt["transcript"])):
                for m in READER_FILLERS[call.locale].finditer(words):
                    n += 1
                    a, b = base + m.start(), base + m.end()
                    if not any(s < b and a < e for s, e in spans):
                        bad.append(f"{call.id} turn {i}: {words[max(0, m.start() - 30):m.end() + 30]!r}")
                    assert text[a:b] == m.group(0)
    assert n > 1000
    assert not bad, f"{len(bad)} of {n} fillers unlabelled:\n" + "\n".join(bad[:12])


def test_colour_signals_are_labelled_with_span_and_speaker(sales_pov):
    kinds, colour = set(), 0
    for call, gt, _ in _calls(sales_pov):
        txt = (sales_pov / gt["transcript"]).read_text()
        for s in gt["signals"]["surface"]:
            assert txt[s["start"]:s["end"]] == s["quote"] and s["speaker"]
            kinds.add(s["type"])
            colour += s.get("planned") is False
    assert {"pricing", "timeline", "competitor", "budget", "authority", "need", "next_step",
            "buying_intent"} <= kinds
    assert colour > 50  # sentences written as colour are labelled too


def test_behavioural_signals_cover_what_was_rendered(sales_pov):
    for call, gt, _ in _calls(sales_pov):
        txt = read_txt(sales_pov / gt["transcript"])
        beh = gt["signals"]["behavioral"]
        cued = {i for i, (_, cues, _, _) in enumerate(txt) if "INTERRUPTS" in cues}
        assert {x["turn"] for x in beh["interruptions"] if x["kind"] == "cut_in"} == cued
        hes = {i for i, (_, cues, _, _) in enumerate(txt) if "hesitant" in cues}
        assert {x["turn"] for x in beh["hesitations"]} == hes
        asked: dict[str, int] = {}
        names = {p["name"]: p["id"] for p in gt["participants"]}
        for name, _, text, _ in txt:
            asked[names[name]] = asked.get(names[name], 0) + text.count("?")
        assert {k: v["questions"] for k, v in beh["speakers"].items()} == asked
        assert abs(sum(v["share"] for v in beh["speakers"].values()) - 1) < 0.01


def test_a_speaker_resuming_after_an_interjection_labels_the_interruption(sales_pov):
    n = 0
    for call, gt, _ in _calls(sales_pov):
        text = (sales_pov / gt["transcript"]).read_text()
        txt = read_txt(sales_pov / gt["transcript"])
        for x in gt["signals"]["behavioral"]["interruptions"]:
            if x["kind"] != "interjection" or "resumed" not in x:
                continue
            n += 1
            r = x["resumed"]
            assert text[r["start"]:r["end"]] == r["quote"] and r["turn"] == x["turn"] + 1
            assert r["speaker"] == x["interrupted"] != x["by"]
            assert len(txt[x["turn"]][2].split()) <= 8  # the cut-in was a listener's word
    assert n >= 3  # sales_pov resumes after interjections ("So, as I was saying") in several calls


# ---- ground truth contradicts itself ---------------------------------------------------------

def test_no_turn_carries_contradictory_labels(sales_pov, generated):
    for out in (sales_pov, generated):
        for call, gt, _ in _calls(out):
            for turn, labels in turn_labels(gt).items():
                for a, b in CONTRADICTORY[:2]:
                    assert not (a in labels and b in labels), f"{call.id} turn {turn}: {a} and {b}"


def test_the_plan_keeps_divergence_off_buying_signals_and_resolutions(generated):
    for call, _, _ in _calls(generated):
        contrary = {b.turn for b in call.beats if b.kind in ("buying_signal", "objection_resolved")}
        assert not {m.turn for m in call.moments if m.divergent} & contrary, call.id


def test_persona_rationales_come_from_behaviour(sales_pov):
    rationales, n = set(), 0
    for call, gt, header in _calls(sales_pov):
        chit = {b.turn for b in call.beats if b.kind in ("small_talk", "opening", "introduce_stakeholder")}
        for p in gt["participants"]:
            per = p.get("persona")
            if not per:
                continue
            n += 1
            own = [i for i, k in enumerate(call.speakers) if call.participants[k].id == p["id"] and i not in chit]
            assert len(per["evidence_turns"]) >= min(2, len(own)), (call.id, p["id"])
            assert not set(per["evidence_turns"]) & chit
            for t in per["evidence_turns"]:
                assert call.participants[call.speakers[t]].id == p["id"]
                assert str(t) in per["rationale"]
            info = header.personas[per["label"]]
            for catalog in (info.get("conversion_triggers") or []) + (info.get("weaknesses") or []):
                assert catalog not in per["rationale"]
            rationales.add(per["rationale"])
    assert len(rationales) == n  # built from each participant's own turns, never one string per persona


# ---- verify fails on each gap ------------------------------------------------------------------

def _tampered(src: Path, tmp_path: Path, call_id: str, edit) -> tuple[int, str]:
    from corpusc.builder import manifest
    out = tmp_path / "copy"
    shutil.copytree(src, out)
    gpath = out / "ground_truth" / f"{call_id}.json"
    gt = json.loads(gpath.read_text())
    edit(gt)
    gpath.write_text(json.dumps(gt))
    doc = json.loads((out / "manifest.json").read_text())  # re-record the hash: only the audit may object
    doc["files"][f"ground_truth/{call_id}.json"] = manifest.sha256_file(gpath)
    doc["calls"][call_id]["files"][f"ground_truth/{call_id}.json"] = manifest.sha256_file(gpath)
    (out / "manifest.json").write_text(json.dumps(doc))
    res = CliRunner().invoke(main, ["verify", str(out)], catch_exceptions=False)
    return res.exit_code, res.output


def test_verify_fails_on_an_unlabelled_signal_sentence(sales_pov, tmp_path):
    def drop(gt):
        gt["signals"]["surface"] = [s for s in gt["signals"]["surface"] if s["type"] != "pricing"]
    code, out = _tampered(sales_pov, tmp_path, "northwind.terms", drop)
    assert code != 0 and "E0707" in out and "reads as pricing" in out


def test_verify_fails_on_a_span_without_its_quote(sales_pov, tmp_path):
    def shift(gt):
        gt["objection_steps"][0]["start"] += 3
    code, out = _tampered(sales_pov, tmp_path, "northwind.terms", shift)
    assert code != 0 and "E0703" in out


def test_verify_fails_on_contradictory_labels(sales_pov, tmp_path):
    def clash(gt):
        s = next(s for s in gt["signals"]["surface"] if s["type"] == "buying_intent")
        gt["divergence_points"].append({"moment": "x", "turn": s["turn"], "cues": ["hesitant"],
                                        "interpretation": "hidden concern"})
    code, out = _tampered(sales_pov, tmp_path, "alder.demo", clash)
    assert code != 0 and "E0708" in out and "`divergence` and `buying_intent`" in out


def test_verify_fails_on_pushback_where_an_objection_is_resolved(sales_pov, tmp_path):
    """A buyer who accepts the answer does not push back in the same turn: pushback labelled on a turn
    that resolves an objection (an `objection` item with key null) is a contradiction."""
    def clash(gt):
        st = next(s for s in gt["objection_steps"] if s["step"] == "resolved")
        gt["signals"]["surface"].append({**{k: st[k] for k in ("turn", "speaker", "start", "end", "quote")},
                                         "type": "objection", "key": None, "planned": False})
    code, out = _tampered(sales_pov, tmp_path, "northwind.terms", clash)
    assert code != 0 and "E0708" in out and "`resistance` and `objection:resolved`" in out


def test_verify_fails_on_a_planned_moment_without_words(sales_pov, tmp_path):
    """A moment the plan asked for whose words were not written (session 27 found a veto that could
    drop them) is a missing planned item, not a quiet gap in the ground truth."""
    def unsay(gt):
        m = gt["moments"][0]
        for k in ("start", "end", "quote"):
            m.pop(k, None)
    code, out = _tampered(sales_pov, tmp_path, "northwind.terms", unsay)
    assert code != 0 and "E0704" in out and "has no located words" in out


def test_verify_fails_on_a_planned_step_without_evidence(sales_pov, tmp_path):
    def drop(gt):
        gt["objection_steps"] = [s for s in gt["objection_steps"] if s["step"] != "stalled"]
    code, out = _tampered(sales_pov, tmp_path, "alder.proposal", drop)
    assert code != 0 and "E0709" in out and "`stalled` step" in out


def test_verify_fails_on_a_persona_without_behavioural_evidence(sales_pov, tmp_path):
    def thin(gt):
        p = next(p for p in gt["participants"] if p.get("persona"))
        p["persona"]["evidence_turns"] = p["persona"]["evidence_turns"][:1]
    code, out = _tampered(sales_pov, tmp_path, "northwind.review", thin)
    assert code != 0 and "E0710" in out


def _persona(gt, pid):
    return next(p["persona"] for p in gt["participants"] if p["id"] == pid)


def _length_words(gt):
    # (a short turn was cited only from greetings and goodbyes in sales_pov, which no longer show a persona)
    x = next(x for x in _persona(gt, "victor")["shown"] if x["kind"] == "long")
    x["words"] += 3


def _pause_seconds(gt):
    # a pause claimed on a classified participant's cited turn that has none of that length (whether the call
    # gave a persona room to show a pause is the draw's: sales_pov's pauses came and went with the wordings)
    per = next(p["persona"] for p in gt["participants"] if p.get("persona"))
    per["shown"].append({"turn": per["evidence_turns"][0], "shows": "paused 9.9 s before answering",
                         "kind": "pause", "seconds": 9.9})


def _signal_key(gt):
    x = next(x for x in _persona(gt, "marco")["shown"] if x["kind"] == "signal")
    x["key"] = "budget" if x["key"] != "budget" else "pricing"


def _rationale_turn(gt):
    per = _persona(gt, "dana")
    t = per["evidence_turns"][0]
    per["rationale"] = per["rationale"].replace(f"(turn {t})", f"(turn {t + 2})", 1)


@pytest.mark.parametrize("call_id,edit,says", [
    ("alder.demo", _length_words, "words against a median"),
    ("northwind.review", _pause_seconds, "9.9s pause"),
    ("northwind.intro", _signal_key, "label of theirs is there"),
    ("northwind.review", _rationale_turn, "the rationale names"),
])
def test_verify_fails_on_a_rationale_its_turns_do_not_bear_out(sales_pov, tmp_path, call_id, edit, says):
    """reader13: a rationale's claims were taken on trust. verify now holds each thing it says a turn
    showed against the transcript: the turn's length against the buyers' median counted from the text,
    the pause cue, the signal label, the turns the rationale names."""
    code, out = _tampered(sales_pov, tmp_path, call_id, edit)
    assert code != 0 and "E0710" in out and says in out, out[-1500:]


def test_verify_fails_on_an_unlabelled_filler(sales_pov, tmp_path):
    def drop(gt):
        gt["signals"]["behavioral"]["disfluencies"] = [x for x in gt["signals"]["behavioral"]["disfluencies"]
                                                       if x["kind"] != "filler"]
    code, out = _tampered(sales_pov, tmp_path, "northwind.intro", drop)
    assert code != 0 and "E0716" in out and "is a filler and no disfluency label covers it" in out, out[-1500:]


def test_verify_fails_on_a_disfluency_without_its_quote(sales_pov, tmp_path):
    def shift(gt):
        gt["signals"]["behavioral"]["disfluencies"][0]["start"] += 2
    code, out = _tampered(sales_pov, tmp_path, "northwind.intro", shift)
    assert code != 0 and "E0703" in out, out[-1500:]


# ---- whole template families a reader found unlabelled (reader19) -----------------------------
# The reader's sentence families, in this test's own words (not the renderer's tables): a shorter first
# term at a premium and a capped renewal are pricing, "es rechnet sich" (payback) is pricing, the rep's
# question about the alternatives and the buyer's "last vendor we tried" are competitor (the category
# covers the buyer's current or past vendor), trying it with one location first is buying intent, and
# the rep's "paperwork right after this call", "work on it before we talk again", "connect you with two"
# (and their German twins) are next steps. On main at 5d0c70e: 122 of 127 such sentences had no label
# of their category in the reader's builds (sales_pov, 120 en and 120 de generated calls).
SIGNAL_FAMILIES = [  # (name, category, side, pattern)
    ("shorter term at a premium", "pricing", "seller", r"\b(a small premium|a slightly higher rate|kleinen Aufschlag)\b"),
    ("renewal cap", "pricing", "seller",
     r"\bRenewals are (capped|limited)\b|\bcap on increases\b|\b(Erhöhungen|Preissteigerungen) bei der Verlängerung sind"
     r"|\bDeckel für Erhöhungen\b"),
    ("payback (de)", "pricing", "seller", r"\b(es rechnet sich|rechnet es sich)\b"),
    ("which alternatives", "competitor", "seller",
     r"\balternatives is \w+ weighing\b|\bother tools has\b|\bWelche Alternativen\b|\bmit anderen Anbietern\b"),
    ("the last vendor", "competitor", "buyer", r"\b[Tt]he last vendor\b|\bder letzte Anbieter\b"),
    ("one location first", "buying_intent", "buyer",
     r"\bwith one (site|location) (out )?of our\b|\b[Ll]ieber (klein|mit einem Team) anfangen\b|\berst mal ein Team\b"
     r"|\brisikoarmer erster Schritt\b"),
    ("paperwork after this call", "next_step", "seller",
     r"\bget the (paperwork|order form) (over|to you)\b|\bich (schicke|sende) (die Unterlagen|den Bestellschein)\b"),
    ("work on it before we talk again", "next_step", "seller",
     r"\bwork on it for [^.?!]*(before we talk again|for our next conversation)"),
    ("connect you with two", "next_step", "seller",
     r"\bI'll connect you with two\b|\bIch (verbinde Sie mit|bringe Sie in Kontakt mit)\b"
     r"|\bIch (stelle|vermittle) Ihnen (den Kontakt|ein Gespräch)\b"),
    ("share a recording after the meeting (de)", "next_step", "seller",
     r"\bich teile (danach|nach dem Termin|noch \w+) (ein kurzes Video|eine Aufzeichnung|einen Mitschnitt)\b"),
]


def _family_sentences(out: Path):
    """(call, name, category, covered) for each family sentence of a build's txt transcripts."""
    for f in sorted((out / "ground_truth").glob("*.json")):
        gt = json.loads(f.read_text(encoding="utf-8"))
        side = {p["name"]: p["side"] for p in gt["participants"]}
        txt = (out / gt["transcript"]).read_text(encoding="utf-8")
        pos = 0
        for line in txt.split("\n"):
            name, sep, _ = line.partition(": ")
            if sep and not line.startswith("#") and name in side:
                for fam, cat, sd, rx in SIGNAL_FAMILIES:
                    if side[name] != sd:
                        continue
                    for m in re.finditer(rx, line):
                        a, b = pos + m.start(), pos + m.end()
                        yield gt["call_id"], fam, cat, any(
                            s["type"] == cat and s["start"] <= a and s["end"] >= b for s in gt["signals"]["surface"])
            pos += len(line) + 1


def test_signal_template_families_carry_their_category(sales_pov, generated, german):
    """Each family sentence has a label of its category over its words (main at 5d0c70e: none of them had)."""
    seen, missing = {}, []
    for out in (sales_pov, generated, german):
        for call, fam, cat, ok in _family_sentences(out):
            seen[fam] = seen.get(fam, 0) + 1
            if not ok:
                missing.append((out.parent.name, call, fam, cat))
    # the families are said in these builds: the check is not empty
    assert len(seen) >= 8 and sum(seen.values()) >= 40, seen
    assert not missing, f"{len(missing)}/{sum(seen.values())}: {missing[:8]}"
