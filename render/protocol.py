"""The Renderer protocol: what turns a planned call into words. A renderer
registers through the `corpusc.renderers` entry-point group (the built-in
template renderer the same way, see render/registry.py) and declares what the
build and `check` need to know about it: its options, the locales it can
write, and a digest of the data it reads so the content hash changes when
that data does."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel

from corpusc.plan.model import Call, Header
from corpusc.render.model import RenderedCall


@runtime_checkable
class Renderer(Protocol):
    """`name` is what `engine NAME` selects; `version` changes when the same
    call and data render differently; `Options` validates the options the
    spec gives it (a pydantic model, extra fields forbidden)."""
    name: ClassVar[str]
    version: ClassVar[str]
    Options: ClassVar[type[BaseModel]]

    def locales(self) -> tuple[str, ...]:
        """The locales this renderer has data for (the template: its complete bank folders)."""
        ...

    def data_locale(self, locale: str) -> str | None:
        """Which of `locales()` a call in `locale` is written from (itself, or
        a fallback the renderer documents, e.g. en-GB from en-US); None when
        it cannot write `locale` (`check` reports E0505)."""
        ...

    def fingerprint(self, locale: str, options: dict[str, Any]) -> str:
        """A digest of every data file rendering a call of `locale` reads."""
        ...

    def render(self, call: Call, header: Header, options: dict[str, Any]) -> RenderedCall:
        """The call's turns, words, cues, timings and evidence; deterministic
        in (call, header, options, data)."""
        ...


# ---- optional capabilities ----------------------------------------------------
# A renderer may do more than write words; the build and the CLI ask for each
# capability by one of these protocols (`isinstance(r, Cached)`), so what a
# renderer can declare is written here, once, with the signature the caller
# uses. The built-in template renderer has none; engine llm has all four.

@runtime_checkable
class Cached(Protocol):
    """Keeps a cache and per-call records under the build's output."""

    def bind(self, out: Path) -> None:
        """The build's output folder, told to every process before it renders."""
        ...

    def manifest_section(self, out: Path, options: dict[str, Any], ids: Iterable[str]) -> dict[str, Any] | None:
        """manifest.json's section for this renderer (engine llm: `llm`), over the calls `ids`."""
        ...


@runtime_checkable
class Prefetching(Protocol):
    """Renders calls ahead, several at a time (requests in flight together)."""

    def prefetch_size(self, options: dict[str, Any]) -> int:
        """How many calls to hand `prefetch` at once."""
        ...

    def prefetch(self, calls: list[Call], header: Header, options: dict[str, Any]) -> None:
        """Render `calls` now; `render` then returns what this kept."""
        ...


@runtime_checkable
class Paid(Protocol):
    """Costs money: `plan` prints its estimate, `check` holds the spec's
    `budget` (E0735), `build` reports what it spent."""

    def estimate(self, calls: Iterable[Call], header: Header, options: dict[str, Any]) -> str:
        """One line for `corpusc plan`."""
        ...

    def over_budget(self, calls: Iterable[Call], header: Header, options: dict[str, Any]) -> str | None:
        """Why the spec's budget is exceeded (None when within it)."""
        ...

    def journal_mark(self, out: Path, options: dict[str, Any]) -> int:
        """Where the spend journal stands before a build."""
        ...

    def usage(self, out: Path, options: dict[str, Any], mark: int) -> str:
        """`corpusc build`'s line: what the build asked for since `mark`."""
        ...


@runtime_checkable
class Batching(Protocol):
    """Can submit its requests as provider batches (`build --batch`, `corpusc batch`)."""

    def batch(self, action: str, calls: Iterable[Call], header: Header, options: dict[str, Any]) -> Any:
        """Submit, poll or collect batches (`action`)."""
        ...

    def batches_recorded(self, options: dict[str, Any]) -> bool:
        ...

    def batches_waiting(self, out: Path, options: dict[str, Any]) -> int:
        """Batches submitted for `out` and not collected yet."""
        ...
