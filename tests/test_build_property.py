"""Any spec the compiler accepts builds without error and verifies clean:
hypothesis writes small random specs (accounts, stakeholders of every stdlib
persona, calls of every stage and length, paralinguistics, arcs, competitors,
buying signals) and each one is built and verified in a temporary directory."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpusc.builder.executor import build
from corpusc.builder.verify import verify
from corpusc.diagnostics.model import Sink
from corpusc.builder.compile import compile_spec

PERSONAS = ["analytical_evaluator", "executive_champion", "reluctant_adopter", "technical_gatekeeper",
            "budget_guardian", "busy_skeptic", "status_quo_defender"]
OBJECTIONS = ["pricing", "implementation", "competition", "risk", "timeline", "authority", "need"]
STAGES = ["discovery", "evaluation", "negotiation", "close"]
LENGTHS = ["short", "medium", "long", "5 min", "12 turns"]


@st.composite
def specs(draw) -> str:
    out = ['corpus gen {\n  seed %d\n  starts 2026-03-02\n  divergence %d%%\n}\n' % (
        draw(st.integers(0, 10_000)), draw(st.sampled_from([0, 20, 30, 50])))]
    out.append("use stdlib.personas\nuse stdlib.objections\nuse stdlib.industries\n")
    out.append('rep ro "Robin Ortiz" {\n  title "Account Executive"\n}\n')
    for a in range(draw(st.integers(1, 3))):
        n_st = draw(st.integers(1, 3))
        n_calls = draw(st.integers(1, 3))
        stages = sorted(draw(st.lists(st.sampled_from(STAGES), min_size=n_calls, max_size=n_calls)),
                        key=STAGES.index)
        outcome = "won" if stages[-1] == "close" and draw(st.booleans()) else draw(st.sampled_from(["lost", "stalled"]))
        body = [f'account a{a} "Account {a}" {{', "  size smb", "  industry retail", f"  outcome {outcome}",
                '  competitors ["Parley"]']
        for s in range(n_st):
            body.append(f'  stakeholder s{a}{s} "Sam Lee{s}" {{ role "Director" persona '
                        f'{draw(st.sampled_from(PERSONAS))} }}')
        for c in range(n_calls):
            who = ", ".join(f"s{a}{s}" for s in range(n_st) if s == 0 or draw(st.booleans()))
            body += [f"  call c{c} on day {c * 7} {{", f"    stage {stages[c]}",
                     f"    length {draw(st.sampled_from(LENGTHS))}", f"    with ro, {who}"]
            if draw(st.booleans()):
                body.append("    paralinguistics on")
            if draw(st.booleans()):
                body.append('    mentions competitor "Parley"')
            if stages[c] in ("evaluation", "negotiation") or draw(st.booleans()):
                body.append(f'    buying_signal by s{a}0 "asks about the rollout"')
            body.append("  }")
        if draw(st.booleans()):
            last = n_calls - 1
            end = "resolved at c%d" % last if outcome == "won" else draw(st.sampled_from(
                ["stalled", "resolved at c%d" % last, "unaddressed at c%d" % last]))
            body.append(f"  arc {draw(st.sampled_from(OBJECTIONS))} by s{a}0: raised at c0 -> {end}")
        body.append("}")
        out.append("\n".join(body) + "\n")
    out.append("emit transcripts {\n  formats [txt, json, vtt, srt, gong, aws_call_analytics, zoom_vtt]\n}\n"
               "emit ground_truth\n")
    return "\n".join(out)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(text=specs())
def test_accepted_specs_build_and_verify(text, tmp_path_factory):
    d = tmp_path_factory.mktemp("prop")
    spec = d / "gen.corpus"
    spec.write_text(text)
    sink = Sink()
    compiled = compile_spec(str(spec), sink)
    assert compiled.program is not None and not sink.errors, [d.message for d in sink.errors]
    out = d / "out"
    res = build(compiled, str(spec), out, jobs=1)
    assert res.rendered == sum(len(a.calls) for a in compiled.program.accounts)
    vsink = Sink()
    verify(Path(out), vsink)
    assert not vsink.errors, [f"{x.code} {x.message}" for x in vsink.errors[:5]]
