"""Backends: small classes with a name, a version, options, and
`render(call, rendered, ctx) -> artifacts`. Built-ins are listed here; third
parties register through the `corpusc.backends` entry-point group."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from corpusc.compiler.plan_model import Call, Header

from .rendered import RenderedCall


@dataclass(frozen=True)
class Artifact:
    path: str  # relative to the output directory, forward slashes
    data: bytes


@dataclass
class Context:
    header: Header
    options: dict[str, dict[str, Any]] = field(default_factory=dict)  # backend -> options


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
    from .audio.backend import Audio
    from .ground_truth import GroundTruth
    from .sa import Sa
    from .transcripts import Transcripts
    from .vcp import Vcp
    return {b.name: b for b in (Transcripts(), GroundTruth(), Vcp(), Audio(), Sa())}


def available() -> dict[str, Backend]:
    """Built-ins plus entry-point backends (loaded only when asked for)."""
    out = builtin()
    from .options import third_party_backends
    for name, ep in third_party_backends().items():
        if name not in out:
            out[name] = ep.load()()
    return out
