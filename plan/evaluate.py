"""The requirements evaluated on the plan (one streamed pass), the half of
the checks that needs the plan: failures and the divergence quota's
placement are reported as diagnostics."""

from __future__ import annotations

from corpusc.compiler.driver import Compiled
from corpusc.diagnostics.model import Sink
from corpusc.plan import planner as planmod


def evaluate_plan(compiled: Compiled, sink: Sink, header=None, where=None):
    """Evaluate the requirements on the plan in one streamed pass, report the
    failures, and warn when the divergence quota cannot be placed. The calls
    are planned only when some requirement needs them; else only the
    accounts' moments are (how many diverge). `header`: the
    plan's header if the caller has it (a large spec's takes a second);
    `where`: `divergence_span(compiled)`, if the caller dropped the syntax tree.
    The header is made only when a requirement needs it."""
    from corpusc.plan.requirements import evaluate, report_failures
    prog = compiled.program
    shared = {a.name for a in prog.accounts if a.divergence is None}
    realized = 0

    def counted(calls):
        nonlocal realized
        for c in calls:
            if c.account in shared:
                realized += sum(m.divergent for m in c.moments)
            yield c

    quota = planmod.divergent_quotas(prog)
    if prog.requirements:
        header = header or planmod.header(prog, compiled.spec_hash)
        stream = counted(planmod.calls(prog))
        results = evaluate(prog, header, stream)
        for _ in stream:
            pass
    else:  # only the divergent moments are counted: the accounts are planned as far as their moments
        results = []  # no requirement to evaluate
        realized = sum(planmod.divergent_count(prog, a, quota.get(a.name, planmod.NO_QUOTA)) for a in prog.accounts
                       if a.name in shared)
    report_failures(results, sink)
    want = sum(quota[a].total for a in shared if a in quota)
    if realized < want:
        sink.add("E0409", f"only {realized} of the {want} divergent moments that {prog.corpus.divergence * 100:g}% "
                 f"asks for can be placed", where or divergence_span(compiled),
                 label="too few moments with positive words",
                 help="divergent moments need positive words (not an objection being raised); "
                      "add calls with `paralinguistics on` or more `moments`")
    return results


def divergence_span(compiled: Compiled):
    """Where the spec sets `divergence` (else the corpus name), for E0409."""
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
