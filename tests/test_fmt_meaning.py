"""fmt preserves meaning: the plan of fmt(x) equals the plan of x, for the
examples and for generated layout variations of them; the repo's own specs
are already formatted."""

from __future__ import annotations

import io
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpusc.plan import planner as planmod
from corpusc.diagnostics.model import Sink
from corpusc.compiler.driver import compile_file
from corpusc.compiler.fmt import format_text
from corpusc.plan.serialize import write_json

from .conftest import EXAMPLES, ROOT
from .test_fmt import vary

SPECS = sorted(EXAMPLES.glob("*.corpus")) + sorted((ROOT / "stdlib").rglob("*.corpus"))
SMALL = {p.name: p.read_text() for p in sorted(EXAMPLES.glob("*.corpus")) if p.name != "hvac_60d.corpus"}


def plan_of(name: str, text: str) -> str:
    sink = Sink()
    c = compile_file(str(EXAMPLES / name), sink, text=text)
    assert c.program is not None and not sink.errors, sink.items
    tally = planmod.Tally(c.program)
    buf = io.StringIO()
    write_json(buf, planmod.header(c.program, "-"), tally.wrap(planmod.calls(c.program)), tally)
    doc = json.loads(buf.getvalue())
    return json.dumps(doc, sort_keys=True)


@pytest.mark.parametrize("path", SPECS, ids=lambda p: str(p.relative_to(ROOT)))
def test_repo_specs_are_formatted(path, cli):
    status, out = cli("fmt", "--check", str(path))
    assert status == 0, out


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.corpus")))
def test_plan_of_formatted_example_is_unchanged(name):
    text = (EXAMPLES / name).read_text()
    new, diags = format_text(text, name)
    assert new is not None, diags
    assert plan_of(name, new) == plan_of(name, text)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(SMALL)), seed=st.integers(0, 2**32 - 1))
def test_plan_survives_layout_variation_and_fmt(name, seed):
    varied = vary(SMALL[name], random.Random(seed))
    new, diags = format_text(varied, name)
    assert new is not None, diags
    assert format_text(new, name)[0] == new
    assert plan_of(name, new) == plan_of(name, SMALL[name])


def test_fmt_check_and_diff(cli, tmp_path):
    f = tmp_path / "x.corpus"
    f.write_text("corpus x {\n      seed 1\n}\n")
    status, out = cli("fmt", "--check", str(f))
    assert status == 1 and "would reformat" in out
    status, out = cli("fmt", "--diff", str(f))
    assert "-      seed 1" in out and "+  seed 1" in out
    assert f.read_text() == "corpus x {\n      seed 1\n}\n"
    status, out = cli("fmt", str(f))
    assert status == 0 and f.read_text() == "corpus x {\n  seed 1\n}\n"


def test_fmt_refuses_broken_file(cli, tmp_path):
    f = tmp_path / "x.corpus"
    f.write_text("corpus x {\n  seed 1\n")
    status, out = cli("fmt", str(f))
    assert status == 1 and "[E0001]" in out
    assert f.read_text() == "corpus x {\n  seed 1\n"
