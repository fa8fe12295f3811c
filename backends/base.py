"""What a backend is: a class with a name, a version, an options model and
`render(call, rendered, ctx) -> artifacts`. Backends are found through the
`corpusc.backends` entry-point group (backends/registry.py), built-ins the
same way; this module imports none of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Iterable, Protocol, runtime_checkable

from pydantic import BaseModel

from corpusc.plan.model import Call, Header
from corpusc.render.model import RenderedCall


@dataclass(frozen=True)
class Artifact:
    path: str  # relative to the output directory, forward slashes
    data: bytes


@dataclass
class Context:
    header: Header
    options: dict[str, dict[str, Any]] = field(default_factory=dict)  # backend -> its validated options
    out: Path | None = None  # the build's output directory (caches live under out/.corpusc)


class OptionError(ValueError):
    """Raised by an options model's validator: `check` shows `message` at the
    option's value with `help` under it (E0503)."""

    def __init__(self, message: str, help: str = "") -> None:
        super().__init__(message)
        self.help = help


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


@runtime_checkable
class Backend(Protocol):
    """`Options` validates `emit NAME { ... }` (a pydantic model, extra
    fields forbidden); `render` gets what it validated in `ctx.options[name]`.

    `render` gets the call and its RenderedCall, or None when no backend of
    the build `needs_text`. A backend that `retimes` runs before the others:
    its `retime` returns its artifacts and the RenderedCall with real timings
    that the others then see. `finish` runs once at the end of a full build
    with every call in plan order, for files that span the corpus. Subclass
    it to inherit these defaults."""
    name: ClassVar[str]
    version: ClassVar[str]
    Options: ClassVar[type[BaseModel]]
    needs_text: ClassVar[bool] = True
    retimes: ClassVar[bool] = False

    def render(self, call: Call, rendered: RenderedCall | None, ctx: Context) -> list[Artifact]: ...

    def retime(self, call: Call, rendered: RenderedCall | None,
               ctx: Context) -> tuple[list[Artifact], RenderedCall]:
        raise NotImplementedError(f"{self.name} does not retime")

    def finish(self, calls: Iterable[Call], ctx: Context) -> dict[str, Iterable[bytes]]:
        """Corpus-wide files: path (relative to the output directory) -> the
        file's bytes in chunks, written atomically as they come; none by default."""
        return {}
