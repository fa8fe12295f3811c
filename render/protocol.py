"""The Renderer protocol: what turns a planned call into words. A renderer
registers through the `corpusc.renderers` entry-point group (the built-in
template renderer the same way, see render/registry.py) and declares what the
build and `check` need to know about it: its options, the locales it can
write, and a digest of the data it reads so the content hash changes when
that data does."""

from __future__ import annotations

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
