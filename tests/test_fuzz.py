"""Fuzzing the front end: mutated examples never raise, and every diagnostic
they produce has a valid range inside the file."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpusc.plan import planner as planmod
from corpusc.diagnostics.model import Sink
from corpusc.compiler.driver import compile_file
from corpusc.plan.requirements import evaluate, report_failures

from .conftest import EXAMPLES

SOURCES = {p.name: p.read_text() for p in sorted(EXAMPLES.glob("*.corpus"))}
TOKEN = re.compile(r'"[^"\n]*"|\S+')
GARBAGE = ["{", "}", "[", "]", "(", ")", ",", ":", "..", "->", "%", '"', "#", "\x00", "\ufeff", "é",
           "account", "call", "on day", "stakeholder x {", "require", "arc p by x:", "population p {",
           "field f: normal(mean 1, sd 0)", "weights {", "100%", "-1", "99999999999999999999", "\t", "\n"]


def mutate(text: str, data) -> str:
    lines = text.split("\n")
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["del_line", "dup_line", "swap_lines", "del_tok", "dup_tok",
                                        "swap_tok", "garbage"]))
        if not lines:
            break
        i = data.draw(st.integers(0, len(lines) - 1))
        if op == "del_line":
            del lines[i]
        elif op == "dup_line":
            lines.insert(i, lines[i])
        elif op == "swap_lines":
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            toks = TOKEN.findall(lines[i])
            if op == "garbage":
                toks.insert(data.draw(st.integers(0, len(toks))), data.draw(st.sampled_from(GARBAGE)))
            elif toks:
                k = data.draw(st.integers(0, len(toks) - 1))
                if op == "del_tok":
                    del toks[k]
                elif op == "dup_tok":
                    toks.insert(k, toks[k])
                else:
                    m = data.draw(st.integers(0, len(toks) - 1))
                    toks[k], toks[m] = toks[m], toks[k]
            lines[i] = "  " + " ".join(toks)
    return "\n".join(lines)


def check_text(name: str, text: str) -> Sink:
    sink = Sink()
    c = compile_file(name, sink, text=text)
    if c.program is not None and not [d for d in sink.items if d.severity == "error"]:
        h = planmod.header(c.program, c.spec_hash)
        report_failures(evaluate(c.program, h, planmod.calls(c.program)), sink)
    return sink


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(n for n in SOURCES if n != "hvac_60d.corpus")), data=st.data())
def test_mutated_examples_never_raise(name, data):
    text = mutate(SOURCES[name], data)
    sink = check_text(name, text)
    nlines = text.count("\n") + 2
    for d in sink.items:
        s = d.span
        if s.file != name:
            continue  # a stdlib module
        assert 1 <= s.start.line <= nlines and 1 <= s.start.column
        assert (s.start.line, s.start.column) <= (s.end.line, s.end.column)
        assert 0 <= s.start.offset <= s.end.offset <= len(text) + 1
        assert d.code and d.message


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_arbitrary_text_never_raises(text):
    sink = check_text("random.corpus", text)
    for d in sink.items:
        assert d.span.start.line >= 1 and d.span.start.column >= 1
