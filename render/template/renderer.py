"""The template renderer: phrase banks under stdlib/phrases/<locale>/,
assembled by render/template/engine.py. Its data digest is the bytes of every
file of the call's locale folder, so editing a bank re-renders that locale's
calls and nothing else."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from corpusc.compiler.paths import STDLIB
from corpusc.plan.model import Call, Header
from corpusc.render.model import RenderedCall

PHRASES = STDLIB / "phrases"


class TemplateOptions(BaseModel):
    """The template renderer takes no options."""
    model_config = ConfigDict(extra="forbid", frozen=True)


class Template:
    name = "template"
    version = "1"
    Options = TemplateOptions

    def locales(self) -> tuple[str, ...]:
        return _locales(PHRASES)

    def fingerprint(self, locale: str, options: dict[str, Any]) -> str:
        return _digest(PHRASES / locale)

    def render(self, call: Call, header: Header, options: dict[str, Any]) -> RenderedCall:
        from corpusc.render.template.engine import render_call
        return render_call(call, header)


@lru_cache(maxsize=None)
def _locales(root: Path) -> tuple[str, ...]:
    """The folders of `root` that hold at least one bank (a .json file)."""
    if not root.is_dir():
        return ()
    return tuple(sorted(d.name for d in root.iterdir() if d.is_dir() and any(d.glob("*.json"))))


def _digest(folder: Path) -> str:
    """sha256 over the sorted relative paths and bytes of every file under `folder`."""
    h = hashlib.sha256()
    files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    for p in files:
        rel = p.relative_to(folder).as_posix().encode()
        data = p.read_bytes()
        h.update(len(rel).to_bytes(8, "big") + rel + len(data).to_bytes(8, "big") + data)
    return h.hexdigest()
