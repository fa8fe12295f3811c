"""One call that runs the compiler front to back: load -> check -> program."""

from __future__ import annotations

import gc
import hashlib
from dataclasses import dataclass

from corpusc.compiler import program as P
from corpusc.compiler.check import check
from corpusc.diagnostics.model import Sink
from corpusc.compiler.resolve import Loaded, load


def spec_hash(sources: dict[str, str]) -> str:
    """The hash of the spec and every module it uses, by content only: the same
    spec built from another directory (another relative path) has the same hash."""
    h = hashlib.sha256()
    for digest in sorted(hashlib.sha256(t.encode()).hexdigest() for t in sources.values()):
        h.update(digest.encode())
    return h.hexdigest()


@dataclass
class Compiled:
    loaded: Loaded
    program: P.Program | None
    spec_hash: str

    @property
    def sources(self) -> dict[str, str]:
        return self.loaded.sources

    def drop_syntax(self) -> None:
        """Let go of the AST once the program is checked and every diagnostic
        that points into the syntax is out: a build renders from the program
        and the sources (the AST of a 10,000-call spec is some 60 MB)."""
        self.loaded.modules = []
        self.loaded.root = None


def compile_file(path: str, sink: Sink, text: str | None = None, keep: bool = False) -> Compiled:
    """Compile a spec. The cyclic garbage collector is paused meanwhile: the AST
    is tens of thousands of small acyclic objects, and collection passes over
    them would double the time of a large spec for nothing. `keep`: the caller
    holds what was compiled until it exits (the executable), so it is frozen
    out of the collector before that resumes; otherwise the first collection
    scans every object made here (4 s for the 3 million objects of a 4.6 MB
    spec)."""
    was = gc.isenabled()
    gc.disable()
    try:
        return _compile(path, sink, text)
    finally:
        if was:
            if keep:
                gc.freeze()
            gc.enable()


def _compile(path: str, sink: Sink, text: str | None) -> Compiled:
    loaded = load(path, sink, text=text)
    prog = None
    if loaded.root is not None and not any(d.severity == "error" and d.code in _FATAL for d in sink.items):
        prog = check(loaded, sink)
    return Compiled(loaded=loaded, program=prog, spec_hash=spec_hash(loaded.sources))


_FATAL = {"E0003", "E0005", "E0902", "E0004"}
