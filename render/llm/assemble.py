"""A verified answer -> RenderedCall: the model's words, the cues corpusc
places (a moment's or colour item's cues on its planned turn, when the call
has paralinguistics: before the turn, or mid-turn just before the words that
carry it), the shared timing model, and the evidence of every beat
and moment at the span verification located. Models are built with
`plan.model.fast` (every value is typed here already), as the template
renderer builds its own."""

from __future__ import annotations

from typing import Any

from corpusc.plan.model import Call, Header, fast
from corpusc.render.llm import outline as O
from corpusc.render.model import Evidence, RenderedCall, Turn
from corpusc.render.template.banks import bank_locale
from corpusc.render.template.signals import competitor_names, names_pattern, read_signals
from corpusc.render.timing import timing

NEGATIVE = frozenset({"objection_raised", "objection_reopened", "objection_unaddressed", "pain"})
POSITIVE = frozenset({"buying_signal", "objection_resolved"})


class _Line:
    __slots__ = ("text", "cues", "speaker")

    def __init__(self, text: str, cues: list[str], speaker: str) -> None:
        self.text, self.cues, self.speaker = text, cues, speaker


def assemble(call: Call, header: Header, texts: dict[int, str], spans: dict[str, tuple[int, int, int]],
             provenance: dict[str, Any]) -> RenderedCall:
    cues_on = call.paralinguistics
    moments = {m.turn: m for m in call.moments}
    colour = {x.turn: x for x in call.colour}
    beats: dict[int, list[str]] = {}
    for b in call.beats:
        beats.setdefault(b.turn, []).append(b.kind)
    lines, places = [], []
    for i, pi in enumerate(call.speakers):
        item = (moments.get(i) or colour.get(i)) if cues_on else None  # a moment's cues before colour's
        cues = list(item.cues) if item is not None else []
        at = spans.get(item.id, (0, 0))[1] if cues and item.place == "mid" else 0  # just before its words
        lines.append(_Line(texts[i], cues, call.participants[pi].id))
        places.append([at] * len(cues) if at else [])
    times = timing(lines, call, header)
    turns = []
    for i, (line, (start, end)) in enumerate(zip(lines, times)):
        p = call.participants[call.speakers[i]]
        m = moments.get(i) if cues_on else None
        col = colour.get(i) if cues_on else None
        kinds = beats.get(i, [])
        if m is not None:
            sentiment = "POSITIVE" if m.polarity == "positive" else "NEGATIVE"  # the words', never the divergence
        elif col is not None and col.tone != "neutral":
            sentiment = "POSITIVE" if col.tone == "positive" else "NEGATIVE"
        else:
            neg, pos = any(k in NEGATIVE for k in kinds), any(k in POSITIVE for k in kinds)
            sentiment = "MIXED" if neg and pos else "NEGATIVE" if neg else "POSITIVE" if pos else "NEUTRAL"
        turns.append(fast(Turn, index=i, speaker=p.id, name=p.name, side=p.side, role=p.role, text=line.text,
                          cues=line.cues, cue_at=places[i], start=start, end=end, beats=kinds, moment=m.id if m is not None else None,
                          sentiment=sentiment))
    evidence = []
    for it in O.items(call):
        at = spans.get(it.id)
        if at is None:
            continue
        kind, key = (it.kind, it.id) if it.kind in ("moment", "colour") else (it.kind, it.key)
        evidence.append(fast(Evidence, kind=kind, key=key, turn=at[0], start=at[1], end=at[2]))
    evidence += _signals(call, header, turns)
    evidence.sort(key=lambda e: (e.turn, e.start, e.end))
    return fast(RenderedCall, call_id=call.id, locale=call.locale, turns=turns, evidence=evidence,
                duration=times[-1][1] if times else 0.0, provenance=provenance)


def _signals(call: Call, header: Header, turns: list[Turn]) -> list[Evidence]:
    """Every sentence of the model's words that carries a surface signal, read
    as the audit reads it: the model chose these words, so the renderer labels
    what it got."""
    loc = bank_locale(call.locale)
    rx = names_pattern(competitor_names(header, call))
    extra = {"competitor": rx} if rx is not None else None
    return [fast(Evidence, kind="signal", key=cat, turn=t.index, start=a, end=b)
            for t in turns for cat, a, b in read_signals(loc, t.text, t.side, extra)]
