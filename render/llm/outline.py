"""What the model is asked to write, derived from the plan alone: the call cut
into segments (the whole call, or its phases), each turn's planned speaker and
the beats and moments it carries, and the per-segment JSON schema of exactly
those turns. Verification (verify.py) and assembly (assemble.py) read the same
outline, so what is asked, what is checked and what is labelled cannot drift."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from corpusc.plan.model import Call, Header

# a segment per phase (`segments stage`): the opening up to the stage's work, the work, the close
WORK = frozenset({"discovery", "demo", "terms", "signoff", "scenario"})
CLOSING = frozenset({"next_steps", "close"})
MIN_SEGMENT = 3  # turns; a shorter phase joins its neighbour


@dataclass(frozen=True)
class Item:
    """A beat or a moment a turn carries: `id` is what the model tags it with."""
    id: str
    kind: str  # a beat kind, or "moment"
    turn: int
    key: str | None = None
    polarity: str | None = None  # moments: the polarity of the words
    divergent: bool = False
    cues: tuple[str, ...] = ()
    note: str = ""  # what the spec says about it (a buying signal's text, a reference)
    ref_call: str | None = None
    place: str = "start"  # moments and colour: where their cues are written (start | mid, before the words)


@dataclass
class Segment:
    index: int
    start: int  # first turn
    end: int  # one past the last turn
    items: list[Item] = field(default_factory=list)
    schema: dict[str, Any] | None = None

    @property
    def turns(self) -> range:
        return range(self.start, self.end)


def beat_id(j: int) -> str:
    return f"b{j}"


def items(call: Call) -> list[Item]:
    """Every planned beat (id `b<index>`), moment and colour item (their own ids), in turn order."""
    out = [Item(id=beat_id(j), kind=b.kind, turn=b.turn, key=b.key, note=b.text or "", ref_call=b.ref_call)
           for j, b in enumerate(call.beats)]
    out += [Item(id=m.id, kind="moment", turn=m.turn, polarity=m.polarity, divergent=m.divergent,
                 cues=tuple(m.cues), place=m.place) for m in call.moments]
    # colour: affect off the moments (opinion words with or without a cue, or a cue on plain words)
    out += [Item(id=x.id, kind="colour", turn=x.turn, polarity=x.tone, cues=tuple(x.cues), place=x.place)
            for x in call.colour]
    out.sort(key=lambda it: (it.turn, it.kind in ("moment", "colour")))
    return out


def segments(call: Call, mode: str) -> list[Segment]:
    n = len(call.speakers)
    cuts = [0, n]
    if mode == "stage":
        work = next((b.turn for b in call.beats if b.kind in WORK), None)
        close = next((b.turn for b in call.beats if b.kind in CLOSING), None)
        if close is not None:  # a closing phase of at least MIN_SEGMENT turns
            close = min(close, n - MIN_SEGMENT)
        for c in (work, close):
            if c is not None and all(abs(c - x) >= MIN_SEGMENT for x in cuts):
                cuts.append(c)
    cuts = sorted(set(cuts))
    segs = [Segment(k, a, b) for k, (a, b) in enumerate(zip(cuts, cuts[1:]))]
    for it in items(call):
        for s in segs:
            if s.start <= it.turn < s.end:
                s.items.append(it)
    return segs


def turn_outline(call: Call, seg: Segment) -> list[dict[str, Any]]:
    """Each turn of `seg`: who speaks and what it carries (plain data for the template)."""
    by_turn: dict[int, list[Item]] = {}
    for it in seg.items:
        by_turn.setdefault(it.turn, []).append(it)
    out = []
    for i in seg.turns:
        p = call.participants[call.speakers[i]]
        out.append({"turn": i, "speaker": p.id, "name": p.name, "side": p.side, "role": p.role,
                    "carries": [{"id": it.id, "kind": it.kind, "key": it.key, "polarity": it.polarity,
                                 "divergent": it.divergent, "note": it.note, "ref_call": it.ref_call}
                                for it in by_turn.get(i, [])]})
    return out


def ids(call: Call) -> list[str]:
    """The ids a turn may be tagged with: the call's beats and moments (never empty)."""
    return [it.id for it in items(call)] or ["none"]


def schema(call: Call, seg: Segment) -> dict[str, Any]:
    """The segment's schema (computed once per segment, see `_schema`)."""
    if seg.schema is None:
        seg.schema = _schema(call, seg)
    return seg.schema


def _schema(call: Call, seg: Segment) -> dict[str, Any]:
    """A JSON schema of exactly the segment's turns, strict-mode shaped (every
    property required, no additional properties, no tuple arrays): one
    property `t<turn>` per turn, its speaker limited to the planned one, its
    tags limited to the call's ids (defined once, in `$defs`: the schema is
    sent with every request and counts as prompt tokens)."""
    tag = {"type": "object", "additionalProperties": False, "required": ["id", "quote"],
           "properties": {"id": {"type": "string", "enum": ids(call)}, "quote": {"type": "string"}}}
    props = {}
    for i in seg.turns:
        pid = call.participants[call.speakers[i]].id
        props[f"t{i}"] = {"type": "object", "additionalProperties": False, "required": ["speaker", "text", "carries"],
                          "properties": {"speaker": {"type": "string", "enum": [pid]},
                                         "text": {"type": "string"},
                                         "carries": {"type": "array", "items": {"$ref": "#/$defs/tag"}}}}
    return {"type": "object", "additionalProperties": False, "required": list(props), "properties": props,
            "$defs": {"tag": tag}}


def target_words(call: Call, seg: Segment) -> int:
    """The segment's share of the call's length target (150 words a minute)."""
    from corpusc.render.timing import WORDS_PER_SEC
    n = max(1, len(call.speakers))
    return max(len(seg.turns), round(call.target_duration_sec * WORDS_PER_SEC * len(seg.turns) / n))


def context(call: Call, header: Header) -> dict[str, Any]:
    """The stable part of a call's prompt: the catalogs, the product, the account."""
    acc = header.account(call.account)
    return {"corpus": header.corpus, "personas": header.personas, "objections": header.objections,
            "industries": header.industries, "stages": header.stages, "scenarios": header.scenarios,
            "account": acc.model_dump(mode="json") if acc is not None else None}
