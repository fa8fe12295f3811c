"""One call that runs the compiler front to back: load -> check -> program."""

from __future__ import annotations

import gc
from dataclasses import dataclass

from corpusc.compiler import program as P
from corpusc.compiler.check import check
from corpusc.diagnostics.model import Sink
from corpusc.plan.planner import spec_hash
from corpusc.compiler.resolve import Loaded, load


@dataclass
class Compiled:
    loaded: Loaded
    program: P.Program | None
    spec_hash: str

    @property
    def sources(self) -> dict[str, str]:
        return self.loaded.sources


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


def evaluate_plan(compiled: Compiled, sink: Sink):
    """Evaluate the requirements on the plan in one streamed pass, report the
    failures, and warn when the divergence quota cannot be placed. Population
    calls are streamed only when some requirement needs them."""
    from corpusc.plan import planner as planmod
    from corpusc.plan.requirements import evaluate, report_failures
    prog = compiled.program
    header = planmod.header(prog, compiled.spec_hash)
    shared = {a.name for a in prog.accounts if a.divergence is None}
    realized = 0

    def counted(calls):
        nonlocal realized
        for c in calls:
            if c.account in shared:
                realized += sum(m.divergent for m in c.moments)
            yield c

    stream = counted(planmod.calls(prog) if prog.requirements else planmod.sales_calls(prog))
    results = evaluate(prog, header, stream)
    for _ in stream:  # without requirements, still count every sales call
        pass
    report_failures(results, sink)
    quota = planmod.divergent_quotas(prog)
    want = sum(quota.get(a, 0) for a in shared)
    if realized < want:
        sink.add("E0409", f"only {realized} of the {want} divergent moments that {prog.corpus.divergence * 100:g}% "
                 f"asks for can be placed", _divergence_span(compiled),
                 label="too few moments with positive words",
                 help="divergent moments need positive words (not an objection being raised); "
                      "add calls with `paralinguistics on` or more `moments`")
    return results


def _divergence_span(compiled: Compiled):
    from corpusc.compiler import nodes as n
    from corpusc.diagnostics.model import Span
    root = compiled.loaded.root
    for it in root.items:
        if isinstance(it, n.CorpusDecl):
            for p in it.props:
                if p.name.value == "divergence":
                    return p.span
            return it.name.span
    return Span.point(root.file)
