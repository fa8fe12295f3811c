"""The transcripts backend: the template engine's turns, written in every
format the spec asks for (`emit transcripts { formats [...] }`)."""

from __future__ import annotations

from corpusc.plan.model import Call

from corpusc.backends.base import Artifact, Context
from corpusc.render.model import RenderedCall

DEFAULT_FORMATS = ["txt", "json"]


class Transcripts:
    name = "transcripts"
    version = "1"

    def render(self, call: Call, rendered: RenderedCall, ctx: Context) -> list[Artifact]:
        from corpusc.backends.transcripts.formats import FORMATS
        opts = ctx.options.get("transcripts", {})
        out = []
        for fmt in opts.get("formats") or DEFAULT_FORMATS:
            if fmt not in FORMATS:
                continue
            ext, fn = FORMATS[fmt]
            out.append(Artifact(f"transcripts/{call.id}{ext}", fn(call, rendered).encode("utf-8")))
        return out
