"""What a build says is true, read from its files the way a scorer sees them:
`manifest.json` for the calls, `ground_truth/<call>.json` for the labels, and
the txt transcript for the turn layout every span is converted into. This is
the one place that knows the ground-truth file's shape (docs/ground_truth.md)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any


class TruthError(Exception):
    """The build folder cannot be scored (no manifest, no ground truth)."""


@dataclass(slots=True)
class Item:
    """One thing a pipeline should find: a labelled signal or a divergence point."""
    layer: str
    category: str
    speaker: str | None
    turn: int
    start: int | None = None  # characters within the turn's txt line
    end: int | None = None
    quote: str = ""


@dataclass(slots=True)
class CallTruth:
    call_id: str
    account: str | None
    kind: str
    locale: str
    date: str
    folder: str
    txt_name: str
    items: list[Item] = field(default_factory=list)
    divergence: list[Item] = field(default_factory=list)
    triples: list[tuple[str, str, str]] = field(default_factory=list)
    personas: dict[str, str] = field(default_factory=dict)
    speakers: set[str] = field(default_factory=set)
    deal_outcome: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    _lines: list[tuple[int, str]] | None = None  # per turn: (offset of its line in the txt, the line)

    def lines(self) -> list[tuple[int, str]]:
        """Each turn's line of the txt transcript, with its offset (one line per
        turn after a two-line header and a blank line)."""
        if self._lines is None:
            with open(os.path.join(self.folder, self.txt_name), encoding="utf-8", newline="") as f:
                text = f.read()
            out, pos = [], 0
            for k, line in enumerate(text.split("\n")):
                if k >= 3 and line:
                    out.append((pos, line))
                pos += len(line) + 1
            self._lines = out
        return self._lines


def call_ids(folder: str) -> list[str]:
    """The build's calls in manifest order."""
    path = os.path.join(folder, "manifest.json")
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except FileNotFoundError:
        raise TruthError(f"{folder}: no manifest.json; is this a `corpusc build` output folder?") from None
    except (OSError, ValueError) as e:
        raise TruthError(f"{path}: cannot read the manifest ({e}); rebuild with `corpusc build`") from None
    calls = doc.get("calls") if isinstance(doc, dict) else None
    if not isinstance(calls, dict):
        raise TruthError(f"{path}: no calls in the manifest; rebuild with `corpusc build`")
    return list(calls)


def load(folder: str, call_id: str) -> CallTruth:
    path = os.path.join(folder, "ground_truth", call_id + ".json")
    try:
        with open(path, encoding="utf-8") as f:
            gt = json.load(f)
    except FileNotFoundError:
        raise TruthError(f"{path}: missing; the spec must `emit ground_truth` to be scored "
                         "(add it and run `corpusc build` again)") from None
    return from_document(gt, folder)


def from_document(gt: dict[str, Any], folder: str) -> CallTruth:
    ct = CallTruth(call_id=gt["call_id"], account=gt.get("account"), kind=gt.get("kind", ""),
                   locale=gt.get("locale", ""), date=gt.get("date", ""), folder=folder,
                   txt_name=gt.get("transcript", f"transcripts/{gt['call_id']}.txt"),
                   deal_outcome=gt.get("deal_outcome"), fields=dict(gt.get("metadata") or {}))
    for p in gt.get("participants", []):
        ct.speakers.add(p["id"])
        if p.get("persona"):
            ct.personas[p["id"]] = p["persona"]["label"]
    offsets: list[int] | None = None

    def item(layer: str, category: str, d: dict[str, Any], speaker: str | None) -> Item:
        nonlocal offsets
        it = Item(layer, category, speaker, int(d["turn"]), quote=d.get("quote", ""))
        if "start" in d and "end" in d:
            if offsets is None:
                offsets = [o for o, _ in ct.lines()]
            base = offsets[it.turn] if it.turn < len(offsets) else 0
            it.start, it.end = d["start"] - base, d["end"] - base
        return it

    sig = gt.get("signals", {})
    for s in sig.get("surface", []):
        ct.items.append(item("surface", s.get("category") or s["type"], s, s.get("speaker")))
    beh = sig.get("behavioral", {})
    for x in beh.get("interruptions", []):
        ct.items.append(item("behavioral", "interruption", x, x.get("by")))
    for x in beh.get("pauses", []):  # pause, silence or hold; a chat's wait
        ct.items.append(item("behavioral", x.get("kind", "pause"), x, x.get("speaker")))
    for x in beh.get("overlaps", []):  # said over another speaker (backchannels, cut-ins)
        ct.items.append(item("behavioral", "overlap", x, x.get("speaker")))
    for x in beh.get("disfluencies", []):  # fillers and false starts, located like any evidence
        ct.items.append(item("behavioral", x["kind"], x, x.get("speaker")))
    for x in beh.get("cues", []):
        cue = x["cue"]
        if cue.endswith("s pause") or cue == "INTERRUPTS":
            continue  # scored as pauses and interruptions
        ct.items.append(item("behavioral", cue_category(cue), x, x.get("speaker")))
    for d in gt.get("divergence_points", []):
        ct.divergence.append(item("divergence", "divergence", d, d.get("speaker")))
    for t in gt.get("objection_triples", []):
        ct.triples.append(triple(t))
    return ct


def cue_category(cue: str) -> str:
    """`energy: LOW` -> `cue:energy_low`, `hesitant` -> `cue:hesitant`."""
    return "cue:" + "_".join(cue.replace(":", " ").lower().split())


def triple(t: dict[str, Any]) -> tuple[str, str, str]:
    """(objection type, how this call answered it, where it stood at the call's end)."""
    res = t.get("resolution")
    step = t.get("resolution_step") or (res.get("step") if isinstance(res, dict) else None)
    if step is None:
        step = "none" if not res else ("unaddressed" if t.get("outcome_in_call") == "unaddressed" else "addressed")
    return (t["objection"], step, t.get("outcome_in_call") or "open")
