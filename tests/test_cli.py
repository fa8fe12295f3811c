"""The command line as a user runs it: formats, exit codes, usage errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import EXAMPLES, FIXTURES

DIAG = FIXTURES / "diagnostics"


def test_check_examples_pass(cli):
    for p in sorted(EXAMPLES.glob("*.corpus")):
        status, out = cli("check", str(p))
        assert status == 0, out
        assert out.strip().splitlines()[-1].startswith("check passed")


def test_check_several_files_reports_all(cli):
    status, out = cli("check", "E0204.corpus", "E0401.corpus", "E0602.corpus", cwd=DIAG)
    assert status == 1
    assert "[E0204]" in out and "[E0401]" in out and "[E0602]" in out


def test_sarif_format(cli):
    status, out = cli("check", "--format", "sarif", "E0204.corpus", cwd=DIAG)
    assert status == 1
    doc = json.loads(out)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for res in run["results"]:
        assert ids[res["ruleIndex"]] == res["ruleId"]
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == "E0204.corpus"
        assert loc["region"]["startLine"] >= 1


def test_github_format(cli):
    status, out = cli("check", "--format", "github", "E0204.corpus", cwd=DIAG)
    assert status == 1
    line = next(x for x in out.splitlines() if "title=E0204" in x)
    assert line.startswith("::error file=E0204.corpus,line=")


def test_json_format_has_coverage(cli):
    status, out = cli("check", "--format", "json", str(EXAMPLES / "sales_pov.corpus"))
    assert status == 0
    doc = json.loads(out)
    assert doc["valid"] is True and doc["error_count"] == 0
    crit = doc["coverage"][0]["criteria"]
    assert crit and all(c["passed"] for c in crit)


def test_usage_error_exits_2():
    r = subprocess.run([sys.executable, "-m", "corpusc", "check"], capture_output=True, text=True)
    assert r.returncode == 2
    r = subprocess.run([sys.executable, "-m", "corpusc", "check", "--format", "xml", "x.corpus"],
                       capture_output=True, text=True)
    assert r.returncode == 2


def test_real_process_never_prints_a_traceback(tmp_path):
    f = tmp_path / "x.corpus"
    f.write_bytes(b"\xff\xfe garbage {{{{")
    r = subprocess.run([sys.executable, "-m", "corpusc", "check", str(f)], capture_output=True, text=True)
    assert r.returncode == 1
    assert "Traceback" not in r.stdout + r.stderr
    assert "[E0003]" in r.stdout


def test_fast_exit_keeps_output_and_exit_codes(tmp_path):
    """`run` leaves with os._exit: buffered output must still reach a pipe
    whole, and every exit status must be the command's."""
    ok = EXAMPLES / "sales_pov.corpus"
    r = subprocess.run([sys.executable, "-m", "corpusc", "plan", "--json", str(ok)], capture_output=True)
    assert r.returncode == 0
    doc = json.loads(r.stdout)  # tens of kilobytes through a block-buffered pipe, none lost
    assert len(r.stdout) > 20_000 and doc
    r = subprocess.run([sys.executable, "-m", "corpusc", "explain", "E9999"], capture_output=True, text=True)
    assert r.returncode == 1 and "unknown diagnostic code" in r.stderr
    r = subprocess.run([sys.executable, "-m", "corpusc", "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith("corpusc")


def test_closed_pipe_exits_cleanly():
    """`corpusc plan ... | head -1`: the reader goes away; no traceback, no
    'Exception ignored' noise, a non-zero status. (The plan of 1,800 calls
    is megabytes, far more than a pipe holds.)"""
    p = subprocess.Popen([sys.executable, "-m", "corpusc", "plan", "--json", str(EXAMPLES / "hvac_60d.corpus")],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.read(10)
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait() != 0
    assert "Traceback" not in err and "Exception ignored" not in err


@pytest.mark.parametrize("args", [["check", str(EXAMPLES / "sales_pov.corpus")], ["explain", "E0001"]])
def test_run_holds_collection_back_until_compiled(monkeypatch, capsys, args):
    """The executable (`run`) raises the collector's threshold for start-up;
    `_started` (after compiling, or at once for a command that compiles
    nothing) freezes what start-up made and restores the usual one."""
    import gc

    from corpusc.cli import main as cli
    seen = {}
    real = cli._started

    def spy():
        seen["before"] = gc.get_threshold()[0]
        real()
        seen["after"] = gc.get_threshold()

    class Exited(Exception):
        pass

    def fake_exit(code):
        raise Exited(code)

    monkeypatch.setattr(cli, "_started", spy)
    monkeypatch.setattr(cli.os, "_exit", fake_exit)
    monkeypatch.setattr(sys, "argv", ["corpusc", *args])
    threshold = gc.get_threshold()
    try:
        cli.run()
    except Exited as e:
        code = e.args[0]
    except SystemExit as e:  # another thread is alive in this test process: Python's own exit
        code = e.code
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
    assert code == 0, capsys.readouterr()
    assert seen == {"before": cli._START_THRESHOLD, "after": cli._GC_DEFAULT}


def test_a_profiler_gets_its_data_and_a_closed_stdout_is_no_crash(tmp_path):
    """The fast exit steps aside for a profiler (it writes at exit) and
    copes with a process started without stdout."""
    prof = tmp_path / "p.prof"
    r = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "corpusc", "explain", "E0001"],
                       capture_output=True, text=True)
    assert r.returncode == 0 and prof.stat().st_size > 0, r.stderr
    r = subprocess.run([sys.executable, "-m", "corpusc", "--version"], stderr=subprocess.PIPE, text=True,
                       preexec_fn=lambda: os.close(1))
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr


def test_check_imports_no_more_than_it_needs(tmp_path):
    """`corpusc check` loads the backends and the renderer a spec names, for
    their options and locales, but not what only writing a call needs (the
    renderer's trait tables and txt layout, reached through ground truth),
    nor the population planner of a sales-only spec, nor the commands it does
    not run. A backend installed by a third party is still loaded and its
    options checked (tests/test_seams.py)."""
    code = ("import sys\nfrom corpusc.cli.main import main\n"
            "try:\n    main(['check', sys.argv[1]])\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('corpusc.'))))")
    r = subprocess.run([sys.executable, "-c", code, str(EXAMPLES / "sales_pov.corpus")], cwd=tmp_path,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    loaded = set(r.stdout.splitlines()[-1].split())
    assert {"corpusc.backends.transcripts", "corpusc.backends.ground_truth", "corpusc.render.template.renderer"} \
        <= loaded  # the spec's own emits and engine, as the registries load them
    for name in ("corpusc.render.template.traits", "corpusc.render.text", "corpusc.plan.population",
                 "corpusc.cli.deliver", "corpusc.cli.score", "corpusc.cli.batch", "corpusc.builder.executor"):
        assert name not in loaded, name
    help_text = subprocess.run([sys.executable, "-m", "corpusc", "--help"], cwd=tmp_path, capture_output=True,
                               text=True, timeout=60).stdout
    assert all(f"  {c} " in help_text for c in ("batch", "deliver", "score", "check", "build"))
