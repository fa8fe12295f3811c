"""The distribution report: declared vs realized shares, weekday and hour
histograms against their profiles, numeric summaries checked against the plan,
bounded memory (reservoir) and byte-identical output."""

from __future__ import annotations

import json
import math
import statistics
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from corpusc.builder import distribution as distmod
from corpusc.builder.coverage_report import distribution_md
from corpusc.plan import planner as planmod
from corpusc.diagnostics.model import Sink
from corpusc.compiler.driver import compile_file

SPEC = '''corpus dist {
  seed 7
  timezone "America/Chicago"
}

population inbound {
  count %(count)d
  window 2026-03-02..2026-03-29
  timezone "America/Chicago"
  hours 08:00..18:00 peak 13:00
  weekdays {
    mon 200%% tue 100%% wed 100%% thu 100%% fri 100%% sat 50%% sun 0%%
  }
  %(sampling)s
  scenario weights {
    booked 50%%
    callback 30%%
    spam 20%%
  }
  provider uniform [retell, vapi, bland]
  field duration_sec: lognormal(median 130s, sigma 0.4) clamp 20s..900s
  field sentiment: normal(mean 0.6, sd 0.1) clamp 0.0..1.0
  field interruptions: poisson(lambda 1.0) clamp 0..12
  field resolved: bool(p 70%%)
  when scenario == spam {
    field duration_sec: uniform(5s, 30s)
    field resolved: bool(p 0%%)
  }
}

emit transcripts {
  formats [json]
}
'''


def spec(count: int = 400, sampling: str = "") -> str:
    return SPEC % {"count": count, "sampling": sampling}


def compiled(text: str, name: str = "dist.corpus"):
    sink = Sink()
    c = compile_file(name, sink, text=text)
    errors = [d for d in sink.items if d.severity == "error"]
    assert not errors, errors
    return c


def measure(text: str) -> distmod.PopulationDist:
    c = compiled(text)
    (p,) = distmod.measure(c.program, planmod.calls(c.program)).populations
    return p


@pytest.fixture(scope="module")
def small() -> distmod.PopulationDist:
    return measure(spec(400))


def test_exact_sampling_realizes_every_quota(small):
    assert small.calls == small.declared_calls == 400
    scenario, provider = (c for c in small.categoricals if c.declared)
    assert [(v.value, v.calls) for v in scenario.levels] == [("booked", 200), ("callback", 120), ("spam", 80)]
    assert [v.declared_share for v in scenario.levels] == [0.5, 0.3, 0.2]
    assert all(v.difference_pp == 0.0 and v.calls == v.quota for v in scenario.levels)
    assert [v.quota for v in provider.levels] == [134, 133, 133]  # largest remainder, ties to the first
    assert [v.calls for v in provider.levels] == [134, 133, 133]
    assert [c.field for c in small.categoricals if c.declared] == ["scenario", "provider"]
    assert all(c.missing == 0 for c in small.categoricals)


def test_random_sampling_shows_the_difference():
    p = measure(spec(400, "sampling random"))
    scenario = p.categoricals[0]
    assert sum(v.calls for v in scenario.levels) == 400
    assert [v.quota for v in scenario.levels] == [200, 120, 80]
    assert any(v.calls != v.quota for v in scenario.levels)
    for v in scenario.levels:
        assert v.difference_pp == pytest.approx((v.calls / 400 - v.declared_share) * 100, abs=1e-3)
    md = "\n".join(distribution_md(distmod.Distribution(populations=[p])))
    assert "differ from their quota" in md and "sampling random" in md


def test_weekday_histogram_follows_the_profile(small):
    by = {b.key: b for b in small.weekdays}
    assert [b.key for b in small.weekdays] == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert by["sun"].calls == 0 and by["sun"].expected_share == 0.0
    assert max(small.weekdays, key=lambda b: b.calls).key == "mon"
    assert by["mon"].calls == pytest.approx(2 * by["wed"].calls, abs=4)
    assert by["sat"].calls == pytest.approx(by["wed"].calls / 2, abs=4)
    assert sum(b.calls for b in small.weekdays) == 400
    assert sum(b.expected for b in small.weekdays) == 400
    for b in small.weekdays:  # expected = planned calls per date, so realized matches
        assert b.calls == b.expected


def test_hour_histogram_within_hours_and_peaking_near_peak(small):
    keys = [int(b.key) for b in small.hours]
    assert keys == list(range(8, 18))
    assert sum(b.calls for b in small.hours) == 400
    assert sum(b.expected_share for b in small.hours) == pytest.approx(1.0, abs=1e-5)
    by = {int(b.key): b.calls for b in small.hours}
    top = max(by.values())
    assert by[12] == top or by[13] == top  # the peak slots 12:00-13:00 and 13:00-14:00
    assert by[8] < top / 2 + 5 and by[17] < top / 2 + 5
    expected_top = max(small.hours, key=lambda b: b.expected_share)
    assert int(expected_top.key) in (12, 13)  # the slot whose middle is nearest 13:00
    for b in small.hours:
        assert abs(b.share - b.expected_share) < 0.05


def test_hour_profile_comes_from_population_hour_weights(small):
    from corpusc.plan.population import hour_weights
    pop = compiled(spec(400)).program.populations[0]
    w = hour_weights(pop)
    total = sum(x[3] for x in w)
    assert [b.expected_share for b in small.hours] == [round(x[3] / total, 6) for x in w]


def _plan_calls(cli, tmp_path: Path, text: str) -> list[dict]:
    (tmp_path / "dist.corpus").write_text(text)
    code, out = cli("plan", "dist.corpus", "--json", "-o", "plan.json", cwd=tmp_path)
    assert code == 0, out
    return [c for c in json.loads((tmp_path / "plan.json").read_text())["calls"] if c["kind"] == "population"]


def _expect(values: list[float]) -> dict[str, float]:
    qs = statistics.quantiles(values, n=20, method="inclusive")
    return {"count": len(values), "min": min(values), "p5": qs[0], "median": statistics.median(values),
            "mean": statistics.fmean(values), "p95": qs[-1], "max": max(values)}


def _check(summary: distmod.Summary, values: list[float]) -> None:
    exp = _expect(values)
    got = summary.model_dump()
    for k, v in exp.items():
        assert got[k] == pytest.approx(v, abs=1e-4), (k, got[k], v)


def test_numeric_summaries_match_the_plan(cli, tmp_path, small):
    calls = _plan_calls(cli, tmp_path, spec(400))
    assert len(calls) == 400
    num = {f.field: f for f in small.numeric}
    assert list(num) == ["duration_sec", "sentiment", "interruptions"]
    for name, f in num.items():
        _check(f.summary, [c["metadata"][name] for c in calls])
        assert f.summary.exact and f.missing == 0
    (flag,) = small.flags
    assert flag.field == "resolved"
    assert flag.true == sum(c["metadata"]["resolved"] for c in calls)
    assert flag.true_share == round(flag.true / 400, 6)
    # split by scenario
    by: dict[str, list[dict]] = defaultdict(list)
    for c in calls:
        by[c["metadata"]["scenario"]].append(c["metadata"])
    assert small.group_by == "scenario"
    assert [g.value for g in small.groups] == ["booked", "callback", "spam"]
    for g in small.groups:
        assert g.calls == len(by[g.value])
        for f in g.numeric:
            _check(f.summary, [m[f.field] for m in by[g.value]])
        (gf,) = g.flags
        assert gf.true == sum(m["resolved"] for m in by[g.value])
    spam = next(g for g in small.groups if g.value == "spam")
    assert spam.flags[0].true == 0
    assert max(f.summary.max for f in spam.numeric if f.field == "duration_sec") <= 30
    assert small.overridden == ["duration_sec", "resolved"]


def test_reservoir_bounds_memory_keeps_exact_moments_and_is_seeded(monkeypatch):
    monkeypatch.setattr(distmod, "RESERVOIR", 500)
    values = [float((i * 7919) % 20011) for i in range(20_000)]

    def run(key=("7", "x")):
        n = distmod._Numbers(key)
        for i, v in enumerate(values):
            n.buf.append(v)
            if i % 1000 == 999:
                n.flush()
        n.flush(final=True)
        return n

    a = run()
    assert len(a.sample) == 500
    s = a.summary()
    assert (s.count, s.min, s.max, s.exact) == (20_000, min(values), max(values), False)
    assert s.mean == pytest.approx(statistics.fmean(values), abs=1e-3)
    exp = _expect(values)
    for k in ("p5", "median", "p95"):  # a 500-value uniform sample: within a few percent of the range
        assert abs(getattr(s, k) - exp[k]) < 0.06 * 20011, (k, getattr(s, k), exp[k])
    assert run().sample == a.sample  # same key, same sample
    assert run(("8", "x")).sample != a.sample
    assert set(a.sample) <= set(values)


def test_reservoir_is_uniform_over_positions(monkeypatch):
    """Each of 10 position deciles should hold ~10% of the sample (late values are not favoured)."""
    monkeypatch.setattr(distmod, "RESERVOIR", 1000)
    n = distmod._Numbers(("1",))
    n.buf.extend(float(i) for i in range(50_000))
    n.flush()
    deciles = Counter(int(x) // 5000 for x in n.sample)
    assert all(60 <= deciles[d] <= 140 for d in range(10)), deciles


def test_large_population_uses_the_reservoir_and_says_so(monkeypatch):
    monkeypatch.setattr(distmod, "RESERVOIR", 100)
    c = compiled(spec(1500))
    calls = [x for x in planmod.calls(c.program) if x.kind == "population"]
    (p,) = distmod.measure(c.program, iter(calls)).populations
    dur = next(f for f in p.numeric if f.field == "duration_sec").summary
    values = [x.metadata["duration_sec"] for x in calls]
    assert not dur.exact
    assert (dur.count, dur.min, dur.max) == (1500, min(values), max(values))
    assert dur.mean == pytest.approx(statistics.fmean(values), abs=1e-3)
    md = "\n".join(distribution_md(distmod.Distribution(populations=[p])))
    assert "seeded uniform sample of 100 values" in md


def test_undeclared_metadata_keys_are_typed_by_value(monkeypatch):
    """Keys the lead adds later (team, ANI, scores, flags) are reported without code changes;
    a free-text key stops counting new values after MAX_LEVELS."""
    monkeypatch.setattr(distmod, "MAX_LEVELS", 5)
    c = compiled(spec(60))
    acc = distmod.Accumulator(c.program)

    def extra(calls):
        for i, x in enumerate(calls):
            meta = dict(x.metadata, zteam=("red", "blue")[i % 2], ani=f"+1555000{i:04d}", score=i, vip=i % 3 == 0)
            yield x.model_copy(update={"metadata": meta})

    for _ in acc.wrap(extra(planmod.calls(c.program))):
        pass
    (p,) = acc.result().populations
    cats = {x.field: x for x in p.categoricals}
    names = list(cats)
    assert names[:2] == ["scenario", "provider"] and names[2:] == sorted(names[2:])  # declared first
    assert {"ani", "zteam"} <= set(names)
    assert not cats["zteam"].declared
    assert [(v.value, v.calls, v.quota) for v in cats["zteam"].levels] == [("blue", 30, None), ("red", 30, None)]
    assert len(cats["ani"].levels) == 5 and cats["ani"].other == 55 and cats["ani"].missing == 0
    score = next(f for f in p.numeric if f.field == "score")
    assert (score.summary.min, score.summary.max, score.summary.mean) == (0, 59, 29.5)
    vip = next(f for f in p.flags if f.field == "vip")
    assert vip.true == 20
    md = "\n".join(distribution_md(acc.result()))
    assert "`ani`: more than 5 distinct values" in md
    assert "### `zteam` (not declared by weights)" in md and "| blue | 30 | 50.00% |" in md


def _section(md: str) -> str:
    return md[md.index("## Distribution"):]


def test_build_writes_the_report_deterministically(cli, tmp_path, text_snapshot):
    (tmp_path / "dist.corpus").write_text(spec(120))
    outs = []
    for d in ("a", "b"):
        code, out = cli("build", "dist.corpus", "-o", d, cwd=tmp_path)
        assert code == 0, out
        outs.append(tmp_path / d)
    for name in ("coverage.md", "coverage.json"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes()
    doc = json.loads((outs[0] / "coverage.json").read_text())
    (p,) = doc["distribution"]["populations"]
    assert p["population"] == "inbound" and p["calls"] == 120
    assert p == measure(spec(120)).model_dump(mode="json")
    md = (outs[0] / "coverage.md").read_text()
    own = distmod.Distribution(populations=[measure(spec(120))])
    assert _section(md) == "\n".join(distribution_md(own)).lstrip("\n") + "\n"
    assert _section(md) == text_snapshot


def test_no_population_no_section(cli, tmp_path):
    from .conftest import EXAMPLES
    c = compile_file(str(EXAMPLES / "sales_pov.corpus"), Sink())
    d = distmod.measure(c.program, planmod.calls(c.program))
    assert d.populations == [] and distribution_md(d) == []


def test_coverage_is_one_pass_over_the_plan_or_none_when_given(tmp_path, monkeypatch):
    """write() streams the plan once (quality sample, then the rest); with a
    distribution measured by the caller's own pass, it measures nothing again."""
    from corpusc.builder import coverage_report
    c = compiled(spec(150))
    real = planmod.calls
    passes = []

    def counting(prog):
        passes.append(1)
        return real(prog)

    monkeypatch.setattr(planmod, "calls", counting)
    coverage_report.write(tmp_path, c, [])
    assert len(passes) == 1
    first = (tmp_path / "coverage.md").read_bytes(), (tmp_path / "coverage.json").read_bytes()
    given = distmod.measure(c.program, real(c.program))
    monkeypatch.setattr(distmod.Accumulator, "wrap", lambda *a: pytest.fail("measured twice"))
    coverage_report.write(tmp_path, c, [], dist=given)
    assert ((tmp_path / "coverage.md").read_bytes(), (tmp_path / "coverage.json").read_bytes()) == first


def test_off_quota_counts_are_explained(small):
    """Under exact sampling a count off its quota is blamed on adjustments or shifts, never hidden."""
    scen = next(c for c in small.categoricals if c.field == "scenario")
    moved = [scen.levels[0].model_copy(update={"calls": 201}), scen.levels[1].model_copy(update={"calls": 119}),
             scen.levels[2]]
    cats = [scen.model_copy(update={"levels": moved, "adjusted": True})]
    md = "\n".join(distribution_md(distmod.Distribution(populations=[small.model_copy(update={"categoricals": cats})])))
    assert "2 of 3 values differ from their quota (`when` adjustments or shifts move calls between values)." in md
    assert "| booked | 50.00% | 200 | 201 |" in md
    assert not scen.adjusted  # nothing adjusts the scenario in SPEC


@pytest.mark.parametrize("count", [60, 120, 1800])
def test_quiet_hours_get_their_share_at_low_daily_volume(tmp_path, count):
    """At one or two calls a day, an hour worth a fraction of a call a day must
    still get its share over the window: every hour within one call of its
    expected count (each day's apportionment carries what hours are owed)."""
    import re

    from .conftest import EXAMPLES
    spec = tmp_path / "h.corpus"
    spec.write_text(re.sub(r"count 1800\b", f"count {count}", (EXAMPLES / "hvac_60d.corpus").read_text()))
    prog = compile_file(str(spec), Sink()).program
    hours = distmod.measure(prog, planmod.calls(prog)).populations[0].hours
    assert sum(b.calls for b in hours) == count
    for b in hours:
        assert abs(b.calls - b.expected) < 1.0 + 1e-9, (b.key, b.calls, b.expected)


@pytest.mark.parametrize("size,chunk", [(300, 4096), (64, 37)])
def test_reservoir_loop_is_algorithm_l_on_the_helpers(monkeypatch, size, chunk):
    """`_take` spells out rng.below, `_u` and `_after` in its loop; the sample
    is the one algorithm L gives when written with them, however the values
    are taken (`chunk` values at a time)."""
    from corpusc.plan import rng
    monkeypatch.setattr(distmod, "RESERVOIR", size)
    monkeypatch.setattr(distmod, "CHUNK", chunk)
    values = [float((i * 104729) % 9973) for i in range(6000)]
    n = distmod._Numbers(("3", "y"))
    for i in range(0, len(values), chunk):
        n.buf.extend(values[i:i + chunk])
        n.flush()
    n.flush(final=True)
    r = rng.stream("3", "y")
    sample = values[:size]
    w = math.exp(math.log(distmod._u(r.random)) / size)
    nxt = distmod._after(size, w, r.random)
    while nxt <= len(values):
        sample[rng.below(r, size)] = values[nxt - 1]
        w *= math.exp(math.log(distmod._u(r.random)) / size)
        nxt = distmod._after(nxt, w, r.random)
    assert list(n.sample) == sample
