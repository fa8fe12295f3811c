"""builder.apart: a build compiles in a forked child, whose memory ends with
it, and takes the program back pickled a chunk of accounts at a time."""

from __future__ import annotations

import os
import sys

import pytest

from corpusc.builder.apart import CHUNK, apart, dump_program, load_program, program_head
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


def test_a_pool_workers_program_holds_no_account():
    """A pool's worker is given the program's bytes up to its accounts and
    reads no account (each unit brings its own): the bytes are a small part
    of the whole, and the program read from them is the program less its
    accounts. A 10,000-call spec's accounts were 47 MB in every worker."""
    c = _generated(3 * (2 * CHUNK + 5))
    prog = c.program
    data = dump_program(prog)
    head = program_head(data)
    assert data.startswith(head) and len(head) * 20 < len(data)
    bare = load_program(head, accounts=False)
    assert bare.accounts == [] and bare.model_copy(update={"accounts": prog.accounts}) == prog
    assert load_program(data, accounts=False) == bare


def test_a_sales_build_renders_the_same_from_units_that_bring_their_accounts(tmp_path):
    """The units of a pool's build carry their accounts and divergence shares:
    `--jobs 2` (workers started as a build of a large spec starts them, with
    no account in their program) writes the bytes `--jobs 1` writes."""
    import subprocess
    spec = tmp_path / "gen.corpus"
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from gen_spec import sales_spec
    spec.write_text(sales_spec(60))
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        env = dict(os.environ, CORPUSC_START="spawn")
        subprocess.run([sys.executable, "-m", "corpusc", "build", str(spec), "-o", str(out), "--jobs", jobs,
                        "--only", "transcripts,ground_truth"], check=True, capture_output=True, env=env)
        outs.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*"))
                     if p.is_file() and p.parent.name in ("transcripts", "ground_truth")})
    assert len(outs[0]) >= 60 and outs[0] == outs[1]


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


def test_a_one_job_build_of_a_large_spec_renders_in_a_worker_of_its_own(tmp_path, monkeypatch):
    """`--jobs 1` on a spec whose program pickles to `executor.RENDER_APART`
    bytes or more renders in one worker process (the main process holds the
    program, the worker the renderer's caches: 10,000 generated sales calls
    peaked at 217 MB in one process), and writes the bytes a build in this
    process writes."""
    from corpusc.builder import executor, worker
    _generated(3)  # (puts benchmarks/ on the path)
    from gen_spec import sales_spec
    spec = tmp_path / "gen.corpus"
    spec.write_text(sales_spec(45))
    sink = Sink()
    c = compile_spec(str(spec), sink)
    assert not sink.errors
    got = {}
    for name, bound in (("here", 1 << 40), ("apart", 0)):
        monkeypatch.setattr(executor, "RENDER_APART", bound)
        worker._W.clear()
        out = tmp_path / name
        executor.build(c, str(spec), out, jobs=1, pickled=dump_program(c.program))
        got[name] = ({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*"))
                      if p.is_file() and p.parent.name in ("transcripts", "ground_truth")}, bool(worker._W))
    assert got["here"][1] and not got["apart"][1]  # rendered in this process; in a worker
    assert len(got["here"][0]) >= 45 and got["here"][0] == got["apart"][0]
