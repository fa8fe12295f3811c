"""What the transcript engine produces for one call, before any file format:
the turns with their words, inline cues and timings, plus the evidence of each
planned beat and moment as character ranges in the turn text.

Every format (txt, json, vtt, srt, gong, aws) and the ground truth are written
from this one model, so they cannot disagree.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class M(BaseModel):
    model_config = ConfigDict(frozen=True)


_new = object.__new__
_set = object.__setattr__


def whole(cls: type[M], fields: dict[str, Any]) -> Any:
    """`plan.model.fast(cls, **fields)` when `fields` holds every field of
    `cls` in declaration order (a call's turns and evidence, built in bulk
    from typed values): no defaults to merge, no copy of the dict."""
    m = _new(cls)
    _set(m, "__dict__", fields)
    _set(m, "__pydantic_fields_set__", set(fields))
    _set(m, "__pydantic_extra__", None)
    _set(m, "__pydantic_private__", None)
    return m


class Evidence(M):
    """A planned item realized in a turn: `text[start:end]` of that turn is the quote."""
    kind: str  # a beat kind (objection_raised, buying_signal, ...), "moment", or "signal"
    key: str | None = None  # objection type, competitor name, moment id, a signal's category, ...
    turn: int
    start: int  # character offsets into Turn.text
    end: int


class Disfluency(M):
    """A filler ("um", "äh") or a false start ("We— we") the renderer wrote
    into a turn: `text[start:end]` of that turn. One the dynamics inserted
    is never inside an Evidence span; a filler the sentence was drawn with
    ("Tja, ich…", a persona's "Hm, let me think") may be (`inserted` false)."""
    kind: str  # filler | false_start
    start: int
    end: int
    inserted: bool = True  # put in by the dynamics; false: part of the words drawn for the sentence


class Turn(M):
    index: int
    speaker: str  # participant id
    name: str  # display name
    side: str  # seller | buyer
    role: str = ""
    text: str  # the words only, no annotations
    cues: list[str] = []  # inline annotations in order, e.g. ["2.1s pause", "hesitant"]
    cue_at: list[int] = []  # per cue, the offset in `text` it is written before; empty: all at the start
    start: float = 0.0  # seconds from the call start
    end: float = 0.0
    beats: list[str] = []  # beat kinds realized in this turn
    moment: str | None = None  # id of the annotated moment realized in this turn
    sentiment: str = "NEUTRAL"  # POSITIVE | NEUTRAL | NEGATIVE | MIXED: the words' polarity (AWS), never the divergence
    # conversational dynamics (render/template/dynamics.py, render/timing.py)
    gap: float = 0.0  # seconds of silence before the turn (a pause cue's seconds included; 0 when it overlaps)
    overlap: float = 0.0  # seconds the turn starts before the turn it talks over ends
    overlaps: int | None = None  # index of the turn it talks over (an interruption or a backchannel)
    backchannel: bool = False  # a short listener turn ("mm-hm"); with `overlaps`, said over the other speaker
    interjection: bool = False  # a backchannel the speaker it goes over breaks off at (and resumes after)
    disfluencies: list[Disfluency] = []  # fillers and false starts, as character ranges of `text`
    questions: int = 0  # questions the renderer wrote into this turn (behavioral ground truth)

    def placed(self) -> list[tuple[str, int]]:
        """Each cue with the offset in `text` it is written before (0: the turn's start)."""
        return list(zip(self.cues, self.cue_at or [0] * len(self.cues)))


class RenderedCall(M):
    call_id: str
    locale: str
    turns: list[Turn]
    evidence: list[Evidence] = []
    duration: float = 0.0
    # how the words were produced, when that is more than the renderer's name:
    # the LLM renderer's model, requests and tokens, or a fallback with its reason
    provenance: dict[str, Any] = {}
