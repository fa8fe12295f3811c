"""The template renderer: phrase banks under stdlib/phrases/<locale>/,
assembled by render/template/engine.py. Which locales it writes, and which
folder a call's locale speaks from, are the banks' own rules
(render/template/banks.py); its data digest is the bytes of every file of that
folder plus the declared keys, so editing a bank re-renders the calls that
speak from it and nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from corpusc.plan.model import Call, Header
from corpusc.render.model import RenderedCall
from corpusc.render.template import banks, lexicon, signals
from corpusc.render.template.memo import files_digest


class TemplateOptions(BaseModel):
    """The template renderer takes no options."""
    model_config = ConfigDict(extra="forbid", frozen=True)


class Template:
    name = "template"
    version = "1"
    Options = TemplateOptions

    def locales(self) -> tuple[str, ...]:
        return tuple(banks.supported_locales())

    def data_locale(self, locale: str) -> str | None:
        try:
            return banks.bank_locale(locale)
        except banks.UnsupportedLocale:
            return None

    def fingerprint(self, locale: str, options: dict[str, Any]) -> str:
        folder = self.data_locale(locale) or locale
        root = lexicon.PHRASES
        return files_digest([root / banks.KEYS_FILE, root / signals.SIGNAL_FILE, *sorted(p for p in (root / folder).rglob("*") if p.is_file())], root)

    def render(self, call: Call, header: Header, options: dict[str, Any]) -> RenderedCall:
        from corpusc.render.template.engine import render_call
        return render_call(call, header)

    def flush(self) -> None:
        """Keep what this process prepared of the banks for the next (render/template/memo.py)."""
        from corpusc.render.template.memo import flush
        flush()
