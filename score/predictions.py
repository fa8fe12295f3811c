"""The predictions format a pipeline writes for `corpusc score`: one JSON
object per call (a JSONL file, or a folder of `<call_id>.json` files), its
schema in specs/predictions.schema.json (generated from these models by
`python -m corpusc.score.predictions`)."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION = 1


class M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Span(M):
    """Where a prediction points, in any one unit the build emitted:
    `turn` (0-based, as in every transcript format), or `turns` (an inclusive
    range); `start`/`end` character offsets in the `in` file (`txt`: the whole
    txt transcript, as ground truth counts; `turn`: within `turn`'s text, as
    the json transcript holds it; `vtt`/`srt`: the subtitle file); `time`:
    seconds from the call start `[from, to]` (any format's timings); `quote`:
    words of the call, found in the txt transcript (with `turn`, in that turn)."""
    turn: int | None = Field(None, ge=0)
    turns: tuple[int, int] | None = None
    start: int | None = Field(None, ge=0)
    end: int | None = Field(None, ge=0)
    in_: Literal["txt", "turn", "vtt", "srt"] | None = Field(None, alias="in")
    time: tuple[float, float] | None = None
    quote: str | None = Field(None, min_length=1)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _one_unit(self) -> "Span":
        given = frozenset(k for k in ("turn", "turns", "start", "end", "in", "time", "quote")
                          if getattr(self, "in_" if k == "in" else k) is not None)
        shape = _SHAPES.get(given)
        if shape is None or (shape and self.in_ not in shape):
            raise ValueError("a span is one of {turn}, {turns: [first, last]}, {turn, start, end, in: turn}, "
                             "{start, end, in: txt|vtt|srt}, {time: [from, to]}, {quote} or {quote, turn}; "
                             f"got {{{', '.join(sorted(given))}}}")
        if self.end is not None and self.end < self.start:
            raise ValueError("`end` is before `start`")
        if self.turns is not None and (self.turns[1] < self.turns[0] or self.turns[0] < 0):
            raise ValueError("`turns` is an inclusive range [first, last] of turn indices")
        if self.time is not None and (self.time[1] < self.time[0] or self.time[0] < 0):
            raise ValueError("`time` is [from, to] in seconds from the call start")
        return self


# the key sets a span may have -> the `in` values allowed with them (empty: no `in`)
_SHAPES: dict[frozenset, tuple[str, ...]] = {
    frozenset({"turn"}): (), frozenset({"turns"}): (), frozenset({"time"}): (),
    frozenset({"quote"}): (), frozenset({"quote", "turn"}): (),
    frozenset({"turn", "start", "end", "in"}): ("turn",),
    frozenset({"start", "end", "in"}): ("txt", "vtt", "srt"),
}


class Signal(M):
    layer: Literal["surface", "behavioral"]
    category: str = Field(min_length=1)
    speaker: str = Field(min_length=1, description="participant id, as in the transcript's json")
    span: Span
    confidence: float | None = Field(None, ge=0, le=1)


class Objection(M):
    """An objection-resolution-outcome triple: the objection's type, how the
    seller answered it in this call, and where it stood when the call ended."""
    objection: str = Field(min_length=1)
    resolution: Literal["addressed", "unaddressed", "none"] = "none"
    outcome: Literal["resolved", "stalled", "open", "unaddressed", "addressed"] = "open"
    span: Span | None = None


class Persona(M):
    participant: str = Field(min_length=1)
    persona: str = Field(min_length=1)
    confidence: float | None = Field(None, ge=0, le=1)


class Divergence(M):
    span: Span
    speaker: str | None = None
    confidence: float | None = Field(None, ge=0, le=1)


class CallPrediction(M):
    """One call's predictions; every list may be empty, every field may be absent
    (an absent field is not scored; an empty list is scored as "found none")."""
    call_id: str = Field(min_length=1)
    signals: list[Signal] | None = None
    objections: list[Objection] | None = None
    personas: list[Persona] | None = None
    divergence: list[Divergence] | None = None
    deal_outcome: Literal["won", "lost", "stalled", "open"] | None = None
    fields: dict[str, Any] | None = None


def schema() -> dict[str, Any]:
    doc = CallPrediction.model_json_schema(by_alias=True)
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    doc["$id"] = "https://corpusc.example.org/specs/predictions.schema.json"
    doc["title"] = "corpusc predictions (one call)"
    return doc


if __name__ == "__main__":
    print(json.dumps(schema(), indent=2, ensure_ascii=False))
