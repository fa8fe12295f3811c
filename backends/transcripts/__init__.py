"""The transcripts backend: the renderer's turns, written in every format the
spec asks for (`emit transcripts { formats [...] }`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from corpusc.plan.model import Call

from corpusc.backends.base import Artifact, Backend, Context
from corpusc.render.model import RenderedCall

DEFAULT_FORMATS = ["txt", "json"]
Format = Literal["txt", "json", "vtt", "zoom_vtt", "srt", "gong", "aws_call_analytics", "dialogue"]


class TranscriptsOptions(BaseModel):
    """`emit transcripts { ... }`. `engine` names the renderer (a name of the
    `corpusc.renderers` group, checked against it; default: the corpus `engine`).
    No other option: one the backend would not honour is refused, not ignored."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    formats: list[Format] = DEFAULT_FORMATS
    engine: str | None = None


class Transcripts(Backend):
    name = "transcripts"
    version = "1"
    Options = TranscriptsOptions

    def render(self, call: Call, rendered: RenderedCall, ctx: Context) -> list[Artifact]:
        from corpusc.backends.transcripts.formats import COMPANIONS, FORMATS
        opts = ctx.options.get("transcripts", {})
        out = []
        for fmt in opts.get("formats") or DEFAULT_FORMATS:
            ext, fn = FORMATS[fmt]
            out.append(Artifact(f"transcripts/{call.id}{ext}", fn(call, rendered).encode("utf-8")))
            out.extend(Artifact(f"transcripts/{call.id}{x}", f(call, rendered).encode("utf-8"))
                       for x, f in COMPANIONS.get(fmt, []))
        return out
