"""Imports: load the root spec and every module it `use`s, depth first, with
cycles, missing files and non-.corpus files reported at the `use` line.

`stdlib.core` (stages, sizes, outcomes) is loaded for every spec.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from corpusc.compiler import cache
from corpusc.compiler import nodes as n
from corpusc.diagnostics.model import Sink, Span
from corpusc.compiler.parse import decode, is_blank
from corpusc.compiler.paths import STDLIB
from corpusc.compiler.schema import did_you_mean
from corpusc.compiler.transform import parse_module

PRELUDE = "stdlib.core"


@dataclass
class Loaded:
    """Every module of one compilation, in dependency order (imports first)."""
    root: n.Module | None
    modules: list[n.Module] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # display name -> text
    stdlib_files: set[str] = field(default_factory=set)


def stdlib_modules() -> list[str]:
    out = []
    for p in sorted(STDLIB.rglob("*.corpus")):
        rel = p.relative_to(STDLIB).with_suffix("")
        out.append("stdlib." + ".".join(rel.parts))
    return out


def _stdlib_path(module: str) -> Path:
    return STDLIB.joinpath(*module.split(".")[1:]).with_suffix(".corpus")


def load(path: str, sink: Sink, text: str | None = None) -> Loaded:
    """Load `path` (or the given text under that name) and its imports."""
    out = Loaded(root=None)
    done: dict[str, n.Module | None] = {}
    stack: list[str] = []

    def read(display: str, real: Path, at: Span | None) -> str | None:
        try:
            data = real.read_bytes()
        except IsADirectoryError:
            sink.add("E0902", f"`{display}` is a directory, not a spec file", at or Span.point(display))
            return None
        except OSError as e:
            if at is None:
                sink.add("E0902", f"cannot read `{display}`: {e.strerror or e}", Span.point(display),
                         help="check the path")
            else:
                sink.add("E0101", f"imported file `{display}` not found", at,
                         label="no such file", help="paths in `use` are relative to the importing file")
            return None
        return decode(display, data, sink)

    def visit(key: str, display: str, real: Path | None, at: Span | None,
              given: str | None = None, stdlib: bool = False) -> n.Module | None:
        if key in stack:
            cycle = stack[stack.index(key):] + [key]
            if at is None:
                return None  # the prelude importing itself when it is checked as the root
            sink.add("E0102", "import cycle: " + " -> ".join(_short(k) for k in cycle), at,
                     label="this import closes the cycle",
                     help="move the shared declarations into a module that both import")
            return None
        if key in done:
            return done[key]
        src = given if given is not None else read(display, real, at)
        if src is None:
            done[key] = None
            return None
        out.sources[display] = src
        if stdlib:
            out.stdlib_files.add(display)
        if is_blank(src):
            if at is None:
                sink.add("E0004", "the spec is empty", Span.point(display),
                         help="declare at least `corpus NAME { seed 1 }`")
            done[key] = n.Module(file=display, items=[])
            return done[key]
        module = cache.get(display, src)
        if module is None:
            before = len(sink.items)
            module = parse_module(display, src, sink) or n.Module(file=display, items=[])
            if len(sink.items) == before:
                cache.put(display, src, module)
        for what, span, where in getattr(module, "misplaced", ()):
            sink.add("E0206", f"{what} cannot appear in {where}", span, label="not allowed here",
                     help="move it into the block it belongs to (see docs/language.md)")
        stack.append(key)
        imports = ([] if stdlib and key.endswith("core.corpus") else
                   [(PRELUDE, None)]) + [(u, u.span) for u in module.items if isinstance(u, n.UseDecl)]
        for use, span in imports:
            if isinstance(use, str):
                _visit_stdlib(use, span)
            elif use.is_path:
                _visit_path(display, real, use)
            else:
                _visit_stdlib(use.module, use.target.span)
        stack.pop()
        done[key] = module
        out.modules.append(module)
        return module

    def _visit_stdlib(module: str, at: Span | None) -> None:
        parts = module.split(".")
        if parts[0] != "stdlib" or not _stdlib_path(module).is_file():
            known = stdlib_modules()
            sink.add("E0104", f"unknown module `{module}`", at or Span.point("<prelude>"),
                     label="not in the standard library",
                     help=did_you_mean(module, known) or "stdlib modules: " + ", ".join(known))
            return
        real = _stdlib_path(module)
        display = "stdlib/" + "/".join(parts[1:]) + ".corpus"
        visit(str(real), display, real, at, stdlib=True)

    def _visit_path(importer_display: str, importer_real: Path | None, use: n.UseDecl) -> None:
        rel = use.module
        if not rel.endswith(".corpus"):
            sink.add("E0103", f"`{rel}` is not a .corpus file", use.target.span,
                     label="only .corpus modules can be imported",
                     help="name a .corpus file, e.g. use \"./team/reps.corpus\"")
            return
        base_real = importer_real.parent if importer_real else Path(".")
        real = (base_real / rel).resolve()
        display = os.path.normpath(os.path.join(os.path.dirname(importer_display), rel))
        visit(str(real), display, real, use.target.span)

    real_root = Path(path).resolve() if text is None else Path(path).resolve()
    out.root = visit(str(real_root), path, real_root, None, given=text)
    return out


def _short(key: str) -> str:
    try:
        return os.path.relpath(key)
    except ValueError:  # pragma: no cover - other drive on Windows
        return key
