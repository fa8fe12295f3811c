"""User input never reaches an internal error: counts, day offsets, windows,
dates and nesting beyond what can be planned get their own codes (E1001-E1005)
at the offending token, at `check`, before any planning; outputs that cannot
be written are E0903; a machine-readable format always prints a document."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from corpusc.compiler import bounds

BIG = "99999999999999999999"


def spec(corpus: str = "seed 1", pop: str = "count 10", when: str = "on day 0", call: str = "",
         extra: str = "") -> str:
    """A small spec with one account thread and one population; each part can
    be replaced. Line numbers: corpus 1, call 6, population body from 9."""
    return (f"corpus t {{ {corpus} }}\n"
            "use stdlib.personas\n"
            'rep jordan "Jordan" { title "AE" }\n'
            'account acme "Acme" {\n'
            '  outcome lost\n'
            f"  call intro {when} {{ stage discovery with jordan, dana {call} }}\n"
            '  stakeholder dana "Dana" { role "CFO" persona reluctant_adopter decision_maker }\n'
            "}\n"
            "population p {\n"
            f"  {pop}\n"
            "}\n" + extra)


def run(args, cwd=None):
    """`corpusc ARGS` in-process; (exit code, stdout, stderr) kept apart."""
    from corpusc.cli.main import main
    old = os.getcwd()
    if cwd:
        os.chdir(cwd)
    try:
        r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    return r.exit_code, r.stdout, r.stderr


def located(out: str, code: str) -> tuple[int, int]:
    """(line, column) of the first `code` diagnostic in text output."""
    m = re.search(rf"error\[{code}\][^\n]*\n\s*--> [^\n]*?:(\d+):(\d+)", out)
    assert m, out
    return int(m.group(1)), int(m.group(2))


def at(text: str, needle: str, skip: int = 0) -> tuple[int, int]:
    """(line, column) of `needle` in `text`, `skip` characters into it."""
    off = text.index(needle) + skip
    return text.count("\n", 0, off) + 1, off - (text.rfind("\n", 0, off) + 1) + 1


def case(name: str, text: str, code: str, needle: str, skip: int = 0):
    return (name, text, code, *at(text, needle, skip))


DEEP = "[" * 20000 + "]" * 20000
# (name, spec, code, line, column of the offending token): every numeric and
# date field of docs/language.md that can ask for more than can be planned
CASES = [
    case("count two billion", spec(pop="count 2000000000"), "E1001", "2000000000"),
    case("count 20 digits", spec(pop=f"count {BIG}"), "E1001", BIG),
    case("count 400 digits", spec(pop="count " + "9" * 400), "E1001", "9" * 400),
    case("count 5000 digits", spec(pop="count " + "9" * 5000), "E1001", "9" * 5000),
    case("volume", spec(pop="volume 2000000 per day\n  window 3000 days"), "E1001", "2000000"),
    case("volume 20 digits", spec(pop=f"volume {BIG} per day"), "E1001", BIG),
    # past the float range (hypothesis found it: float('1e400') is inf)
    case("volume 401 digits", spec(pop="volume 1" + "0" * 400 + " per day"), "E1001", "1" + "0" * 400),
    case("turns", spec(call="turns 2000000000"), "E1001", "2000000000"),
    case("length in turns", spec(call="length 100000 turns"), "E1001", "100000"),
    case("moments", spec(call=f"paralinguistics on moments {BIG}"), "E1001", BIG),
    case("length in minutes", spec(call="length " + "9" * 400 + " min"), "E0207", "length"),
    case("on day", spec(when="on day 3000000"), "E1002", "3000000"),
    case("on day 20 digits", spec(when=f"on day {BIG}"), "E1002", BIG),
    case("on day negative", spec(when=f"on day -{BIG}"), "E1002", f"-{BIG}"),
    case("window days", spec(pop="count 10\n  window 3000000 days"), "E1003", "3000000 days"),
    case("window days 20 digits", spec(pop=f"count 10\n  window {BIG} days"), "E1003", BIG),
    case("window ending", spec(pop="count 10\n  window 3000000 days ending 2026-01-01"), "E1003", "3000000"),
    case("window range too long", spec(pop="count 10\n  window 1980-01-01..2990-01-01"), "E1003", "1980-01-01"),
    case("window range dates", spec(pop="count 10\n  window 0001-01-01..9999-12-31"), "E1004", "0001-01-01"),
    case("window starting", spec(pop="count 10\n  window 30 days starting 9999-12-31"), "E1004", "9999-12-31"),
    case("window starting runs past", spec(pop="count 10\n  window 30 days starting 2999-12-20"), "E1004",
         "30 days"),
    case("window ending runs before", spec(pop="count 10\n  window 30 days ending 1970-01-10"), "E1004", "30 days"),
    case("window days past the end", spec(corpus="seed 1 starts 2999-12-20", pop="count 10\n  window 30 days"),
         "E1004", "30 days"),
    case("starts max", spec(corpus="seed 1 starts 9999-12-31"), "E1004", "9999-12-31"),
    case("starts min", spec(corpus="seed 1 starts 0001-01-01"), "E1004", "0001-01-01"),
    case("on date max", spec(when="on 9999-12-31"), "E1004", "9999-12-31"),
    case("on date min", spec(when="on 0001-01-01"), "E1004", "0001-01-01"),
    case("on day past the calendar", spec(corpus="seed 1 starts 2999-01-01", when="on day 36000"), "E1004", "36000"),
    case("nested list", spec(extra='industry x "X" {\n  terms ' + DEEP + "\n}\n"), "E1005", DEEP, 32),
    case("nested parentheses", spec(extra="require all calls: " + "(" * 20000 + "paralinguistics" + ")" * 20000
                                    + "\n"), "E1005", "(" * 20000, 32),
    case("not chain", spec(extra="require all calls: " + "not " * 20000 + "paralinguistics\n"), "E1005",
         "not " * 20000, 4 * 32),
]


@pytest.mark.parametrize("name,text,code,line,col", CASES, ids=[c[0] for c in CASES])
def test_extreme_values_get_a_located_diagnostic(tmp_path, name, text, code, line, col):
    f = tmp_path / "x.corpus"
    f.write_text(text)
    for fmt in ("text", "json"):
        status, out, err = run(["check", "--format", fmt, str(f)])
        assert status == 1
        assert "E0901" not in out + err and "Traceback" not in out + err
    status, out, err = run(["check", str(f)])
    assert (line, col) == located(out, code)
    assert "= help:" in out.split(f"[{code}]", 1)[1].split("error[", 1)[0]
    assert f"x.corpus:{line}:{col}" in out
    # plan stops at the same diagnostic, before planning anything
    status, out, err = run(["plan", str(f)])
    assert status == 1 and f"[{code}]" in err and "E0901" not in err


def test_the_limits_themselves_are_accepted(tmp_path, cli):
    """The largest day, window and dates pass, and plan."""
    f = tmp_path / "edge.corpus"
    f.write_text(spec(corpus="seed 1 starts 1970-01-01", when=f"on day {bounds.MAX_DAY}",
                      call=f"turns {bounds.MAX_TURNS}",
                      pop=f"count 10\n  window {bounds.MAX_WINDOW_DAYS} days ending 2999-12-31"))
    status, out = cli("check", str(f))
    assert status == 0, out
    status, out = cli("plan", str(f))
    assert status == 0, out
    f.write_text(spec(when="on 2999-12-31", pop="count 10\n  window 1970-01-01..1970-01-05"))
    status, out = cli("plan", str(f))
    assert status == 0, out


def test_total_calls_over_the_cap(tmp_path, cli):
    """Two populations each within the cap but together over it: the second is reported."""
    f = tmp_path / "two.corpus"
    half = bounds.MAX_CALLS // 2 + 1
    f.write_text(spec(pop=f"count {half}", extra=f"population q {{\n  count {half}\n}}\n"))
    status, out = cli("check", str(f))
    assert status == 1 and "E0901" not in out
    assert located(out, "E1001") == (13, 9)


INT = st.one_of(st.integers(-10 ** 30, 10 ** 30), st.sampled_from([0, 1, -1, 2 ** 31, 2 ** 63, 10 ** 400]))
DATE = st.tuples(st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32)).map(
    lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}")
FIELDS = {
    "count": lambda v: spec(pop=f"count {v}"),
    "volume": lambda v: spec(pop=f"volume {v} per day"),
    "window days": lambda v: spec(pop=f"count 10\n  window {v} days"),
    "window ending": lambda v: spec(pop=f"count 10\n  window {v} days ending 2026-01-01"),
    "on day": lambda v: spec(when=f"on day {v}"),
    "turns": lambda v: spec(call=f"turns {v}"),
    "length turns": lambda v: spec(call=f"length {v} turns"),
    "moments": lambda v: spec(call=f"paralinguistics on moments {v}"),
    "length min": lambda v: spec(call=f"length {v} min"),
    "seed": lambda v: spec(corpus=f"seed {v}"),
    "employees": lambda v: spec(call="", extra=f'size huge {{ employees 1..{v} }}\n'),
    "sampler": lambda v: spec(pop=f"count 10\n  field d: int(0, {v}) clamp -{v}..{v}"),
    "duration": lambda v: spec(pop=f"count 10\n  field duration_sec: uniform(1s, {v}s)"),
}
DATES = {
    "starts": lambda d: spec(corpus=f"seed 1 starts {d}"),
    "on date": lambda d: spec(when=f"on {d}"),
    "window range": lambda d: spec(pop=f"count 10\n  window {d}..2026-01-01"),
    "window starting": lambda d: spec(pop=f"count 10\n  window 30 days starting {d}"),
}


def _no_internal_error(tmp_path, text: str) -> None:
    f = tmp_path / "h.corpus"
    f.write_text(text)
    status, out, err = run(["check", "--format", "json", str(f)])
    doc = json.loads(out)
    assert status == (1 if doc["error_count"] else 0)
    for d in doc["diagnostics"]:
        assert d["code"] != "E0901", d
        assert d["range"]["filename"] == str(f) and d["range"]["start"]["line"] >= 1, d


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(sorted(FIELDS)), value=INT)
@example(field="volume", value=10 ** 400)  # volume x days overflowed to inf, and printing it raised
def test_any_number_in_any_field_is_never_an_internal_error(tmp_path, field, value):
    _no_internal_error(tmp_path, FIELDS[field](value))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(sorted(DATES)), date=DATE)
def test_any_date_in_any_field_is_never_an_internal_error(tmp_path, field, date):
    _no_internal_error(tmp_path, DATES[field](date))


def test_fmt_of_a_deep_list_is_a_diagnostic(tmp_path):
    f = tmp_path / "deep.corpus"
    f.write_text('corpus t { seed 1 }\nindustry x "X" {\n  terms ' + "[" * 20000 + "]" * 20000 + "\n}\n")
    status, out, err = run(["fmt", "--check", str(f)])
    assert status == 1
    assert "[E1005]" in err and "deep.corpus:3:41" in err and "E0901" not in err


def test_nesting_up_to_the_limit_is_accepted(tmp_path, cli):
    from corpusc.compiler.parse import MAX_NESTING
    f = tmp_path / "n.corpus"
    f.write_text(spec(extra="require all calls: " + "(" * (MAX_NESTING - 1) + "not paralinguistics"
                      + ")" * (MAX_NESTING - 1) + "\n"))
    status, out = cli("check", str(f))
    assert "E1005" not in out and "E0901" not in out
    f.write_text(spec(extra="require all calls: " + "(" * MAX_NESTING + "not paralinguistics"
                      + ")" * MAX_NESTING + "\n"))
    status, out = cli("check", str(f))
    assert status == 1 and "[E1005]" in out


# --- outputs that cannot be written ---------------------------------------------

def _unwritable(tmp_path: Path) -> list[Path]:
    """Paths that cannot be written even by root: a file whose folder is a
    regular file, and a new file in sysfs (which creates no regular files)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    out = [blocker / "plan.txt"]
    if Path("/sys/kernel").is_dir():
        out.append(Path("/sys/corpusc-cannot-write.txt"))
    return out


def test_plan_to_an_unwritable_path_is_e0903(tmp_path):
    spec_file = tmp_path / "s.corpus"
    spec_file.write_text(spec())
    for target in _unwritable(tmp_path):
        r = subprocess.run([sys.executable, "-m", "corpusc", "plan", str(spec_file), "-o", str(target)],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 1, r.stderr
        assert "[E0903]" in r.stderr and f"cannot write `{target}`" in r.stderr
        assert "E0901" not in r.stderr and "Traceback" not in r.stderr
        assert not target.exists()
        r = subprocess.run([sys.executable, "-m", "corpusc", "check", str(spec_file), "--coverage", str(target)],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 1 and "[E0903]" in r.stderr and "E0901" not in r.stderr


def test_plan_e0903_in_json(tmp_path):
    spec_file = tmp_path / "s.corpus"
    spec_file.write_text(spec())
    target = _unwritable(tmp_path)[0]
    status, out, err = run(["plan", str(spec_file), "-o", str(target), "--format", "json"])
    assert status == 1
    doc = json.loads(err)
    assert [d["code"] for d in doc["diagnostics"]] == ["E0903"]


# --- machine-readable formats after an internal error -----------------------------

@pytest.fixture
def broken(monkeypatch):
    from corpusc.compiler import driver

    def boom(*a, **k):
        raise RuntimeError("kaboom")
    monkeypatch.setattr(driver, "compile_file", boom)
    monkeypatch.delenv("CORPUSC_DEBUG", raising=False)


def test_check_json_after_an_internal_error_is_a_document(broken, tmp_path):
    f = tmp_path / "s.corpus"
    f.write_text(spec())
    status, out, err = run(["check", "--format", "json", str(f)])
    assert status == 1
    doc = json.loads(out)
    assert doc["valid"] is False and doc["coverage"] == []
    assert [d["code"] for d in doc["diagnostics"]] == ["E0901"]
    assert "kaboom" in doc["diagnostics"][0]["summary"]
    assert "[E0901]" in err


def test_check_sarif_after_an_internal_error_is_a_document(broken, tmp_path):
    f = tmp_path / "s.corpus"
    f.write_text(spec())
    status, out, err = run(["check", "--format", "sarif", str(f)])
    assert status == 1
    doc = json.loads(out)
    assert doc["version"] == "2.1.0"
    assert [r["ruleId"] for r in doc["runs"][0]["results"]] == ["E0901"]


def test_plan_json_after_an_internal_error_is_a_document(broken, tmp_path):
    f = tmp_path / "s.corpus"
    f.write_text(spec())
    status, out, err = run(["plan", "--format", "json", str(f)])
    assert status == 1 and out == ""
    assert [d["code"] for d in json.loads(err)["diagnostics"]] == ["E0901"]


@pytest.mark.parametrize("pop", ["count 1e3", "volume 3e1 per day"])
def test_an_exponent_is_one_located_error_with_no_follow_on(tmp_path, pop):
    """`count 1e3` reads as 1 and the name `e3`: one E0207 at `e3` saying to write
    the number in full, and no "population has no count" (E0208) after it."""
    f = tmp_path / "x.corpus"
    text = spec(pop=pop)
    f.write_text(text)
    status, out, err = run(["check", str(f)])
    assert status == 1
    assert located(out, "E0207") == at(text, pop.split()[1], 1)
    assert "without an exponent" in out and "E0208" not in out
    assert out.count("error[") == 1


def test_checking_a_large_spec_costs_memory_in_proportion_to_its_size(tmp_path, monkeypatch):
    """Issue 14: a 4.8 MB spec of 120,000 `rep` blocks took 3.25 GB to check.
    Four times the blocks may take about four times the memory, not sixteen
    (tracemalloc's peak of the compile, module cache off; the benchmark
    benchmarks/bench_compiler.py measures the process at full size)."""
    import tracemalloc

    from corpusc.compiler.driver import compile_file
    from corpusc.diagnostics.model import Sink
    monkeypatch.setenv("CORPUSC_NO_CACHE", "1")
    peaks = {}
    for n in (3_000, 12_000):
        spec = tmp_path / f"reps{n}.corpus"
        spec.write_text("corpus big { seed 1 }\n" + "".join(f'rep r{i} "Rep {i}" {{ title "AE" }}\n'
                                                            for i in range(n)))
        tracemalloc.start()
        sink = Sink()
        compile_file(str(spec), sink)
        peaks[n] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert not sink.errors
        assert peaks[n] < 300 * spec.stat().st_size, (n, peaks[n], spec.stat().st_size)  # about 70 today
    assert peaks[12_000] < 6 * peaks[3_000], peaks
