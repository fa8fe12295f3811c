"""Divergence that takes a model to detect (issue 15 §2): the lexical rules a
practitioner tries first score F1 <= 0.6 against the ground truth of sales_pov
and of a generated sales spec; divergent and congruent moments share their
words and cues; cues sit on reps and buyers, at the start and mid-turn; the
hard negatives (congruent hesitation, enthusiastic agreement, opinion with no
cue, cues off the moments) are labelled congruent.

Before this work every divergent moment was a stock positive opener with a
negative cue on a buyer's turn: `opener-vs-cue` scored F1 0.94
and `lexicon-against-cue` 1.0 on sales_pov, so the first test failed."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from corpusc.render.template.banks import load_bank
from corpusc.score import baselines as B

from .conftest import EXAMPLES, ROOT

MAX_F1 = 0.6
GENERATED_CALLS = 240  # benchmarks/bench_divergence.py measures 1,000; CI stays fast


def _build(spec: Path, out: Path) -> Path:
    r = subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(out), "--jobs", "2"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr + r.stdout
    return out


@pytest.fixture(scope="module")
def sales(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("div_sales")
    shutil.copy(EXAMPLES / "sales_pov.corpus", d / "sales_pov.corpus")
    return _build(d / "sales_pov.corpus", d / "out")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from gen_spec import sales_spec
    finally:
        sys.path.pop(0)
    d = tmp_path_factory.mktemp("div_gen")
    (d / "gen.corpus").write_text(sales_spec(GENERATED_CALLS), encoding="utf-8")
    return _build(d / "gen.corpus", d / "out")


def _gts(out: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "ground_truth").glob("*.json"))]


@pytest.mark.parametrize("which", ["sales", "generated"])
def test_lexical_baselines_do_not_find_divergence(which, request):
    """Each rule runs as `corpusc score DIR --baseline NAME` does, scored by the
    same matching as any pipeline (corpusc.score.scorer)."""
    out = request.getfixturevalue(which)
    scores = B.divergence_scores(str(out))
    assert set(scores) == set(B.DIVERGENCE_RULES)
    for name, s in scores.items():
        assert s["tp"] + s["fn"] >= 8
        assert s["tp"] + s["fp"] > 0, name  # each rule fires: a low F1 is its errors, not its silence
        assert s["f1"] <= MAX_F1, f"{which}: {name} scores F1 {s['f1']} (P {s['precision']}, R {s['recall']})"


@pytest.mark.parametrize("which", ["sales", "generated"])
def test_the_words_of_a_moment_do_not_give_its_polarity_away(which, request):
    """Told where each moment is and what its words are, a rule still cannot
    tell divergent from congruent: the words' polarity does not follow from
    negation or contrast words ("not", "but", "still"; reader14's rule scored
    F1 0.667 on sales_pov and 0.62 on a generated spec) nor from a small
    sentiment list, while the cues' valence is given. With the exact polarity
    (a sentiment model that works) these rules would score 1.0."""
    out = request.getfixturevalue(which)
    scores = B.moment_divergence_scores(str(out))
    assert set(scores) == set(B.DIVERGENCE_RULES)
    for name in ("negation-against-cue", "negative-word-against-cue", "word-count-against-cue", "lexicon-against-cue"):
        s = scores[name]
        assert s["tp"] + s["fp"] > 0, name
        assert s["f1"] <= MAX_F1, f"{which}: {name} scores F1 {s['f1']} (P {s['precision']}, R {s['recall']})"


def test_the_scorer_finds_a_rule_that_works(tmp_path):
    """The measurement is not vacuous: on a corpus where the one-line rule is
    right (yesterday's shape), it scores F1 1.0 and the catch-all rule less."""
    (tmp_path / "transcripts").mkdir()
    (tmp_path / "ground_truth").mkdir()
    lines = ["# c1", "# Ann (AE) · Bo (CFO)", "",
             "Ann: Hi Bo, thanks for joining.",
             "Bo: [hesitant] [energy: LOW] Wow, that's great. I will sign.",
             "Ann: Sounds good.",
             "Bo: [enthusiastic] That's great, love it.",
             "Ann: Next steps, then. [confident] We send the form today."]
    (tmp_path / "transcripts" / "c1.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    who = [("ann", "seller"), ("bo", "buyer")] * 3
    doc = {"call_id": "c1", "locale": "en-US",
           "turns": [{"index": k, "speaker": who[k][0], "role": who[k][1], "text": ""} for k in range(5)]}
    (tmp_path / "transcripts" / "c1.json").write_text(json.dumps(doc), encoding="utf-8")
    gt = {"call_id": "c1", "locale": "en-US",
          "participants": [{"id": "ann", "name": "Ann", "side": "seller"}, {"id": "bo", "name": "Bo", "side": "buyer"}],
          "divergence_points": [{"turn": 1, "speaker": "bo"}]}
    (tmp_path / "ground_truth" / "c1.json").write_text(json.dumps(gt), encoding="utf-8")
    (tmp_path / "manifest.json").write_text(json.dumps({"calls": {"c1": {}}}), encoding="utf-8")
    scores = B.divergence_scores(str(tmp_path))
    assert scores["opener-vs-cue"]["f1"] == 1.0
    assert scores["every-cue"]["precision"] == round(1 / 3, 4)
    assert scores["any-cue-on-buyer"]["recall"] == 1.0
    turns = B.turn_views(str(tmp_path), "c1")
    assert len(turns) == 5
    assert turns[4].cues == (("confident", len("Next steps, then. ")),)
    assert turns[4].text == "Next steps, then. We send the form today."


def test_divergence_is_not_one_shape(sales):
    """Both directions of divergence, on both sides, cues at the start and mid-turn."""
    moments = [m for g in _gts(sales) for m in g["moments"]]
    div = [m for m in moments if not m["congruent"]]
    assert {m["polarity"] for m in div} == {"positive", "negative"}
    assert {m["side"] for m in moments} == {"seller", "buyer"}
    assert {m["mid_turn"] for m in moments} == {True, False}
    # the cue sets are shared: every cue set of a divergent moment also marks a congruent one somewhere
    # (a congruent moment or colour, the congruent look-alikes labelled `congruent: true`)
    congruent_sets = {tuple(m["cues"]) for m in moments if m["congruent"]} | \
        {tuple(x["cues"]) for g in _gts(sales) for x in g["colour"] if x["congruent"] and x["cues"]}
    shared = [m for m in div if tuple(m["cues"]) in congruent_sets]
    assert len(shared) >= len(div) // 2


def _things(locale: str) -> list[str]:
    bank = json.loads((ROOT / "stdlib" / "phrases" / locale / "moments.json").read_text(encoding="utf-8"))
    # what a moment is about: an objection's or the call's topic (`thing`), or a part of the product (`area`)
    return sorted({t for part in ("thing", "area") for lst in bank["moment"].get(part, {}).values() for t in lst},
                  key=len, reverse=True)


def _shape(quote: str, things: list[str]) -> str | None:
    """A moment's first sentence with its topic replaced: the template it came from."""
    first = re.split(r"(?<=[.!?])\s", quote, maxsplit=1)[0]
    # a spoken opener ("Okay, ", "Hm, ", "Look, ") is one of the template's alternatives, not another shape
    first = re.sub(r"^(?:okay|hm|well|so|look|right), (?=\S)", "", first, flags=re.I)
    low = first.lower()
    for t in things:
        if t.lower() in low:
            i = low.index(t.lower())
            # the template's words up to two past the topic: its later alternatives ("for {co}" or "for
            # our {reps} {people}") are one template's variants, not another shape
            tail = " ".join(first[i + len(t):].split()[:2])
            return _account_free(first[:i] + "THING " + tail).lower()
    return None


_PEOPLE = sorted({w for k, v in load_bank("en-US").items() if k.startswith("people.") for w in v if isinstance(w, str)},
                 key=len, reverse=True)
_NUMBER = re.compile(r"\b(?:\d[\d,]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                     r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-\w+)?)\b")


def _account_free(s: str) -> str:
    """The account's own facts a template says (its name, head count, role
    noun) are slot values like the topic: the shape keeps only the template."""
    s = re.sub(r"(?<=[\w,] )(?!THING\b)[A-Z][\w'-]*", "NAME", s)
    s = _NUMBER.sub("N", s)
    for p in _PEOPLE:
        s = s.replace(p, "PEOPLE")
    return s


def test_moment_words_are_one_pool_about_the_topic(generated):
    """Opinion words name what the turn is about ("the SSO piece looks
    manageable"), and divergent moments say what congruent ones say: the
    sentence shapes of divergent moments are shapes congruent moments and
    colour of the same polarity use too (one pool; the cues decide)."""
    things = _things("en-US")
    shapes: dict[tuple[str, bool], list[str]] = {}
    n = about = 0
    for g in _gts(generated):
        for m in g["moments"] + [dict(x, polarity=x["tone"]) for x in g["colour"] if x["tone"] != "neutral"]:
            if "quote" not in m:
                continue
            quote = m["quote"]
            if quote.startswith(("Sorry", "Can I just")):  # an interruption opens it
                quote = re.split(r"(?<=[.!?])\s", quote, maxsplit=1)[-1]
            sh = _shape(quote, things)
            n += 1
            about += sh is not None
            if sh:
                shapes.setdefault((m["polarity"], m.get("congruent", True)), []).append(sh)
    assert about / n >= 0.95, about / n
    for pol in ("positive", "negative"):
        div, cong = shapes[(pol, False)], set(shapes[(pol, True)])
        # one bank for both (the cues decide): the divergent moments said in a shape congruent ones of the
        # same polarity use too, counted per moment. Counted per distinct shape it rode on the sample (a
        # shape drawn once may fall on a divergent moment only): 31 of 39 after session 16's merges, 29 of
        # 39 and 29 of 42 after session 19's polarity split, against 81 of 90 at 1,000 calls. Per moment at
        # session 19's end: negative 45 of 59 (the free moments' words, which congruent negatives, mostly on
        # objection beats, draw less often in 240 calls)
        shared = sum(sh in cong for sh in div)
        assert shared >= 0.7 * len(div), (pol, shared, len(div), sorted(set(div) - cong))
    stock = ["wow, i love that", "genuinely impressive", "that's exactly what we need"]
    assert not any(s in sh for v in shapes.values() for sh in v for s in stock)


def test_hard_negatives_are_labelled_congruent(sales):
    gts = _gts(sales)
    colour = [x for g in gts for x in g["colour"]]
    assert all(x["congruent"] for x in colour)
    kinds = {(x["tone"], bool(x["cues"])) for x in colour}
    assert {("positive", False), ("positive", True), ("negative", True), ("neutral", True)} <= kinds
    # congruent hesitation is labelled as congruent; every cue off a moment is in the ground truth
    hes = [m for g in gts for m in g["moments"] if m["congruent"] and "hesitant" in m["cues"]]
    assert hes and all(m["polarity"] == "negative" for m in hes)
    for g in gts:
        moment_turns = {m["turn"] for m in g["moments"]}
        colour_turns = {x["turn"] for x in g["colour"] if x["cues"]}
        planned = moment_turns | colour_turns  # off them only events of the call: interruptions, long pauses
        cued = {c["turn"] for c in g["signals"]["behavioral"]["cues"] if c["turn"] in planned or not (
            c["cue"] == "INTERRUPTS" or c["cue"].endswith("s pause") or c["cue"].startswith(("hold ", "silence ")))}
        assert cued == moment_turns | colour_turns, g["call_id"]
    assert any(colour_turns for g in gts for colour_turns in [{x["turn"] for x in g["colour"] if x["cues"]}])


def test_mid_turn_cues_are_written_in_place(sales):
    """A mid-turn cue is printed where it applies in txt, carried in the json
    transcript's offsets, and the ground truth's quote offsets still hold."""
    seen = 0
    for g in _gts(sales):
        cid = g["call_id"]
        txt = (sales / "transcripts" / f"{cid}.txt").read_text(encoding="utf-8")
        doc = json.loads((sales / "transcripts" / f"{cid}.json").read_text(encoding="utf-8"))
        for m in g["moments"] + g["colour"]:
            if "quote" in m:
                assert txt[m["start"]:m["end"]] == m["quote"]
            if not m.get("cues") or m.get("cue_offset") is None:
                continue
            turn = doc["turns"][m["turn"]]
            offs = turn.get("annotation_offsets", [0] * len(turn["annotations"]))
            assert len(offs) == len(turn["annotations"])
            mark = "".join(f"[{c}] " for c in m["cues"])
            assert txt[m["cue_offset"] - len(mark):m["cue_offset"]] == mark, (cid, m["id"])
            if any(offs):  # present only with a mid-turn cue
                seen += 1
                at = offs[-1]
                assert turn["text"][at - 1] == " " and txt.rfind("\n", 0, m["cue_offset"]) < \
                    m["cue_offset"] - len(mark) - 2  # words come before the cue on its line
    assert seen >= 3


def test_a_mid_turn_cue_changes_the_voice_where_it_is_written():
    """Audio reads a cue's place too: the words before a mid-turn cue are said
    plainly, the cued voice (hesitation breaks, contour, gain) starts at its word;
    a pause is still time before the turn."""
    from corpusc.render.cues import phrases, turn_delivery
    text = "Sure, fair enough. The SSO piece looks manageable, honestly, to be fair."
    at = text.index("The SSO")
    d = turn_delivery(["hesitant", "energy: LOW"], [at, at], text)
    assert d.hesitant and d.from_word == 3
    out = phrases(text.split(), d, iter([0.5] * 100).__next__)
    assert out[0] == (0, 3, 1.0, 0.0, False)
    assert all(cued for *_, cued in out[1:]) and len(out) > 2  # hesitation breaks only after the cue
    start = turn_delivery(["1.8s pause", "hesitant"], [], text)
    assert start.from_word == 0 and start.pause == 1.8
    assert phrases(text.split(), start, iter([0.5] * 100).__next__)[0][4] is True


def test_verify_checks_mid_turn_cues(sales, tmp_path):
    """`verify` reads cues where they are written: a mid-turn cue dropped from
    the txt is a missing planned cue (E0704)."""
    out = tmp_path / "out"
    shutil.copytree(sales, out)
    shutil.copy(sales.parent / "sales_pov.corpus", tmp_path / "sales_pov.corpus")  # the manifest names it

    def verify():
        return subprocess.run([sys.executable, "-m", "corpusc", "verify", str(out)], capture_output=True, text=True,
                              timeout=600)
    assert verify().returncode == 0
    for p in sorted((out / "transcripts").glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        m = re.search(r"(?<=[.?!,] )\[(hesitant|confident|enthusiastic|energy: [A-Z]+)\] ", text)
        if m:
            p.write_text(text[:m.start()] + text[m.end():], encoding="utf-8")
            # keep the manifest hash in step so the cue check is what fails
            doc = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
            doc["calls"][p.stem]["files"][f"transcripts/{p.name}"] = hashlib.sha256(p.read_bytes()).hexdigest()
            (out / "manifest.json").write_text(json.dumps(doc, indent=1), encoding="utf-8")
            break
    else:
        pytest.fail("no mid-turn cue in sales_pov")
    r = verify()
    assert r.returncode != 0
    assert "E0704" in r.stdout + r.stderr and "carries cues" in r.stdout + r.stderr
