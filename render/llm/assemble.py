"""A verified answer -> RenderedCall: the model's words, the cues corpusc
places (a moment's cues on its planned turn, when the call has
paralinguistics), the shared timing model, and the evidence of every beat
and moment at the span verification located. Models are built with
`plan.model.fast` (every value is typed here already), as the template
renderer builds its own."""

from __future__ import annotations

from typing import Any

from corpusc.plan.model import Call, Header, fast
from corpusc.render.llm import outline as O
from corpusc.render.model import Evidence, RenderedCall, Turn
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
    beats: dict[int, list[str]] = {}
    for b in call.beats:
        beats.setdefault(b.turn, []).append(b.kind)
    lines = []
    for i, pi in enumerate(call.speakers):
        m = moments.get(i)
        lines.append(_Line(texts[i], list(m.cues) if (m is not None and cues_on) else [], call.participants[pi].id))
    times = timing(lines, call, header)
    turns = []
    for i, (line, (start, end)) in enumerate(zip(lines, times)):
        p = call.participants[call.speakers[i]]
        m = moments.get(i) if cues_on else None
        kinds = beats.get(i, [])
        if m is not None:
            sentiment = "MIXED" if m.divergent else ("POSITIVE" if m.polarity == "positive" else "NEGATIVE")
        else:
            neg, pos = any(k in NEGATIVE for k in kinds), any(k in POSITIVE for k in kinds)
            sentiment = "MIXED" if neg and pos else "NEGATIVE" if neg else "POSITIVE" if pos else "NEUTRAL"
        turns.append(fast(Turn, index=i, speaker=p.id, name=p.name, side=p.side, role=p.role, text=line.text,
                          cues=line.cues, start=start, end=end, beats=kinds, moment=m.id if m is not None else None,
                          sentiment=sentiment))
    evidence = []
    for it in O.items(call):
        at = spans.get(it.id)
        if at is None:
            continue
        kind, key = ("moment", it.id) if it.kind == "moment" else (it.kind, it.key)
        evidence.append(fast(Evidence, kind=kind, key=key, turn=at[0], start=at[1], end=at[2]))
    evidence.sort(key=lambda e: (e.turn, e.start, e.end))
    return fast(RenderedCall, call_id=call.id, locale=call.locale, turns=turns, evidence=evidence,
                duration=times[-1][1] if times else 0.0, provenance=provenance)
