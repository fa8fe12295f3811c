"""Backends: small classes with a name, a version, options, and
`render(call, rendered, ctx) -> artifacts`. Built-ins are listed here; third
parties register through the `corpusc.backends` entry-point group."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from corpusc.plan.model import Call, Header

from corpusc.render.model import RenderedCall


@dataclass(frozen=True)
class Artifact:
    path: str  # relative to the output directory, forward slashes
    data: bytes


@dataclass
class Context:
    header: Header
    options: dict[str, dict[str, Any]] = field(default_factory=dict)  # backend -> options
    out: Path | None = None  # the build's output directory (caches live under out/.corpusc)


class BackendError(Exception):
    """A backend's failure as a diagnostic: a registered code, a message and a
    help line. `corpusc build` shows it against the spec's `emit BACKEND` line
    and exits non-zero, even when it is raised in a worker process."""

    def __init__(self, backend: str, code: str, message: str, help: str = "") -> None:
        super().__init__(message)
        self.backend, self.code, self.message, self.help = backend, code, message, help

    def __reduce__(self):  # crosses the process pool
        return (BackendError, (self.backend, self.code, self.message, self.help))

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"

    def diagnostic(self, file: str, sources: dict[str, str] | None = None):
        import re

        from corpusc.diagnostics.model import Sink, Span
        span = Span.point(file)
        text = (sources or {}).get(file)
        m = re.search(rf"^[ \t]*emit[ \t]+{re.escape(self.backend)}\b", text or "", re.M)
        if m:
            line = text.count("\n", 0, m.start()) + 1
            col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
            span = Span.point(file, line, col, m.start())
        return Sink().add(self.code, self.message, span, help=self.help)


class Backend(Protocol):
    """`render` gets the call and its rendered turns (None when no backend of
    the build sets `needs_text`, the default being True). A backend may instead
    define `retime(call, rendered, ctx) -> (artifacts, rendered)`: it runs
    before the others and the RenderedCall it returns (with real timings)
    is what they see."""
    name: str
    version: str

    def render(self, call: Call, rendered: RenderedCall | None, ctx: Context) -> list[Artifact]: ...


def builtin() -> dict[str, Backend]:
    from corpusc.backends.audio.backend import Audio
    from corpusc.backends.ground_truth import GroundTruth
    from corpusc.backends.sa import Sa
    from corpusc.backends.transcripts import Transcripts
    from corpusc.backends.vcp import Vcp
    return {b.name: b for b in (Transcripts(), GroundTruth(), Vcp(), Audio(), Sa())}


def available() -> dict[str, Backend]:
    """Built-ins plus entry-point backends (loaded only when asked for)."""
    out = builtin()
    from corpusc.backends.options import third_party_backends
    for name, ep in third_party_backends().items():
        if name not in out:
            out[name] = ep.load()()
    return out
