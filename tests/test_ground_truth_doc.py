"""docs/ground_truth.md explains every label the ground truth can contain
(issue 15, "Done when"): each value of a closed vocabulary the code declares
(the surface types and signal categories, objection steps, polarities, tones,
pause / overlap / interruption / disfluency kinds, event types, divergence
interpretations, every enum of specs/ground_truth.schema.json) and each value
and field the examples' ground truths actually hold must be named in the doc,
in backticks or quotes. A label added to the code and not to the doc fails
here, as does one the doc forgot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from corpusc.backends import ground_truth as G
from corpusc.cli.main import main
from corpusc.plan.model import ArcStep, Polarity, Tone

from .conftest import EXAMPLES, ROOT

DOC = (ROOT / "docs" / "ground_truth.md").read_text(encoding="utf-8")
SIGNALS = json.loads((ROOT / "stdlib" / "phrases" / "signal_keys.json").read_text(encoding="utf-8"))
SCHEMA = json.loads((ROOT / "specs" / "ground_truth.schema.json").read_text(encoding="utf-8"))


def undocumented(vocab: dict[str, set]) -> dict[str, list[str]]:
    """Per vocabulary, the values the doc names neither as `value` nor "value"."""
    out = {}
    for what, values in vocab.items():
        missing = sorted(str(v) for v in values
                         if v is not None and f"`{v}`" not in DOC and f'"{v}"' not in DOC)
        if missing:
            out[what] = missing
    return out


def _enums(node, path="") -> dict[str, set]:
    found: dict[str, set] = {}
    if isinstance(node, dict):
        if isinstance(node.get("enum"), list):
            found.setdefault(path, set()).update(v for v in node["enum"] if v is not None)
        for k, v in node.items():
            for p, vals in _enums(v, f"{path}.{k}" if path else k).items():
                found.setdefault(p, set()).update(vals)
    elif isinstance(node, list):
        for v in node:
            for p, vals in _enums(v, path).items():
                found.setdefault(p, set()).update(vals)
    return found


def test_every_label_the_code_declares_is_explained():
    vocab = {
        "surface type": set(G.SURFACE.values()) | set(SIGNALS["categories"]),
        "objection step": {s.value for s in ArcStep},
        "moment polarity": {p.value for p in Polarity},
        "colour tone": {t.value for t in Tone},
        "pause kind": set(G.PAUSE_KINDS),
        "overlap kind": set(G.OVERLAP_KINDS),
        "interruption kind": set(G.INTERRUPTION_KINDS),
        "event type": set(G.EVENT_KINDS),
        "divergence interpretation": set(G.INTERPRETATIONS.values()),
        "disfluency kind": {"filler", "false_start"},
        **{f"schema {p}": v for p, v in _enums(SCHEMA).items()},
    }
    assert undocumented(vocab) == {}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> list[dict]:
    """The ground truths of a sales and a contact-center example, as built."""
    docs = []
    for name in ("sales_pov", "contact_center"):
        out = tmp_path_factory.mktemp(name)
        res = CliRunner().invoke(main, ["build", str(EXAMPLES / f"{name}.corpus"), "-o", str(out), "--jobs", "1",
                                        "--only", "transcripts,ground_truth"], catch_exceptions=False)
        assert res.exit_code == 0, res.output
        docs += [json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "ground_truth").glob("*.json"))]
    return docs


def emitted(docs: list[dict]) -> dict[str, set]:
    v: dict[str, set] = {}

    def add(what, x):
        v.setdefault(what, set()).add(x)
    for g in docs:
        for k in g:
            add("field", k)
        add("kind", g["kind"])
        add("deal_outcome", g["deal_outcome"])
        for k in g["signals"]:
            add("signals field", k)
        for s in g["signals"]["surface"]:
            add("surface type", s["type"])
            for k in s:
                add("surface item field", k)
        b = g["signals"]["behavioral"]
        for k in b:
            add("behavioral field", k)
        for k in ("pauses", "overlaps", "interruptions", "disfluencies"):
            for x in b.get(k, []):
                add(f"{k} kind", x["kind"])
        for s in g["objection_steps"]:
            add("objection step", s["step"])
        for t in g["objection_triples"]:
            for k in t:
                add("triple field", k)
            for k in ("resolution_step", "outcome_in_call", "arc_outcome"):
                add(k, t[k])
        for m in g["moments"]:
            add("polarity", m["polarity"])
            for k in m:
                add("moment field", k)
        for c in g["colour"]:
            add("tone", c["tone"])
        for d in g["divergence_points"]:
            add("interpretation", d["interpretation"].split(":")[0])
        for e in g["events"]:
            add("event type", e["type"])
            if e["type"] != "complaint":  # a complaint's key is the spec's own category value
                add("event key", e["key"])
    return v


def test_every_label_the_examples_hold_is_explained(built):
    vocab = emitted(built)
    # the examples exercise the vocabularies this test is about
    assert {"sales", "population"} <= vocab["kind"] and len(vocab["surface type"]) >= 8
    assert len(vocab["interpretation"]) >= 3 and len(vocab["pauses kind"]) == 4
    assert vocab["event type"] == {"cause", "complaint", "hold", "handover", "identity", "language_switch", "outcome", "pii",
                                   "pii_disclosure", "repeat_contact"}
    assert undocumented(vocab) == {}


def test_the_check_fails_on_a_label_the_doc_does_not_name():
    """The check itself can fail: a made-up label is reported."""
    assert undocumented({"surface type": {"pricing", "made_up_label"}}) == {"surface type": ["made_up_label"]}
