"""`corpusc score`: the truth scores 1.0, nothing scores 0 recall, hand-made
errors score as computed by hand, every span unit lands where the ground
truth says, baselines run, and bad predictions get located diagnostics."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from corpusc.score.baselines import BASELINES
from corpusc.score import truth as T
from corpusc.score.predictions import Span
from corpusc.score.spans import Files, resolve

from tests.conftest import EXAMPLES


@pytest.fixture(scope="module")
def sales(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("score") / "sales"
    r = subprocess.run([sys.executable, "-m", "corpusc", "build", str(EXAMPLES / "sales_pov.corpus"), "-o", str(out),
                        "--jobs", "1"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return out


def _truth_predictions(folder: Path, unit: str = "mixed") -> list[dict]:
    """Predictions that say exactly what the ground truth says, each span in
    a different unit (the conversion is part of what is tested)."""
    out = []
    for k, cid in enumerate(T.call_ids(str(folder))):
        gt = json.loads((folder / "ground_truth" / f"{cid}.json").read_text("utf-8"))
        ct = T.from_document(gt, str(folder))
        sig = []
        for j, it in enumerate(ct.items):
            sig.append({"layer": it.layer, "category": it.category, "speaker": it.speaker,
                        "span": _span(ct, it, j if unit == "mixed" else 0)})
        out.append({
            "call_id": cid, "signals": sig,
            "divergence": [{"speaker": d.speaker, "span": {"turn": d.turn}} for d in ct.divergence],
            "objections": [{"objection": o, "resolution": r, "outcome": s} for o, r, s in ct.triples],
            "personas": [{"participant": p, "persona": v} for p, v in ct.personas.items()],
            "deal_outcome": ct.deal_outcome,
            "fields": ct.fields,
        })
    return out


def _span(ct: T.CallTruth, it: T.Item, j: int) -> dict:
    off, line = ct.lines()[it.turn]
    if it.start is None:
        return {"turn": it.turn}
    if j % 2 or line.count(line[it.start:it.end]) > 1:  # a quote said twice in a turn names the first
        return {"start": off + it.start, "end": off + it.end, "in": "txt"}
    return {"quote": line[it.start:it.end], "turn": it.turn}


def _write(path: Path, preds: list[dict]) -> Path:
    path.write_text("".join(json.dumps(p) + "\n" for p in preds), "utf-8")
    return path


def _score(cli, *args):
    code, out = cli("score", *args, "--format", "json", "--bootstrap", "0")
    return code, (json.JSONDecoder().raw_decode(out)[0] if out.startswith("{") else out)


def test_the_truth_scores_one_everywhere(sales, tmp_path, cli):
    preds = _write(tmp_path / "p.jsonl", _truth_predictions(sales))
    code, r = _score(cli, str(sales), str(preds), "--overlap", "0.9")
    assert code == 0, r
    assert r["signals"]["micro"]["f1"] == 1.0 and r["signals"]["micro"]["tp"] > 50
    assert all(m["f1"] == 1.0 for m in r["signals"]["by"]["category"].values())
    assert r["divergence"]["f1"] == 1.0 and r["divergence"]["tp"] > 0
    assert r["objections"]["exact"]["f1"] == 1.0 and r["objections"]["exact"]["tp"] > 0
    assert r["personas"]["accuracy"] == 1.0 and r["deal_outcome"]["accuracy"] == 1.0
    assert all(f["accuracy"] == 1.0 for f in r["fields"].values())
    assert r["worst_calls"] == [] and r["warnings"] == 0


def test_empty_predictions_score_zero_recall(sales, tmp_path, cli):
    empty = [{"call_id": c, "signals": [], "divergence": [], "objections": []} for c in T.call_ids(str(sales))]
    code, r = _score(cli, str(sales), str(_write(tmp_path / "e.jsonl", empty)))
    assert code == 0
    assert r["signals"]["micro"]["recall"] == 0.0 and r["signals"]["micro"]["tp"] == 0
    assert r["divergence"]["recall"] == 0.0 and r["objections"]["exact"]["recall"] == 0.0


def test_min_f1_fails_ci_below_the_bar(sales, tmp_path, cli):
    empty = [{"call_id": c, "signals": []} for c in T.call_ids(str(sales))]
    p = str(_write(tmp_path / "e.jsonl", empty))
    code, out = cli("score", str(sales), p, "--min-f1", "0.5", "--bootstrap", "0")
    assert code == 1 and "E1108" in out and "below the bar" in out
    code, out = cli("score", str(sales), p, "--min-f1", "surface/nonsense=0.5", "--bootstrap", "0")
    assert code == 2 and "surface/pricing" in out
    code, out = cli("score", str(sales), p, "--format", "github", "--min-f1", "0.5", "--bootstrap", "0")
    assert code == 1 and "::error" in out and "E1108" in out
    assert len([x for x in out.splitlines() if x.startswith("::warning title=corpusc score: ")]) == 3


# -- hand-computed: a two-call build written by hand ---------------------------------------

def _fake_build(root: Path) -> Path:
    """Two calls whose every label is known; the txt layout is the real one
    (two header lines, a blank line, one line per turn)."""
    (root / "ground_truth").mkdir(parents=True)
    (root / "transcripts").mkdir()
    calls = {}
    lines = {
        "a.one": ["Sam: Hi there.", "Kim: The price is too high for us.", "Sam: We can discuss that.",
                  "Kim: We need it by March."],
        "a.two": ["Sam: Welcome back.", "Kim: [hesitant] Sounds good to me.", "Sam: Let's sign."],
    }
    for cid, ls in lines.items():
        txt = f"# {cid}\n# Sam (AE) · Kim (CFO)\n\n" + "".join(x + "\n" for x in ls)
        (root / "transcripts" / f"{cid}.txt").write_text(txt, "utf-8")
        calls[cid] = {"files": {}}
    def at(cid, turn, quote):
        txt = (root / "transcripts" / f"{cid}.txt").read_text("utf-8")
        s = txt.index(quote)
        return {"turn": turn, "start": s, "end": s + len(quote), "quote": quote}
    parts = [{"id": "sam", "name": "Sam", "side": "seller"},
             {"id": "kim", "name": "Kim", "side": "buyer", "persona": {"label": "budget_guardian"}}]
    gts = {
        "a.one": {"signals": {"surface": [
            {"type": "pricing", "speaker": "kim", **at("a.one", 1, "The price is too high for us.")},
            {"type": "objection", "speaker": "kim", **at("a.one", 1, "The price is too high for us.")},
            {"type": "timeline", "speaker": "kim", **at("a.one", 3, "We need it by March.")}]},
            "objection_triples": [{"objection": "pricing", "resolution": {"turn": 2}, "resolution_step": "addressed",
                                   "outcome_in_call": "addressed"}]},
        "a.two": {"signals": {"surface": [
            {"type": "buying_intent", "speaker": "sam", **at("a.two", 2, "Let's sign.")}]},
            "divergence_points": [{"speaker": "kim", **at("a.two", 1, "Sounds good to me.")}]},
    }
    for cid, g in gts.items():
        doc = {"call_id": cid, "account": "a", "kind": "sales", "locale": "en-US", "date": "2026-01-0" + str(
            len(cid)), "deal_outcome": "won", "transcript": f"transcripts/{cid}.txt", "participants": parts,
               "metadata": {"medium": "video"}, **g}
        (root / "ground_truth" / f"{cid}.json").write_text(json.dumps(doc), "utf-8")
    (root / "manifest.json").write_text(json.dumps({"calls": calls}), "utf-8")
    return root


def test_hand_made_errors_score_as_computed_by_hand(tmp_path, cli):
    build = _fake_build(tmp_path / "b")
    preds = [
        {"call_id": "a.one", "signals": [
            {"layer": "surface", "category": "pricing", "speaker": "kim", "span": {"turn": 1}},  # tp
            {"layer": "surface", "category": "timeline", "speaker": "sam", "span": {"turn": 3}},  # fp: speaker
            {"layer": "surface", "category": "objection", "speaker": "kim", "span": {"turn": 2}},  # fp: turn
        ], "objections": [{"objection": "pricing", "resolution": "addressed", "outcome": "resolved"}],
         "personas": [{"participant": "kim", "persona": "busy_skeptic"}], "deal_outcome": "lost"},
        {"call_id": "a.two", "signals": [
            {"layer": "surface", "category": "buying_intent", "speaker": "sam", "span": {"quote": "Let's sign."}},
        ], "divergence": [{"span": {"turn": 1}}],  # no speaker: matched by turn alone
         "personas": [{"participant": "kim", "persona": "budget_guardian"}], "deal_outcome": "won",
         "fields": {"medium": "phone"}},
    ]
    code, r = _score(cli, str(build), str(_write(tmp_path / "p.jsonl", preds)), "--tolerance", "0")
    assert code == 0, r
    # signals: tp = pricing + buying_intent = 2; fp = timeline(sam) + objection(turn 2) = 2;
    # fn = objection + timeline = 2 -> P = R = F1 = 0.5
    assert r["signals"]["micro"] == {"tp": 2, "fp": 2, "fn": 2, "precision": 0.5, "recall": 0.5, "f1": 0.5,
                                     "ci95": None}
    assert r["signals"]["by"]["category"]["surface/timeline"]["f1"] == 0.0
    # macro over the four categories with truth: (1 + 0 + 0 + 1) / 4
    assert r["signals"]["macro_f1"] == 0.5
    assert r["divergence"]["tp"] == 1 and r["divergence"]["f1"] == 1.0
    # the triple's type and resolution match, the outcome does not: exact 0, partial 1
    assert r["objections"]["exact"]["tp"] == 0 and r["objections"]["partial"]["tp"] == 1
    assert r["personas"]["accuracy"] == 0.5
    assert r["personas"]["confusion"] == {"budget_guardian": {"budget_guardian": 1, "busy_skeptic": 1}}
    # the account's last call (a.two) decides its predicted outcome
    assert r["deal_outcome"]["accuracy"] == 1.0
    # a.one predicts no fields: it counts as missing
    assert r["fields"]["medium"] == {"n": 2, "missing": 1, "accuracy": 0.0}
    # with one turn of tolerance the objection predicted at turn 2 matches turn 1
    code, r = _score(cli, str(build), str(tmp_path / "p.jsonl"), "--tolerance", "1")
    assert r["signals"]["micro"]["tp"] == 3


def test_bad_predictions_get_located_diagnostics(tmp_path, cli):
    build = _fake_build(tmp_path / "b")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"call_id": "a.one"}\n{"call_id": "a.two", "signals": [}\n', "utf-8")
    code, out = cli("score", str(build), str(bad))
    assert code == 1 and "E1101" in out and "bad.jsonl:2:" in out and "Traceback" not in out
    bad.write_text('{"call_id": "a.one", "signals": [{"layer": "surface", "category": "pricing", '
                   '"speaker": "kim", "span": {"turn": 1, "time": [1, 2]}}]}\n', "utf-8")
    code, out = cli("score", str(build), str(bad))
    assert code == 1 and "E1102" in out and "signals.0.span" in out and "bad.jsonl:1:" in out
    bad.write_text('{"call_id": "a.one"}\n{"call_id": "a.one"}\n', "utf-8")
    code, out = cli("score", str(build), str(bad))
    assert code == 1 and "E1104" in out
    bad.write_text(json.dumps({"call_id": "a.one", "signals": [
        {"layer": "surface", "category": "vibes", "speaker": "kim", "span": {"turn": 1}},
        {"layer": "surface", "category": "pricing", "speaker": "zed", "span": {"turn": 1}},
        {"layer": "surface", "category": "pricing", "speaker": "kim", "span": {"turn": 40}},
        {"layer": "surface", "category": "pricing", "speaker": "kim", "span": {"quote": "not said"}}]}) + "\n"
                   + json.dumps({"call_id": "z.nine"}) + "\n", "utf-8")
    code, out = cli("score", str(build), str(bad), "--bootstrap", "0")
    assert code == 0, out
    for c in ("E1103", "E1105", "E1106"):
        assert c in out, c
    assert "turn 40 is past" in out and "not said" in out
    code, out = cli("score", str(build), str(bad), "--strict", "--bootstrap", "0")
    assert code == 1
    code, out = cli("score", str(tmp_path), str(bad))
    assert code == 1 and "E1107" in out
    code, out = cli("score", str(build))
    assert code == 2


def test_every_span_unit_lands_on_the_labelled_span(sales):
    files = Files()
    seen = set()
    mid = 0  # spans after a cue written mid-turn
    for cid in T.call_ids(str(sales)):
        ct = T.load(str(sales), cid)
        doc = json.loads((sales / "transcripts" / f"{cid}.json").read_text("utf-8"))
        vtt = files.subtitles(ct, "vtt")
        srt = files.subtitles(ct, "srt")
        for it in ct.items + ct.divergence:
            if it.start is None:
                continue
            off, line = ct.lines()[it.turn]
            quote = line[it.start:it.end]
            exact = [Span(start=off + it.start, end=off + it.end, **{"in": "txt"})]
            if line.count(quote) == 1:  # a quote said twice in a turn names the first (docs/scoring.md)
                exact.append(Span(quote=quote, turn=it.turn))
            i = files.turn_text(ct, it.turn).find(quote)  # the json text has no cues written in it
            if i >= 0 and line.count(quote) == 1:
                exact.append(Span(turn=it.turn, start=i, end=i + len(quote), **{"in": "turn"}))
                mid += files.line_pos(ct, it.turn, i) != files.text_start(ct, it.turn) + i
            for s in exact:
                w = resolve(s, ct, files)
                assert (w.lo, w.hi, w.start, w.end) == (it.turn, it.turn, it.start, it.end), (cid, s)
                # back to txt offsets and in again: the same place
                back = resolve(Span(start=off + w.start, end=off + w.end, **{"in": "txt"}), ct, files)
                assert back == w
            t0, t1 = doc["turns"][it.turn]["start"], doc["turns"][it.turn]["end"]
            mid = (t0 + t1) / 2
            w = resolve(Span(time=(mid, mid)), ct, files)
            assert w.lo <= it.turn <= w.hi
            for blocks, kind in ((vtt, "vtt"), (srt, "srt")):
                a, b, c0, c1 = next(x for x in blocks if t0 <= (x[2] + x[3]) / 2 <= t1)
                w = resolve(Span(start=a, end=b, **{"in": kind}), ct, files)
                assert w.lo <= it.turn <= w.hi, (cid, kind)
            seen.add(it.category)
        files.forget()
    assert len(seen) >= 4 and mid > 0


@pytest.mark.parametrize("name", list(BASELINES))
def test_every_baseline_runs_on_every_example(name, sales, tmp_path_factory, cli):
    code, r = _score(cli, str(sales), "--baseline", name)
    assert code == 0, r
    assert r["calls"] == r["predicted_calls"] > 0


@pytest.fixture(scope="module", params=["contact_center", "hvac_60d"])
def population(request, tmp_path_factory) -> Path:
    """A population example with ground truth and json transcripts, a shard of it."""
    root = tmp_path_factory.mktemp("pop")
    src = (EXAMPLES / f"{request.param}.corpus").read_text("utf-8")
    spec = root / "cc.corpus"
    spec.write_text(src.split("\nemit ", 1)[0] + "\nemit transcripts {\n  formats [txt, json]\n}\n\n"
                    "emit ground_truth\n", "utf-8")
    out = root / "out"
    r = subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(out), "--jobs", "1",
                        "--shard", "1/10" if request.param == "contact_center" else "1/30"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return out


@pytest.mark.parametrize("name", ["keywords", "every-cue", "majority"])
def test_every_baseline_runs_on_the_population_examples(name, population, cli):
    code, r = _score(cli, str(population), "--baseline", name)
    assert code == 0, r
    assert r["calls"] > 0
    if name == "majority":
        assert r["fields"], "contact-center metadata fields are scored"


def test_the_cli_offers_every_baseline():
    from corpusc.cli.score import BASELINE_NAMES
    assert sorted(BASELINE_NAMES) == sorted(BASELINES)


def test_committed_schema_matches_the_models_and_admits_the_truth(sales):
    import jsonschema

    from corpusc.score.predictions import schema
    from tests.conftest import ROOT
    committed = json.loads((ROOT / "specs" / "predictions.schema.json").read_text("utf-8"))
    assert committed == schema(), "regenerate: python -m corpusc.score.predictions > specs/predictions.schema.json"
    v = jsonschema.Draft202012Validator(committed)
    preds = _truth_predictions(sales)
    for p in preds:
        v.validate(json.loads(json.dumps(p)))
    assert not v.is_valid({"call_id": "x", "signals": [{"layer": "surface", "category": "pricing",
                                                        "speaker": "a", "span": {"turn": 1}, "extra": 1}]})


@pytest.mark.parametrize("by", ["layer", "category", "persona", "call", "account"])
def test_reports_break_down_and_render(by, tmp_path, cli):
    build = _fake_build(tmp_path / "b")
    preds = _write(tmp_path / "p.jsonl", [{"call_id": "a.one", "signals": [
        {"layer": "surface", "category": "pricing", "speaker": "kim", "span": {"turn": 1}}]}])
    code, out = cli("score", str(build), str(preds), "--by", by, "--bootstrap", "50")
    assert code == 0, out
    want = {"layer": "surface", "category": "surface/pricing", "persona": "budget_guardian",
            "call": "a.two", "account": "a"}[by]
    assert f"signals by {by}" in out and want in out
    assert "worst calls" in out and "missed surface/timeline (turn 3, kim)" in out
    html = tmp_path / "r.html"
    code, _ = cli("score", str(build), str(preds), "--format", "html", "-o", str(html), "--by", by)
    assert code == 0 and html.read_text("utf-8").startswith("<!doctype html>")
    code, r = _score(cli, str(build), str(preds))
    assert [w["call_id"] for w in r["worst_calls"]] == ["a.one", "a.two"]
