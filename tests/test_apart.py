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


@fork
def test_a_build_compiled_apart_writes_the_same_bytes(tmp_path, monkeypatch):
    """`build` compiles a large spec in a child (here every spec): what it
    writes is byte for byte what the build compiled in-process writes."""
    from click.testing import CliRunner

    from corpusc.builder import apart as apart_mod
    from corpusc.cli.main import main
    monkeypatch.delenv("CORPUSC_DEBUG", raising=False)
    spec = str(ROOT / "examples" / "sales_pov.corpus")
    outs = []
    for above in (1 << 40, 0):
        monkeypatch.setattr(apart_mod, "APART_ABOVE", above)
        out = tmp_path / f"o{above}"
        r = CliRunner().invoke(main, ["build", spec, "-o", str(out), "--jobs", "2"])
        assert r.exit_code == 0, r.output
        outs.append(out)
    files = sorted(p.relative_to(outs[0]) for p in outs[0].rglob("*") if p.is_file() and ".corpusc" not in p.parts)
    assert files and files == sorted(p.relative_to(outs[1]) for p in outs[1].rglob("*")
                                     if p.is_file() and ".corpusc" not in p.parts)
    for rel in files:
        assert (outs[0] / rel).read_bytes() == (outs[1] / rel).read_bytes(), rel
