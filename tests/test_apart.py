"""builder.apart: a build compiles in a forked child, whose memory ends with
it, and takes the program back pickled a chunk of accounts at a time."""

from __future__ import annotations

import os
import sys

import pytest

from corpusc.builder.apart import CHUNK, apart, dump_program, load_program
from corpusc.builder.compile import compile_spec
from corpusc.diagnostics.model import Sink
from corpusc.plan import planner as planmod
from corpusc.plan.evaluate import evaluate_plan

from .conftest import ROOT

fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this system")


def _generated(calls: int):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from gen_spec import sales_spec
    sink = Sink()
    c = compile_spec("gen.corpus", sink, text=sales_spec(calls))
    assert not sink.errors
    return c


def _boom():
    raise ValueError("from the child")


@fork
def test_apart_runs_in_another_process_and_raises_what_it_raised(monkeypatch):
    monkeypatch.delenv("CORPUSC_DEBUG", raising=False)
    assert apart(os.getpid) != os.getpid()
    with pytest.raises(ValueError, match="from the child"):
        apart(_boom)


def test_program_round_trips_in_chunks():
    c = _generated(3 * (2 * CHUNK + 5))  # three chunks of accounts
    prog = c.program
    back = load_program(dump_program(prog))
    assert len(back.accounts) == len(prog.accounts) == 2 * CHUNK + 5
    assert back == prog
    assert [x.id for x in planmod.calls(back)] == [x.id for x in planmod.calls(prog)]


def test_evaluating_a_sales_plan_holds_no_calls():
    """The requirement pass (and the divergence count) of a build streams the
    accounts: its peak does not grow with the number of accounts beyond the
    per-account quotas."""
    import tracemalloc
    peaks = []
    for calls in (150, 1500):
        c = _generated(calls)
        header = planmod.header(c.program, c.spec_hash)
        tracemalloc.start()
        evaluate_plan(c, Sink(), header)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] - peaks[0] < 450 * 400 + 150_000, peaks
